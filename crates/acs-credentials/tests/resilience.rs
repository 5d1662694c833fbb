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
    assert_eq!(error.code(), Some("ServiceUnavailable"), "{error}");
    assert!(cached.cached().is_none());

    // STS recovers: fresh credentials on the next read, and they work.
    server.clear_reply("AssumeRole");
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
