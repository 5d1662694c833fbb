//! The ECS RAM role provider against acs-testkit's metadata emulation (never the real
//! metadata address).

use std::sync::Arc;

use acs_core::{ClientConfig, ErrorKind, Protocol, ProvideCredentials};
use acs_credentials::{DefaultChain, EcsRamRoleProvider, FakeEnvironment};
use acs_sts::model::GetCallerIdentityRequest;
use acs_testkit::TestServer;

const ACCOUNT: &str = "1234567890123456";

async fn server(require_token: bool) -> TestServer {
    let server = TestServer::start().await.expect("server");
    server.enable_sts();
    server.enable_ecs_metadata("EcsWorkerRole", ACCOUNT, require_token);
    server
}

fn endpoint(server: &TestServer) -> String {
    format!("http://{}", server.endpoint())
}

#[tokio::test]
async fn imdsv2_token_is_cached_across_credential_fetches() {
    let server = server(true).await;
    let provider = EcsRamRoleProvider::builder()
        .endpoint(endpoint(&server))
        .build()
        .expect("provider");
    for _ in 0..5 {
        let creds = provider
            .inner()
            .provide_credentials()
            .await
            .expect("credentials");
        assert!(creds.access_key_id().starts_with("STS.") && creds.security_token().is_some());
        assert_eq!(creds.provider_name(), Some("ecs_ram_role"));
    }
    assert_eq!(
        server.ecs_metadata_counts(),
        (1, 5),
        "five credential fetches, one token"
    );

    // The credentials work for API calls and identify the instance's role.
    let config = ClientConfig::builder()
        .endpoint(server.endpoint())
        .protocol(Protocol::Http)
        .credentials_provider(provider)
        .build()
        .expect("config");
    let who = acs_sts::Client::new(config)
        .expect("client")
        .get_caller_identity(&GetCallerIdentityRequest::new())
        .await
        .expect("identity");
    assert_eq!(
        who.arn.as_deref(),
        Some("acs:ram::1234567890123456:assumed-role/EcsWorkerRole/ecs-instance")
    );
}

#[tokio::test]
async fn falls_back_to_v1_unless_disabled() {
    let server = server(false).await;
    server.set_ecs_metadata_tokens_off(true);
    let v1 = EcsRamRoleProvider::builder()
        .endpoint(endpoint(&server))
        .build()
        .expect("provider");
    v1.inner().provide_credentials().await.expect("v1 fallback");
    assert_eq!(server.ecs_metadata_counts(), (0, 1));

    let strict = EcsRamRoleProvider::builder()
        .endpoint(endpoint(&server))
        .disable_v1(true)
        .build()
        .expect("provider");
    let err = strict
        .inner()
        .provide_credentials()
        .await
        .expect_err("v1 disabled");
    assert_eq!(err.kind(), ErrorKind::Credentials);
    assert!(err.to_string().contains("IMDSv1 is disabled"), "{err}");
    assert_eq!(
        server.ecs_metadata_counts(),
        (0, 1),
        "no credentials fetched without a token"
    );
}

#[tokio::test]
async fn a_failing_role_is_an_error_naming_the_provider() {
    let server = server(true).await;
    server.set_ecs_metadata_failing(true);
    let provider = EcsRamRoleProvider::builder()
        .endpoint(endpoint(&server))
        .role("EcsWorkerRole")
        .build()
        .expect("provider");
    let err = provider
        .provide_credentials()
        .await
        .expect_err("Code is not Success");
    assert!(err.to_string().contains("ecs_ram_role"), "{err}");
}

#[tokio::test]
async fn the_chain_uses_the_ecs_role_when_named_and_not_disabled() {
    let server = server(true).await;
    let env = FakeEnvironment::new()
        .with_var("ALIBABA_CLOUD_ECS_METADATA", "EcsWorkerRole")
        .with_endpoint("ecs_metadata", &endpoint(&server));
    let chain = DefaultChain::with_environment(Arc::new(env.clone()));
    let creds = chain.provide_credentials().await.expect("ecs");
    assert_eq!(
        (chain.last_provider(), creds.provider_name()),
        (Some("ecs_ram_role"), Some("ecs_ram_role"))
    );

    let disabled = env
        .clone()
        .with_var("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "true");
    let chain = DefaultChain::with_environment(Arc::new(disabled));
    let err = chain
        .provide_credentials()
        .await
        .expect_err("nothing configured");
    assert!(
        err.to_string()
            .contains("ecs_ram_role: ALIBABA_CLOUD_ECS_METADATA"),
        "{err}"
    );
}

#[tokio::test]
async fn credentials_uri_provides_cached_temporary_credentials() {
    let server = server(false).await;
    let env =
        FakeEnvironment::new().with_var("ALIBABA_CLOUD_CREDENTIALS_URI", &server.credentials_uri());
    let chain = DefaultChain::with_environment(Arc::new(env));
    let first = chain.provide_credentials().await.expect("uri");
    assert_eq!(first.provider_name(), Some("credentials_uri"));
    assert_eq!(chain.last_provider(), Some("credentials_uri"));
    chain.provide_credentials().await.expect("cached");
    assert_eq!(server.ecs_metadata_counts().1, 1, "cached: one fetch");

    let bad = acs_credentials::CredentialsUriProvider::new("ftp://x/creds").map(|_| ());
    assert!(bad.is_err());
    let missing = acs_credentials::CredentialsUriProvider::new(format!(
        "http://{}/nothing-here",
        server.endpoint()
    ))
    .expect("provider");
    assert!(missing.provide_credentials().await.is_err());
}
