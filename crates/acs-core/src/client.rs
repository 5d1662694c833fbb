//! The request pipeline: build → sign → send → classify → retry → decode.

use std::fmt;
use std::net::IpAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{Duration, Instant, SystemTime};

use acs_signer::{Credentials, SigningContext};
use tracing::Instrument as _;

use crate::build::{Auth, Target, build_request};
use crate::call_options::CallOptions;
use crate::config::{ClientConfig, Protocol, RetryConfig, Timeouts};
use crate::endpoint::EndpointRules;
use crate::error::{Error, ErrorKind, ServiceError};
use crate::http::{HyperClient, ResponseLimits, SharedHttpClient};
use crate::operation::{AuthType, Operation, Request};
use crate::redact;
use crate::response::Response;
use crate::retry::backoff;

/// The ECS instance metadata address: reachable over plain HTTP only.
const METADATA_HOST: &str = "100.100.100.200";
/// The largest clock correction adopted: a server `Date` further off than this is not believed.
const MAX_SKEW: Duration = Duration::from_secs(24 * 3600);
/// Codes that mean "your clock is off".
const SKEW_CODES: [&str; 3] = [
    "InvalidTimeStamp.Expired",
    "IllegalTimestamp",
    "RequestTimeTooSkewed",
];

/// A client for one product: resolves its endpoint once, then runs every call through the
/// pipeline. Cheap to clone (shared state).
///
/// ```no_run
/// use acs_core::{Client, ClientConfig, EndpointRules, Operation, Request, ResponseFormat, StaticCredentialsProvider};
/// use acs_signer::Credentials;
///
/// # async fn demo() -> Result<(), acs_core::Error> {
/// let config = ClientConfig::builder()
///     .region("cn-hangzhou")
///     .credentials_provider(StaticCredentialsProvider::new(Credentials::new("id", "secret").unwrap()))
///     .build()?;
/// let client = Client::new(config, &EndpointRules::new("sts").with_global("sts.aliyuncs.com"))?;
/// const GET_CALLER_IDENTITY: Operation = Operation::rpc("Sts", "2015-04-01", "GetCallerIdentity");
/// let response = client.call(&GET_CALLER_IDENTITY, &Request::new()).await?;
/// let identity: serde_json::Value = response.decode(ResponseFormat::Json)?;
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    config: ClientConfig,
    host: String,
    scheme: &'static str,
    http: SharedHttpClient,
    user_agent: String,
    /// Server time minus local time, in milliseconds, learnt from clock-skew errors.
    skew_millis: AtomicI64,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("host", &self.inner.host)
            .field("scheme", &self.inner.scheme)
            .field("config", &self.inner.config)
            .finish()
    }
}

impl Client {
    /// A client calling the endpoint `rules` resolve for the configured region and network.
    ///
    /// Fails when no endpoint applies, or when plain HTTP is asked for a host that is neither
    /// loopback nor the ECS metadata address without
    /// [`allow_insecure_http`](crate::ClientConfigBuilder::allow_insecure_http).
    pub fn new(config: ClientConfig, rules: &EndpointRules) -> Result<Self, Error> {
        let host = rules
            .resolve(
                config.endpoint.as_deref(),
                config.region.as_deref(),
                config.network.as_deref(),
            )
            .ok_or_else(|| {
                Error::construction("no endpoint: set a region or an explicit endpoint")
            })?;
        if host.contains('/') || host.contains('@') || host.is_empty() {
            return Err(Error::construction(format!(
                "invalid endpoint host {host:?}"
            )));
        }
        let scheme = match config.protocol {
            Protocol::Https => "https",
            Protocol::Http => {
                if !config.allow_insecure_http && !is_local(&host) {
                    return Err(Error::construction(format!(
                        "plain HTTP to {host} is refused: use HTTPS, or allow_insecure_http(true)"
                    )));
                }
                "http"
            }
        };
        let http = match &config.http_client {
            Some(client) => client.clone(),
            None => Arc::new(HyperClient::new(config.timeouts.connect, &config.proxy)?),
        };
        let mut user_agent = format!(
            "acs-rs/{} ({}; {}) acs-core/{}",
            env!("CARGO_PKG_VERSION"),
            std::env::consts::OS,
            std::env::consts::ARCH,
            env!("CARGO_PKG_VERSION"),
        );
        if let Some(suffix) = &config.user_agent_suffix {
            user_agent.push(' ');
            user_agent.push_str(suffix);
        }
        Ok(Self {
            inner: Arc::new(Inner {
                config,
                host,
                scheme,
                http,
                user_agent,
                skew_millis: AtomicI64::new(0),
            }),
        })
    }

