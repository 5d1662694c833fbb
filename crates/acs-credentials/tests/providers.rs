//! Providers over loopback against acs-testkit's STS emulation, and the chain's rules.

use std::sync::Arc;

use acs_core::{
    ClientConfig, Protocol, ProvideCredentials, SharedCredentialsProvider,
    StaticCredentialsProvider,
};
use acs_credentials::{
    DefaultChain, FakeEnvironment, OidcRoleArnProvider, RamRoleArnProvider, StsEndpoint,
};
use acs_signer::Credentials;
use acs_sts::model::GetCallerIdentityRequest;
use acs_testkit::TestServer;

const ACCOUNT: &str = "1234567890123456";

async fn sts() -> TestServer {
    let server = TestServer::start().await.expect("server");
    server.enable_sts();
    server.add_ram_user(ACCOUNT, "alice", "LTAI5tAlice", "alice-secret");
    server
}

fn endpoint(server: &TestServer) -> StsEndpoint {
    StsEndpoint::default()
        .endpoint(server.endpoint())
        .protocol(Protocol::Http)
}

async fn whoami(server: &TestServer, provider: SharedCredentialsProvider) -> String {
    let config = ClientConfig::builder()
        .endpoint(server.endpoint())
        .protocol(Protocol::Http)
        .shared_credentials_provider(provider)
        .build()
        .expect("config");
    let identity = acs_sts::Client::new(config)
        .expect("client")
        .get_caller_identity(&GetCallerIdentityRequest::new())
        .await
        .expect("identity");
    identity.arn.unwrap_or_default()
}

#[tokio::test]
async fn ram_roles_chain_from_any_source() {
    let server = sts().await;
    let alice: SharedCredentialsProvider = Arc::new(StaticCredentialsProvider::new(
        Credentials::new("LTAI5tAlice", "alice-secret").expect("valid"),
    ));
    let first: SharedCredentialsProvider = Arc::new(
        RamRoleArnProvider::builder(alice, format!("acs:ram::{ACCOUNT}:role/deployer"))
            .session_name("hop-1")
            .sts(endpoint(&server))
            .build()
            .expect("provider"),
    );
    let second: SharedCredentialsProvider = Arc::new(
        RamRoleArnProvider::builder(first.clone(), format!("acs:ram::{ACCOUNT}:role/reader"))
            .session_name("hop-2")
            .duration_seconds(900)
            .external_id("abcd")
            .sts(endpoint(&server))
            .build()
            .expect("provider"),
    );
    assert_eq!(
        whoami(&server, first.clone()).await,
        format!("acs:ram::{ACCOUNT}:assumed-role/deployer/hop-1")
    );
    assert_eq!(
        whoami(&server, second.clone()).await,
        format!("acs:ram::{ACCOUNT}:assumed-role/reader/hop-2")
    );
    let creds = second.provide_credentials().await.expect("cached");
    assert!(creds.access_key_id().starts_with("STS.") && creds.expiry().is_some());
    assert_eq!(creds.provider_name(), Some("ram_role_arn"));
    // Cached: further calls do not assume again.
    let before = server.count("AssumeRole");
    for _ in 0..10 {
        second.provide_credentials().await.expect("cached");
    }
    assert_eq!(server.count("AssumeRole"), before);
    let assume = server
        .requests()
        .into_iter()
        .rfind(|r| r.action == "AssumeRole")
        .expect("sent");
    assert!(
        assume
            .query
            .contains(&("ExternalId".to_string(), "abcd".to_string()))
    );

    assert!(
        RamRoleArnProvider::builder(first, "acs:ram::1:role/r")
            .duration_seconds(600)
            .build()
            .is_err(),
        "durations under 900 s are refused before any call"
    );
}

#[tokio::test]
async fn oidc_reads_the_token_file_on_every_refresh_and_keeps_it_out_of_urls() {
    let server = sts().await;
    let env = FakeEnvironment::new().with_file("/var/run/oidc/token", "token-one\n");
    let provider = OidcRoleArnProvider::new(
        Arc::new(env.clone()),
        endpoint(&server),
        format!("acs:ram::{ACCOUNT}:role/pod"),
        format!("acs:ram::{ACCOUNT}:oidc-provider/ack"),
        "/var/run/oidc/token".into(),
        Some("pod-session".into()),
        None,
    )
    .expect("provider");
    let first = provider.inner().provide_credentials().await.expect("first");
    env.set_file("/var/run/oidc/token", "token-two");
    let second = provider
        .inner()
        .provide_credentials()
        .await
        .expect("second");
    assert_ne!(first.access_key_id(), second.access_key_id());
    let tokens: Vec<String> = server
        .requests()
        .into_iter()
        .filter(|r| r.action == "AssumeRoleWithOIDC")
        .map(|r| {
            assert!(
                !r.query.iter().any(|(n, _)| n == "OIDCToken"),
                "never in the URL"
            );
            assert!(
                !r.headers.iter().any(|(n, _)| n == "authorization"),
                "unsigned"
            );
            r.form
                .iter()
                .find(|(n, _)| n == "OIDCToken")
                .map(|(_, v)| v.clone())
                .unwrap_or_default()
        })
        .collect();
    assert_eq!(tokens, ["token-one", "token-two"]);
}

