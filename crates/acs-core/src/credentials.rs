//! Where credentials come from: the [`ProvideCredentials`] trait and a static provider.

use std::fmt;
use std::sync::Arc;

use acs_signer::Credentials;

use crate::error::Error;

/// A source of credentials. Implementations must be cheap to call repeatedly: the client asks
/// once per attempt and uses the snapshot it gets for that whole attempt.
///
/// [`cached`](Self::cached) is the fast path: a provider holding valid credentials in memory
/// returns them there without an `.await`; the client falls back to
/// [`provide_credentials`](Self::provide_credentials) when it returns `None`.
///
/// ```
/// use acs_core::{ProvideCredentials, StaticCredentialsProvider};
/// use acs_signer::Credentials;
///
/// # async fn demo() -> Result<(), acs_core::Error> {
/// let provider = StaticCredentialsProvider::new(Credentials::new("LTAI5tExample", "secret").unwrap());
/// let creds = provider.provide_credentials().await?;
/// assert_eq!(creds.access_key_id(), "LTAI5tExample");
/// # Ok(())
/// # }
/// ```
#[async_trait::async_trait]
pub trait ProvideCredentials: Send + Sync + fmt::Debug {
    /// Fetches (or returns cached) credentials.
    async fn provide_credentials(&self) -> Result<Credentials, Error>;

    /// Valid credentials already in memory, if any; never blocks or awaits.
    fn cached(&self) -> Option<Credentials> {
        None
    }

    /// A short name for errors and logs (`ram_role_arn`, `ecs_ram_role`, …).
    fn name(&self) -> &'static str {
        "custom"
    }
}

/// A shareable, type-erased credentials provider.
pub type SharedCredentialsProvider = Arc<dyn ProvideCredentials>;

/// Always the same credentials.
///
/// ```
/// use acs_core::{ProvideCredentials, StaticCredentialsProvider};
/// use acs_signer::Credentials;
/// let provider = StaticCredentialsProvider::new(Credentials::new("id", "secret").unwrap());
/// assert!(provider.cached().is_some());
/// assert!(!format!("{provider:?}").contains("secret\""));
/// ```
#[derive(Clone, Debug)]
pub struct StaticCredentialsProvider {
    credentials: Credentials,
}

impl StaticCredentialsProvider {
    /// A provider that always answers `credentials`.
    pub fn new(credentials: Credentials) -> Self {
        Self { credentials }
    }
}

#[async_trait::async_trait]
impl ProvideCredentials for StaticCredentialsProvider {
    async fn provide_credentials(&self) -> Result<Credentials, Error> {
        Ok(self.credentials.clone())
    }

    fn cached(&self) -> Option<Credentials> {
        Some(self.credentials.clone())
    }

    fn name(&self) -> &'static str {
        "static"
    }
}
