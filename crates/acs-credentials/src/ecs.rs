//! The ECS RAM role: credentials of the role attached to the instance, from the metadata
//! service.

use std::sync::Arc;
use std::time::{Duration, Instant};

use acs_core::{Error, HttpClient, HyperClient, ProvideCredentials, ProxyConfig, ResponseLimits};
use acs_signer::Credentials;
use bytes::Bytes;

use crate::cache::CachedProvider;
use crate::environment::Environment;

/// The metadata service's address.
pub const METADATA_ENDPOINT: &str = "http://100.100.100.200";
const TOKEN_TTL_SECONDS: u64 = 21_600;
/// A token is renewed this long before its TTL runs out.
const TOKEN_MARGIN: Duration = Duration::from_secs(300);
const CREDENTIALS_PATH: &str = "/latest/meta-data/ram/security-credentials/";

/// Credentials of the instance's RAM role, from the ECS metadata service.
///
/// IMDSv2: a session token from `PUT /latest/api/token` (TTL 21600 s, reused until shortly
/// before it expires) accompanies every request; if the token cannot be had, the provider falls
/// back to plain (v1) requests unless `ALIBABA_CLOUD_IMDSV1_DISABLED=true`. The role is
/// discovered from `/latest/meta-data/ram/security-credentials/` unless named; the credentials
/// must carry `Code: Success`. Connections are always direct (never through a proxy), with 1 s
/// connect and read timeouts and up to three attempts.
///
/// The endpoint must be the metadata address, a loopback host (tests), or plain HTTP allowed
/// explicitly. Its `Debug` never shows the session token.
pub struct EcsRamRoleProvider {
    http: Arc<dyn HttpClient>,
    endpoint: String,
    role: Option<String>,
    disable_v1: bool,
    token: tokio::sync::Mutex<Option<(String, Instant)>>,
}

impl std::fmt::Debug for EcsRamRoleProvider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EcsRamRoleProvider")
            .field("endpoint", &self.endpoint)
            .field("role", &self.role)
            .field("disable_v1", &self.disable_v1)
            .finish_non_exhaustive()
    }
}

/// Builds an [`EcsRamRoleProvider`].
#[derive(Debug, Default)]
pub struct EcsRamRoleBuilder {
    endpoint: Option<String>,
    role: Option<String>,
    disable_v1: bool,
    allow_insecure_http: bool,
}

impl EcsRamRoleBuilder {
    /// Another metadata address (tests), such as `http://127.0.0.1:8080`.
    pub fn endpoint(mut self, endpoint: impl Into<String>) -> Self {
        self.endpoint = Some(endpoint.into());
        self
    }
    /// The role name, skipping discovery.
    pub fn role(mut self, role: impl Into<String>) -> Self {
        self.role = Some(role.into());
        self
    }
    /// Refuse to fall back to v1 (token-less) requests.
    pub fn disable_v1(mut self, disable: bool) -> Self {
        self.disable_v1 = disable;
        self
    }
    /// Accept a plain `http://` endpoint on any host (by default only the metadata address
    /// and loopback hosts): the credentials then cross the network unencrypted.
    pub fn allow_insecure_http(mut self, allow: bool) -> Self {
        self.allow_insecure_http = allow;
        self
    }
    /// The provider, wrapped in the refresh cache.
    ///
    /// ```
    /// use acs_credentials::EcsRamRoleProvider;
    /// assert!(EcsRamRoleProvider::builder().endpoint("http://127.0.0.1:9").build().is_ok());
    /// assert!(EcsRamRoleProvider::builder().endpoint("http://metadata.example.com").build().is_err());
    /// ```
    pub fn build(self) -> Result<CachedProvider<EcsRamRoleProvider>, Error> {
        let endpoint = self
            .endpoint
            .unwrap_or_else(|| METADATA_ENDPOINT.to_owned())
            .trim_end_matches('/')
            .to_owned();
        acs_core::check_credentials_url("ecs_ram_role", &endpoint, self.allow_insecure_http)?;
        let http = HyperClient::new(Duration::from_secs(1), &ProxyConfig::disabled())?;
        Ok(CachedProvider::new(EcsRamRoleProvider {
            http: Arc::new(http),
            endpoint,
            role: self.role,
            disable_v1: self.disable_v1,
            token: tokio::sync::Mutex::new(None),
        }))
    }
}

impl EcsRamRoleProvider {
    /// A builder with the defaults.
    pub fn builder() -> EcsRamRoleBuilder {
        EcsRamRoleBuilder::default()
    }

