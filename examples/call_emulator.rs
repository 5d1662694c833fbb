//! Calls an API through the whole acs-core pipeline against the embedded emulator.
//!
//! ```text
//! cargo run -p acs-examples --example call_emulator
//! ```
//!
//! Starts acs-testkit's verifying server on loopback, then calls `GetCallerIdentity` with each
//! signature version, once after two throttling errors, and prints what happened. No cloud
//! account needed; nothing leaves the machine.

use std::time::Duration;

use acs_core::{
    Client, ClientConfig, EndpointRules, Error, Operation, Protocol, Request, ResponseFormat,
    RetryConfig, SignatureVersion, StaticCredentialsProvider,
};
use acs_signer::Credentials;
use acs_testkit::{Reply, TestServer};
use serde::Deserialize;

const GET_CALLER_IDENTITY: Operation = Operation::rpc("Sts", "2015-04-01", "GetCallerIdentity");

#[derive(Debug, Deserialize)]
struct Identity {
    #[serde(rename = "AccountId")]
    account_id: String,
    #[serde(rename = "Arn")]
    arn: String,
    #[serde(rename = "RequestId")]
    request_id: String,
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let server = TestServer::start().await?;
    server.add_access_key("LTAI5tEmulatorKey", "emulator-secret");
    server.set_reply(
        "GetCallerIdentity",
        Reply::success(serde_json::json!({
            "AccountId": "1234567890123456",
            "Arn": "acs:ram::1234567890123456:user/emulator",
            "IdentityType": "RAMUser",
        })),
    );
    let mut report = format!("emulator listening on {}\n", server.endpoint());

    for version in [
        SignatureVersion::V3,
        SignatureVersion::V3Sm3,
        SignatureVersion::Legacy,
    ] {
        let identity = call(&server, version).await?;
        report.push_str(&format!(
            "{version:?}: account {} as {} (request {})\n",
            identity.account_id, identity.arn, identity.request_id
        ));
    }

    server.push_replies(
        "GetCallerIdentity",
        [Reply::throttling(), Reply::throttling()],
    );
    let before = server.count("GetCallerIdentity");
    call(&server, SignatureVersion::V3).await?;
    report.push_str(&format!(
        "after two throttling errors: succeeded with {} requests\n",
        server.count("GetCallerIdentity") - before
    ));
    #[allow(clippy::print_stdout)]
    {
        print!("{report}");
    }
    Ok(())
}

async fn call(server: &TestServer, version: SignatureVersion) -> Result<Identity, Error> {
    let config = ClientConfig::builder()
        .endpoint(server.endpoint())
        .protocol(Protocol::Http) // plain HTTP: allowed for loopback only
        .signature_version(version)
        .credentials_provider(StaticCredentialsProvider::new(
            Credentials::new("LTAI5tEmulatorKey", "emulator-secret")
                .map_err(|e| Error::credentials("invalid example key").with_source(e))?,
        ))
        .retry(RetryConfig::default().with_backoff(
            Duration::from_millis(10),
            Duration::from_millis(20),
            Duration::from_millis(100),
        ))
        .build()?;
    let client = Client::new(config, &EndpointRules::new("sts"))?;
    client
        .call(&GET_CALLER_IDENTITY, &Request::new())
        .await?
        .decode(ResponseFormat::Json)
}
