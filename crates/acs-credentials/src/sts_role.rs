//! Providers that ask STS: assume a RAM role (from any source credentials, so roles chain),
//! or assume a role with an OIDC token (RRSA on ACK).

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use acs_core::{
    ClientConfig, Error, Protocol, ProvideCredentials, RetryConfig, SharedCredentialsProvider,
    SignatureVersion,
};
use acs_signer::Credentials;
use acs_sts::model::{
    AssumeRoleCredentials, AssumeRoleRequest, AssumeRoleWithOidcCredentials,
    AssumeRoleWithOidcRequest,
};

use crate::cache::CachedProvider;
use crate::environment::Environment;
use crate::temporary::temporary_credentials;

/// Where STS is reached: an explicit endpoint, else `sts[-vpc].<region>.aliyuncs.com`, else
/// `sts.aliyuncs.com`.
///
/// ```
/// use acs_credentials::{FakeEnvironment, StsEndpoint};
/// let env = FakeEnvironment::new()
///     .with_var("ALIBABA_CLOUD_STS_REGION", "cn-shanghai")
///     .with_var("ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED", "true");
/// let sts = StsEndpoint::from_environment(&env);
/// assert_eq!(sts.host(), "sts-vpc.cn-shanghai.aliyuncs.com");
/// assert_eq!(StsEndpoint::default().host(), "sts.aliyuncs.com");
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StsEndpoint {
    region: Option<String>,
    vpc: bool,
    endpoint: Option<String>,
    protocol: Protocol,
    signature: SignatureVersion,
    retry: RetryConfig,
}

impl StsEndpoint {
    /// `ALIBABA_CLOUD_STS_REGION` and `ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED`; the environment's
    /// [`endpoint_override`](Environment::endpoint_override) for `"sts"`, when it has one, wins.
    pub fn from_environment(env: &dyn Environment) -> Self {
        let mut sts = Self {
            region: env.var("ALIBABA_CLOUD_STS_REGION"),
            vpc: env
                .var("ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED")
                .is_some_and(|v| v.eq_ignore_ascii_case("true")),
            ..Self::default()
        };
        if let Some(url) = env.endpoint_override("sts") {
            let (protocol, host) = match url.split_once("://") {
                Some((scheme, rest)) if scheme.eq_ignore_ascii_case("http") => {
                    (Protocol::Http, rest)
                }
                Some((_, rest)) => (Protocol::Https, rest),
                None => (Protocol::Https, url.as_str()),
            };
            sts.endpoint = Some(host.trim_end_matches('/').to_owned());
            sts.protocol = protocol;
        }
        sts
    }

    /// The regional endpoint of `region`.
    pub fn region(mut self, region: impl Into<String>) -> Self {
        self.region = Some(region.into());
        self
    }

    /// The VPC endpoint of the region.
    pub fn vpc(mut self, vpc: bool) -> Self {
        self.vpc = vpc;
        self
    }

    /// An explicit endpoint (host or `host:port`).
    pub fn endpoint(mut self, endpoint: impl Into<String>) -> Self {
        self.endpoint = Some(endpoint.into());
        self
    }

    /// Plain HTTP (loopback test servers only, unless allowed by acs-core's rules).
    pub fn protocol(mut self, protocol: Protocol) -> Self {
        self.protocol = protocol;
        self
    }

    /// The signature STS calls use (V3 by default).
    pub fn signature_version(mut self, version: SignatureVersion) -> Self {
        self.signature = version;
        self
    }

    /// The retry policy of STS calls (acs-core's default: three attempts in all). This is the
    /// only place a fetch is retried: neither the cache nor the calling client retries it.
    pub fn retry(mut self, retry: RetryConfig) -> Self {
        self.retry = retry;
        self
    }

    /// The host calls go to.
    pub fn host(&self) -> String {
        let network = self.vpc.then_some("vpc");
        acs_sts::endpoints::rules()
            .resolve(self.endpoint.as_deref(), self.region.as_deref(), network)
            .unwrap_or_else(|| "sts.aliyuncs.com".to_owned())
    }

