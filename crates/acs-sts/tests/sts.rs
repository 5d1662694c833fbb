//! The generated STS client over loopback against acs-testkit's verifying server.

use acs_core::{ClientConfig, Protocol, RetryConfig, SignatureVersion, StaticCredentialsProvider};
use acs_signer::Credentials;
use acs_sts::Client;
use acs_sts::model::{AssumeRoleRequest, AssumeRoleWithOidcRequest, GetCallerIdentityRequest};
use acs_testkit::{Reply, Scheme, TestServer, Verdict};

fn config(
    server: &TestServer,
    credentials: Credentials,
    version: SignatureVersion,
) -> ClientConfig {
    ClientConfig::builder()
        .endpoint(server.endpoint())
        .protocol(Protocol::Http)
        .signature_version(version)
        .retry(RetryConfig::disabled())
        .credentials_provider(StaticCredentialsProvider::new(credentials))
        .build()
        .expect("config")
}

#[tokio::test]
async fn assume_role_then_call_with_the_temporary_credentials() {
    let server = TestServer::start().await.expect("server");
    server.add_access_key("LTAI5tLongTerm", "long-term-secret");
    server.add_sts_credentials("STS.Temporary", "temporary-secret", "temporary-token");
    server.set_reply(
        "AssumeRole",
        Reply::success(serde_json::json!({
            "Credentials": {
                "AccessKeyId": "STS.Temporary",
                "AccessKeySecret": "temporary-secret",
                "SecurityToken": "temporary-token",
                "Expiration": "2030-01-01T00:00:00Z"
            },
            "AssumedRoleUser": {"Arn": "acs:ram::123:role/reader/session", "AssumedRoleId": "3456:session"}
        })),
    );
    server.set_reply(
        "GetCallerIdentity",
        Reply::success(serde_json::json!({"AccountId": "123", "Arn": "acs:ram::123:assumed-role/reader/session", "IdentityType": "AssumedRoleUser"})),
    );
    for version in [SignatureVersion::V3, SignatureVersion::Legacy] {
        let long_term = Credentials::new("LTAI5tLongTerm", "long-term-secret").expect("valid");
        let sts = Client::new(config(&server, long_term, version)).expect("client");
        let request =
            AssumeRoleRequest::new("acs:ram::123:role/reader", "session").duration_seconds(3600);
        let assumed = sts.assume_role(&request).await.expect("assumed");
        let creds = assumed.credentials.expect("credentials");
        assert_eq!(creds.access_key_id.as_deref(), Some("STS.Temporary"));
        assert!(
            !format!("{creds:?}").contains("temporary-secret"),
            "secrets are redacted in Debug"
        );
        assert!(!format!("{creds:?}").contains("temporary-token"));

        let temporary = Credentials::new(
            creds.access_key_id.unwrap_or_default(),
            creds.access_key_secret.unwrap_or_default(),
        )
        .and_then(|c| c.with_security_token(creds.security_token.unwrap_or_default()))
        .expect("valid");
        let sts = Client::new(config(&server, temporary, version)).expect("client");
        let identity = sts
            .get_caller_identity(&GetCallerIdentityRequest::new())
            .await
            .expect("identity");
        assert_eq!(identity.identity_type.as_deref(), Some("AssumedRoleUser"));
    }
    let requests = server.requests();
    assert!(requests.iter().all(|r| r.verdict == Verdict::Accepted));
    let assume = requests
        .iter()
        .find(|r| r.action == "AssumeRole")
        .expect("sent");
    assert!(assume.query.contains(&(
        "RoleArn".to_string(),
        "acs:ram::123:role/reader".to_string()
    )));
    assert!(
        assume
            .query
            .contains(&("DurationSeconds".to_string(), "3600".to_string()))
    );
    let signed_with: Vec<Option<String>> =
        requests.iter().map(|r| r.access_key_id.clone()).collect();
    assert_eq!(
        signed_with
            .iter()
            .filter(|k| k.as_deref() == Some("STS.Temporary"))
            .count(),
        2
    );
    assert!(
        requests.iter().any(|r| r.scheme == Scheme::RpcV1)
            && requests.iter().any(|r| r.scheme == Scheme::Acs3HmacSha256)
    );
}

