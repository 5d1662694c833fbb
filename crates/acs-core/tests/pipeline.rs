//! The pipeline over real loopback HTTP against acs-testkit's verifying server.

use std::time::{Duration, Instant};

use acs_core::{
    AuthType, Client, ClientConfig, EndpointRules, ErrorKind, Operation, Protocol, Request,
    ResponseFormat, RetryConfig, SignatureVersion, StaticCredentialsProvider,
};
use acs_signer::Credentials;
use acs_testkit::{Fault, Reply, Scheme, TestServer, Verdict};
use serde::Deserialize;

const KEY_ID: &str = "LTAI5tTestKeyId";
const SECRET: &str = "CANARY-SECRET-d41d8c";
const TOKEN: &str = "CANARY-TOKEN-98f00b";

/// Read-only, so safe to repeat after any transient failure (as its metadata says).
const GET_CALLER_IDENTITY: Operation =
    Operation::rpc("Sts", "2015-04-01", "GetCallerIdentity").with_idempotent(true);
const DESCRIBE_CLUSTER: Operation = Operation::roa(
    "CS",
    "2015-12-15",
    "DescribeClusterDetail",
    "GET",
    "/clusters/{ClusterId}",
);
const CREATE_CLUSTER: Operation =
    Operation::roa("CS", "2015-12-15", "CreateCluster", "POST", "/clusters");

#[derive(Debug, Deserialize, PartialEq)]
struct Identity {
    #[serde(rename = "AccountId")]
    account_id: String,
    #[serde(rename = "RequestId")]
    request_id: String,
}

async fn server() -> TestServer {
    let server = TestServer::start().await.expect("server starts");
    server.add_access_key(KEY_ID, SECRET);
    server.set_reply(
        "GetCallerIdentity",
        Reply::success(serde_json::json!({"AccountId": "1234567890"})),
    );
    server
}

fn config(server: &TestServer) -> acs_core::ClientConfigBuilder {
    ClientConfig::builder()
        .endpoint(server.endpoint())
        .protocol(Protocol::Http)
        .credentials_provider(StaticCredentialsProvider::new(
            Credentials::new(KEY_ID, SECRET).expect("valid"),
        ))
        .retry(RetryConfig::default().with_backoff(
            Duration::from_millis(1),
            Duration::from_millis(2),
            Duration::from_millis(10),
        ))
}

fn client(builder: acs_core::ClientConfigBuilder) -> Client {
    Client::new(builder.build().expect("config"), &EndpointRules::new("sts")).expect("client")
}

#[tokio::test]
async fn every_signature_style_is_accepted() {
    let server = server().await;
    server.set_reply(
        "DescribeClusterDetail",
        Reply::success(serde_json::json!({"cluster_id": "c 1/x"})),
    );
    server.set_reply(
        "CreateCluster",
        Reply::success(serde_json::json!({"cluster_id": "c-2"})),
    );
    for version in [
        SignatureVersion::V3,
        SignatureVersion::V3Sm3,
        SignatureVersion::Legacy,
    ] {
        let client = client(config(&server).signature_version(version));
        let mut request = Request::new();
        request.query("Tag", "a b*~/é");
        request.form("Form.1", "x=y&z");
        let response = client
            .call(&GET_CALLER_IDENTITY, &request)
            .await
            .expect("accepted");
        let identity: Identity = response.decode(ResponseFormat::Json).expect("decodes");
        assert_eq!(identity.account_id, "1234567890");

        let mut request = Request::new();
        request.path("ClusterId", "c 1/x").query("detail", "");
        client
            .call(&DESCRIBE_CLUSTER, &request)
            .await
            .expect("ROA GET accepted");

        let mut request = Request::new();
        request
            .json_body(&serde_json::json!({"name": "prod", "tags": ["a", "b"]}))
            .expect("json");
        client
            .call(&CREATE_CLUSTER, &request)
            .await
            .expect("ROA POST accepted");
    }
    let schemes: Vec<Scheme> = server.requests().iter().map(|r| r.scheme).collect();
    assert_eq!(
        schemes,
        [
            Scheme::Acs3HmacSha256,
            Scheme::Acs3HmacSha256,
            Scheme::Acs3HmacSha256,
            Scheme::Acs3HmacSm3,
            Scheme::Acs3HmacSm3,
            Scheme::Acs3HmacSm3,
            Scheme::RpcV1,
            Scheme::Roa,
            Scheme::Roa,
        ]
    );
    assert!(
        server
            .requests()
            .iter()
            .all(|r| r.verdict == Verdict::Accepted)
    );
    // The ROA path parameter arrived as data, not as a path separator, encoded once as the
    // official SDK sends it (this assertion used to expect the decoded path to still hold
    // `%2F`: the value was encoded twice on the wire).
    assert!(
        server
            .requests()
            .iter()
            .any(|r| r.raw_path == "/clusters/c%201%2Fx" && r.path == "/clusters/c 1/x")
    );
}