    /// The host calls go to.
    pub fn host(&self) -> &str {
        &self.inner.host
    }

    /// The configuration.
    pub fn config(&self) -> &ClientConfig {
        &self.inner.config
    }

    /// The clock correction learnt from the service, if any (server time minus local time).
    pub fn clock_skew(&self) -> Duration {
        Duration::from_millis(
            self.inner
                .skew_millis
                .load(Ordering::Relaxed)
                .unsigned_abs(),
        )
    }

    /// Calls `operation` with `request`, retrying as configured, and returns the successful
    /// response. Failures are [`Error`]s; service errors carry the code, message and request id.
    pub async fn call(&self, operation: &Operation, request: &Request) -> Result<Response, Error> {
        self.call_with(operation, request, &CallOptions::default())
            .await
    }

    /// [`call`](Self::call) with settings of its own for this one call ([`CallOptions`]):
    /// timeouts, retries, extra headers and query parameters; the rest is the client's.
    pub async fn call_with(
        &self,
        operation: &Operation,
        request: &Request,
        options: &CallOptions,
    ) -> Result<Response, Error> {
        let extended;
        let request = if options.is_empty() {
            request
        } else {
            let mut copy = request.clone();
            for (name, value) in options.headers() {
                copy.header(name.clone(), value.clone());
            }
            for (name, value) in options.query_params() {
                copy.query(name.clone(), value.clone());
            }
            extended = copy;
            &extended
        };
        let span = tracing::debug_span!(
            "acs.operation",
            product = operation.product(),
            action = operation.action(),
            host = %self.inner.host,
        );
        let defaults = &self.inner.config;
        let mut timeouts = defaults.timeouts;
        timeouts.read = options.read_timeout.unwrap_or(timeouts.read);
        timeouts.attempt = options.attempt_timeout.unwrap_or(timeouts.attempt);
        timeouts.operation = options.operation_timeout.unwrap_or(timeouts.operation);
        let retry = options.retry.unwrap_or(defaults.retry);
        let deadline = tokio::time::Instant::now() + timeouts.operation;
        self.call_with_retries(operation, request, deadline, timeouts, retry)
            .instrument(span)
            .await
    }

    /// Attempts until success, a final error, or `deadline` (the operation timeout). Each
    /// attempt runs under one timer: the earlier of the attempt timeout and `deadline`.
    async fn call_with_retries(
        &self,
        operation: &Operation,
        request: &Request,
        deadline: tokio::time::Instant,
        timeouts: Timeouts,
        retry: RetryConfig,
    ) -> Result<Response, Error> {
        let mut attempt = 1u32;
        let mut skew_corrected = false;
        loop {
            let started = Instant::now();
            let span = tracing::debug_span!("acs.attempt", attempt);
            let attempt_end = tokio::time::Instant::now() + timeouts.attempt;
            let limit = attempt_end.min(deadline);
            let outcome = match tokio::time::timeout_at(
                limit,
                self.attempt(operation, request, timeouts.read)
                    .instrument(span),
            )
            .await
            {
                Ok(outcome) => outcome,
                Err(_) if limit == deadline => Err((
                    Error::timeout(format!(
                        "the operation did not finish within {:?}",
                        timeouts.operation
                    )),
                    None,
                )),
                Err(_) => Err((
                    Error::timeout(format!(
                        "the attempt took longer than {:?}",
                        timeouts.attempt
                    )),
                    None,
                )),
            };
            let (error, server_date) = match outcome {
                Ok(response) => {
                    tracing::debug!(
                        attempt,
                        status = response.status(),
                        request_id = response.request_id(),
                        latency_ms = started.elapsed().as_millis() as u64,
                        "attempt succeeded"
                    );
                    return Ok(response);
                }
                Err(failure) => failure,
            };
            tracing::debug!(
                attempt,
                status = error.status(),
                code = error.code(),
                request_id = error.request_id(),
                latency_ms = started.elapsed().as_millis() as u64,
                "attempt failed"
            );
            if let Some(server) = server_date.filter(|d| !skew_corrected && is_skew(&error, *d)) {
                let (skew, apart) = match server.duration_since(SystemTime::now()) {
                    Ok(ahead) => (i64::try_from(ahead.as_millis()).unwrap_or(i64::MAX), ahead),
                    Err(behind) => (
                        -i64::try_from(behind.duration().as_millis()).unwrap_or(i64::MAX),
                        behind.duration(),
                    ),
                };
                if apart > MAX_SKEW {
                    tracing::warn!(
                        skew_s = skew / 1000,
                        "the server's Date is more than 24 h from the local clock; not adopted"
                    );
                    return Err(error.with_note(format!(
                        "the server's clock is {} s away from this machine's, beyond the \
                         ±24 h this client corrects for: check the local clock",
                        apart.as_secs()
                    )));
                }
                self.inner.skew_millis.store(skew, Ordering::Relaxed);
                skew_corrected = true;
                tracing::debug!(skew_ms = skew, "clock skew corrected; retrying once");
                continue;
            }
            if attempt >= retry.max_attempts || !may_retry(operation, &error) {
                return Err(error);
            }
            attempt += 1;
            let delay = backoff(&retry, &error, attempt);
            if tokio::time::Instant::now() + delay >= deadline {
                // No time left for another attempt: the last error says most.
                return Err(error);
            }
            tracing::debug!(
                next_attempt = attempt,
                delay_ms = delay.as_millis() as u64,
                "backing off"
            );
            tokio::time::sleep(delay).await;
        }
    }

