//! A hostile or failing server, over real loopback HTTP: it never crashes the client, never
//! makes it send an unsafe request twice, and its hints (retry-after, dates) are bounded.

use std::time::{Duration, Instant};

use acs_core::{
    Client, ClientConfig, EndpointRules, ErrorKind, Operation, Protocol, Request, ResponseFormat,
    RetryConfig, SignatureVersion, StaticCredentialsProvider,
};
use acs_signer::Credentials;
use acs_testkit::{Fault, Reply, TestServer};

const KEY_ID: &str = "LTAI5tTestKeyId";
const SECRET: &str = "test-secret";

/// Read-only: safe to repeat.
const DESCRIBE: Operation =
    Operation::rpc("Ecs", "2014-05-26", "DescribeInstances").with_idempotent(true);
/// Creates resources: not safe to repeat after a failure that may have reached the server.
const RUN_INSTANCES: Operation = Operation::rpc("Ecs", "2014-05-26", "RunInstances");
const DELETE_CLUSTER: Operation = Operation::roa(
    "CS",
    "2015-12-15",
    "DeleteCluster",
    "DELETE",
    "/clusters/{ClusterId}",
);

async fn server() -> TestServer {
    let server = TestServer::start().await.expect("server starts");
    server.add_access_key(KEY_ID, SECRET);
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
            Duration::from_secs(5),
        ))
}

fn client(builder: acs_core::ClientConfigBuilder) -> Client {
    Client::new(builder.build().expect("config"), &EndpointRules::new("ecs")).expect("client")
}

fn nested_xml(levels: usize) -> String {
    format!(
        "<Error><Code>Deep</Code><AccessDeniedDetail>{}{}</AccessDeniedDetail></Error>",
        "<a>".repeat(levels),
        "</a>".repeat(levels)
    )
}

fn nested_json(levels: usize) -> String {
    format!(
        r#"{{"Code":"Deep","AccessDeniedDetail":{}{}}}"#,
        "[".repeat(levels),
        "]".repeat(levels)
    )
}

/// The call runs on a Tokio worker thread (2 MiB of stack), where the deep bodies used to
/// overflow the stack and abort the process.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deeply_nested_error_bodies_are_refused_not_a_stack_overflow() {
    let server = server().await;
    for signature in [SignatureVersion::V3, SignatureVersion::Legacy] {
        for body in [nested_xml(10_000), nested_json(10_000)] {
            server.set_reply(
                "DescribeInstances",
                Reply::Fault(Fault::raw(400, [("content-type", "text/xml")], body)),
            );
            let client = client(
                config(&server)
                    .signature_version(signature)
                    .retry(RetryConfig::disabled()),
            );
            let err = tokio::spawn(async move { client.call(&DESCRIBE, &Request::new()).await })
                .await
                .expect("the worker did not die")
                .expect_err("refused");
            assert_eq!(err.kind(), ErrorKind::MalformedResponse, "{err}");
            assert_eq!(err.status(), Some(400));
        }
    }
    // ROA too.
    const ROA: Operation =
        Operation::roa("CS", "2015-12-15", "DescribeClusters", "GET", "/clusters")
            .with_idempotent(true);
    server.set_reply(
        "DescribeClusters",
        Reply::Fault(Fault::raw(404, [], nested_xml(10_000))),
    );
    let client = client(config(&server).signature_version(SignatureVersion::Legacy));
    let err = tokio::spawn(async move { client.call(&ROA, &Request::new()).await })
        .await
        .expect("the worker did not die")
        .expect_err("refused");
    assert_eq!(err.kind(), ErrorKind::MalformedResponse, "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deeply_nested_success_bodies_are_refused_when_decoded() {
    let server = server().await;
    for (body, format) in [
        ("[".repeat(10_000), ResponseFormat::Json),
        (
            format!("<R>{}{}</R>", "<a>".repeat(10_000), "</a>".repeat(10_000)),
            ResponseFormat::Xml,
        ),
    ] {
        server.set_reply("DescribeInstances", Reply::Fault(Fault::raw(200, [], body)));
        let client = client(config(&server));
        let err = tokio::spawn(async move {
            let response = client.call(&DESCRIBE, &Request::new()).await?;
            response.decode::<serde_json::Value>(format)
        })
        .await
        .expect("the worker did not die")
        .expect_err("refused");
        assert_eq!(err.kind(), ErrorKind::MalformedResponse, "{err}");
    }
    // Nesting within the bound still decodes.
    let ok = format!("{}{}", "[".repeat(90), "]".repeat(90));
    server.set_reply("DescribeInstances", Reply::Fault(Fault::raw(200, [], ok)));
    let client = client(config(&server));
    tokio::spawn(async move {
        client
            .call(&DESCRIBE, &Request::new())
            .await?
            .decode::<serde_json::Value>(ResponseFormat::Json)
    })
    .await
    .expect("worker")
    .expect("90 levels decode");
}

