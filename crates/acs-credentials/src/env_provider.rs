//! Credentials from `ALIBABA_CLOUD_ACCESS_KEY_ID`, `ALIBABA_CLOUD_ACCESS_KEY_SECRET` and,
//! optionally, `ALIBABA_CLOUD_SECURITY_TOKEN`.

use std::sync::Arc;

use acs_core::{Error, ProvideCredentials};
use acs_signer::Credentials;

use crate::environment::{Environment, ProcessEnvironment};

/// The variable holding the access key id.
pub const ACCESS_KEY_ID: &str = "ALIBABA_CLOUD_ACCESS_KEY_ID";
/// The variable holding the access key secret.
pub const ACCESS_KEY_SECRET: &str = "ALIBABA_CLOUD_ACCESS_KEY_SECRET";
/// The variable holding an STS security token.
pub const SECURITY_TOKEN: &str = "ALIBABA_CLOUD_SECURITY_TOKEN";

/// Reads the access key (and security token) from the environment on every call.
///
/// ```
/// use acs_core::ProvideCredentials;
/// use acs_credentials::{EnvironmentProvider, FakeEnvironment};
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// let env = FakeEnvironment::new()
///     .with_var("ALIBABA_CLOUD_ACCESS_KEY_ID", "LTAI5tTest")
///     .with_var("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "secret");
/// let provider = EnvironmentProvider::with_environment(std::sync::Arc::new(env));
/// assert_eq!(provider.provide_credentials().await.unwrap().access_key_id(), "LTAI5tTest");
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct EnvironmentProvider {
    env: Arc<dyn Environment>,
}

impl Default for EnvironmentProvider {
    fn default() -> Self {
        Self::new()
    }
}

impl EnvironmentProvider {
    /// Reads the process environment.
    pub fn new() -> Self {
        Self {
            env: Arc::new(ProcessEnvironment),
        }
    }

    /// Reads `env`.
    pub fn with_environment(env: Arc<dyn Environment>) -> Self {
        Self { env }
    }

    /// Whether the environment asks for this provider (the key id or secret is set).
    pub fn is_configured(&self) -> bool {
        self.env.var(ACCESS_KEY_ID).is_some() || self.env.var(ACCESS_KEY_SECRET).is_some()
    }
}

#[async_trait::async_trait]
impl ProvideCredentials for EnvironmentProvider {
    fn name(&self) -> &'static str {
        "env"
    }

    async fn provide_credentials(&self) -> Result<Credentials, Error> {
        let id = self
            .env
            .var(ACCESS_KEY_ID)
            .ok_or_else(|| Error::credentials(format!("{ACCESS_KEY_ID} is not set")))?;
        let secret = self
            .env
            .var(ACCESS_KEY_SECRET)
            .ok_or_else(|| Error::credentials(format!("{ACCESS_KEY_SECRET} is not set")))?;
        let credentials = Credentials::new(id, secret)
            .map_err(|e| Error::credentials(format!("{ACCESS_KEY_ID}/{ACCESS_KEY_SECRET}: {e}")))?;
        let credentials = match self.env.var(SECURITY_TOKEN) {
            Some(token) => credentials
                .with_security_token(token)
                .map_err(|e| Error::credentials(format!("{SECURITY_TOKEN}: {e}")))?,
            None => credentials,
        };
        Ok(credentials.with_provider_name("env"))
    }
}
