//! One cache, wrapped around every provider whose credentials expire.

use std::collections::hash_map::RandomState;
use std::fmt;
use std::hash::{BuildHasher, Hasher};
use std::ops::RangeInclusive;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use acs_core::{Error, ProvideCredentials};
use acs_signer::Credentials;
use arc_swap::ArcSwapOption;

use crate::clock::{Clock, SystemClock};

/// What the cache holds: the credentials and when to refresh them.
struct Entry {
    credentials: Credentials,
    /// Before this instant the credentials are served without asking the provider.
    refresh_at: SystemTime,
}

/// Caches another provider's credentials.
///
/// - **Cache hits take no lock**: the current credentials sit behind an atomically swapped
///   `Arc`, so a read is a few atomic operations and scales across threads, whatever a refresh
///   is doing.
/// - **Single flight, success or failure**: when the credentials are due for refresh, one
///   caller fetches; every caller waiting meanwhile gets that one fetch's result, credentials
///   or error. After a failure the source is left alone for the retry back-off (10 s unless
///   set): callers in that time get the same error at once (or the still-valid credentials), so
///   a failing or throttling source sees at most one fetch per back-off interval.
/// - **Refresh ahead with jitter**: credentials are refreshed a random 3 to 5 minutes before
///   they expire (configurable), so a fleet does not hit STS in the same second. Credentials
///   that live shorter than that window are used for half their remaining life before the
///   first refresh, and never refreshed more than once per back-off interval.
/// - **Static stability**: if a refresh fails while the cached credentials are still valid,
///   they keep being served; valid credentials are never replaced by nothing, and expired
///   credentials are never served.
/// - **A deadline of its own**: a fetch that takes longer than the fetch timeout (30 s unless
///   set) fails with [`ErrorKind::Timeout`](acs_core::ErrorKind::Timeout) as its source.
///
/// Errors name the provider: [`ErrorKind::Credentials`](acs_core::ErrorKind::Credentials),
/// with the provider's own error (an STS service error, say) as the
/// [`source`](std::error::Error::source). The wrapped provider retries on its own (an STS
/// client's retry policy); neither the cache nor a calling client retries it again.
///
/// ```
/// use acs_core::{ProvideCredentials, StaticCredentialsProvider};
/// use acs_credentials::CachedProvider;
/// use acs_signer::Credentials;
///
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), acs_core::Error> {
/// let cached = CachedProvider::new(StaticCredentialsProvider::new(Credentials::new("id", "secret").unwrap()));
/// let first = cached.provide_credentials().await?;
/// assert_eq!(cached.cached().map(|c| c.access_key_id().to_owned()), Some(first.access_key_id().to_owned()));
/// # Ok(()) }
/// ```
pub struct CachedProvider<P> {
    inner: Arc<P>,
    current: ArcSwapOption<Entry>,
    /// Serialises fetches (single flight); reads never touch it.
    refresh: tokio::sync::Mutex<RefreshState>,
    clock: Arc<dyn Clock>,
    refresh_window: RangeInclusive<Duration>,
    retry_backoff: Duration,
    fetch_timeout: Duration,
}

#[derive(Default)]
struct RefreshState {
    /// The last fetch's failure, handed out instead of fetching again until `until`.
    failure: Option<Failure>,
}

struct Failure {
    error: Error,
    until: SystemTime,
}

impl<P: fmt::Debug> fmt::Debug for CachedProvider<P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CachedProvider")
            .field("inner", &self.inner)
            .field(
                "cached",
                &self
                    .current
                    .load()
                    .as_ref()
                    .map(|e| e.credentials.access_key_id().to_owned()),
            )
            .finish_non_exhaustive()
    }
}

impl<P: ProvideCredentials> CachedProvider<P> {
    /// Caches `inner` with the system clock, a 3-to-5-minute refresh window, a 10 s retry
    /// back-off and a 30 s fetch timeout.
    pub fn new(inner: P) -> Self {
        Self {
            inner: Arc::new(inner),
            current: ArcSwapOption::empty(),
            refresh: tokio::sync::Mutex::new(RefreshState::default()),
            clock: Arc::new(SystemClock),
            refresh_window: Duration::from_secs(180)..=Duration::from_secs(300),
            retry_backoff: Duration::from_secs(10),
            fetch_timeout: Duration::from_secs(30),
        }
    }

    /// The same cache reading time from `clock`.
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// The same cache refreshing a random duration within `window` before expiry.
    pub fn with_refresh_window(mut self, window: RangeInclusive<Duration>) -> Self {
        self.refresh_window = window;
        self
    }

    /// The same cache leaving a failing source alone for `backoff` after each failed fetch
    /// (callers meanwhile get the failure, or the still-valid credentials), and refreshing
    /// short-lived credentials at most once per `backoff`.
    pub fn with_retry_backoff(mut self, backoff: Duration) -> Self {
        self.retry_backoff = backoff;
        self
    }

    /// The same cache giving up on a fetch after `timeout`.
    pub fn with_fetch_timeout(mut self, timeout: Duration) -> Self {
        self.fetch_timeout = timeout;
        self
    }