#[tokio::test]
async fn temporary_credentials_send_their_token() {
    let server = server().await;
    server.add_sts_credentials("STS.TestKey", SECRET, TOKEN);
    for version in [SignatureVersion::V3, SignatureVersion::Legacy] {
        let creds = Credentials::new("STS.TestKey", SECRET)
            .and_then(|c| c.with_security_token(TOKEN))
            .expect("valid");
        let client = client(
            config(&server)
                .signature_version(version)
                .credentials_provider(StaticCredentialsProvider::new(creds)),
        );
        client
            .call(&GET_CALLER_IDENTITY, &Request::new())
            .await
            .expect("accepted with token");
    }
    assert_eq!(
        server.count_verdict("GetCallerIdentity", &Verdict::Accepted),
        2
    );
}

#[tokio::test]
async fn throttling_is_retried_with_fresh_nonces() {
    let server = server().await;
    server.push_replies(
        "GetCallerIdentity",
        [Reply::throttling(), Reply::throttling()],
    );
    let client = client(config(&server));
    let started = Instant::now();
    client
        .call(&GET_CALLER_IDENTITY, &Request::new())
        .await
        .expect("third attempt succeeds");
    assert!(started.elapsed() < Duration::from_secs(2));
    let requests = server.requests();
    assert_eq!(requests.len(), 3, "exactly N + 1 requests");
    let mut nonces: Vec<_> = requests.iter().filter_map(|r| r.nonce.clone()).collect();
    nonces.sort();
    nonces.dedup();
    assert_eq!(nonces.len(), 3, "every attempt has its own nonce");
}

#[tokio::test]
async fn retries_stop_at_the_limit_and_can_be_disabled() {
    let server = server().await;
    server.set_reply("GetCallerIdentity", Reply::throttling());
    let err = client(config(&server))
        .call(&GET_CALLER_IDENTITY, &Request::new())
        .await
        .expect_err("throttled");
    assert!(err.is_throttling());
    assert_eq!(server.count("GetCallerIdentity"), 3);
    let err = client(config(&server).retry(RetryConfig::disabled()))
        .call(&GET_CALLER_IDENTITY, &Request::new())
        .await
        .expect_err("throttled");
    assert_eq!(err.code(), Some("Throttling.User"));
    assert_eq!(server.count("GetCallerIdentity"), 4);
}

#[tokio::test]
async fn client_errors_are_not_retried_and_carry_the_details() {
    let server = server().await;
    server.set_reply(
        "GetCallerIdentity",
        Reply::error(
            400,
            "InvalidParameter.DurationSeconds",
            "The Min/Max value of DurationSeconds is 15min/1hr.",
        ),
    );
    let err = client(config(&server))
        .call(&GET_CALLER_IDENTITY, &Request::new())
        .await
        .expect_err("400");
    assert_eq!(server.count("GetCallerIdentity"), 1);
    let service = err.as_service().expect("service error");
    assert_eq!(service.code, "InvalidParameter.DurationSeconds");
    assert_eq!(service.status, 400);
    assert!(service.message.contains("15min"));
    assert!(service.request_id.is_some() && service.host_id.is_some());
    assert!(
        service
            .recommend
            .as_deref()
            .is_some_and(|r| r.contains("InvalidParameter.DurationSeconds"))
    );
}