    /// From `ALIBABA_CLOUD_ECS_METADATA` (the role; `None` when unset) and
    /// `ALIBABA_CLOUD_IMDSV1_DISABLED`; `None` also when `ALIBABA_CLOUD_ECS_METADATA_DISABLED=true`.
    pub fn from_environment(env: &dyn Environment) -> Option<Result<CachedProvider<Self>, Error>> {
        let endpoint = env.endpoint_override("ecs_metadata");
        if env
            .var("ALIBABA_CLOUD_ECS_METADATA_DISABLED")
            .is_some_and(|v| v.eq_ignore_ascii_case("true"))
        {
            return None;
        }
        let role = env.var("ALIBABA_CLOUD_ECS_METADATA")?;
        let mut builder = Self::builder().role(role).disable_v1(
            env.var("ALIBABA_CLOUD_IMDSV1_DISABLED")
                .is_some_and(|v| v.eq_ignore_ascii_case("true")),
        );
        if let Some(endpoint) = endpoint {
            builder = builder.endpoint(endpoint);
        }
        Some(builder.build())
    }

    async fn send(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, String)],
    ) -> Result<(u16, String), Error> {
        let mut request = http::Request::builder()
            .method(method)
            .uri(format!("{}{path}", self.endpoint));
        for (name, value) in headers {
            request = request.header(*name, value.as_str());
        }
        let request = request
            .body(Bytes::new())
            .map_err(|e| Error::construction("bad metadata request").with_source(e))?;
        let response = self
            .http
            .send(
                request,
                ResponseLimits::new(Duration::from_secs(1), 64 * 1024),
            )
            .await?;
        let status = response.status().as_u16();
        Ok((
            status,
            String::from_utf8_lossy(response.body()).trim().to_owned(),
        ))
    }

    /// A valid IMDSv2 token (cached), or `None` to fall back to v1.
    async fn token(&self) -> Result<Option<String>, Error> {
        let mut cached = self.token.lock().await;
        if let Some((token, expires)) = cached.as_ref()
            && Instant::now() + TOKEN_MARGIN < *expires
        {
            return Ok(Some(token.clone()));
        }
        let ttl = (
            "x-aliyun-ecs-metadata-token-ttl-seconds",
            TOKEN_TTL_SECONDS.to_string(),
        );
        match self.send("PUT", "/latest/api/token", &[ttl]).await {
            Ok((200, token)) if !token.is_empty() => {
                *cached = Some((
                    token.clone(),
                    Instant::now() + Duration::from_secs(TOKEN_TTL_SECONDS),
                ));
                Ok(Some(token))
            }
            outcome => {
                if self.disable_v1 {
                    let why = match outcome {
                        Ok((status, _)) => format!("HTTP {status}"),
                        Err(e) => e.to_string(),
                    };
                    return Err(Error::credentials(format!(
                        "ecs_ram_role: no metadata token ({why}) and IMDSv1 is disabled"
                    )));
                }
                Ok(None)
            }
        }
    }

    async fn fetch(&self) -> Result<Credentials, Error> {
        let token = self.token().await?;
        let headers: Vec<(&str, String)> = token
            .into_iter()
            .map(|t| ("x-aliyun-ecs-metadata-token", t))
            .collect();
        let role = match &self.role {
            Some(role) => role.clone(),
            None => {
                let (status, text) = self.send("GET", CREDENTIALS_PATH, &headers).await?;
                let role = text.lines().next().unwrap_or("").trim().to_owned();
                if status != 200 || role.is_empty() {
                    return Err(Error::credentials(format!(
                        "ecs_ram_role: no RAM role is attached (HTTP {status})"
                    )));
                }
                role
            }
        };
        let (status, body) = self
            .send("GET", &format!("{CREDENTIALS_PATH}{role}"), &headers)
            .await?;
        if status != 200 {
            return Err(Error::credentials(format!(
                "ecs_ram_role: HTTP {status} for role {role}"
            )));
        }
        parse_role_credentials(&role, &body)
    }
}

/// The metadata service's answer for `role`: JSON with `Code: Success` and the four fields.
pub(crate) fn parse_role_credentials(role: &str, body: &str) -> Result<Credentials, Error> {
    let value: serde_json::Value = serde_json::from_str(body).map_err(|_| {
        Error::credentials(format!(
            "ecs_ram_role: the credentials of role {role} are not JSON"
        ))
    })?;
    if value.get("Code").and_then(serde_json::Value::as_str) != Some("Success") {
        return Err(Error::credentials(format!(
            "ecs_ram_role: the metadata service did not return credentials for role {role}"
        )));
    }
    crate::temporary::from_json(Some(&value), "ecs_ram_role")
}

#[async_trait::async_trait]
impl ProvideCredentials for EcsRamRoleProvider {
    fn name(&self) -> &'static str {
        "ecs_ram_role"
    }

    async fn provide_credentials(&self) -> Result<Credentials, Error> {
        let mut last = None;
        for attempt in 0..3u32 {
            if attempt > 0 {
                tokio::time::sleep(Duration::from_millis(100 * u64::from(attempt))).await;
            }
            match self.fetch().await {
                Ok(credentials) => return Ok(credentials),
                Err(e) if e.kind() == acs_core::ErrorKind::Credentials => return Err(e),
                Err(e) => last = Some(e),
            }
        }
        Err(last.unwrap_or_else(|| Error::credentials("ecs_ram_role: failed")))
    }
}