    fn client(
        &self,
        credentials: Option<SharedCredentialsProvider>,
    ) -> Result<acs_sts::Client, Error> {
        let mut builder = ClientConfig::builder()
            .endpoint(self.host())
            .protocol(self.protocol)
            .signature_version(self.signature)
            .retry(self.retry);
        if let Some(credentials) = credentials {
            builder = builder.shared_credentials_provider(credentials);
        }
        acs_sts::Client::new(builder.build()?)
    }
}

/// How long assumed credentials last: 3600 s unless set, at least 900 s.
fn checked_duration(seconds: Option<u32>) -> Result<u32, Error> {
    let seconds = seconds.unwrap_or(3600);
    if seconds < 900 {
        return Err(Error::construction("DurationSeconds must be at least 900"));
    }
    Ok(seconds)
}

fn default_session_name() -> String {
    let millis = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis())
        .unwrap_or(0);
    format!("acs-rs-{millis}")
}

/// Assumes a RAM role with credentials from another provider (which may itself assume a role).
#[derive(Debug)]
pub struct RamRoleArnProvider {
    client: acs_sts::Client,
    request: AssumeRoleRequest,
}

/// Builds a [`RamRoleArnProvider`].
#[derive(Debug)]
pub struct RamRoleArnBuilder {
    source: SharedCredentialsProvider,
    role_arn: String,
    session_name: Option<String>,
    duration_seconds: Option<u32>,
    policy: Option<String>,
    external_id: Option<String>,
    sts: StsEndpoint,
}

impl RamRoleArnProvider {
    /// Assume `role_arn` with credentials from `source`.
    ///
    /// ```
    /// use acs_core::StaticCredentialsProvider;
    /// use acs_credentials::RamRoleArnProvider;
    /// use acs_signer::Credentials;
    /// let source = StaticCredentialsProvider::new(Credentials::new("LTAI5tSource", "secret").unwrap());
    /// let provider = RamRoleArnProvider::builder(std::sync::Arc::new(source), "acs:ram::123:role/reader")
    ///     .session_name("ci")
    ///     .duration_seconds(900)
    ///     .build()?;
    /// # Ok::<(), acs_core::Error>(())
    /// ```
    pub fn builder(
        source: SharedCredentialsProvider,
        role_arn: impl Into<String>,
    ) -> RamRoleArnBuilder {
        RamRoleArnBuilder {
            source,
            role_arn: role_arn.into(),
            session_name: None,
            duration_seconds: None,
            policy: None,
            external_id: None,
            sts: StsEndpoint::default(),
        }
    }
}

impl RamRoleArnBuilder {
    /// The session name (default `acs-rs-<milliseconds>`).
    pub fn session_name(mut self, name: impl Into<String>) -> Self {
        self.session_name = Some(name.into());
        self
    }
    /// How long the credentials last (default 3600, at least 900).
    pub fn duration_seconds(mut self, seconds: u32) -> Self {
        self.duration_seconds = Some(seconds);
        self
    }
    /// A policy further restricting the role.
    pub fn policy(mut self, policy: impl Into<String>) -> Self {
        self.policy = Some(policy.into());
        self
    }
    /// The role's external id.
    pub fn external_id(mut self, id: impl Into<String>) -> Self {
        self.external_id = Some(id.into());
        self
    }
    /// Where STS is reached.
    pub fn sts(mut self, sts: StsEndpoint) -> Self {
        self.sts = sts;
        self
    }

    /// The provider, wrapped in the refresh cache.
    pub fn build(self) -> Result<CachedProvider<RamRoleArnProvider>, Error> {
        let duration = checked_duration(self.duration_seconds)?;
        let mut request = AssumeRoleRequest::new(
            self.role_arn,
            self.session_name.unwrap_or_else(default_session_name),
        )
        .duration_seconds(i64::from(duration));
        if let Some(policy) = self.policy {
            request = request.policy(policy);
        }
        if let Some(id) = self.external_id {
            request = request.external_id(id);
        }
        let client = self.sts.client(Some(self.source))?;
        Ok(CachedProvider::new(RamRoleArnProvider { client, request }))
    }
}