#[tokio::test]
async fn xml_and_json_error_bodies_map_to_the_same_error() {
    let server = server().await;
    server.set_reply(
        "GetCallerIdentity",
        Reply::error(404, "EntityNotExist.Role", "The role does not exist."),
    );
    let json = client(config(&server))
        .call(&GET_CALLER_IDENTITY, &Request::new())
        .await
        .expect_err("json");
    let xml_op = GET_CALLER_IDENTITY.with_response(ResponseFormat::Xml);
    let xml = client(config(&server).signature_version(SignatureVersion::Legacy))
        .call(&xml_op, &Request::new())
        .await
        .expect_err("xml");
    let (json, xml) = (
        json.as_service().expect("json"),
        xml.as_service().expect("xml"),
    );
    assert_eq!(
        (json.status, &json.code, &json.message),
        (xml.status, &xml.code, &xml.message)
    );
    assert!(xml.request_id.is_some() && xml.recommend.is_some() && xml.host_id.is_some());
}

#[tokio::test]
async fn xml_success_bodies_decode() {
    let server = server().await;
    let op = GET_CALLER_IDENTITY.with_response(ResponseFormat::Xml);
    let response = client(config(&server).signature_version(SignatureVersion::Legacy))
        .call(&op, &Request::new())
        .await
        .expect("ok");
    let identity: Identity = response.decode(ResponseFormat::Xml).expect("xml decodes");
    assert_eq!(identity.account_id, "1234567890");
    let sent = server.requests();
    assert!(
        sent[0]
            .query
            .iter()
            .any(|(k, v)| k == "Format" && v == "XML")
    );
}

#[tokio::test]
async fn xml_under_v3_is_refused_before_sending() {
    // A V3 request has no response-format parameter: the service would answer JSON.
    let server = server().await;
    let op = GET_CALLER_IDENTITY.with_response(ResponseFormat::Xml);
    for version in [SignatureVersion::V3, SignatureVersion::V3Sm3] {
        let err = client(config(&server).signature_version(version))
            .call(&op, &Request::new())
            .await
            .expect_err("refused");
        assert_eq!(err.kind(), ErrorKind::Construction, "{err}");
        assert!(err.is_request_not_sent());
        assert!(
            err.to_string().contains("SignatureVersion::Legacy"),
            "{err}"
        );
    }
    assert!(server.requests().is_empty(), "nothing was sent");
}

