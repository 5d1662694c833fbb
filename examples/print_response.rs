//! Seed 004 in Rust: assume a RAM role and print the whole response (headers, status code and
//! JSON body) the way the official Python sample prints `json.dumps(resp)`, from a typed call.
//!
//! ```text
//! cargo run -p acs-examples --example print_response            # against the embedded emulator
//! cargo run -p acs-examples --example print_response -- --live  # against Alibaba Cloud
//! ```
//!
//! With `--live`, it reads `ALIBABA_CLOUD_ACCESS_KEY_ID`, `ALIBABA_CLOUD_ACCESS_KEY_SECRET`,
//! `ALIBABA_CLOUD_ROLE_ARN` and optionally `ALIBABA_CLOUD_REGION_ID` (default `cn-hangzhou`).
//! Unlike the Python sample, it masks the issued secret and token before printing.

use std::collections::BTreeMap;

use acs_core::{ClientConfig, Protocol, StaticCredentialsProvider};
use acs_signer::Credentials;
use acs_sts::Client;
use acs_sts::model::AssumeRoleRequest;
use acs_testkit::TestServer;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let live = std::env::args().any(|a| a == "--live");
    let mut _emulator = None;
    let (config, role_arn) = if live {
        let env = |name: &str| std::env::var(name).map_err(|_| format!("{name} is not set"));
        let region =
            std::env::var("ALIBABA_CLOUD_REGION_ID").unwrap_or_else(|_| "cn-hangzhou".into());
        let config = ClientConfig::builder()
            .region(region)
            .credentials_provider(StaticCredentialsProvider::new(Credentials::new(
                env("ALIBABA_CLOUD_ACCESS_KEY_ID")?,
                env("ALIBABA_CLOUD_ACCESS_KEY_SECRET")?,
            )?))
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
            "acs:ram::1234567890123456:role/example-reader".to_owned(),
        )
    };

    let sts = Client::new(config)?;
    let request = AssumeRoleRequest::new(role_arn, "my-app-session");
    let output = match sts.assume_role_with_response(&request).await {
        Ok(output) => output,
        Err(error) => {
            // What the Python sample prints: the message, then the diagnosis link.
            eprintln!("{error}");
            if let Some(recommend) = error.as_service().and_then(|s| s.recommend.as_deref()) {
                eprintln!("{recommend}");
            }
            return Err(error.into());
        }
    };
    let headers: BTreeMap<&str, &str> = output
        .headers()
        .iter()
        .map(|(name, value)| (name.as_str(), value.to_str().unwrap_or("<binary>")))
        .collect();
    let mut body = serde_json::to_value(output.model())?;
    for secret in ["AccessKeySecret", "SecurityToken"] {
        if let Some(value) = body.pointer_mut(&format!("/Credentials/{secret}")) {
            *value = "** masked **".into();
        }
    }
    let printed = serde_json::json!({
        "headers": headers,
        "statusCode": output.status(),
        "body": body,
    });
    #[allow(clippy::print_stdout)]
    {
        println!("{}", serde_json::to_string_pretty(&printed)?);
    }
    Ok(())
}
