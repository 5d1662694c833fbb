//! Alibaba Cloud credential providers, the default chain, and the cache around them.
//!
//! Every provider that fetches credentials which expire is wrapped in one
//! [`CachedProvider`]: lock-free cache hits, single-flight refresh, jittered refresh ahead of
//! expiry, and static stability when a refresh fails. Configuration is read through an
//! [`Environment`], so tests use a [`FakeEnvironment`] instead of the machine's.
//!
//! Available: environment variables ([`EnvironmentProvider`]), RAM role ARN from any source
//! ([`RamRoleArnProvider`], so roles chain), OIDC role ([`OidcRoleArnProvider`]), the ECS RAM
//! role ([`EcsRamRoleProvider`]), static keys and STS tokens (acs-core's
//! `StaticCredentialsProvider`), a credentials URL ([`CredentialsUriProvider`]), CloudSSO
//! ([`CloudSsoProvider`]), the CLI profile (`~/.aliyun/config.json`: modes `AK`, `StsToken`,
//! `RamRoleArn`, `ChainableRamRoleArn`, `EcsRamRole`, `OIDC`, `CredentialsURI`, `External`,
//! `CloudSSO`) and the INI profile (`~/.alibabacloud/credentials`), and the [`DefaultChain`]
//! over them.

mod cache;
mod chain;
mod clock;
mod cloud_sso;
mod ecs;
mod env_provider;
mod environment;
mod external;
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod fuzzing;
mod profiles;
mod sts_role;
mod temporary;
mod uri;

pub use cache::CachedProvider;
pub use chain::DefaultChain;
pub use clock::{Clock, SystemClock};
pub use cloud_sso::CloudSsoProvider;
pub use ecs::{EcsRamRoleBuilder, EcsRamRoleProvider, METADATA_ENDPOINT};
pub use env_provider::{ACCESS_KEY_ID, ACCESS_KEY_SECRET, EnvironmentProvider, SECURITY_TOKEN};
pub use environment::{Environment, FakeEnvironment, ProcessEnvironment};
pub use sts_role::{OidcRoleArnProvider, RamRoleArnBuilder, RamRoleArnProvider, StsEndpoint};
pub use uri::CredentialsUriProvider;
