//! The whole pipeline against a bare hyper client, over loopback, in one run.
//!
//! ```text
//! cargo bench -p acs-core --bench pipeline
//! ```
//!
//! Both send `GetCallerIdentity` to the same acs-testkit server, which verifies every
//! signature. The pipeline builds, signs (V3), sends, classifies and decodes each call; the bare
//! client sends one pre-built, pre-signed request again and again (the server is told to accept
//! the replayed nonce) and only reads the body. The summary prints the pipeline's throughput as
//! a share of the bare client's (target: at least 90%).
#![allow(missing_docs)]

use std::hint::black_box;
use std::time::{Duration, Instant};

use acs_core::{
    Client, ClientConfig, EndpointRules, Operation, Protocol, Request, ResponseFormat,
    StaticCredentialsProvider,
};
use acs_signer::Credentials;
use acs_testkit::{Reply, TestServer};
use bytes::Bytes;
use criterion::Criterion;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client as Bare;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;

const OP: Operation = Operation::rpc("Sts", "2015-04-01", "GetCallerIdentity");

#[derive(serde::Deserialize)]
struct Identity {
    #[serde(rename = "AccountId")]
    _account_id: String,
}

struct Setup {
    _server: TestServer,
    client: Client,
    bare: Bare<HttpConnector, Full<Bytes>>,
    signed: http::Request<Bytes>,
}

async fn setup() -> Setup {
    let server = TestServer::start().await.expect("server");
    server.add_access_key("LTAI5tBenchKey", "bench-secret");
    server.accept_replayed_nonces(true);
    server.set_reply(
        "GetCallerIdentity",
        Reply::success(serde_json::json!({"AccountId": "1"})),
    );
    let config = ClientConfig::builder()
        .endpoint(server.endpoint())
        .protocol(Protocol::Http)
        .credentials_provider(StaticCredentialsProvider::new(
            Credentials::new("LTAI5tBenchKey", "bench-secret").expect("valid"),
        ))
        .build()
        .expect("config");
    let client = Client::new(config, &EndpointRules::new("sts")).expect("client");

    // Capture one signed request exactly as the pipeline sends it, for the bare client.
    let recorder = Recorder::default();
    let config = ClientConfig::builder()
        .endpoint(server.endpoint())
        .protocol(Protocol::Http)
        .credentials_provider(StaticCredentialsProvider::new(
            Credentials::new("LTAI5tBenchKey", "bench-secret").expect("valid"),
        ))
        .http_client(recorder.clone())
        .build()
        .expect("config");
    let _ = Client::new(config, &EndpointRules::new("sts"))
        .expect("client")
        .call(&OP, &Request::new())
        .await;
    let signed = recorder.0.lock().expect("lock").take().expect("captured");
    let mut connector = HttpConnector::new();
    connector.set_nodelay(true);
    let bare = Bare::builder(TokioExecutor::new()).build(connector);
    Setup {
        _server: server,
        client,
        bare,
        signed,
    }
}

#[derive(Clone, Default, Debug)]
struct Recorder(std::sync::Arc<std::sync::Mutex<Option<http::Request<Bytes>>>>);

#[async_trait::async_trait]
impl acs_core::HttpClient for Recorder {
    async fn send(
        &self,
        request: http::Request<Bytes>,
        _: acs_core::ResponseLimits,
    ) -> Result<acs_core::HttpResponse, acs_core::Error> {
        *self.0.lock().expect("lock") = Some(request);
        Ok(http::Response::new(Bytes::from_static(
            b"{\"AccountId\":\"1\"}",
        )))
    }
}

async fn pipeline_call(setup: &Setup) {
    let response = setup.client.call(&OP, &Request::new()).await.expect("ok");
    black_box(
        response
            .decode::<Identity>(ResponseFormat::Json)
            .expect("decodes"),
    );
}

async fn bare_call(setup: &Setup) {
    let mut request = http::Request::builder()
        .method(setup.signed.method())
        .uri(setup.signed.uri().clone());
    for (name, value) in setup.signed.headers() {
        request = request.header(name, value);
    }
    let request = request
        .body(Full::new(setup.signed.body().clone()))
        .expect("request");
    let response = setup.bare.request(request).await.expect("ok");
    let status = response.status();
    if !status.is_success() {
        let body = response
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes();
        panic!(
            "bare request refused: {status} {}",
            String::from_utf8_lossy(&body)
        );
    }
    black_box(
        response
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes(),
    );
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let setup = runtime.block_on(setup());
    if std::env::var_os("ACS_CORE_BENCH").is_none_or(|v| v != "ratios") {
        let mut criterion = Criterion::default()
            .sample_size(30)
            .warm_up_time(Duration::from_millis(500))
            .measurement_time(Duration::from_secs(3))
            .configure_from_args();
        let mut group = criterion.benchmark_group("loopback_get_caller_identity");
        group.bench_function("acs_core_pipeline", |b| {
            b.iter(|| runtime.block_on(pipeline_call(&setup)))
        });
        group.bench_function("bare_hyper_prebuilt", |b| {
            b.iter(|| runtime.block_on(bare_call(&setup)))
        });
        group.finish();
        criterion.final_summary();
    }
    // Interleaved rounds, best throughput of each, so both see the same machine conditions.
    let (mut pipeline_best, mut bare_best) = (0f64, 0f64);
    let deadline = Instant::now() + Duration::from_secs(8);
    while Instant::now() < deadline {
        let calls = 300;
        let started = Instant::now();
        runtime.block_on(async {
            for _ in 0..calls {
                pipeline_call(&setup).await;
            }
        });
        pipeline_best = pipeline_best.max(f64::from(calls) / started.elapsed().as_secs_f64());
        let started = Instant::now();
        runtime.block_on(async {
            for _ in 0..calls {
                bare_call(&setup).await;
            }
        });
        bare_best = bare_best.max(f64::from(calls) / started.elapsed().as_secs_f64());
    }
    eprintln!(
        "\n== acs-core pipeline vs bare hyper (same loopback server, same run) ==\n\
         pipeline (build, sign, send, decode) {pipeline_best:>8.0} calls/s\n\
         bare hyper, pre-built request        {bare_best:>8.0} calls/s\n\
         pipeline / bare = {:.1}%  (target >= 90%)\n",
        100.0 * pipeline_best / bare_best
    );
}