#[tokio::test]
async fn assume_role_with_oidc_is_unsigned_and_keeps_the_token_out_of_the_url() {
    let server = TestServer::start().await.expect("server");
    server.allow_anonymous("AssumeRoleWithOIDC");
    server.set_reply(
        "AssumeRoleWithOIDC",
        Reply::success(serde_json::json!({"Credentials": {"AccessKeyId": "STS.X"}})),
    );
    let creds = Credentials::new("unused", "unused").expect("valid");
    let sts = Client::new(config(&server, creds, SignatureVersion::V3)).expect("client");
    let request = AssumeRoleWithOidcRequest::new("session")
        .oidc_provider_arn("acs:ram::123:oidc-provider/ack")
        .role_arn("acs:ram::123:role/pod")
        .oidc_token("eyJ.oidc.token");
    assert!(!format!("{request:?}").contains("eyJ.oidc.token"));
    let response = sts.assume_role_with_oidc(&request).await.expect("ok");
    assert_eq!(
        response
            .credentials
            .and_then(|c| c.access_key_id)
            .as_deref(),
        Some("STS.X")
    );
    let recorded = &server.requests()[0];
    assert_eq!(
        (recorded.scheme, &recorded.verdict),
        (Scheme::Unsigned, &Verdict::Anonymous)
    );
    assert!(
        !recorded.query.iter().any(|(n, _)| n == "OIDCToken"),
        "never in the URL"
    );
    assert!(
        recorded
            .form
            .contains(&("OIDCToken".to_string(), "eyJ.oidc.token".to_string()))
    );
}

#[tokio::test]
async fn service_errors_surface_with_code_message_request_id_and_recommend() {
    let server = TestServer::start().await.expect("server");
    server.add_access_key("LTAI5tLongTerm", "long-term-secret");
    server.set_reply(
        "AssumeRole",
        Reply::error(
            400,
            "InvalidParameter.DurationSeconds",
            "The Min/Max value of DurationSeconds is 15min/1hr.",
        ),
    );
    let creds = Credentials::new("LTAI5tLongTerm", "long-term-secret").expect("valid");
    let sts = Client::new(config(&server, creds, SignatureVersion::V3)).expect("client");
    let err = sts
        .assume_role(&AssumeRoleRequest::new("acs:ram::123:role/r", "s").duration_seconds(60))
        .await
        .expect_err("invalid");
    let service = err.as_service().expect("service error");
    assert_eq!(service.code, "InvalidParameter.DurationSeconds");
    assert!(service.request_id.is_some() && service.recommend.is_some());
}

mod emulated {
    use super::*;
    use acs_core::ResponseFormat;

    const ACCOUNT: &str = "1234567890123456";

    fn temporary(response: &acs_sts::model::AssumeRoleResponse) -> Credentials {
        let creds = response.credentials.clone().expect("credentials");
        Credentials::new(
            creds.access_key_id.unwrap_or_default(),
            creds.access_key_secret.unwrap_or_default(),
        )
        .and_then(|c| c.with_security_token(creds.security_token.unwrap_or_default()))
        .expect("valid")
    }