    /// One attempt; on failure, the error and the server's `Date`, if it sent one.
    async fn attempt(
        &self,
        operation: &Operation,
        request: &Request,
        read_timeout: Duration,
    ) -> Result<Response, (Error, Option<SystemTime>)> {
        let inner = &self.inner;
        let credentials = match operation.auth() {
            AuthType::AccessKey => Some(self.credentials().await.map_err(|e| (e, None))?),
            _ => None,
        };
        let auth = match operation.auth() {
            AuthType::Anonymous => Auth::None,
            AuthType::Bearer => {
                Auth::Bearer(inner.config.bearer_token.as_ref().ok_or_else(|| {
                    (
                        Error::credentials(
                            "this operation needs a bearer token; none is configured",
                        ),
                        None,
                    )
                })?)
            }
            _ => match &credentials {
                Some(credentials) => Auth::Signed(credentials),
                None => Auth::None,
            },
        };
        let context = SigningContext::at(self.now()).map_err(|e| {
            (
                Error::construction("no signing context").with_source(e),
                None,
            )
        })?;
        let target = Target {
            scheme: inner.scheme,
            host: &inner.host,
            signature: inner.config.signature,
            user_agent: &inner.user_agent,
        };
        let http_request =
            build_request(operation, request, &target, auth, &context).map_err(|e| (e, None))?;
        if tracing::enabled!(tracing::Level::TRACE) {
            let content_type = http_request
                .headers()
                .get(http::header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok());
            tracing::trace!(
                method = %http_request.method(),
                url = %redact::uri(http_request.uri()),
                headers = %redact::headers(http_request.headers()),
                body = %redact::body(content_type, http_request.body()),
                "sending request"
            );
        }
        let limits = ResponseLimits::new(read_timeout, inner.config.max_response_body);
        let response = inner
            .http
            .send(http_request, limits)
            .await
            .map_err(|e| (e, None))?;
        let (parts, body) = response.into_parts();
        let status = parts.status.as_u16();
        if tracing::enabled!(tracing::Level::TRACE) {
            tracing::trace!(
                status,
                headers = %redact::headers(&parts.headers),
                body_bytes = body.len(),
                "received response"
            );
        }
        if (200..300).contains(&status) {
            return Ok(Response::new(status, parts.headers, body)
                .with_sensitive_body(operation.sensitive_response()));
        }
        let server_date = parts
            .headers
            .get(http::header::DATE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| httpdate::parse_http_date(v).ok());
        let retry_after = retry_after(&parts.headers);
        // Servers echo what they were sent (RPC v1 signature errors quote the string-to-sign;
        // parameter errors quote the value): the security token and every secret parameter
        // go, as sent, percent-encoded once (query) and twice (RPC v1 string-to-sign).
        let token = credentials.as_ref().and_then(Credentials::security_token);
        let params = request
            .query_params()
            .iter()
            .chain(request.form_params())
            .chain(request.headers())
            .filter(|(name, _)| redact::is_secret_parameter(name))
            .map(|(_, value)| value.as_str());
        let mut secrets = Vec::new();
        for secret in token.into_iter().chain(params).filter(|s| !s.is_empty()) {
            let once = acs_signer::encoding::percent_encode(secret);
            let twice = acs_signer::encoding::percent_encode(&once);
            secrets.extend([twice, once, secret.to_owned()]);
        }
        let error = match ServiceError::parse(status, retry_after, &body) {
            Some(mut service) => {
                for secret in &secrets {
                    service.scrub(secret);
                }
                Error::service(service)
            }
            None if operation.sensitive_response() => {
                Error::malformed_withheld(status, format!("HTTP {status} without an error body"))
                    .with_retry_after(retry_after)
            }
            None => {
                let mut text = String::from_utf8_lossy(&body[..body.len().min(4096)]).into_owned();
                for secret in &secrets {
                    text = text.replace(secret.as_str(), "** redacted **");
                }
                Error::malformed(
                    status,
                    format!("HTTP {status} without an error body"),
                    text.as_bytes(),
                )
                .with_retry_after(retry_after)
            }
        };
        Err((error, server_date))
    }

