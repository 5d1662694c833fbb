//! Proxy selection: environment variables or explicit settings, with `NO_PROXY` exceptions.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::connect::proxy::Tunnel;
use hyper_util::client::proxy::matcher::Matcher;
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;
use tower_service::Service;

use crate::error::Error;

/// Which proxy HTTPS requests go through.
///
/// By default the standard variables are read once, when the client is built:
/// `HTTPS_PROXY`, `HTTP_PROXY`, `ALL_PROXY` (and their lower-case forms) and `NO_PROXY`, whose
/// entries are exact hosts, domain suffixes (`.aliyuncs.com` or `aliyuncs.com`), `*`, IP
/// addresses and CIDR ranges (`10.0.0.0/8`). An explicit setting replaces the environment
/// entirely. HTTPS goes through the proxy with `CONNECT`; plain HTTP (loopback and the ECS
/// metadata service) is always direct. Proxy credentials in the URL (`http://user:pass@host`)
/// are sent as `Proxy-Authorization` and never logged or printed.
///
/// ```
/// use acs_core::ProxyConfig;
/// let proxy = ProxyConfig::explicit("http://proxy.internal:3128", ".aliyuncs.com, 10.0.0.0/8")?;
/// assert!(proxy.proxies("https://api.example.com").is_some());
/// assert!(proxy.proxies("https://sts.aliyuncs.com").is_none());
/// assert!(proxy.proxies("https://10.1.2.3").is_none());
/// # Ok::<(), acs_core::Error>(())
/// ```
#[derive(Clone, Default)]
pub struct ProxyConfig {
    source: Source,
}

#[derive(Clone, Default)]
enum Source {
    #[default]
    Environment,
    Disabled,
    Explicit(Arc<Matcher>),
}

impl fmt::Debug for ProxyConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never the URL: it may carry credentials.
        let source = match self.source {
            Source::Environment => "environment",
            Source::Disabled => "disabled",
            Source::Explicit(_) => "explicit",
        };
        f.debug_struct("ProxyConfig")
            .field("source", &source)
            .finish()
    }
}

impl ProxyConfig {
    /// Read the proxy variables from the environment when the client is built (the default).
    pub fn from_env() -> Self {
        Self {
            source: Source::Environment,
        }
    }

    /// Never use a proxy, whatever the environment says.
    pub fn disabled() -> Self {
        Self {
            source: Source::Disabled,
        }
    }

    /// Use `proxy` (an `http://` URL, optionally with credentials) for HTTPS requests, except to
    /// hosts matching `no_proxy` (comma-separated, `NO_PROXY` syntax).
    pub fn explicit(proxy: &str, no_proxy: &str) -> Result<Self, Error> {
        let uri: http::Uri = proxy
            .parse()
            .map_err(|_| Error::construction("the proxy is not a valid URL"))?;
        if uri.scheme_str() != Some("http") || uri.host().is_none() {
            return Err(Error::construction(
                "the proxy must be an http:// URL with a host",
            ));
        }
        let matcher = Matcher::builder()
            .https(proxy)
            .http(proxy)
            .no(no_proxy)
            .build();
        Ok(Self {
            source: Source::Explicit(Arc::new(matcher)),
        })
    }

    /// The proxy `url` would go through (its host and port only), or `None` for a direct
    /// connection.
    pub fn proxies(&self, url: &str) -> Option<String> {
        let uri: http::Uri = url.parse().ok()?;
        let matcher = self.matcher()?;
        let intercept = matcher.intercept(&uri)?;
        intercept
            .uri()
            .authority()
            .map(|a| a.as_str().rsplit('@').next().unwrap_or("").to_owned())
    }

    pub(crate) fn matcher(&self) -> Option<Arc<Matcher>> {
        match &self.source {
            Source::Environment => Some(Arc::new(Matcher::from_env())),
            Source::Disabled => None,
            Source::Explicit(matcher) => Some(matcher.clone()),
        }
    }
}

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Connects directly, or through a `CONNECT` tunnel for HTTPS destinations the matcher sends to
/// a proxy.
#[derive(Clone)]
pub(crate) struct ProxyConnector {
    pub(crate) direct: HttpConnector,
    pub(crate) matcher: Option<Arc<Matcher>>,
}

impl Service<http::Uri> for ProxyConnector {
    type Response = TokioIo<TcpStream>;
    type Error = BoxError;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, BoxError>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.direct.poll_ready(cx).map_err(Into::into)
    }

    fn call(&mut self, dst: http::Uri) -> Self::Future {
        let intercept = match dst.scheme_str() {
            Some("https") => self.matcher.as_ref().and_then(|m| m.intercept(&dst)),
            _ => None,
        };
        let mut direct = self.direct.clone();
        match intercept {
            None => Box::pin(async move { direct.call(dst).await.map_err(Into::into) }),
            Some(intercept) => {
                let mut tunnel = Tunnel::new(intercept.uri().clone(), direct);
                if let Some(auth) = intercept.basic_auth() {
                    tunnel = tunnel.with_auth(auth.clone());
                }
                Box::pin(async move { tunnel.call(dst).await.map_err(Into::into) })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_proxy_rules() {
        let proxy = ProxyConfig::explicit(
            "http://user:pass@proxy.internal:3128",
            "exact.example.com, .aliyuncs.com, 192.168.1.7, 10.0.0.0/8, ::1",
        )
        .unwrap_or_else(|_| unreachable!());
        let via = |url: &str| proxy.proxies(url);
        assert_eq!(
            via("https://api.example.com").as_deref(),
            Some("proxy.internal:3128")
        );
        assert_eq!(via("https://exact.example.com"), None);
        assert!(
            via("https://sub.exact.example.com").is_none(),
            "a subdomain of a listed host is excluded too"
        );
        assert_eq!(via("https://sts.aliyuncs.com"), None);
        assert_eq!(via("https://ecs.cn-hangzhou.aliyuncs.com"), None);
        assert!(via("https://aliyuncs.com.evil.net").is_some());
        assert_eq!(via("https://192.168.1.7"), None);
        assert!(via("https://192.168.1.8").is_some());
        assert_eq!(via("https://10.200.3.4:8443"), None);
        assert_eq!(via("https://[::1]:443"), None);
        let everything = ProxyConfig::explicit("http://proxy.internal:3128", "*")
            .unwrap_or_else(|_| unreachable!());
        assert_eq!(everything.proxies("https://api.example.com"), None);
        assert_eq!(
            ProxyConfig::disabled().proxies("https://api.example.com"),
            None
        );
    }

    #[test]
    fn bad_proxies_and_redacted_debug() {
        assert!(ProxyConfig::explicit("socks5://x:1", "").is_err());
        assert!(ProxyConfig::explicit("not a url", "").is_err());
        let proxy = ProxyConfig::explicit("http://user:s3cret@proxy:3128", "")
            .unwrap_or_else(|_| unreachable!());
        assert!(!format!("{proxy:?}").contains("s3cret"));
        assert!(
            !proxy
                .proxies("https://x.example.com")
                .unwrap_or_default()
                .contains("s3cret")
        );
    }
}