    #[tokio::test]
    async fn a_ram_user_assumes_a_role_and_the_role_calls_sts() {
        let server = TestServer::start().await.expect("server");
        server.enable_sts();
        server.add_ram_user(ACCOUNT, "alice", "LTAI5tAlice", "alice-secret");
        // XML needs the legacy signature (a V3 request has no response-format parameter).
        for (format, version) in [
            (ResponseFormat::Json, SignatureVersion::V3),
            (ResponseFormat::Json, SignatureVersion::Legacy),
            (ResponseFormat::Xml, SignatureVersion::Legacy),
        ] {
            {
                let alice = Credentials::new("LTAI5tAlice", "alice-secret").expect("valid");
                let sts = Client::new(config(&server, alice, version))
                    .expect("client")
                    .with_response_format(format);
                let me = sts
                    .get_caller_identity(&GetCallerIdentityRequest::new())
                    .await
                    .expect("identity");
                assert_eq!(
                    me.identity_type.as_deref(),
                    Some("RAMUser"),
                    "{format:?} {version:?}"
                );
                assert_eq!(
                    me.arn.as_deref(),
                    Some("acs:ram::1234567890123456:user/alice")
                );

                let role = format!("acs:ram::{ACCOUNT}:role/reader");
                let assumed = sts
                    .assume_role(&AssumeRoleRequest::new(role, "build-42").duration_seconds(900))
                    .await
                    .expect("assumed");
                let key_id = assumed
                    .credentials
                    .as_ref()
                    .and_then(|c| c.access_key_id.clone())
                    .unwrap_or_default();
                assert!(key_id.starts_with("STS."), "{key_id}");
                let expiration = assumed
                    .credentials
                    .as_ref()
                    .and_then(|c| c.expiration.clone())
                    .unwrap_or_default();
                assert_eq!(expiration.len(), 20, "{expiration}");

                let sts = Client::new(config(&server, temporary(&assumed), version))
                    .expect("client")
                    .with_response_format(format);
                let who = sts
                    .get_caller_identity(&GetCallerIdentityRequest::new())
                    .await
                    .expect("identity");
                assert_eq!(who.identity_type.as_deref(), Some("AssumedRoleUser"));
                assert_eq!(
                    who.arn.as_deref(),
                    Some("acs:ram::1234567890123456:assumed-role/reader/build-42")
                );
                assert_eq!(who.account_id.as_deref(), Some(ACCOUNT));
            }
        }
        assert!(
            server
                .requests()
                .iter()
                .all(|r| r.verdict == Verdict::Accepted)
        );
    }

    #[tokio::test]
    async fn duration_and_required_parameters_are_validated() {
        let server = TestServer::start().await.expect("server");
        server.enable_sts();
        server.add_ram_user(ACCOUNT, "alice", "LTAI5tAlice", "alice-secret");
        let alice = Credentials::new("LTAI5tAlice", "alice-secret").expect("valid");
        let sts = Client::new(config(&server, alice, SignatureVersion::V3)).expect("client");
        for (duration, ok) in [(899, false), (900, true), (43200, true), (43201, false)] {
            let result = sts
                .assume_role(
                    &AssumeRoleRequest::new(format!("acs:ram::{ACCOUNT}:role/r"), "s")
                        .duration_seconds(duration),
                )
                .await;
            match result {
                Ok(_) => assert!(ok, "{duration}"),
                Err(err) => {
                    assert!(!ok, "{duration}: {err}");
                    assert_eq!(err.code(), Some("InvalidParameter.DurationSeconds"));
                }
            }
        }
        let incomplete = AssumeRoleWithOidcRequest::new("session")
            .role_arn(format!("acs:ram::{ACCOUNT}:role/pod"));
        let err = sts
            .assume_role_with_oidc(&incomplete)
            .await
            .expect_err("missing parameters");
        assert_eq!(err.code(), Some("MissingParameter"));
        let complete = incomplete
            .oidc_provider_arn(format!("acs:ram::{ACCOUNT}:oidc-provider/ack"))
            .oidc_token("eyJ.token.sig");
        let issued = sts.assume_role_with_oidc(&complete).await.expect("issued");
        assert!(
            issued
                .credentials
                .and_then(|c| c.access_key_id)
                .is_some_and(|id| id.starts_with("STS."))
        );
        let oidc: Vec<_> = server
            .requests()
            .into_iter()
            .filter(|r| r.action == "AssumeRoleWithOIDC")
            .collect();
        assert!(oidc.iter().all(|r| r.scheme == Scheme::Unsigned));
    }
}
