//! The cache around a real provider, against acs-testkit's STS emulation: a refresh storm
//! causes one AssumeRole; a failing STS never takes valid credentials away, expired ones are
//! never served, and recovery needs no restart. The cache's clock is injected; signing and the
//! emulator use real time.

use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use acs_core::{
    ClientConfig, Protocol, ProvideCredentials, SharedCredentialsProvider,
    StaticCredentialsProvider,
};
use acs_credentials::{CachedProvider, Clock, RamRoleArnProvider, StsEndpoint};
use acs_signer::Credentials;
use acs_sts::model::GetCallerIdentityRequest;
use acs_testkit::{Reply, TestServer};

const ACCOUNT: &str = "1234567890123456";
const ROLE: &str = "acs:ram::1234567890123456:role/deployer";

#[derive(Debug)]
struct FakeClock(Mutex<SystemTime>);

impl FakeClock {
    fn at_real_now() -> Arc<Self> {
        Arc::new(Self(Mutex::new(SystemTime::now())))
    }
    fn advance(&self, by: Duration) {
        *self.0.lock().expect("lock") += by;
    }
}

impl Clock for FakeClock {
    fn now(&self) -> SystemTime {
        *self.0.lock().expect("lock")
    }
}

async fn sts() -> TestServer {
    let server = TestServer::start().await.expect("server");
    server.enable_sts();
    server.add_ram_user(ACCOUNT, "alice", "LTAI5tAlice", "alice-secret");
    server
}

fn provider(server: &TestServer, clock: Arc<FakeClock>) -> Arc<CachedProvider<RamRoleArnProvider>> {
    let alice: SharedCredentialsProvider = Arc::new(StaticCredentialsProvider::new(
        Credentials::new("LTAI5tAlice", "alice-secret").expect("valid"),
    ));
    let sts = StsEndpoint::default()
        .endpoint(server.endpoint())
        .protocol(Protocol::Http);
    Arc::new(
        RamRoleArnProvider::builder(alice, ROLE)
            .session_name("storm")
            .sts(sts)
            .build()
            .expect("provider")
            .with_clock(clock)
            .with_retry_backoff(Duration::from_secs(10)),
    )
}

