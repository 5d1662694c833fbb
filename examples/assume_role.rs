//! Assumes a RAM role with the generated STS client, then asks STS who is calling.
//!
//! ```text
//! cargo run -p acs-examples --example assume_role            # against the embedded emulator
//! cargo run -p acs-examples --example assume_role -- --live  # against Alibaba Cloud
//! ```
//!
//! With `--live`, it reads `ALIBABA_CLOUD_ACCESS_KEY_ID`, `ALIBABA_CLOUD_ACCESS_KEY_SECRET`,
//! `ALIBABA_CLOUD_ROLE_ARN` and optionally `ALIBABA_CLOUD_REGION_ID` (default `cn-hangzhou`).
//! Without it, an emulator on loopback plays STS, with a made-up RAM user and role.

use acs_core::{ClientConfig, Protocol, StaticCredentialsProvider};
use acs_signer::Credentials;
use acs_sts::Client;
use acs_sts::model::{AssumeRoleRequest, GetCallerIdentityRequest};
use acs_testkit::TestServer;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let live = std::env::args().any(|a| a == "--live");
    let mut _emulator = None;
    let (config, role_arn) = if live {
        let env = |name: &str| std::env::var(name).map_err(|_| format!("{name} is not set"));
        let credentials = Credentials::new(
            env("ALIBABA_CLOUD_ACCESS_KEY_ID")?,
            env("ALIBABA_CLOUD_ACCESS_KEY_SECRET")?,
        )?;
        let region =
            std::env::var("ALIBABA_CLOUD_REGION_ID").unwrap_or_else(|_| "cn-hangzhou".into());
        let config = ClientConfig::builder()
            .region(region)
            .credentials_provider(StaticCredentialsProvider::new(credentials))
            .build()?;
        (config, env("ALIBABA_CLOUD_ROLE_ARN")?)
    } else {
        let server = TestServer::start().await?;
        server.enable_sts();
        server.add_ram_user(
            "1234567890123456",
            "alice",
            "LTAI5tExampleAlice",
            "example-secret",
        );
        let config = ClientConfig::builder()
            .endpoint(server.endpoint())
            .protocol(Protocol::Http)
            .credentials_provider(StaticCredentialsProvider::new(Credentials::new(
                "LTAI5tExampleAlice",
                "example-secret",
            )?))
            .build()?;
        _emulator = Some(server);
        (
            config,
            "acs:ram::1234567890123456:role/example-reader".to_string(),
        )
    };

    let sts = Client::new(config.clone())?;
    let mut report = format!("calling STS at {}\n", sts.core().host());
    let assumed = sts
        .assume_role(&AssumeRoleRequest::new(role_arn, "acs-rs-example").duration_seconds(900))
        .await?;
    let creds = assumed
        .credentials
        .clone()
        .ok_or("no credentials in the response")?;
    report.push_str(&format!(
        "assumed {} until {}\n",
        assumed
            .assumed_role_user
            .as_ref()
            .and_then(|u| u.arn.clone())
            .unwrap_or_default(),
        creds.expiration.clone().unwrap_or_default()
    ));

    let temporary = Credentials::new(
        creds.access_key_id.unwrap_or_default(),
        creds.access_key_secret.unwrap_or_default(),
    )?
    .with_security_token(creds.security_token.unwrap_or_default())?;
    let as_role = ClientConfig::builder()
        .credentials_provider(StaticCredentialsProvider::new(temporary))
        .protocol(if live {
            Protocol::Https
        } else {
            Protocol::Http
        });
    let as_role = match config.endpoint() {
        Some(endpoint) => as_role.endpoint(endpoint),
        None => as_role.region(config.region().unwrap_or("cn-hangzhou")),
    };
    let who = Client::new(as_role.build()?)?
        .get_caller_identity(&GetCallerIdentityRequest::new())
        .await?;
    report.push_str(&format!(
        "now calling as {} ({})\n",
        who.arn.unwrap_or_default(),
        who.identity_type.unwrap_or_default()
    ));
    #[allow(clippy::print_stdout)]
    {
        print!("{report}");
    }
    Ok(())
}
