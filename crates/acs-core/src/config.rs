//! Client configuration: region, endpoint, credentials, signature, timeouts, retries, limits.

use std::fmt;
use std::time::Duration;

use acs_signer::BearerToken;

use crate::credentials::SharedCredentialsProvider;
use crate::error::Error;
use crate::http::SharedHttpClient;
use crate::proxy::ProxyConfig;

/// Which signature the client sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum SignatureVersion {
    /// `ACS3-HMAC-SHA256` for every API style: what current official SDKs send.
    #[default]
    V3,
    /// `ACS3-HMAC-SM3` for every API style.
    V3Sm3,
    /// The legacy signatures: RPC v1 (HMAC-SHA1) for RPC APIs, ROA for ROA APIs.
    Legacy,
}

/// Timeouts; all on by default.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Timeouts {
    /// Establishing a connection (TCP and TLS): 5 s.
    pub connect: Duration,
    /// Reading a response, head and body: 10 s.
    pub read: Duration,
    /// One attempt, from credentials to decoded response: 30 s.
    pub attempt: Duration,
    /// The whole operation, retries and back-off included: 120 s.
    pub operation: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Self {
            connect: Duration::from_secs(5),
            read: Duration::from_secs(10),
            attempt: Duration::from_secs(30),
            operation: Duration::from_secs(120),
        }
    }
}

/// Retry policy: on by default.
///
/// Retries connection failures, timeouts, HTTP 500/502/503/504 and the throttling and transient
/// codes, with exponential back-off and full jitter: a random delay up to
/// `min(cap, base * 2^(attempt - 1))`, where the base is 100 ms for transient errors and 1 s for
/// throttling. A server's `Retry-After` is honoured (up to the cap).
///
/// ```
/// use std::time::Duration;
/// use acs_core::RetryConfig;
/// let retry = RetryConfig::default();
/// assert_eq!(retry.max_attempts, 3);
/// assert_eq!(RetryConfig::disabled().max_attempts, 1);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct RetryConfig {
    /// Attempts in all, the first included: 3. One disables retries.
    pub max_attempts: u32,
    /// Back-off base for transient errors: 100 ms.
    pub transient_base: Duration,
    /// Back-off base for throttling: 1 s.
    pub throttling_base: Duration,
    /// The longest single back-off: 20 s.
    pub max_backoff: Duration,
}

impl Default for RetryConfig {
    fn default() -> Self {
        Self {
            max_attempts: 3,
            transient_base: Duration::from_millis(100),
            throttling_base: Duration::from_secs(1),
            max_backoff: Duration::from_secs(20),
        }
    }
}

impl RetryConfig {
    /// No retries: one attempt.
    pub fn disabled() -> Self {
        Self {
            max_attempts: 1,
            ..Self::default()
        }
    }

    /// The default policy with `max_attempts` attempts in all (at least one).
    pub fn with_max_attempts(max_attempts: u32) -> Self {
        Self {
            max_attempts: max_attempts.max(1),
            ..Self::default()
        }
    }

    /// The same policy with other back-off bases and cap.
    pub fn with_backoff(
        mut self,
        transient: Duration,
        throttling: Duration,
        cap: Duration,
    ) -> Self {
        self.transient_base = transient;
        self.throttling_base = throttling;
        self.max_backoff = cap;
        self
    }
}

/// Whether requests go over TLS.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum Protocol {
    /// HTTPS (the default).
    #[default]
    Https,
    /// Plain HTTP: allowed only for loopback hosts and the ECS metadata address, unless
    /// [`ClientConfigBuilder::allow_insecure_http`] says otherwise.
    Http,
}

