//! The HTTP layer: the [`HttpClient`] trait and its hyper + rustls implementation.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper_util::client::legacy::Client as LegacyClient;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;

use crate::error::{Error, ErrorKind};
use crate::proxy::{ProxyConfig, ProxyConnector};

/// A response as the transport returns it: status, headers and the whole body.
pub type HttpResponse = http::Response<Bytes>;

/// What the transport must enforce on one response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct ResponseLimits {
    /// The longest wait for the response head and body.
    pub read_timeout: Duration,
    /// The largest body accepted, in bytes.
    pub max_body: usize,
}

impl ResponseLimits {
    /// Limits with a read timeout and a body cap.
    pub fn new(read_timeout: Duration, max_body: usize) -> Self {
        Self {
            read_timeout,
            max_body,
        }
    }
}

/// Sends one HTTP request and reads the whole response. Implement it to plug in another HTTP
/// stack, or a recording for tests.
///
/// ```
/// use acs_core::{Error, HttpClient, HttpResponse, ResponseLimits};
/// use bytes::Bytes;
///
/// /// Answers every request with the same body.
/// #[derive(Debug)]
/// struct Canned(&'static str);
///
/// #[async_trait::async_trait]
/// impl HttpClient for Canned {
///     async fn send(&self, _: http::Request<Bytes>, _: ResponseLimits) -> Result<HttpResponse, Error> {
///         Ok(http::Response::new(Bytes::from_static(self.0.as_bytes())))
///     }
/// }
/// ```
#[async_trait::async_trait]
pub trait HttpClient: Send + Sync + fmt::Debug {
    /// Sends `request`; reads the response within `limits`.
    async fn send(
        &self,
        request: http::Request<Bytes>,
        limits: ResponseLimits,
    ) -> Result<HttpResponse, Error>;
}

/// A shareable, type-erased HTTP client.
pub type SharedHttpClient = Arc<dyn HttpClient>;

/// hyper 1 over rustls (ring): HTTP/1.1 and HTTP/2, pooled keep-alive connections,
/// `TCP_NODELAY`, and a connect timeout.
#[derive(Clone)]
pub struct HyperClient {
    inner: LegacyClient<hyper_rustls::HttpsConnector<ProxyConnector>, Full<Bytes>>,
}

impl fmt::Debug for HyperClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HyperClient").finish_non_exhaustive()
    }
}

impl HyperClient {
    /// A client whose connections time out after `connect_timeout`, going through `proxy`.
    /// TLS trusts the Mozilla roots (feature `webpki-roots`, the default) or the system's
    /// (feature `native-roots`).
    pub fn new(connect_timeout: Duration, proxy: &ProxyConfig) -> Result<Self, Error> {
        let mut http = HttpConnector::new();
        http.set_nodelay(true);
        http.set_connect_timeout(Some(connect_timeout));
        http.enforce_http(false);
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let builder = hyper_rustls::HttpsConnectorBuilder::new();
        #[cfg(feature = "native-roots")]
        let builder = builder
            .with_provider_and_native_roots(provider)
            .map_err(|e| {
                Error::construction("the system's root certificates cannot be loaded")
                    .with_source(e)
            })?;
        #[cfg(all(feature = "webpki-roots", not(feature = "native-roots")))]
        let builder = builder
            .with_provider_and_webpki_roots(provider)
            .map_err(|e| Error::construction("TLS cannot be configured").with_source(e))?;
        let connector = ProxyConnector {
            direct: http,
            matcher: proxy.matcher(),
        };
        let connector = builder
            .https_or_http()
            .enable_http1()
            .enable_http2()
            .wrap_connector(connector);
        let inner = LegacyClient::builder(TokioExecutor::new())
            .pool_idle_timeout(Duration::from_secs(90))
            .build(connector);
        Ok(Self { inner })
    }
}