#[tokio::test]
async fn a_connection_lost_after_sending_is_not_retried_for_unsafe_operations() {
    let server = server().await;
    server.set_reply("RunInstances", Reply::Fault(Fault::Reset));
    let err = client(config(&server))
        .call(&RUN_INSTANCES, &Request::new())
        .await
        .expect_err("reset");
    assert_eq!(err.kind(), ErrorKind::Connect, "{err}");
    assert_eq!(
        server.count("RunInstances"),
        1,
        "RunInstances was sent once"
    );

    // A read-only operation is retried.
    server.set_reply("DescribeInstances", Reply::Fault(Fault::Reset));
    client(config(&server))
        .call(&DESCRIBE, &Request::new())
        .await
        .expect_err("reset");
    assert_eq!(server.count("DescribeInstances"), 3);

    // ROA deletes too.
    server.set_reply("DeleteCluster", Reply::Fault(Fault::Truncated));
    let mut request = Request::new();
    request.path("ClusterId", "c-1");
    client(config(&server))
        .call(&DELETE_CLUSTER, &request)
        .await
        .expect_err("cut short");
    assert_eq!(server.count("DeleteCluster"), 1);
}

#[tokio::test]
async fn a_timeout_after_sending_is_not_retried_for_unsafe_operations() {
    let server = server().await;
    server.set_reply("RunInstances", Reply::Fault(Fault::Hang));
    let err = client(config(&server).attempt_timeout(Duration::from_millis(300)))
        .call(&RUN_INSTANCES, &Request::new())
        .await
        .expect_err("hung");
    assert_eq!(err.kind(), ErrorKind::Timeout, "{err}");
    assert_eq!(
        server.count("RunInstances"),
        1,
        "RunInstances was sent once"
    );
}

#[tokio::test]
async fn an_idempotency_token_keeps_an_operation_retryable_with_the_same_token() {
    const RUN_WITH_TOKEN: Operation = RUN_INSTANCES.with_idempotent(true);
    let server = server().await;
    server.push_replies(
        "RunInstances",
        [Reply::Fault(Fault::Reset), Reply::Fault(Fault::Reset)],
    );
    let mut request = Request::new();
    request.query("ClientToken", acs_core::idempotency_token().expect("token"));
    client(config(&server))
        .call(&RUN_WITH_TOKEN, &request)
        .await
        .expect("third attempt");
    let tokens: Vec<String> = server
        .requests()
        .iter()
        .filter(|r| r.action == "RunInstances")
        .filter_map(|r| {
            r.query
                .iter()
                .find(|(k, _)| k == "ClientToken")
                .map(|(_, v)| v.clone())
        })
        .collect();
    assert_eq!(tokens.len(), 3);
    assert!(tokens.iter().all(|t| t == &tokens[0]), "{tokens:?}");
}

#[tokio::test]
async fn server_errors_are_still_retried_for_unsafe_operations() {
    // The server answered: throttling and 503 mean it did not act.
    let server = server().await;
    server.push_replies(
        "RunInstances",
        [Reply::throttling(), Reply::Fault(Fault::BareStatus(503))],
    );
    client(config(&server))
        .call(&RUN_INSTANCES, &Request::new())
        .await
        .expect("third attempt");
    assert_eq!(server.count("RunInstances"), 3);
}

