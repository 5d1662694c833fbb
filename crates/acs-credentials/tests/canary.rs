//! Canary: a unique secret, STS token, OIDC token, CloudSSO access token and External-process
//! output never appear in any `Debug`, error or trace output of the providers and the chain,
//! on success or failure.

use std::io::Write;
use std::sync::{Arc, Mutex};

use acs_core::{
    Protocol, ProvideCredentials, SharedCredentialsProvider, StaticCredentialsProvider,
};
use acs_credentials::{
    DefaultChain, FakeEnvironment, OidcRoleArnProvider, RamRoleArnProvider, StsEndpoint,
};
use acs_signer::Credentials;
use acs_testkit::{Fault, Reply, TestServer};

const ACCOUNT: &str = "1234567890123456";
const SECRET: &str = "CANARY-SECRET-0c4f1d";
const TOKEN: &str = "CANARY-TOKEN-9a7e22";
const OIDC_TOKEN: &str = "CANARY-OIDC-51b8e0";
const EXTERNAL_OUTPUT: &str = "CANARY-EXTERNAL-3f6d94";
const SSO_TOKEN: &str = "CANARY-SSO-8c21aa";
/// Credentials a hostile or broken STS "issues" in answers that fail to decode.
const ISSUED_SECRET: &str = "CANARY-ISSUED-SECRET-e10b3c";
const ISSUED_TOKEN: &str = "CANARY-ISSUED-TOKEN-77d2a9";
/// A token in a credentials URI's query string.
const URI_TOKEN: &str = "CANARY-URI-TOKEN-4b1f0e";
/// The emulator's first IMDSv2 session token (deterministic).
const IMDS_TOKEN: &str = "imds-token-1-21600";

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

/// Everything printed or logged, to search for canaries.
#[derive(Default)]
struct Seen(String);

impl Seen {
    fn debug(&mut self, value: &dyn std::fmt::Debug) {
        self.0.push_str(&format!("{value:?}\n{value:#?}\n"));
    }
    fn result<T: std::fmt::Debug>(&mut self, result: &Result<T, acs_core::Error>) {
        match result {
            Ok(value) => self.debug(value),
            Err(error) => {
                self.0.push_str(&format!("{error}\n{error:?}\n"));
                let mut source = std::error::Error::source(error);
                while let Some(cause) = source {
                    self.0.push_str(&format!("{cause}\n{cause:?}\n"));
                    source = cause.source();
                }
            }
        }
    }
}

fn chain_env(server: &TestServer) -> FakeEnvironment {
    let url = format!("http://{}", server.endpoint());
    FakeEnvironment::new()
        .with_home("/home/test")
        .with_endpoint("sts", &url)
        .with_endpoint("ecs_metadata", &url)
}