#[async_trait::async_trait]
impl HttpClient for HyperClient {
    async fn send(
        &self,
        request: http::Request<Bytes>,
        limits: ResponseLimits,
    ) -> Result<HttpResponse, Error> {
        let request = request.map(Full::new);
        let exchange = async {
            let response = self
                .inner
                .request(request)
                .await
                .map_err(classify_send_error)?;
            let (parts, body) = response.into_parts();
            let status = parts.status.as_u16();
            let declared = parts
                .headers
                .get(http::header::CONTENT_LENGTH)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.parse::<u64>().ok());
            if declared.is_some_and(|n| n > limits.max_body as u64) {
                return Err(Error::response_too_large(limits.max_body));
            }
            let body = Limited::new(body, limits.max_body)
                .collect()
                .await
                .map_err(|e| {
                    if e.downcast_ref::<http_body_util::LengthLimitError>()
                        .is_some()
                    {
                        Error::response_too_large(limits.max_body)
                    } else {
                        Error::truncated(
                            status,
                            "the connection closed before the body was complete",
                        )
                        .with_source(BoxedCause(e))
                    }
                })?;
            Ok(http::Response::from_parts(parts, body.to_bytes()))
        };
        tokio::time::timeout(limits.read_timeout, exchange)
            .await
            .map_err(|_| {
                Error::timeout(format!(
                    "no complete response within {:?}",
                    limits.read_timeout
                ))
            })?
    }
}

/// What a failure to get a response head is: a TLS failure (its cause in the message), a
/// connection that could not be made (so the request was never sent), a head the server got
/// wrong (malformed or oversized), or a connection lost after sending.
fn classify_send_error(error: hyper_util::client::legacy::Error) -> Error {
    if let Some(tls) = find_tls_error(&error) {
        return Error::with_message(ErrorKind::Tls, format!("the TLS handshake failed: {tls}"))
            .with_source(error)
            .with_request_not_sent();
    }
    if error.is_connect() {
        return Error::connect("could not connect")
            .with_source(error)
            .with_request_not_sent();
    }
    let hyper = std::error::Error::source(&error).and_then(|e| e.downcast_ref::<hyper::Error>());
    let message = match hyper {
        Some(h) if h.is_parse_too_large() => Some("the response head exceeds the size limit"),
        Some(h) if h.is_parse_status() => Some("the response status is not valid"),
        Some(h) if h.is_parse() => Some("the response head is not valid HTTP"),
        _ => None,
    };
    if let Some(message) = message {
        return Error::with_message(ErrorKind::MalformedResponse, message).with_source(error);
    }
    let message = match hyper {
        Some(h) if h.is_incomplete_message() => {
            "the connection closed after the request was sent, before any response"
        }
        _ => "the connection failed after the request was sent",
    };
    Error::connect(message).with_source(error)
}

/// A boxed error from hyper's body stream, as a cause (shown once: its own causes follow it).
#[derive(Debug)]
struct BoxedCause(Box<dyn std::error::Error + Send + Sync>);

impl fmt::Display for BoxedCause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl std::error::Error for BoxedCause {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.0.source()
    }
}

/// Whether a rustls error is somewhere in `error`'s source chain, including inside nested
/// `io::Error`s (tokio-rustls wraps it in one, hyper-util's connector in another, and
/// `io::Error::source` skips a level).
fn find_tls_error<'e>(error: &'e (dyn std::error::Error + 'static)) -> Option<&'e rustls::Error> {
    let mut current: Option<&'e (dyn std::error::Error + 'static)> = Some(error);
    while let Some(e) = current {
        let mut inner: Option<&'e (dyn std::error::Error + 'static)> = Some(e);
        while let Some(candidate) = inner {
            if let Some(tls) = candidate.downcast_ref::<rustls::Error>() {
                return Some(tls);
            }
            inner = candidate
                .downcast_ref::<std::io::Error>()
                .and_then(|io| io.get_ref())
                .map(|boxed| boxed as &(dyn std::error::Error + 'static));
        }
        current = e.source();
    }
    None
}
