//! The default chain, in the official order.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use acs_core::{Error, ProvideCredentials, SharedCredentialsProvider};
use acs_signer::Credentials;

use crate::ecs::EcsRamRoleProvider;
use crate::env_provider::EnvironmentProvider;
use crate::environment::{Environment, ProcessEnvironment};
use crate::sts_role::OidcRoleArnProvider;
use crate::uri::CredentialsUriProvider;

/// One link of the chain: its name, and the provider when the environment configures it.
struct Link {
    name: &'static str,
    provider: Result<SharedCredentialsProvider, String>,
}

/// The default credentials chain: environment variables, then an OIDC role (only when all
/// three OIDC variables are set), then the CLI profile (`~/.aliyun/config.json`), then the INI
/// profile (`~/.alibabacloud/credentials`), then the ECS RAM role (when `ALIBABA_CLOUD_ECS_METADATA` names the role), then
/// the credentials URI (`ALIBABA_CLOUD_CREDENTIALS_URI`).
///
/// It moves on only past providers that are not configured. A configured provider that fails
/// stops the chain with an error naming it: a typo must not silently fall through to another
/// source. With nothing configured, the error lists what each provider said. The provider that
/// worked is remembered; after a failure the whole chain is walked again.
///
/// ```
/// use acs_core::ProvideCredentials;
/// use acs_credentials::{DefaultChain, FakeEnvironment};
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// let chain = DefaultChain::with_environment(std::sync::Arc::new(FakeEnvironment::new()));
/// let err = chain.provide_credentials().await.unwrap_err();
/// assert!(err.to_string().contains("env: ALIBABA_CLOUD_ACCESS_KEY_ID"));
/// # }
/// ```
pub struct DefaultChain {
    links: Vec<Link>,
    last: AtomicUsize,
}

impl std::fmt::Debug for DefaultChain {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let links: Vec<_> = self
            .links
            .iter()
            .map(|l| (l.name, l.provider.is_ok()))
            .collect();
        f.debug_struct("DefaultChain")
            .field("configured", &links)
            .finish()
    }
}

impl Default for DefaultChain {
    fn default() -> Self {
        Self::new()
    }
}

const NONE: usize = usize::MAX;

impl DefaultChain {
    /// The chain over the process environment.
    pub fn new() -> Self {
        Self::with_environment(Arc::new(ProcessEnvironment))
    }

    /// The chain over `env` (tests, or configuration from elsewhere).
    pub fn with_environment(env: Arc<dyn Environment>) -> Self {
        let env_for_ecs = env.clone();
        let env_for_uri = env.var("ALIBABA_CLOUD_CREDENTIALS_URI");
        let allow_insecure_uri = env
            .var("ALIBABA_CLOUD_CREDENTIALS_URI_ALLOW_INSECURE_HTTP")
            .is_some_and(|v| v.eq_ignore_ascii_case("true"));
        let environment = EnvironmentProvider::with_environment(env.clone());
        let env_link = if environment.is_configured() {
            Ok(Arc::new(environment) as SharedCredentialsProvider)
        } else {
            Err(
                "ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET are not set"
                    .to_owned(),
            )
        };
        let oidc_link = match OidcRoleArnProvider::from_environment(env) {
            Some(Ok(provider)) => Ok(Arc::new(provider) as SharedCredentialsProvider),
            Some(Err(e)) => Ok(Arc::new(Broken(e.to_string())) as SharedCredentialsProvider),
            None => Err("ALIBABA_CLOUD_ROLE_ARN, ALIBABA_CLOUD_OIDC_PROVIDER_ARN and ALIBABA_CLOUD_OIDC_TOKEN_FILE are not all set".to_owned()),
        };
        let links = vec![
            Link {
                name: "env",
                provider: env_link,
            },
            Link {
                name: "oidc_role_arn",
                provider: oidc_link,
            },
            Link {
                name: "cli_profile",
                provider: found(crate::profiles::cli_profile(&env_for_ecs)),
            },
            Link {
                name: "ini_profile",
                provider: found(crate::profiles::ini_profile(&env_for_ecs)),
            },
            Link {
                name: "ecs_ram_role",
                provider: ecs_link(env_for_ecs.as_ref()),
            },
            Link {
                name: "credentials_uri",
                provider: match env_for_uri {
                    Some(uri) => match CredentialsUriProvider::build(uri, allow_insecure_uri) {
                        Ok(provider) => Ok(Arc::new(provider) as SharedCredentialsProvider),
                        Err(e) => Ok(Arc::new(Broken(e.to_string())) as SharedCredentialsProvider),
                    },
                    None => Err("ALIBABA_CLOUD_CREDENTIALS_URI is not set".to_owned()),
                },
            },
        ];
        Self {
            links,
            last: AtomicUsize::new(NONE),
        }
    }

    /// The name of the provider that last supplied credentials.
    pub fn last_provider(&self) -> Option<&'static str> {
        self.links
            .get(self.last.load(Ordering::Relaxed))
            .map(|l| l.name)
    }
}

fn found(found: crate::profiles::Found) -> Result<SharedCredentialsProvider, String> {
    match found {
        crate::profiles::Found::Provider(provider) => Ok(provider),
        crate::profiles::Found::Invalid(reason) => Ok(Arc::new(Broken(reason))),
        crate::profiles::Found::NotConfigured(reason) => Err(reason),
    }
}

fn ecs_link(env: &dyn Environment) -> Result<SharedCredentialsProvider, String> {
    match EcsRamRoleProvider::from_environment(env) {
        Some(Ok(provider)) => Ok(Arc::new(provider)),
        Some(Err(e)) => Ok(Arc::new(Broken(e.to_string()))),
        None => Err("ALIBABA_CLOUD_ECS_METADATA does not name a role (or ALIBABA_CLOUD_ECS_METADATA_DISABLED=true)".to_owned()),
    }
}

/// A configured provider whose configuration is unusable: fails with its reason.
#[derive(Debug)]
struct Broken(String);

#[async_trait::async_trait]
impl ProvideCredentials for Broken {
    async fn provide_credentials(&self) -> Result<Credentials, Error> {
        Err(Error::credentials(self.0.clone()))
    }
}

#[async_trait::async_trait]
impl ProvideCredentials for DefaultChain {
    fn name(&self) -> &'static str {
        "default_chain"
    }

    async fn provide_credentials(&self) -> Result<Credentials, Error> {
        let last = self.last.load(Ordering::Relaxed);
        if let Some(Ok(provider)) = self.links.get(last).map(|l| &l.provider) {
            if let Ok(credentials) = provider.provide_credentials().await {
                return Ok(credentials);
            }
            self.last.store(NONE, Ordering::Relaxed);
        }
        let mut reasons = Vec::new();
        for (i, link) in self.links.iter().enumerate() {
            match &link.provider {
                Err(reason) => reasons.push(format!("{}: {reason}", link.name)),
                Ok(provider) => {
                    return match provider.provide_credentials().await {
                        Ok(credentials) => {
                            self.last.store(i, Ordering::Relaxed);
                            Ok(credentials)
                        }
                        Err(e) => Err(Error::credentials(format!(
                            "{} is configured but failed",
                            link.name
                        ))
                        .with_source(e)),
                    };
                }
            }
        }
        Err(Error::credentials(format!(
            "no credentials provider is configured ({})",
            reasons.join("; ")
        )))
    }

    fn cached(&self) -> Option<Credentials> {
        let last = self.last.load(Ordering::Relaxed);
        match self.links.get(last).map(|l| &l.provider) {
            Some(Ok(provider)) => provider.cached(),
            _ => None,
        }
    }
}