fn external_profile(command: &str) -> String {
    serde_json::json!({
        "current": "default",
        "profiles": [{"name": "default", "mode": "External", "process_command": command}],
    })
    .to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn secrets_tokens_and_process_output_never_show() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_global_default(subscriber);

    let server = TestServer::start().await.expect("server");
    server.enable_sts();
    server.add_ram_user(ACCOUNT, "alice", "LTAI5tAlice", SECRET);
    let sts = StsEndpoint::default()
        .endpoint(server.endpoint())
        .protocol(Protocol::Http);
    let mut seen = Seen::default();
    let mut issued = Vec::new();

    // Environment, through the chain: success, and a chain that fails after reading them.
    let env = chain_env(&server)
        .with_var("ALIBABA_CLOUD_ACCESS_KEY_ID", "STS.Env")
        .with_var("ALIBABA_CLOUD_ACCESS_KEY_SECRET", SECRET)
        .with_var("ALIBABA_CLOUD_SECURITY_TOKEN", TOKEN);
    let chain = DefaultChain::with_environment(Arc::new(env));
    seen.result(&chain.provide_credentials().await);
    seen.debug(&chain);
    let env = chain_env(&server)
        .with_var("ALIBABA_CLOUD_ACCESS_KEY_SECRET", SECRET)
        .with_var("ALIBABA_CLOUD_SECURITY_TOKEN", TOKEN);
    seen.result(
        &DefaultChain::with_environment(Arc::new(env))
            .provide_credentials()
            .await,
    );

    // RAM role ARN: success, a refused role, and STS echoing what it was sent.
    let alice: SharedCredentialsProvider = Arc::new(StaticCredentialsProvider::new(
        Credentials::new("LTAI5tAlice", SECRET).expect("valid"),
    ));
    let role = RamRoleArnProvider::builder(alice.clone(), format!("acs:ram::{ACCOUNT}:role/r"))
        .sts(sts.clone())
        .build()
        .expect("provider");
    let assumed = role.provide_credentials().await;
    if let Ok(c) = &assumed {
        issued.push(c.access_key_secret().to_owned());
        issued.extend(c.security_token().map(str::to_owned));
    }
    seen.result(&assumed);
    seen.debug(&role);
    let bad = RamRoleArnProvider::builder(alice.clone(), "not-an-arn")
        .sts(sts.clone())
        .build()
        .expect("provider");
    seen.result(&bad.provide_credentials().await);
    let wrong_secret: SharedCredentialsProvider = Arc::new(StaticCredentialsProvider::new(
        Credentials::new("LTAI5tAlice", "wrong")
            .and_then(|c| c.with_security_token(TOKEN))
            .expect("valid"),
    ));
    let refused = RamRoleArnProvider::builder(wrong_secret, format!("acs:ram::{ACCOUNT}:role/r"))
        .sts(sts.clone())
        .build()
        .expect("provider");
    seen.result(&refused.provide_credentials().await);

    // OIDC: success, and a refusal whose message echoes the token.
    let oidc_env = Arc::new(FakeEnvironment::new().with_file("/var/run/oidc/token", OIDC_TOKEN));
    let oidc = || {
        OidcRoleArnProvider::new(
            oidc_env.clone(),
            sts.clone(),
            format!("acs:ram::{ACCOUNT}:role/pod"),
            format!("acs:ram::{ACCOUNT}:oidc-provider/ack"),
            "/var/run/oidc/token".into(),
            None,
            None,
        )
        .expect("provider")
    };
    let provider = oidc();
    let assumed = provider.provide_credentials().await;
    if let Ok(c) = &assumed {
        issued.push(c.access_key_secret().to_owned());
        issued.extend(c.security_token().map(str::to_owned));
    }
    seen.result(&assumed);
    seen.debug(&provider);
    server.push_replies(
        "AssumeRoleWithOIDC",
        [Reply::error(
            400,
            "InvalidParameter.OIDCToken",
            format!("The OIDC token {OIDC_TOKEN} is invalid."),
        )],
    );
    seen.result(&oidc().provide_credentials().await);

    // External: credentials printed by the command; output that is not JSON; output without a
    // secret; a command that fails.
    let printed = format!(
        r#"printf {{"mode":"StsToken","access_key_id":"STS.Ext","access_key_secret":"{SECRET}","sts_token":"{TOKEN}"}}"#
    );
    let commands = [
        printed,
        format!("printf {EXTERNAL_OUTPUT}"),
        format!(r#"printf {{"mode":"AK","access_key_id":"{EXTERNAL_OUTPUT}"}}"#),
        format!("printf {EXTERNAL_OUTPUT}-not-json"),
        format!("ls /{EXTERNAL_OUTPUT}"),
    ];
    for command in commands {
        let env = chain_env(&server).with_file(
            "/home/test/.aliyun/config.json",
            &external_profile(&command),
        );
        let chain = DefaultChain::with_environment(Arc::new(env));
        seen.result(&chain.provide_credentials().await);
        seen.debug(&chain);
    }

    // CloudSSO: the portal accepts the access token; then one it rejects.
    server.enable_cloud_sso(SSO_TOKEN, ACCOUNT, "ac-00canary");
    let signin = format!("http://{}/d-00canary/login", server.endpoint());
    for token in [SSO_TOKEN.to_owned(), format!("{SSO_TOKEN}-revoked")] {
        let config = serde_json::json!({
            "current": "sso",
            "profiles": [{
                "name": "sso", "mode": "CloudSSO", "cloud_sso_sign_in_url": signin,
                "cloud_sso_account_id": ACCOUNT, "cloud_sso_access_config": "ac-00canary",
                "access_token": token, "cloud_sso_access_token_expire": 4_102_444_800_i64,
            }],
        });
        let env =
            chain_env(&server).with_file("/home/test/.aliyun/config.json", &config.to_string());
        let chain = DefaultChain::with_environment(Arc::new(env));
        let result = chain.provide_credentials().await;
        if let Ok(c) = &result {
            issued.push(c.access_key_secret().to_owned());
            issued.extend(c.security_token().map(str::to_owned));
        }
        seen.result(&result);
        seen.debug(&chain);
    }
    assert_eq!(server.cloud_sso_requests(), 2);

    // Hostile and broken answers: a 2xx STS answer that does not decode while carrying issued
    // credentials (JSON, XML, form-like text), and error pages that are not error documents
    // but echo what they were sent.
    let undecodable = [
        (
            "application/json",
            format!(
                r#"{{"RequestId":"r","Credentials":{{"AccessKeyId":"STS.Bad","AccessKeySecret":"{ISSUED_SECRET}","SecurityToken":"{ISSUED_TOKEN}","Expiration":12}}}}"#
            ),
        ),
        (
            "text/xml",
            format!(
                "<AssumeRoleResponse><Credentials><AccessKeySecret>{ISSUED_SECRET}</AccessKeySecret><SecurityToken>{ISSUED_TOKEN}"
            ),
        ),
        (
            "text/plain",
            format!("SecurityToken={ISSUED_TOKEN}&AccessKeySecret={ISSUED_SECRET}"),
        ),
    ];
    for (content_type, body) in &undecodable {
        server.push_replies(
            "AssumeRole",
            [Reply::Fault(Fault::raw(
                200,
                [("content-type", *content_type)],
                body.as_str(),
            ))],
        );
        let role = RamRoleArnProvider::builder(alice.clone(), format!("acs:ram::{ACCOUNT}:role/r"))
            .sts(sts.clone())
            .build()
            .expect("provider");
        let result = role.provide_credentials().await;
        assert!(result.is_err(), "{content_type} must not decode");
        seen.result(&result);
        seen.debug(&role);
    }
    let echoing_pages = [
        format!("<html><body>Bad request: OIDCToken={OIDC_TOKEN}&RoleArn=r</body></html>"),
        format!("{}SecurityToken={ISSUED_TOKEN}", "x".repeat(240)),
        format!("{{\"OIDCToken\": \"{OIDC_TOKEN}\", \"status\": \"rejected\"}}"),
    ];
    for page in &echoing_pages {
        server.push_replies(
            "AssumeRoleWithOIDC",
            [Reply::Fault(Fault::raw(
                400,
                [("content-type", "text/html")],
                page.as_str(),
            ))],
        );
        seen.result(&oidc().provide_credentials().await);
    }
    // A plain error page from a product API (not a credentials endpoint) echoing a token.
    let config = acs_core::ClientConfig::builder()
        .endpoint(server.endpoint())
        .protocol(Protocol::Http)
        .credentials_provider(StaticCredentialsProvider::new(
            Credentials::new("LTAI5tAlice", SECRET).expect("valid"),
        ))
        .build()
        .expect("config");
    let client =
        acs_core::Client::new(config, &acs_core::EndpointRules::new("ecs")).expect("client");
    server.set_reply(
        "DescribeInstances",
        Reply::Fault(Fault::raw(
            502,
            [("content-type", "text/plain")],
            format!("upstream said: SecurityToken: {ISSUED_TOKEN}; Password={ISSUED_SECRET}"),
        )),
    );
    const DESCRIBE: acs_core::Operation =
        acs_core::Operation::rpc("Ecs", "2014-05-26", "DescribeInstances");
    seen.result(&client.call(&DESCRIBE, &acs_core::Request::new()).await);
    seen.debug(&client);
    // A successful response's Debug never shows its body.
    server.set_reply(
        "DescribeInstances",
        Reply::success(serde_json::json!({"AccessKeySecret": ISSUED_SECRET})),
    );
    seen.result(&client.call(&DESCRIBE, &acs_core::Request::new()).await);

    // ECS metadata: the provider's Debug after it fetched (and holds an IMDSv2 token), and
    // after a failure.
    server.enable_ecs_metadata("EcsRole", ACCOUNT, true);
    let ecs = acs_credentials::EcsRamRoleProvider::builder()
        .endpoint(format!("http://{}", server.endpoint()))
        .build()
        .expect("provider");
    let fetched = ecs.provide_credentials().await;
    if let Ok(c) = &fetched {
        issued.push(c.access_key_secret().to_owned());
        issued.extend(c.security_token().map(str::to_owned));
    }
    seen.result(&fetched);
    seen.debug(&ecs);
    seen.debug(ecs.inner());
    server.set_ecs_metadata_failing(true);
    let again = acs_credentials::EcsRamRoleProvider::builder()
        .endpoint(format!("http://{}", server.endpoint()))
        .build()
        .expect("provider");
    seen.result(&again.provide_credentials().await);
    seen.debug(&again);

    // A credentials URI with a token in its query: Debug, success and failure.
    let uri = format!("{}?token={URI_TOKEN}", server.credentials_uri());
    let by_uri = acs_credentials::CredentialsUriProvider::new(uri).expect("provider");
    seen.debug(&by_uri);
    seen.result(&by_uri.provide_credentials().await);
    seen.debug(&by_uri);
    let missing = format!("http://{}/nowhere?token={URI_TOKEN}", server.endpoint());
    let missing = acs_credentials::CredentialsUriProvider::new(missing).expect("provider");
    seen.result(&missing.provide_credentials().await);
    seen.debug(&missing);
    seen.result(
        &acs_credentials::CredentialsUriProvider::new(format!(
            "http://creds.example.com/c?token={URI_TOKEN}"
        ))
        .map(|_| ()),
    );

    // Debug of every other public type holding a secret.
    let env = FakeEnvironment::new()
        .with_var("ALIBABA_CLOUD_ACCESS_KEY_ID", "LTAI5tEnv")
        .with_var("ALIBABA_CLOUD_ACCESS_KEY_SECRET", SECRET)
        .with_var("ALIBABA_CLOUD_SECURITY_TOKEN", TOKEN)
        .with_file("/var/run/oidc/token", OIDC_TOKEN);
    seen.debug(&env);
    seen.debug(&acs_credentials::EnvironmentProvider::with_environment(
        Arc::new(env.clone()),
    ));
    seen.debug(&DefaultChain::with_environment(Arc::new(env)));
    seen.debug(&RamRoleArnProvider::builder(
        alice.clone(),
        "acs:ram::1:role/r",
    ));
    seen.debug(&alice);
    seen.debug(&sts);
    seen.debug(&acs_credentials::EcsRamRoleProvider::builder());
    let with_token = Credentials::new("STS.Id", SECRET)
        .and_then(|c| c.with_security_token(TOKEN))
        .expect("valid");
    seen.debug(&with_token);
    seen.debug(&acs_core::StaticCredentialsProvider::new(
        with_token.clone(),
    ));
    seen.debug(
        &acs_core::ClientConfig::builder()
            .credentials_provider(acs_core::StaticCredentialsProvider::new(with_token))
            .build()
            .expect("config"),
    );
    seen.debug(&acs_sts::model::AssumeRoleResponse::default());
    let mut request = acs_core::Request::new();
    request
        .query("SecurityToken", TOKEN)
        .form("OIDCToken", OIDC_TOKEN)
        .header("x-acs-security-token", TOKEN);
    seen.debug(&request);
    seen.debug(&acs_signer::BearerToken::new(SSO_TOKEN).expect("token"));
    let sso = acs_credentials::CloudSsoProvider::new(
        &format!("http://{}/d-00canary/login", server.endpoint()),
        ACCOUNT,
        "ac-00canary",
        SSO_TOKEN,
        std::time::SystemTime::now() + std::time::Duration::from_secs(3600),
    )
    .expect("provider");
    seen.debug(&sso);
    seen.result(&sso.provide_credentials().await.map(|_| ()));
    seen.debug(&sso);

    let logs = String::from_utf8(captured.0.lock().expect("lock").clone()).expect("utf-8");
    assert!(logs.contains("AssumeRole"), "tracing was captured: {logs}");
    let everything = format!("{}\n{logs}", seen.0);
    assert!(
        logs.contains("WARN"),
        "the cache's warnings were captured: {logs}"
    );
    for canary in [
        SECRET,
        TOKEN,
        OIDC_TOKEN,
        EXTERNAL_OUTPUT,
        SSO_TOKEN,
        ISSUED_SECRET,
        ISSUED_TOKEN,
        URI_TOKEN,
        IMDS_TOKEN,
    ]
    .into_iter()
    .chain(issued.iter().map(String::as_str))
    {
        assert!(
            !everything.contains(canary),
            "{canary} leaked:\n{}",
            everything
                .lines()
                .filter(|l| l.contains(canary))
                .collect::<Vec<_>>()
                .join("\n")
        );
    }
    assert!(issued.len() >= 6, "the successful paths ran: {issued:?}");
}
