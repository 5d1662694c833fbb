//! The quickstart: credentials from the default chain, a role assumed, and STS asked who is
//! calling.
//!
//! ```text
//! cargo run -p acs-examples --example quickstart            # embedded emulator, no account
//! cargo run -p acs-examples --example quickstart -- --live  # Alibaba Cloud
//! ```
//!
//! Without `--live`, an emulator on loopback plays STS and the default chain reads an
//! environment that points at the emulator's made-up RAM user. With `--live`, the chain reads
//! the real environment (`ALIBABA_CLOUD_ACCESS_KEY_ID` / `_SECRET`, or the OIDC variables) and,
//! when `ALIBABA_CLOUD_ROLE_ARN` is set, assumes that role through STS
//! (`ALIBABA_CLOUD_STS_REGION` picks the regional endpoint).

use std::sync::Arc;

use acs_core::{ClientConfig, Protocol, ProvideCredentials, SharedCredentialsProvider};
use acs_credentials::{
    DefaultChain, FakeEnvironment, ProcessEnvironment, RamRoleArnProvider, StsEndpoint,
};
use acs_sts::model::GetCallerIdentityRequest;
use acs_testkit::TestServer;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let live = std::env::args().any(|a| a == "--live");
    let say = |line: String| {
        #[allow(clippy::print_stdout)]
        {
            println!("{line}");
        }
    };
    let mut _emulator = None;
    let (chain, sts, role_arn) = if live {
        let env = ProcessEnvironment;
        say("reading credentials from this process's environment".into());
        (
            DefaultChain::new(),
            StsEndpoint::from_environment(&env),
            std::env::var("ALIBABA_CLOUD_ROLE_ARN").ok(),
        )
    } else {
        let server = TestServer::start().await?;
        server.enable_sts();
        server.add_ram_user(
            "1234567890123456",
            "alice",
            "LTAI5tQuickstartAlice",
            "quickstart-secret",
        );
        say(format!("started the STS emulator on {}", server.endpoint()));
        let env = FakeEnvironment::new()
            .with_var("ALIBABA_CLOUD_ACCESS_KEY_ID", "LTAI5tQuickstartAlice")
            .with_var("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "quickstart-secret");
        let sts = StsEndpoint::default()
            .endpoint(server.endpoint())
            .protocol(Protocol::Http);
        _emulator = Some(server);
        (
            DefaultChain::with_environment(Arc::new(env)),
            sts,
            Some("acs:ram::1234567890123456:role/quickstart-reader".to_owned()),
        )
    };

    let source: SharedCredentialsProvider = Arc::new(chain);
    let base = source.provide_credentials().await?;
    say(format!(
        "default chain: found {} (provider: {})",
        base,
        base.provider_name().unwrap_or("?")
    ));

    let caller: SharedCredentialsProvider = match role_arn {
        Some(role_arn) => {
            let role = RamRoleArnProvider::builder(source, role_arn.clone())
                .session_name("acs-rs-quickstart")
                .duration_seconds(900)
                .sts(sts.clone())
                .build()?;
            let creds = role.provide_credentials().await?;
            say(format!("assumed {role_arn}: got {creds}"));
            Arc::new(role)
        }
        None => source,
    };

    let mut config = ClientConfig::builder()
        .shared_credentials_provider(caller)
        .endpoint(sts.host());
    if !live {
        config = config.protocol(Protocol::Http);
    }
    let identity = acs_sts::Client::new(config.build()?)?
        .get_caller_identity(&GetCallerIdentityRequest::new())
        .await?;
    say(format!(
        "GetCallerIdentity: {} ({}, account {})",
        identity.arn.unwrap_or_default(),
        identity.identity_type.unwrap_or_default(),
        identity.account_id.unwrap_or_default()
    ));
    Ok(())
}