#[tokio::test]
async fn x_acs_retry_after_and_http_date_retry_after_are_honoured() {
    let server = server().await;
    let throttled = |headers: Vec<(&'static str, String)>| {
        Reply::Fault(Fault::Raw {
            status: 400,
            headers: headers
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v))
                .chain([("content-type".to_owned(), "application/json".to_owned())])
                .collect(),
            body: br#"{"Code":"Throttling.User","Message":"slow down","RequestId":"r"}"#.to_vec(),
        })
    };
    server.push_replies(
        "DescribeInstances",
        [throttled(vec![("x-acs-retry-after", "600".to_owned())])],
    );
    let started = Instant::now();
    client(config(&server))
        .call(&DESCRIBE, &Request::new())
        .await
        .expect("second attempt");
    assert!(
        started.elapsed() >= Duration::from_millis(600),
        "waited {:?}",
        started.elapsed()
    );

    let at = httpdate::fmt_http_date(std::time::SystemTime::now() + Duration::from_secs(2));
    server.push_replies("DescribeInstances", [throttled(vec![("retry-after", at)])]);
    let started = Instant::now();
    client(config(&server))
        .call(&DESCRIBE, &Request::new())
        .await
        .expect("second attempt");
    assert!(
        started.elapsed() >= Duration::from_millis(900),
        "waited {:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn a_bare_429_is_throttling_and_retried() {
    let server = server().await;
    server.push_replies(
        "DescribeInstances",
        [Reply::Fault(Fault::raw(
            429,
            [("content-type", "text/plain")],
            "Too Many Requests",
        ))],
    );
    client(config(&server))
        .call(&DESCRIBE, &Request::new())
        .await
        .expect("second attempt");
    assert_eq!(server.count("DescribeInstances"), 2);
}

#[tokio::test]
async fn a_server_date_far_off_is_not_adopted() {
    let server = server().await;
    server.set_reply(
        "DescribeInstances",
        Reply::Fault(Fault::raw(
            400,
            [
                ("content-type", "application/json"),
                ("date", "Fri, 31 Dec 9999 23:59:59 GMT"),
            ],
            r#"{"Code":"InvalidTimeStamp.Expired","Message":"expired","RequestId":"r"}"#,
        )),
    );
    let client = client(config(&server));
    let err = client
        .call(&DESCRIBE, &Request::new())
        .await
        .expect_err("refused");
    assert_eq!(err.code(), Some("InvalidTimeStamp.Expired"));
    assert!(
        err.to_string().contains("24 h"),
        "the caller is told: {err}"
    );
    assert_eq!(client.clock_skew(), Duration::ZERO, "not adopted");
    assert_eq!(server.count("DescribeInstances"), 1);
}

#[tokio::test]
async fn an_oversized_response_head_is_a_malformed_response() {
    let server = server().await;
    let huge = "x".repeat(512 * 1024);
    server.set_reply(
        "DescribeInstances",
        Reply::Fault(Fault::Raw {
            status: 200,
            headers: vec![("x-huge".to_owned(), huge)],
            body: b"{}".to_vec(),
        }),
    );
    let err = client(config(&server).retry(RetryConfig::disabled()))
        .call(&DESCRIBE, &Request::new())
        .await
        .expect_err("too large");
    assert_eq!(err.kind(), ErrorKind::MalformedResponse, "{err:?}");
    assert!(err.to_string().contains("head"), "{err}");
}

#[tokio::test]
async fn response_debug_never_shows_the_body() {
    let server = server().await;
    server.set_reply(
        "DescribeInstances",
        Reply::success(serde_json::json!({"AccessKeySecret": "CANARY-BODY-77"})),
    );
    let response = client(config(&server))
        .call(&DESCRIBE, &Request::new())
        .await
        .expect("ok");
    let shown = format!("{response:?} {response:#?}");
    assert!(!shown.contains("CANARY-BODY-77"), "{shown}");
    assert!(shown.contains("body_bytes"));
}

/// What the official Python SDK (alibabacloud_cs20151215 7.2.3 over alibabacloud_tea_openapi
/// 0.4.6) sends for `DescribeClusterDetail` with the cluster id `c 1/x+%中`: each value
/// encoded once, its `/` included. Captured from the SDK against a loopback server.
const OFFICIAL_PATH: &str = "/clusters/c%201%2Fx%2B%25%E4%B8%AD";

#[tokio::test]
async fn a_path_value_is_encoded_once_and_signed_as_sent() {
    const DESCRIBE_CLUSTER: Operation = Operation::roa(
        "CS",
        "2015-12-15",
        "DescribeClusterDetail",
        "GET",
        "/clusters/{ClusterId}",
    )
    .with_idempotent(true);
    let server = server().await;
    for signature in [SignatureVersion::V3, SignatureVersion::Legacy] {
        let mut request = Request::new();
        request.path("ClusterId", "c 1/x+%中");
        client(config(&server).signature_version(signature))
            .call(&DESCRIBE_CLUSTER, &request)
            .await
            .unwrap_or_else(|e| panic!("{signature:?}: {e}"));
        let sent = server.requests().last().cloned().expect("recorded");
        assert_eq!(sent.raw_path, OFFICIAL_PATH, "{signature:?}");
        assert_eq!(sent.path, "/clusters/c 1/x+%中");
    }
}