#[async_trait::async_trait]
impl ProvideCredentials for RamRoleArnProvider {
    fn name(&self) -> &'static str {
        "ram_role_arn"
    }

    async fn provide_credentials(&self) -> Result<Credentials, Error> {
        let response = self.client.assume_role(&self.request).await?;
        let AssumeRoleCredentials {
            access_key_id,
            access_key_secret,
            security_token,
            expiration,
            ..
        } = response.credentials.unwrap_or_default();
        temporary_credentials(
            access_key_id,
            access_key_secret,
            security_token,
            expiration,
            "ram_role_arn",
        )
    }
}

/// Assumes a RAM role with an OIDC token read from a file on every refresh (RRSA on ACK).
/// The call is unsigned and the token travels in the request body, never in the URL.
#[derive(Debug)]
pub struct OidcRoleArnProvider {
    client: acs_sts::Client,
    env: Arc<dyn Environment>,
    token_file: PathBuf,
    request: AssumeRoleWithOidcRequest,
}

impl OidcRoleArnProvider {
    /// From `ALIBABA_CLOUD_ROLE_ARN`, `ALIBABA_CLOUD_OIDC_PROVIDER_ARN`,
    /// `ALIBABA_CLOUD_OIDC_TOKEN_FILE` (all three needed; `None` when any is unset),
    /// `ALIBABA_CLOUD_ROLE_SESSION_NAME` and the STS endpoint variables.
    pub fn from_environment(
        env: Arc<dyn Environment>,
    ) -> Option<Result<CachedProvider<Self>, Error>> {
        let role_arn = env.var("ALIBABA_CLOUD_ROLE_ARN")?;
        let provider_arn = env.var("ALIBABA_CLOUD_OIDC_PROVIDER_ARN")?;
        let token_file = env.var("ALIBABA_CLOUD_OIDC_TOKEN_FILE")?;
        let session = env.var("ALIBABA_CLOUD_ROLE_SESSION_NAME");
        let sts = StsEndpoint::from_environment(env.as_ref());
        Some(Self::new(
            env,
            sts,
            role_arn,
            provider_arn,
            token_file.into(),
            session,
            None,
        ))
    }

    /// A provider assuming `role_arn` through the OIDC provider `provider_arn` with the token in
    /// `token_file`, read through `env`.
    pub fn new(
        env: Arc<dyn Environment>,
        sts: StsEndpoint,
        role_arn: String,
        provider_arn: String,
        token_file: PathBuf,
        session_name: Option<String>,
        duration_seconds: Option<u32>,
    ) -> Result<CachedProvider<Self>, Error> {
        let duration = checked_duration(duration_seconds)?;
        let request =
            AssumeRoleWithOidcRequest::new(session_name.unwrap_or_else(default_session_name))
                .role_arn(role_arn)
                .oidc_provider_arn(provider_arn)
                .duration_seconds(i64::from(duration));
        let client = sts.client(None)?;
        Ok(CachedProvider::new(Self {
            client,
            env,
            token_file,
            request,
        }))
    }
}

#[async_trait::async_trait]
impl ProvideCredentials for OidcRoleArnProvider {
    fn name(&self) -> &'static str {
        "oidc_role_arn"
    }

    async fn provide_credentials(&self) -> Result<Credentials, Error> {
        let token = self.env.read_file(&self.token_file).map_err(|e| {
            Error::credentials(format!(
                "oidc_role_arn: cannot read the token file {}: {e}",
                self.token_file.display()
            ))
        })?;
        let request = self.request.clone().oidc_token(token.trim());
        let response = self.client.assume_role_with_oidc(&request).await?;
        let AssumeRoleWithOidcCredentials {
            access_key_id,
            access_key_secret,
            security_token,
            expiration,
            ..
        } = response.credentials.unwrap_or_default();
        temporary_credentials(
            access_key_id,
            access_key_secret,
            security_token,
            expiration,
            "oidc_role_arn",
        )
    }
}