#[tokio::test]
async fn the_chain_takes_the_first_configured_provider_and_names_failures() {
    // Environment variables.
    let env = FakeEnvironment::new()
        .with_var("ALIBABA_CLOUD_ACCESS_KEY_ID", "LTAI5tEnv")
        .with_var("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "env-secret");
    let chain = DefaultChain::with_environment(Arc::new(env));
    assert_eq!(
        chain
            .provide_credentials()
            .await
            .expect("env")
            .access_key_id(),
        "LTAI5tEnv"
    );
    assert_eq!(chain.last_provider(), Some("env"));

    // Half-configured environment: stops with an error naming it, no fall-through.
    let env = FakeEnvironment::new().with_var("ALIBABA_CLOUD_ACCESS_KEY_ID", "LTAI5tEnv");
    let err = DefaultChain::with_environment(Arc::new(env))
        .provide_credentials()
        .await
        .expect_err("stops");
    assert!(
        err.to_string().contains("env is configured but failed"),
        "{err}"
    );

    // OIDC configured with a missing token file: fails naming OIDC.
    let env = FakeEnvironment::new()
        .with_var("ALIBABA_CLOUD_ROLE_ARN", "acs:ram::1:role/pod")
        .with_var(
            "ALIBABA_CLOUD_OIDC_PROVIDER_ARN",
            "acs:ram::1:oidc-provider/ack",
        )
        .with_var("ALIBABA_CLOUD_OIDC_TOKEN_FILE", "/nowhere");
    let err = DefaultChain::with_environment(Arc::new(env))
        .provide_credentials()
        .await
        .expect_err("stops");
    assert!(
        err.to_string()
            .contains("oidc_role_arn is configured but failed"),
        "{err}"
    );

    // Nothing configured: every provider's reason is listed.
    let err = DefaultChain::with_environment(Arc::new(FakeEnvironment::new()))
        .provide_credentials()
        .await
        .expect_err("none");
    let text = err.to_string();
    for name in [
        "env:",
        "oidc_role_arn:",
        "cli_profile:",
        "ini_profile:",
        "ecs_ram_role:",
        "credentials_uri:",
    ] {
        assert!(text.contains(name), "{text}");
    }
    // Secrets never appear in chain errors.
    let env =
        FakeEnvironment::new().with_var("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "CANARY-ENV-SECRET");
    let err = DefaultChain::with_environment(Arc::new(env))
        .provide_credentials()
        .await
        .expect_err("no id");
    assert!(!format!("{err} {err:?}").contains("CANARY-ENV-SECRET"));
}

/// A real script (the External mode runs real processes) that counts its runs in a file and
/// prints STS credentials, with `sts_expiration` when `dated`.
fn counting_script(dir: &std::path::Path, dated: bool) -> (String, std::path::PathBuf) {
    let runs = dir.join("runs");
    let expiry = if dated {
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .expect("after epoch")
            .as_secs()
            + 3600;
        format!(r#","sts_expiration":{secs}"#)
    } else {
        String::new()
    };
    let script = dir.join("print-credentials.sh");
    std::fs::write(
        &script,
        format!(
            "echo run >> '{}'\nprintf '%s' '{{\"mode\":\"StsToken\",\"access_key_id\":\"STS.External\",\"access_key_secret\":\"s\",\"sts_token\":\"t\"{expiry}}}'\n",
            runs.display()
        ),
    )
    .expect("script");
    (format!("sh {}", script.display()), runs)
}

fn runs(path: &std::path::Path) -> usize {
    std::fs::read_to_string(path).map_or(0, |t| t.lines().count())
}

#[tokio::test]
async fn external_commands_run_again_only_when_their_credentials_are_due() {
    // An undated token lasts a minute: it is used, not fetched again on every read.
    for (dated, reads, expected_runs) in [(true, 5, 1), (false, 3, 1)] {
        let dir = std::env::temp_dir().join(format!("acs-external-{}-{dated}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let (command, counter) = counting_script(&dir, dated);
        let config = serde_json::json!({
            "current": "ext",
            "profiles": [{"name": "ext", "mode": "External", "process_command": command}],
        });
        let env = FakeEnvironment::new()
            .with_home("/home/test")
            .with_file("/home/test/.aliyun/config.json", &config.to_string());
        let chain = DefaultChain::with_environment(Arc::new(env));
        for _ in 0..reads {
            let creds = chain.provide_credentials().await.expect("credentials");
            assert_eq!(creds.access_key_id(), "STS.External");
            assert!(creds.expiry().is_some());
        }
        assert_eq!(runs(&counter), expected_runs, "dated: {dated}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}

#[tokio::test]
async fn a_failing_link_stays_the_source_of_the_chain_error() {
    // A bad RoleArn: STS refuses it. The chain says which link failed, and keeps STS's own
    // error (code, request id) as the source instead of flattening it into text.
    let server = sts().await;
    let config = serde_json::json!({
        "current": "role",
        "profiles": [{
            "name": "role", "mode": "RamRoleArn",
            "access_key_id": "LTAI5tAlice", "access_key_secret": "alice-secret",
            "ram_role_arn": "not-an-arn", "ram_session_name": "s",
        }],
    });
    let env = FakeEnvironment::new()
        .with_home("/home/test")
        .with_endpoint("sts", &format!("http://{}", server.endpoint()))
        .with_file("/home/test/.aliyun/config.json", &config.to_string());
    let error = DefaultChain::with_environment(Arc::new(env))
        .provide_credentials()
        .await
        .expect_err("refused role");
    assert_eq!(error.kind(), acs_core::ErrorKind::Credentials);
    assert!(error.to_string().contains("cli_profile"), "{error}");
    assert!(
        error.request_id().is_none(),
        "not AssumeRole's request id: {error}"
    );
    let mut source = std::error::Error::source(&error);
    let mut service = None;
    while let Some(cause) = source {
        if let Some(e) = cause.downcast_ref::<acs_core::Error>()
            && e.code().is_some()
        {
            service = Some(e.clone());
        }
        source = cause.source();
    }
    let service = service.expect("STS's error is in the source chain");
    assert!(service.request_id().is_some());
}
