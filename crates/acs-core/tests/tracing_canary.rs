//! Canary: unique secret and token strings never appear in errors nor in trace-level logs,
//! across success and every failure path.

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use acs_core::{
    Client, ClientConfig, EndpointRules, Operation, Protocol, Request, RetryConfig,
    SignatureVersion, StaticCredentialsProvider,
};
use acs_signer::Credentials;
use acs_testkit::{Fault, Reply, TestServer};

const SECRET: &str = "CANARY-SECRET-5eb63b";
const TOKEN: &str = "CANARY-TOKEN-7d793037";
const OIDC_TOKEN: &str = "CANARY-OIDC-e4d909c2";

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .map_err(|_| std::io::Error::other("poisoned"))?
            .extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn secrets_stay_out_of_errors_and_trace_logs() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let server = TestServer::start().await.expect("server");
    server.add_sts_credentials("STS.Canary", SECRET, TOKEN);
    server.allow_anonymous("AssumeRoleWithOIDC");
    let good = Credentials::new("STS.Canary", SECRET)
        .and_then(|c| c.with_security_token(TOKEN))
        .expect("valid");
    let wrong_secret = Credentials::new("STS.Canary", "wrong")
        .and_then(|c| c.with_security_token(TOKEN))
        .expect("valid");
    let op = Operation::rpc("Sts", "2015-04-01", "GetCallerIdentity");
    let oidc = Operation::rpc("Sts", "2015-04-01", "AssumeRoleWithOIDC")
        .with_auth(acs_core::AuthType::Anonymous);

    let replies = [
        None,
        Some(Reply::throttling()),
        Some(Reply::error(400, "InvalidParameter", "bad")),
        Some(Reply::Fault(Fault::BareStatus(502))),
        Some(Reply::Fault(Fault::Reset)),
        Some(Reply::Fault(Fault::LargeBody(4096))),
        Some(Reply::Fault(Fault::Hang)),
        Some(Reply::Fault(Fault::Malformed)),
    ];
    let mut texts = Vec::new();
    for version in [SignatureVersion::V3, SignatureVersion::Legacy] {
        for reply in replies.iter().cloned() {
            let action = "GetCallerIdentity";
            match reply {
                Some(reply) => server.set_reply(action, reply),
                None => server.set_reply(
                    action,
                    Reply::success(serde_json::json!({"AccountId": "1"})),
                ),
            }
            for creds in [good.clone(), wrong_secret.clone()] {
                let config = ClientConfig::builder()
                    .endpoint(server.endpoint())
                    .protocol(Protocol::Http)
                    .signature_version(version)
                    .credentials_provider(StaticCredentialsProvider::new(creds))
                    .retry(RetryConfig::with_max_attempts(2).with_backoff(
                        Duration::from_millis(1),
                        Duration::from_millis(1),
                        Duration::from_millis(2),
                    ))
                    .read_timeout(Duration::from_millis(150))
                    .max_response_body(1024)
                    .build()
                    .expect("config");
                let client = Client::new(config, &EndpointRules::new("sts")).expect("client");
                texts.push(format!("{client:?}"));
                if let Err(err) = client.call(&op, &Request::new()).await {
                    texts.push(format!(
                        "{err} {err:?} {:?}",
                        std::error::Error::source(&err)
                    ));
                }
                let mut request = Request::new();
                request.form("OIDCToken", OIDC_TOKEN);
                if let Err(err) = client.call(&oidc, &request).await {
                    texts.push(format!("{err} {err:?}"));
                }
            }
        }
    }
    let logs = String::from_utf8(captured.0.lock().expect("lock").clone()).expect("utf-8");
    assert!(logs.contains("sending request"), "trace logging is on");
    assert!(
        logs.contains("x-acs-action: GetCallerIdentity"),
        "headers are logged"
    );
    // Some errors above were signature mismatches whose server message echoed the RPC v1
    // string-to-sign, which carries the token: it must have been scrubbed.
    assert!(texts.iter().any(|t| t.contains("SignatureDoesNotMatch")));
    for text in texts.iter().chain(std::iter::once(&logs)) {
        for canary in [SECRET, TOKEN, OIDC_TOKEN] {
            assert!(!text.contains(canary), "{canary} leaked in: {text}");
        }
    }
}