/// Everything a [`Client`](crate::Client) needs. Build it with [`ClientConfig::builder`].
///
/// ```
/// use std::time::Duration;
/// use acs_core::{ClientConfig, SignatureVersion, StaticCredentialsProvider};
/// use acs_signer::Credentials;
///
/// let config = ClientConfig::builder()
///     .region("cn-hangzhou")
///     .credentials_provider(StaticCredentialsProvider::new(Credentials::new("id", "secret").unwrap()))
///     .signature_version(SignatureVersion::V3)
///     .read_timeout(Duration::from_secs(5))
///     .build()?;
/// assert_eq!(config.region(), Some("cn-hangzhou"));
/// # Ok::<(), acs_core::Error>(())
/// ```
#[derive(Clone)]
pub struct ClientConfig {
    pub(crate) region: Option<String>,
    pub(crate) endpoint: Option<String>,
    pub(crate) network: Option<String>,
    pub(crate) protocol: Protocol,
    pub(crate) allow_insecure_http: bool,
    pub(crate) credentials: Option<SharedCredentialsProvider>,
    pub(crate) bearer_token: Option<BearerToken>,
    pub(crate) signature: SignatureVersion,
    pub(crate) timeouts: Timeouts,
    pub(crate) retry: RetryConfig,
    pub(crate) max_response_body: usize,
    pub(crate) http_client: Option<SharedHttpClient>,
    pub(crate) user_agent_suffix: Option<String>,
    pub(crate) proxy: ProxyConfig,
}

impl fmt::Debug for ClientConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientConfig")
            .field("region", &self.region)
            .field("endpoint", &self.endpoint)
            .field("network", &self.network)
            .field("protocol", &self.protocol)
            .field("credentials", &self.credentials)
            .field("signature", &self.signature)
            .field("timeouts", &self.timeouts)
            .field("retry", &self.retry)
            .field("max_response_body", &self.max_response_body)
            .field("proxy", &self.proxy)
            .finish_non_exhaustive()
    }
}

impl ClientConfig {
    /// A builder with every default.
    pub fn builder() -> ClientConfigBuilder {
        ClientConfigBuilder::default()
    }

    /// The region, if set.
    pub fn region(&self) -> Option<&str> {
        self.region.as_deref()
    }

    /// The explicit endpoint, if set.
    pub fn endpoint(&self) -> Option<&str> {
        self.endpoint.as_deref()
    }

    /// The signature the client sends.
    pub fn signature_version(&self) -> SignatureVersion {
        self.signature
    }

    /// The timeouts.
    pub fn timeouts(&self) -> Timeouts {
        self.timeouts
    }

    /// The retry policy.
    pub fn retry(&self) -> RetryConfig {
        self.retry
    }
}

/// Builds a [`ClientConfig`]; [`build`](Self::build) checks the combination.
#[derive(Default, Clone)]
pub struct ClientConfigBuilder {
    region: Option<String>,
    endpoint: Option<String>,
    network: Option<String>,
    protocol: Protocol,
    allow_insecure_http: bool,
    credentials: Option<SharedCredentialsProvider>,
    bearer_token: Option<BearerToken>,
    signature: SignatureVersion,
    timeouts: Timeouts,
    retry: RetryConfig,
    max_response_body: Option<usize>,
    http_client: Option<SharedHttpClient>,
    user_agent_suffix: Option<String>,
    proxy: ProxyConfig,
}

impl fmt::Debug for ClientConfigBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientConfigBuilder")
            .field("region", &self.region)
            .finish_non_exhaustive()
    }
}

impl ClientConfigBuilder {
    /// The region, such as `cn-hangzhou`.
    pub fn region(mut self, region: impl Into<String>) -> Self {
        self.region = Some(region.into());
        self
    }

    /// An explicit endpoint host (optionally `host:port`), overriding resolution.
    pub fn endpoint(mut self, endpoint: impl Into<String>) -> Self {
        self.endpoint = Some(endpoint.into());
        self
    }

    /// The network type for regional endpoints, such as `vpc`.
    pub fn network(mut self, network: impl Into<String>) -> Self {
        self.network = Some(network.into());
        self
    }

    /// HTTPS (default) or plain HTTP.
    pub fn protocol(mut self, protocol: Protocol) -> Self {
        self.protocol = protocol;
        self
    }

    /// Allows plain HTTP to any host. Off by default: credentials and responses would travel in
    /// clear text.
    pub fn allow_insecure_http(mut self, allow: bool) -> Self {
        self.allow_insecure_http = allow;
        self
    }

