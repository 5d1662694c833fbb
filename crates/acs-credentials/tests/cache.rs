//! The cache's rules, with an injected clock: nothing here waits for real time to pass.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use acs_core::{Error, ProvideCredentials};
use acs_credentials::{CachedProvider, Clock};
use acs_signer::Credentials;

#[derive(Debug)]
struct FakeClock(Mutex<SystemTime>);

impl FakeClock {
    fn new() -> Arc<Self> {
        Arc::new(Self(Mutex::new(
            SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000),
        )))
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

/// Issues credentials valid for one hour from the fake clock's now; can be told to fail.
#[derive(Debug)]
struct Counting {
    clock: Arc<FakeClock>,
    calls: AtomicUsize,
    fail: std::sync::atomic::AtomicBool,
    delay: Duration,
    lifetime: Duration,
}

impl Counting {
    fn new(clock: Arc<FakeClock>) -> Self {
        Self {
            clock,
            calls: AtomicUsize::new(0),
            fail: Default::default(),
            delay: Duration::ZERO,
            lifetime: Duration::from_secs(3600),
        }
    }
    fn lifetime(mut self, lifetime: Duration) -> Self {
        self.lifetime = lifetime;
        self
    }
    fn calls(&self) -> usize {
        self.calls.load(Ordering::SeqCst)
    }
}

#[async_trait::async_trait]
impl ProvideCredentials for Counting {
    async fn provide_credentials(&self) -> Result<Credentials, Error> {
        let n = self.calls.fetch_add(1, Ordering::SeqCst) + 1;
        if !self.delay.is_zero() {
            tokio::time::sleep(self.delay).await;
        }
        if self.fail.load(Ordering::SeqCst) {
            return Err(Error::credentials("STS is down"));
        }
        let expiry = self.clock.now() + self.lifetime;
        Ok(Credentials::new(format!("STS.key{n}"), "secret")
            .expect("valid")
            .with_expiry(expiry))
    }
}

fn cache(clock: &Arc<FakeClock>, inner: Counting) -> Arc<CachedProvider<Counting>> {
    Arc::new(
        CachedProvider::new(inner)
            .with_clock(clock.clone())
            .with_refresh_window(Duration::from_secs(180)..=Duration::from_secs(300))
            .with_retry_backoff(Duration::from_secs(10)),
    )
}

#[tokio::test]
async fn hits_do_not_fetch_and_refresh_happens_ahead_of_expiry() {
    let clock = FakeClock::new();
    let cached = cache(&clock, Counting::new(clock.clone()));
    assert!(cached.cached().is_none());
    let first = cached.provide_credentials().await.expect("fetched");
    for _ in 0..100 {
        assert_eq!(
            cached
                .provide_credentials()
                .await
                .expect("hit")
                .access_key_id(),
            first.access_key_id()
        );
    }
    assert_eq!(cached.inner().calls(), 1);
    clock.advance(Duration::from_secs(3600 - 301)); // more than 5 minutes left: still a hit
    cached.provide_credentials().await.expect("hit");
    assert_eq!(cached.inner().calls(), 1);
    clock.advance(Duration::from_secs(122)); // less than 3 minutes left: refreshed
    let second = cached.provide_credentials().await.expect("refreshed");
    assert_ne!(second.access_key_id(), first.access_key_id());
    assert_eq!(cached.inner().calls(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_callers_at_expiry_cause_exactly_one_fetch() {
    let clock = FakeClock::new();
    let mut inner = Counting::new(clock.clone());
    inner.delay = Duration::from_millis(50);
    let cached = cache(&clock, inner);
    let tasks: Vec<_> = (0..200)
        .map(|_| {
            let cached = cached.clone();
            tokio::spawn(async move {
                cached
                    .provide_credentials()
                    .await
                    .map(|c| c.access_key_id().to_owned())
            })
        })
        .collect();
    for task in tasks {
        assert_eq!(task.await.expect("task").expect("credentials"), "STS.key1");
    }
    assert_eq!(cached.inner().calls(), 1, "single flight");

    // Past expiry: again, one fetch for everyone.
    clock.advance(Duration::from_secs(3601));
    let tasks: Vec<_> = (0..200)
        .map(|_| {
            let cached = cached.clone();
            tokio::spawn(async move {
                cached
                    .provide_credentials()
                    .await
                    .map(|c| c.access_key_id().to_owned())
            })
        })
        .collect();
    for task in tasks {
        assert_eq!(task.await.expect("task").expect("credentials"), "STS.key2");
    }
    assert_eq!(cached.inner().calls(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn during_refresh_ahead_valid_credentials_are_served_without_waiting() {
    let clock = FakeClock::new();
    let mut inner = Counting::new(clock.clone());
    inner.delay = Duration::from_millis(300);
    let cached = cache(&clock, inner);
    cached.provide_credentials().await.expect("first");
    clock.advance(Duration::from_secs(3600 - 60)); // due for refresh, still valid
    let refresher = {
        let cached = cached.clone();
        tokio::spawn(async move { cached.provide_credentials().await })
    };
    tokio::time::sleep(Duration::from_millis(50)).await; // the refresh is in flight
    let started = std::time::Instant::now();
    let served = cached.provide_credentials().await.expect("served");
    assert_eq!(served.access_key_id(), "STS.key1");
    assert!(
        started.elapsed() < Duration::from_millis(100),
        "did not wait for the refresh"
    );
    assert_eq!(
        refresher
            .await
            .expect("task")
            .expect("refreshed")
            .access_key_id(),
        "STS.key2"
    );
}

#[tokio::test]
async fn failed_refreshes_keep_serving_valid_credentials_then_stop_at_expiry() {
    let clock = FakeClock::new();
    let cached = cache(&clock, Counting::new(clock.clone()));
    cached.provide_credentials().await.expect("first");
    cached.inner().fail.store(true, Ordering::SeqCst);
    clock.advance(Duration::from_secs(3600 - 120)); // due, still valid
    assert_eq!(
        cached
            .provide_credentials()
            .await
            .expect("stable")
            .access_key_id(),
        "STS.key1"
    );
    assert_eq!(cached.inner().calls(), 2);
    // Within the back-off: no new attempt.
    clock.advance(Duration::from_secs(5));
    cached.provide_credentials().await.expect("stable");
    assert_eq!(cached.inner().calls(), 2);
    // After the back-off: a new attempt (still failing), still serving.
    clock.advance(Duration::from_secs(6));
    cached.provide_credentials().await.expect("stable");
    assert_eq!(cached.inner().calls(), 3);
    // Expired: never served; the error surfaces.
    clock.advance(Duration::from_secs(200));
    let err = cached.provide_credentials().await.expect_err("expired");
    assert!(err.to_string().contains("STS is down"));
    // The failure is handed out for the back-off, without asking the source again; after
    // it, the next call asks again and recovers.
    cached.inner().fail.store(false, Ordering::SeqCst);
    let calls = cached.inner().calls();
    let err = cached.provide_credentials().await.expect_err("backing off");
    assert!(err.to_string().contains("STS is down"));
    assert_eq!(cached.inner().calls(), calls);
    clock.advance(Duration::from_secs(11));
    let recovered = cached.provide_credentials().await.expect("recovered");
    assert_eq!(
        recovered.access_key_id(),
        format!("STS.key{}", cached.inner().calls())
    );
}

#[tokio::test]
async fn a_failure_is_shared_until_the_back_off_ends() {
    let clock = FakeClock::new();
    let cached = cache(&clock, Counting::new(clock.clone()));
    cached.inner().fail.store(true, Ordering::SeqCst);
    assert!(cached.provide_credentials().await.is_err());
    assert!(cached.provide_credentials().await.is_err());
    assert_eq!(
        cached.inner().calls(),
        1,
        "the second caller got the first's failure"
    );
    assert!(cached.cached().is_none());
    clock.advance(Duration::from_secs(11));
    assert!(cached.provide_credentials().await.is_err());
    assert_eq!(cached.inner().calls(), 2, "one fetch per back-off interval");
}

#[tokio::test]
async fn credentials_shorter_lived_than_the_refresh_window_are_used() {
    // A 120 s token against a 3-to-5-minute refresh window: it used to be fetched again on
    // every read.
    let clock = FakeClock::new();
    let cached = cache(
        &clock,
        Counting::new(clock.clone()).lifetime(Duration::from_secs(120)),
    );
    for _ in 0..100 {
        cached.provide_credentials().await.expect("credentials");
    }
    assert_eq!(cached.inner().calls(), 1, "a valid token is used");
    // Half its life on, it is refreshed once.
    clock.advance(Duration::from_secs(61));
    for _ in 0..100 {
        cached.provide_credentials().await.expect("credentials");
    }
    assert_eq!(cached.inner().calls(), 2);
}

#[tokio::test]
async fn a_source_returning_nearly_expired_credentials_is_asked_once_per_back_off() {
    // A source (an External command, say) that keeps answering a token with 4 s left.
    let clock = FakeClock::new();
    let cached = cache(
        &clock,
        Counting::new(clock.clone()).lifetime(Duration::from_secs(4)),
    );
    for _ in 0..100 {
        cached.provide_credentials().await.expect("credentials");
    }
    assert_eq!(cached.inner().calls(), 1);
    clock.advance(Duration::from_secs(3));
    for _ in 0..100 {
        cached.provide_credentials().await.expect("credentials");
    }
    assert_eq!(
        cached.inner().calls(),
        1,
        "still valid: used until it expires"
    );
    clock.advance(Duration::from_secs(2));
    cached.provide_credentials().await.expect("credentials");
    assert_eq!(cached.inner().calls(), 2);
}

#[tokio::test]
async fn a_hung_fetch_has_a_deadline() {
    let clock = FakeClock::new();
    let mut inner = Counting::new(clock.clone());
    inner.delay = Duration::from_secs(3600);
    let cached = Arc::new(
        CachedProvider::new(inner)
            .with_clock(clock.clone())
            .with_fetch_timeout(Duration::from_millis(200)),
    );
    let started = std::time::Instant::now();
    let err = cached.provide_credentials().await.expect_err("hung");
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(err.kind(), acs_core::ErrorKind::Credentials, "{err}");
    let source = std::error::Error::source(&err)
        .and_then(|s| s.downcast_ref::<Error>())
        .expect("the timeout is the source");
    assert_eq!(source.kind(), acs_core::ErrorKind::Timeout);
}

#[tokio::test]
async fn refresh_times_are_jittered_within_the_window() {
    let mut refresh_points = std::collections::BTreeSet::new();
    for _ in 0..20 {
        let clock = FakeClock::new();
        let cached = cache(&clock, Counting::new(clock.clone()));
        cached.provide_credentials().await.expect("first");
        // Step through the window, 5 to 3 minutes before expiry, in 5-second steps, and record
        // the first step at which this cache refreshes.
        clock.advance(Duration::from_secs(3600 - 300 - 5));
        let mut seconds_before_expiry = 305;
        while cached.inner().calls() == 1 {
            clock.advance(Duration::from_secs(5));
            seconds_before_expiry -= 5;
            cached.provide_credentials().await.expect("credentials");
            assert!(seconds_before_expiry >= 175, "refreshed too late");
        }
        assert!(
            (175..=300).contains(&seconds_before_expiry),
            "{seconds_before_expiry}"
        );
        refresh_points.insert(seconds_before_expiry);
    }
    assert!(
        refresh_points.len() >= 3,
        "refresh points should spread: {refresh_points:?}"
    );
}