#[tokio::test]
async fn a_silent_server_times_out_within_the_configured_time() {
    let server = server().await;
    server.set_reply("GetCallerIdentity", Reply::Fault(Fault::Hang));
    let client = client(
        config(&server)
            .read_timeout(Duration::from_millis(300))
            .retry(RetryConfig::disabled()),
    );
    let started = Instant::now();
    let err = client
        .call(&GET_CALLER_IDENTITY, &Request::new())
        .await
        .expect_err("times out");
    assert_eq!(err.kind(), ErrorKind::Timeout);
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn the_operation_timeout_bounds_all_attempts() {
    let server = server().await;
    server.set_reply("GetCallerIdentity", Reply::Fault(Fault::Hang));
    let client = client(
        config(&server)
            .read_timeout(Duration::from_secs(5))
            .operation_timeout(Duration::from_millis(400)),
    );
    let started = Instant::now();
    let err = client
        .call(&GET_CALLER_IDENTITY, &Request::new())
        .await
        .expect_err("times out");
    assert_eq!(err.kind(), ErrorKind::Timeout);
    assert!(started.elapsed() < Duration::from_secs(2));
}

#[tokio::test]
async fn oversized_bodies_are_refused() {
    let server = server().await;
    server.set_reply(
        "GetCallerIdentity",
        Reply::Fault(Fault::LargeBody(2 * 1024 * 1024)),
    );
    let client = client(
        config(&server)
            .max_response_body(1024 * 1024)
            .retry(RetryConfig::disabled()),
    );
    let err = client
        .call(&GET_CALLER_IDENTITY, &Request::new())
        .await
        .expect_err("too large");
    assert_eq!(err.kind(), ErrorKind::ResponseTooLarge);
}

#[tokio::test]
async fn server_faults_are_retried() {
    let server = server().await;
    server.push_replies(
        "GetCallerIdentity",
        [
            Reply::Fault(Fault::BareStatus(503)),
            Reply::Fault(Fault::Reset),
        ],
    );
    client(config(&server))
        .call(&GET_CALLER_IDENTITY, &Request::new())
        .await
        .expect("third attempt succeeds");
    assert_eq!(server.count("GetCallerIdentity"), 3);
}

#[tokio::test]
async fn malformed_bodies_are_reported_with_an_excerpt() {
    let server = server().await;
    server.set_reply("GetCallerIdentity", Reply::Fault(Fault::Malformed));
    let response = client(config(&server))
        .call(&GET_CALLER_IDENTITY, &Request::new())
        .await
        .expect("200");
    let err = response
        .decode::<Identity>(ResponseFormat::Json)
        .expect_err("malformed");
    assert_eq!(err.kind(), ErrorKind::MalformedResponse);
    assert_eq!(err.status(), Some(200));
    assert!(err.to_string().contains("unterminated"));
}

#[tokio::test]
async fn clock_skew_is_corrected_after_one_failed_attempt() {
    let server = server().await;
    server.set_clock_offset(3600);
    let client = client(config(&server).retry(RetryConfig::disabled()));
    client
        .call(&GET_CALLER_IDENTITY, &Request::new())
        .await
        .expect("corrected attempt succeeds");
    let verdicts: Vec<Verdict> = server.requests().into_iter().map(|r| r.verdict).collect();
    assert_eq!(
        verdicts,
        [
            Verdict::Rejected("InvalidTimeStamp.Expired".into()),
            Verdict::Accepted
        ]
    );
    let skew = client.clock_skew().as_secs();
    assert!((3590..=3610).contains(&skew), "{skew}");
    // The correction is remembered: the next call succeeds at once.
    client
        .call(&GET_CALLER_IDENTITY, &Request::new())
        .await
        .expect("ok");
    assert_eq!(server.requests().len(), 3);
}

#[tokio::test]
async fn a_wrong_secret_is_a_signature_error_not_retried() {
    let server = server().await;
    let creds = Credentials::new(KEY_ID, "wrong-secret").expect("valid");
    let client =
        client(config(&server).credentials_provider(StaticCredentialsProvider::new(creds)));
    let err = client
        .call(&GET_CALLER_IDENTITY, &Request::new())
        .await
        .expect_err("rejected");
    assert_eq!(err.code(), Some("SignatureDoesNotMatch"));
    assert_eq!(server.count("GetCallerIdentity"), 1);
}

#[tokio::test]
async fn anonymous_operations_send_no_signature() {
    let server = server().await;
    server.allow_anonymous("AssumeRoleWithOIDC");
    const OIDC: Operation =
        Operation::rpc("Sts", "2015-04-01", "AssumeRoleWithOIDC").with_auth(AuthType::Anonymous);
    for version in [SignatureVersion::V3, SignatureVersion::Legacy] {
        let client = client(config(&server).signature_version(version));
        let mut request = Request::new();
        request.form("OIDCToken", "eyJhbGciOiJSUzI1NiJ9.payload.sig");
        client
            .call(&OIDC, &request)
            .await
            .expect("anonymous accepted");
    }
    for recorded in server.requests() {
        assert_eq!(recorded.verdict, Verdict::Anonymous);
        assert!(!recorded.headers.iter().any(|(n, _)| n == "authorization"));
        assert!(
            !recorded
                .query
                .iter()
                .any(|(n, _)| n == "Signature" || n == "AccessKeyId")
        );
        // Under every signature setting, in the RPC shape the official SDKs send unsigned
        // RPC calls in (their `do_rpcrequest`): action, version, time and nonce in the query.
        for name in ["Action", "Version", "Format", "Timestamp", "SignatureNonce"] {
            assert!(
                recorded.query.iter().any(|(n, _)| n == name),
                "{name} in {:?}",
                recorded.query
            );
        }
        // The token travels in the form body, never in the URL.
        assert!(!recorded.query.iter().any(|(n, _)| n == "OIDCToken"));
        assert!(recorded.form.iter().any(|(n, _)| n == "OIDCToken"));
    }
}

#[tokio::test]
async fn plain_http_is_refused_for_public_hosts() {
    let builder = ClientConfig::builder()
        .endpoint("sts.aliyuncs.com")
        .protocol(Protocol::Http);
    let err = Client::new(
        builder.clone().build().expect("config"),
        &EndpointRules::new("sts"),
    )
    .expect_err("refused");
    assert_eq!(err.kind(), ErrorKind::Construction);
    assert!(
        Client::new(
            builder.allow_insecure_http(true).build().expect("config"),
            &EndpointRules::new("sts")
        )
        .is_ok()
    );
    for local in ["127.0.0.1:80", "localhost", "100.100.100.200", "[::1]:8080"] {
        let config = ClientConfig::builder()
            .endpoint(local)
            .protocol(Protocol::Http)
            .build()
            .expect("config");
        assert!(
            Client::new(config, &EndpointRules::new("sts")).is_ok(),
            "{local}"
        );
    }
}

#[tokio::test]
async fn secrets_never_appear_in_errors() {
    let server = server().await;
    server.add_sts_credentials("STS.Canary", SECRET, TOKEN);
    let creds = Credentials::new("STS.Canary", SECRET)
        .and_then(|c| c.with_security_token(TOKEN))
        .expect("valid");
    let wrong = Credentials::new("STS.Canary", SECRET)
        .and_then(|c| c.with_security_token("other-token"))
        .expect("valid");
    let mut errors = Vec::new();
    let replies = [
        Reply::throttling(),
        Reply::error(400, "InvalidParameter", "bad"),
        Reply::Fault(Fault::BareStatus(500)),
        Reply::Fault(Fault::Reset),
        Reply::Fault(Fault::LargeBody(4096)),
        Reply::Fault(Fault::Hang),
    ];
    for reply in replies {
        server.set_reply("GetCallerIdentity", reply);
        let client = client(
            config(&server)
                .credentials_provider(StaticCredentialsProvider::new(creds.clone()))
                .max_response_body(1024)
                .read_timeout(Duration::from_millis(200)),
        );
        errors.push(
            client
                .call(&GET_CALLER_IDENTITY, &Request::new())
                .await
                .expect_err("fails"),
        );
    }
    let client =
        client(config(&server).credentials_provider(StaticCredentialsProvider::new(wrong)));
    errors.push(
        client
            .call(&GET_CALLER_IDENTITY, &Request::new())
            .await
            .expect_err("token mismatch"),
    );
    for err in &errors {
        let text = format!("{err} {err:?} {:?}", std::error::Error::source(err));
        assert!(!text.contains(SECRET) && !text.contains(TOKEN), "{text}");
    }
}

#[tokio::test]
async fn bearer_token_operations_carry_the_token_and_no_signature() {
    let server = server().await;
    server.add_bearer_token("bearer-canary-77a1");
    const BEARER_OP: Operation =
        Operation::rpc("Ccc", "2020-07-01", "ListUsers").with_auth(AuthType::Bearer);
    for version in [SignatureVersion::V3, SignatureVersion::Legacy] {
        let token = acs_signer::BearerToken::new("bearer-canary-77a1").expect("valid");
        let client = client(
            config(&server)
                .signature_version(version)
                .bearer_token(token),
        );
        client
            .call(&BEARER_OP, &Request::new())
            .await
            .expect("accepted");
        // Without a configured token the call fails before sending anything.
        let err = client_without_bearer(&server)
            .call(&BEARER_OP, &Request::new())
            .await
            .expect_err("no token");
        assert_eq!(err.kind(), ErrorKind::Credentials);
    }
    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    for recorded in requests {
        assert_eq!(
            (recorded.scheme, recorded.verdict),
            (Scheme::Bearer, Verdict::Accepted)
        );
        assert!(!recorded.headers.iter().any(|(n, _)| n == "authorization"));
    }
    let wrong = acs_signer::BearerToken::new("not-registered").expect("valid");
    let err = client(config(&server).bearer_token(wrong))
        .call(&BEARER_OP, &Request::new())
        .await
        .expect_err("refused");
    assert_eq!(err.code(), Some("InvalidBearerToken"));
}

fn client_without_bearer(server: &TestServer) -> Client {
    client(config(server))
}

#[tokio::test]
async fn tls_failures_have_their_own_kind_and_are_not_retried() {
    let server = server().await;
    // HTTPS to a plain-HTTP port: the handshake fails.
    let config = ClientConfig::builder()
        .endpoint(server.endpoint())
        .credentials_provider(StaticCredentialsProvider::new(
            Credentials::new(KEY_ID, SECRET).expect("valid"),
        ))
        .build()
        .expect("config");
    let client = Client::new(config, &EndpointRules::new("sts")).expect("client");
    let err = client
        .call(&GET_CALLER_IDENTITY, &Request::new())
        .await
        .expect_err("no TLS there");
    let mut chain = Vec::new();
    let mut current: Option<&(dyn std::error::Error + 'static)> = Some(&err);
    while let Some(e) = current {
        chain.push(format!("{e} / {e:?}"));
        current = e.source();
    }
    assert_eq!(err.kind(), ErrorKind::Tls, "{chain:#?}");
    assert!(!err.is_retryable());
    // The cause is in the message itself, not only deep in the source chain.
    assert!(
        err.to_string().len() > "TLS handshake failed: the TLS handshake failed".len() + 2,
        "{err}"
    );
    assert!(
        err.is_request_not_sent(),
        "nothing was sent over a failed handshake"
    );
}

#[tokio::test]
async fn truncated_bodies_are_malformed_transient_and_retried() {
    let server = server().await;
    server.push_replies("GetCallerIdentity", [Reply::Fault(Fault::Truncated)]);
    client(config(&server))
        .call(&GET_CALLER_IDENTITY, &Request::new())
        .await
        .expect("second attempt");
    assert_eq!(server.count("GetCallerIdentity"), 2);
    server.set_reply("GetCallerIdentity", Reply::Fault(Fault::Truncated));
    let err = client(config(&server).retry(RetryConfig::disabled()))
        .call(&GET_CALLER_IDENTITY, &Request::new())
        .await
        .expect_err("cut short");
    assert_eq!(err.kind(), ErrorKind::MalformedResponse, "{err:?}");
    assert!(err.is_retryable());
    assert!(
        err.to_string()
            .contains("closed before the body was complete"),
        "{err}"
    );
}

#[tokio::test]
async fn call_options_override_the_client_for_one_call() {
    use acs_core::CallOptions;
    let server = server().await;
    let client = client(config(&server));
    // Extra headers and query parameters are sent, signed with the rest (the emulator
    // verifies the signature), under both signature styles' shapes.
    let options = CallOptions::new()
        .header("x-acs-trace-id", "trace-42")
        .query("Extra", "a b");
    client
        .call_with(&GET_CALLER_IDENTITY, &Request::new(), &options)
        .await
        .expect("accepted");
    let sent = &server.requests()[0];
    assert_eq!(sent.verdict, Verdict::Accepted);
    assert!(
        sent.headers
            .iter()
            .any(|(n, v)| n == "x-acs-trace-id" && v == "trace-42")
    );
    assert!(sent.query.iter().any(|(n, v)| n == "Extra" && v == "a b"));
    // Retries for one call: none, where the client would try three times.
    server.set_reply("GetCallerIdentity", Reply::throttling());
    let before = server.count("GetCallerIdentity");
    client
        .call_with(
            &GET_CALLER_IDENTITY,
            &Request::new(),
            &CallOptions::new().retry(RetryConfig::disabled()),
        )
        .await
        .expect_err("throttled");
    assert_eq!(server.count("GetCallerIdentity") - before, 1);
    // A read timeout for one call; the client's own stays.
    server.set_reply("GetCallerIdentity", Reply::Fault(Fault::Hang));
    let started = Instant::now();
    let err = client
        .call_with(
            &GET_CALLER_IDENTITY,
            &Request::new(),
            &CallOptions::new()
                .read_timeout(Duration::from_millis(200))
                .retry(RetryConfig::disabled()),
        )
        .await
        .expect_err("timed out");
    assert_eq!(err.kind(), ErrorKind::Timeout, "{err}");
    assert!(started.elapsed() < Duration::from_secs(3));
    assert_eq!(
        client.config().timeouts(),
        config(&server).build().expect("config").timeouts()
    );
}