    /// Where credentials come from.
    pub fn credentials_provider(
        mut self,
        provider: impl crate::ProvideCredentials + 'static,
    ) -> Self {
        self.credentials = Some(std::sync::Arc::new(provider));
        self
    }

    /// Where credentials come from, already shared.
    pub fn shared_credentials_provider(mut self, provider: SharedCredentialsProvider) -> Self {
        self.credentials = Some(provider);
        self
    }

    /// The bearer token sent by operations that authenticate with one
    /// ([`AuthType::Bearer`](crate::AuthType::Bearer)).
    pub fn bearer_token(mut self, token: BearerToken) -> Self {
        self.bearer_token = Some(token);
        self
    }

    /// Which signature to send.
    pub fn signature_version(mut self, version: SignatureVersion) -> Self {
        self.signature = version;
        self
    }

    /// The connect timeout.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.timeouts.connect = timeout;
        self
    }

    /// The read timeout.
    pub fn read_timeout(mut self, timeout: Duration) -> Self {
        self.timeouts.read = timeout;
        self
    }

    /// The per-attempt timeout.
    pub fn attempt_timeout(mut self, timeout: Duration) -> Self {
        self.timeouts.attempt = timeout;
        self
    }

    /// The whole-operation timeout.
    pub fn operation_timeout(mut self, timeout: Duration) -> Self {
        self.timeouts.operation = timeout;
        self
    }

    /// The retry policy.
    pub fn retry(mut self, retry: RetryConfig) -> Self {
        self.retry = retry;
        self
    }

    /// The largest response body accepted (default 16 MiB): each response is read into memory
    /// up to this, so a client with N calls in flight holds up to N times this much.
    pub fn max_response_body(mut self, bytes: usize) -> Self {
        self.max_response_body = Some(bytes);
        self
    }

    /// The HTTP client to use instead of the built-in hyper client.
    pub fn http_client(mut self, client: impl crate::HttpClient + 'static) -> Self {
        self.http_client = Some(std::sync::Arc::new(client));
        self
    }

    /// The proxy settings (default: from the environment).
    pub fn proxy(mut self, proxy: ProxyConfig) -> Self {
        self.proxy = proxy;
        self
    }

    /// Text appended to the `User-Agent`.
    pub fn user_agent_suffix(mut self, suffix: impl Into<String>) -> Self {
        self.user_agent_suffix = Some(suffix.into());
        self
    }

    /// Checks the settings and builds the configuration.
    pub fn build(self) -> Result<ClientConfig, Error> {
        let zero = |d: Duration| d.is_zero();
        if zero(self.timeouts.connect)
            || zero(self.timeouts.read)
            || zero(self.timeouts.attempt)
            || zero(self.timeouts.operation)
        {
            return Err(Error::construction("timeouts must be longer than zero"));
        }
        if self.retry.max_attempts == 0 {
            return Err(Error::construction("max_attempts must be at least 1"));
        }
        if self.max_response_body == Some(0) {
            return Err(Error::construction(
                "max_response_body must be at least 1 byte",
            ));
        }
        let printable = |s: &String| s.bytes().all(|b| (0x20..0x7f).contains(&b));
        if self
            .user_agent_suffix
            .as_ref()
            .is_some_and(|s| !printable(s))
        {
            return Err(Error::construction(
                "the user agent suffix must be printable ASCII",
            ));
        }
        Ok(ClientConfig {
            region: self.region,
            endpoint: self.endpoint,
            network: self.network,
            protocol: self.protocol,
            allow_insecure_http: self.allow_insecure_http,
            credentials: self.credentials,
            bearer_token: self.bearer_token,
            signature: self.signature,
            timeouts: self.timeouts,
            retry: self.retry,
            max_response_body: self.max_response_body.unwrap_or(16 * 1024 * 1024),
            http_client: self.http_client,
            user_agent_suffix: self.user_agent_suffix,
            proxy: self.proxy,
        })
    }
}