/// Queues one AssumeRole answer whose credentials expire `seconds` from now (the emulator's
/// own answers last the requested hour).
fn push_short_lived(server: &TestServer, key: &str, seconds: u64) {
    let expiration = acs_testkit::iso8601(SystemTime::now() + Duration::from_secs(seconds));
    server.push_replies(
        "AssumeRole",
        [Reply::success(serde_json::json!({
            "Credentials": {
                "AccessKeyId": key,
                "AccessKeySecret": "short-lived-secret",
                "SecurityToken": "short-lived-token",
                "Expiration": expiration,
            },
            "AssumedRoleUser": {
                "Arn": "acs:ram::1234567890123456:role/deployer/storm",
                "AssumedRoleId": "300000000000000000:storm",
            },
        }))],
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn ten_thousand_readers_at_expiry_cause_one_assume_role() {
    let server = sts().await;
    let clock = FakeClock::at_real_now();
    let cached = provider(&server, clock.clone());
    push_short_lived(&server, "STS.ShortLived", 1000);
    let first = cached.provide_credentials().await.expect("first");
    assert_eq!(first.access_key_id(), "STS.ShortLived");
    assert_eq!(server.count("AssumeRole"), 1);

    clock.advance(Duration::from_secs(1001));
    assert!(
        cached.cached().is_none(),
        "expired credentials are never served"
    );
    let tasks: Vec<_> = (0..10_000)
        .map(|_| {
            let cached = cached.clone();
            tokio::spawn(async move { cached.provide_credentials().await })
        })
        .collect();
    let mut keys = std::collections::HashSet::new();
    for task in tasks {
        let credentials = task.await.expect("task").expect("credentials");
        keys.insert(credentials.access_key_id().to_owned());
    }
    assert_eq!(
        server.count("AssumeRole"),
        2,
        "exactly one AssumeRole for the storm"
    );
    assert_eq!(keys.len(), 1, "every reader got the same fresh credentials");
    assert!(!keys.contains("STS.ShortLived"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_sts_keeps_valid_credentials_served_then_errors_then_recovers() {
    let server = sts().await;
    let clock = FakeClock::at_real_now();
    let cached = provider(&server, clock.clone());
    push_short_lived(&server, "STS.ShortLived", 1000);
    assert_eq!(
        cached
            .provide_credentials()
            .await
            .expect("first")
            .access_key_id(),
        "STS.ShortLived"
    );

    // STS fails every call from now on.
    server.set_reply(
        "AssumeRole",
        Reply::error(
            503,
            "ServiceUnavailable",
            "The request has failed due to a temporary failure of the server.",
        ),
    );
    // Into the refresh window (credentials expire at +1000 s), then on until just before expiry:
    // every read still gets the valid credentials while refreshes keep failing.
    clock.advance(Duration::from_secs(900));
    for _ in 0..8 {
        let served = cached.provide_credentials().await.expect("still valid");
        assert_eq!(served.access_key_id(), "STS.ShortLived");
        clock.advance(Duration::from_secs(11));
    }
    let failed_attempts = server.count("AssumeRole") - 1;
    assert!(
        failed_attempts >= 8,
        "refreshes were retried with backoff (saw {failed_attempts} failed calls)"
    );

    // Past expiry: a typed error, not the expired credentials.
    clock.advance(Duration::from_secs(20));
    let error = cached.provide_credentials().await.expect_err("expired");
    assert_eq!(error.kind(), acs_core::ErrorKind::Credentials, "{error}");
    let source =
        std::error::Error::source(&error).and_then(|s| s.downcast_ref::<acs_core::Error>());
    assert_eq!(
        source.and_then(acs_core::Error::code),
        Some("ServiceUnavailable"),
        "{error:?}"
    );
    assert!(cached.cached().is_none());

    // STS recovers: fresh credentials on the first read after the back-off, and they work.
    server.clear_reply("AssumeRole");
    clock.advance(Duration::from_secs(11));
    let fresh = cached.provide_credentials().await.expect("recovered");
    assert_ne!(fresh.access_key_id(), "STS.ShortLived");
    let config = ClientConfig::builder()
        .endpoint(server.endpoint())
        .protocol(Protocol::Http)
        .shared_credentials_provider(cached.clone())
        .build()
        .expect("config");
    let identity = acs_sts::Client::new(config)
        .expect("client")
        .get_caller_identity(&GetCallerIdentityRequest::new())
        .await
        .expect("identity");
    assert_eq!(
        identity.arn.as_deref(),
        Some("acs:ram::1234567890123456:assumed-role/deployer/storm")
    );
}

fn failing_provider(
    server: &TestServer,
    retry: acs_core::RetryConfig,
    backoff: Duration,
) -> Arc<CachedProvider<RamRoleArnProvider>> {
    let alice: SharedCredentialsProvider = Arc::new(StaticCredentialsProvider::new(
        Credentials::new("LTAI5tAlice", "alice-secret").expect("valid"),
    ));
    let sts = StsEndpoint::default()
        .endpoint(server.endpoint())
        .protocol(Protocol::Http)
        .retry(retry.with_backoff(
            Duration::from_millis(1),
            Duration::from_millis(2),
            Duration::from_millis(10),
        ));
    Arc::new(
        RamRoleArnProvider::builder(alice, ROLE)
            .session_name("storm")
            .sts(sts)
            .build()
            .expect("provider")
            .with_retry_backoff(backoff),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_thousand_readers_of_an_expired_cache_with_sts_down_cause_one_fetch_per_back_off() {
    let server = sts().await;
    server.set_reply(
        "AssumeRole",
        Reply::error(503, "ServiceUnavailable", "The service is unavailable."),
    );
    let cached = failing_provider(
        &server,
        acs_core::RetryConfig::disabled(),
        Duration::from_millis(800),
    );
    let storm = |cached: Arc<CachedProvider<RamRoleArnProvider>>| async move {
        let tasks: Vec<_> = (0..1000)
            .map(|_| {
                let cached = cached.clone();
                tokio::spawn(async move { cached.provide_credentials().await })
            })
            .collect();
        for task in tasks {
            let error = task.await.expect("task").expect_err("STS is down");
            assert_eq!(error.kind(), acs_core::ErrorKind::Credentials, "{error}");
            assert!(error.to_string().contains("ram_role_arn"), "{error}");
        }
    };
    let started = std::time::Instant::now();
    storm(cached.clone()).await;
    assert!(
        started.elapsed() < Duration::from_millis(800),
        "no one queued behind retries"
    );
    assert_eq!(
        server.count("AssumeRole"),
        1,
        "one fetch for the whole storm"
    );
    storm(cached.clone()).await;
    assert_eq!(server.count("AssumeRole"), 1, "still within the back-off");
    tokio::time::sleep(Duration::from_millis(900)).await;
    storm(cached.clone()).await;
    assert_eq!(
        server.count("AssumeRole"),
        2,
        "one more fetch after the back-off"
    );

    // STS recovers: the next fetch after the back-off succeeds.
    server.clear_reply("AssumeRole");
    tokio::time::sleep(Duration::from_millis(900)).await;
    cached.provide_credentials().await.expect("recovered");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_call_with_sts_down_makes_the_configured_number_of_assume_role_attempts() {
    let server = sts().await;
    server.set_reply(
        "AssumeRole",
        Reply::error(503, "ServiceUnavailable", "The service is unavailable."),
    );
    let cached = failing_provider(
        &server,
        acs_core::RetryConfig::with_max_attempts(3),
        Duration::from_secs(10),
    );
    let config = ClientConfig::builder()
        .endpoint(server.endpoint())
        .protocol(Protocol::Http)
        .shared_credentials_provider(cached)
        .build()
        .expect("config");
    let client = acs_sts::Client::new(config).expect("client");
    let error = client
        .get_caller_identity(&GetCallerIdentityRequest::new())
        .await
        .expect_err("STS is down");
    assert_eq!(server.count("AssumeRole"), 3, "retried in one place only");
    assert_eq!(server.count("GetCallerIdentity"), 0);
    // The caller sees a credentials failure naming the provider, not GetCallerIdentity's own
    // service error with AssumeRole's request id; the STS error is the source.
    assert_eq!(error.kind(), acs_core::ErrorKind::Credentials, "{error}");
    assert!(error.to_string().contains("ram_role_arn"), "{error}");
    assert_eq!(error.request_id(), None);
    let source = std::error::Error::source(&error)
        .and_then(|s| s.downcast_ref::<acs_core::Error>())
        .expect("the STS error is the source");
    assert_eq!(source.code(), Some("ServiceUnavailable"));
    // The next call within the back-off does not ask STS again.
    client
        .get_caller_identity(&GetCallerIdentityRequest::new())
        .await
        .expect_err("still down");
    assert_eq!(server.count("AssumeRole"), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_throttling_sts_is_not_hammered() {
    let server = sts().await;
    server.set_reply("AssumeRole", Reply::throttling());
    let cached = failing_provider(
        &server,
        acs_core::RetryConfig::with_max_attempts(2),
        Duration::from_secs(10),
    );
    for _ in 0..100 {
        cached.provide_credentials().await.expect_err("throttled");
    }
    assert_eq!(
        server.count("AssumeRole"),
        2,
        "one fetch (two attempts) in the back-off"
    );
}