    /// One snapshot of credentials for one attempt: the provider's cache first.
    async fn credentials(&self) -> Result<Credentials, Error> {
        let provider = self
            .inner
            .config
            .credentials
            .as_ref()
            .ok_or_else(|| Error::credentials("no credentials provider is configured"))?;
        let credentials = match provider.cached() {
            Some(credentials) => credentials,
            None => provider
                .provide_credentials()
                .await
                .map_err(|e| Error::provider_failure(provider.name(), e))?,
        };
        if credentials.is_expired_at(self.now()) {
            return Err(Error::credentials(format!(
                "the credentials for {} have expired",
                credentials.access_key_id()
            )));
        }
        Ok(credentials)
    }

    /// The local time corrected by the learnt skew.
    fn now(&self) -> SystemTime {
        let skew = self.inner.skew_millis.load(Ordering::Relaxed);
        let now = SystemTime::now();
        let offset = Duration::from_millis(skew.unsigned_abs());
        if skew >= 0 {
            now + offset
        } else {
            now.checked_sub(offset).unwrap_or(now)
        }
    }
}

/// Whether a failed attempt may be sent again: the error is transient, and either the
/// operation is safe to repeat, or the request certainly never reached the server, or the
/// server answered (throttling, transient codes, 5xx: the service did not act on it, or says
/// trying again is fine). A timeout or a connection lost after sending is retried only for
/// operations safe to repeat.
fn may_retry(operation: &Operation, error: &Error) -> bool {
    if !error.is_retryable() {
        return false;
    }
    let answered = matches!(
        error.kind(),
        ErrorKind::Service | ErrorKind::MalformedResponse
    ) && error.status().is_some()
        && !error.is_truncated();
    operation.is_idempotent() || error.is_request_not_sent() || answered
}

/// How long the server asked us to wait: `x-acs-retry-after` (milliseconds, as Alibaba's
/// gateways send it), else `Retry-After` (seconds or an HTTP date).
fn retry_after(headers: &http::HeaderMap) -> Option<Duration> {
    let text = |name| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
    };
    if let Some(millis) = text("x-acs-retry-after").and_then(|v| v.parse::<u64>().ok())
        && millis > 0
    {
        return Some(Duration::from_millis(millis));
    }
    let value = text(http::header::RETRY_AFTER.as_str())?;
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(
        at.duration_since(SystemTime::now())
            .unwrap_or(Duration::ZERO),
    )
}

/// Whether `error` says our clock is off: a timestamp code, or a signature mismatch while the
/// server's clock differs from ours by more than five minutes (the timestamp is signed, so a
/// skewed clock can surface as a bad signature).
fn is_skew(error: &Error, server: SystemTime) -> bool {
    if error.kind() != ErrorKind::Service {
        return false;
    }
    let code = error.code().unwrap_or("");
    if SKEW_CODES.contains(&code) {
        return true;
    }
    let apart = server
        .duration_since(SystemTime::now())
        .unwrap_or_else(|e| e.duration());
    code == "SignatureDoesNotMatch" && apart > Duration::from_secs(5 * 60)
}