    /// The wrapped provider.
    pub fn inner(&self) -> &P {
        &self.inner
    }

    fn fresh(&self, now: SystemTime) -> Option<Credentials> {
        let entry = self.current.load();
        entry
            .as_ref()
            .filter(|e| now < e.refresh_at)
            .map(|e| e.credentials.clone())
    }

    fn still_valid(&self, now: SystemTime) -> Option<Credentials> {
        let entry = self.current.load();
        entry
            .as_ref()
            .filter(|e| !e.credentials.is_expired_at(now))
            .map(|e| e.credentials.clone())
    }

    /// When to refresh `credentials`: a random margin within the refresh window before they
    /// expire, but no sooner than half their remaining life or one back-off interval from now
    /// (whichever is sooner stays before the expiry).
    fn refresh_at(&self, credentials: &Credentials, now: SystemTime) -> SystemTime {
        let Some(expiry) = credentials.expiry() else {
            // Long-term credentials: refresh never (a far future instant).
            return now + Duration::from_secs(100 * 365 * 86_400);
        };
        let remaining = expiry.duration_since(now).unwrap_or(Duration::ZERO);
        let (lo, hi) = (*self.refresh_window.start(), *self.refresh_window.end());
        let margin = (lo + (hi.saturating_sub(lo)).mul_f64(random_unit())).min(remaining / 2);
        let earliest = now + self.retry_backoff.min(remaining);
        (expiry - margin).max(earliest)
    }

    /// The provider's error as callers see it: naming the provider (see the type's docs).
    fn wrap(&self, error: Error) -> Error {
        Error::provider_failure(self.inner.name(), error)
    }
}

/// A random number in `[0, 1)`: jitter needs spread, not secrecy.
fn random_unit() -> f64 {
    let mut hasher = RandomState::new().build_hasher();
    hasher.write_u64(0x2545_f491_4f6c_dd1d);
    (hasher.finish() >> 11) as f64 / (1u64 << 53) as f64
}

impl<P: ProvideCredentials> CachedProvider<P> {
    /// Fetches (unless someone just did, or just failed), holding the single-flight lock.
    async fn refresh_holding(
        &self,
        mut state: tokio::sync::MutexGuard<'_, RefreshState>,
    ) -> Result<Credentials, Error> {
        let now = self.clock.now();
        if let Some(credentials) = self.fresh(now) {
            return Ok(credentials);
        }
        if let Some(failure) = state.failure.as_ref().filter(|f| now < f.until) {
            return match self.still_valid(now) {
                Some(valid) => Ok(valid),
                None => Err(failure.error.clone()),
            };
        }
        let fetched = match tokio::time::timeout(
            self.fetch_timeout,
            self.inner.provide_credentials(),
        )
        .await
        {
            Ok(result) => result.map_err(|e| self.wrap(e)),
            Err(_) => Err(self.wrap(Error::timeout(format!(
                "no credentials within {:?}",
                self.fetch_timeout
            )))),
        };
        let now = self.clock.now();
        let fetched = fetched.and_then(|credentials| {
            if credentials.is_expired_at(now) {
                Err(Error::credentials(format!(
                    "the {} provider returned credentials for {} that have already expired",
                    self.inner.name(),
                    credentials.access_key_id()
                )))
            } else {
                Ok(credentials)
            }
        });
        match fetched {
            Ok(credentials) => {
                let refresh_at = self.refresh_at(&credentials, now);
                self.current.store(Some(Arc::new(Entry {
                    credentials: credentials.clone(),
                    refresh_at,
                })));
                state.failure = None;
                Ok(credentials)
            }
            Err(error) => {
                state.failure = Some(Failure {
                    error: error.clone(),
                    until: now + self.retry_backoff,
                });
                match self.still_valid(now) {
                    Some(valid) => {
                        tracing::warn!(provider = self.inner.name(), error = %error, "credentials refresh failed; serving the cached credentials until they expire");
                        Ok(valid)
                    }
                    None => {
                        tracing::warn!(provider = self.inner.name(), error = %error, "credentials fetch failed");
                        Err(error)
                    }
                }
            }
        }
    }
}

#[async_trait::async_trait]
impl<P: ProvideCredentials> ProvideCredentials for CachedProvider<P> {
    async fn provide_credentials(&self) -> Result<Credentials, Error> {
        let now = self.clock.now();
        if let Some(credentials) = self.fresh(now) {
            return Ok(credentials);
        }
        let state = match self.still_valid(now) {
            // Due for refresh but still valid: one caller refreshes; the others keep using
            // the valid credentials instead of queueing behind it.
            Some(valid) => match self.refresh.try_lock() {
                Ok(state) => state,
                Err(_) => return Ok(valid),
            },
            // Nothing valid: everyone waits for the one fetch, and gets its result.
            None => self.refresh.lock().await,
        };
        self.refresh_holding(state).await
    }

    fn cached(&self) -> Option<Credentials> {
        self.fresh(self.clock.now())
    }

    fn name(&self) -> &'static str {
        self.inner.name()
    }
}