/// Whether `host_port` (a host, optionally with `:port`; IPv6 in brackets) may be reached
/// over plain HTTP without an explicit opt-in: loopback hosts (`localhost`, `127.0.0.0/8`,
/// `[::1]`) and the ECS metadata address `100.100.100.200`. Every acs-rs client and credentials
/// provider applies this rule.
///
/// ```
/// assert!(acs_core::allows_plain_http("127.0.0.1:8080"));
/// assert!(acs_core::allows_plain_http("100.100.100.200"));
/// assert!(!acs_core::allows_plain_http("sts.aliyuncs.com"));
/// assert!(!acs_core::allows_plain_http("localhost.example.com"));
/// ```
pub fn allows_plain_http(host_port: &str) -> bool {
    is_local(host_port)
}

/// Checks a URL a credentials provider will call: `https://`, or `http://` to a host
/// [`allows_plain_http`] admits, or to any host when `allow_insecure_http` is set. `what` names
/// the caller in the error (`credentials_uri`, say). User info (`user:pass@`) is not part of
/// the host checked, and never shown.
///
/// ```
/// use acs_core::check_credentials_url;
/// assert!(check_credentials_url("credentials_uri", "http://127.0.0.1:8080/c", false).is_ok());
/// assert!(check_credentials_url("credentials_uri", "https://creds.example.com/c", false).is_ok());
/// assert!(check_credentials_url("credentials_uri", "http://creds.example.com/c", false).is_err());
/// assert!(check_credentials_url("credentials_uri", "http://creds.example.com/c", true).is_ok());
/// assert!(check_credentials_url("credentials_uri", "http://u:p@127.0.0.1.evil.com/c", false).is_err());
/// assert!(check_credentials_url("credentials_uri", "ftp://127.0.0.1/c", false).is_err());
/// ```
pub fn check_credentials_url(
    what: &str,
    url: &str,
    allow_insecure_http: bool,
) -> Result<http::Uri, Error> {
    let parsed: http::Uri = url
        .parse()
        .map_err(|_| Error::construction(format!("{what}: not a valid URL")))?;
    let Some(host) = parsed.host() else {
        return Err(Error::construction(format!("{what}: the URL has no host")));
    };
    let authority = parsed.authority().map_or("", |a| a.as_str());
    let host_port = authority.rsplit('@').next().unwrap_or("");
    match parsed.scheme_str() {
        Some("https") => Ok(parsed),
        Some("http") if allow_insecure_http || is_local(host_port) => Ok(parsed),
        Some("http") => Err(Error::construction(format!(
            "{what}: plain HTTP to {host} is refused: use https://, a loopback address or the \
             metadata address, or allow insecure HTTP explicitly"
        ))),
        _ => Err(Error::construction(format!(
            "{what}: needs an http:// or https:// URL"
        ))),
    }
}

/// Loopback hosts and the metadata address, which may be reached over plain HTTP.
fn is_local(host_port: &str) -> bool {
    let host = if let Some(rest) = host_port.strip_prefix('[') {
        rest.split(']').next().unwrap_or("")
    } else {
        host_port.rsplit_once(':').map_or(host_port, |(h, port)| {
            if port.bytes().all(|b| b.is_ascii_digit()) {
                h
            } else {
                host_port
            }
        })
    };
    if host.eq_ignore_ascii_case("localhost") || host == METADATA_HOST {
        return true;
    }
    host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skew_is_recognised_from_codes_and_from_far_off_dates() {
        let error = |code: &str| {
            let body = format!(r#"{{"Code":"{code}","Message":"m"}}"#);
            Error::service(
                ServiceError::parse(400, None, body.as_bytes()).unwrap_or_else(|| unreachable!()),
            )
        };
        let now = SystemTime::now();
        let hour = Duration::from_secs(3600);
        assert!(is_skew(&error("InvalidTimeStamp.Expired"), now));
        assert!(is_skew(&error("IllegalTimestamp"), now));
        assert!(is_skew(&error("SignatureDoesNotMatch"), now + hour));
        assert!(is_skew(&error("SignatureDoesNotMatch"), now - hour));
        assert!(
            !is_skew(&error("SignatureDoesNotMatch"), now),
            "a real signature mismatch"
        );
        assert!(!is_skew(&error("InvalidParameter"), now + hour));
    }

    #[test]
    fn local_hosts() {
        for host in [
            "127.0.0.1:8080",
            "127.9.9.9",
            "localhost:1",
            "[::1]:443",
            "100.100.100.200",
        ] {
            assert!(is_local(host), "{host}");
        }
        for host in [
            "sts.aliyuncs.com",
            "10.0.0.1",
            "8.8.8.8:80",
            "localhost.evil.com",
            "100.100.100.201",
        ] {
            assert!(!is_local(host), "{host}");
        }
    }
}
