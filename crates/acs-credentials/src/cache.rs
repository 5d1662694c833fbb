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
/// - **Single flight**: when the credentials are due for refresh, one caller fetches; any
///   number of concurrent callers wait for that one fetch.
/// - **Refresh ahead with jitter**: credentials are refreshed a random 3 to 5 minutes before
///   they expire (configurable), so a fleet does not hit STS in the same second.
/// - **Static stability**: if a refresh fails while the cached credentials are still valid,
///   they keep being served and the refresh is retried later (back-off); a failure is never
///   cached and valid credentials are never replaced by nothing. Expired credentials are never
///   served.
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
    /// Serialises refreshes (single flight); reads never touch it.
    refresh: tokio::sync::Mutex<RefreshState>,
    clock: Arc<dyn Clock>,
    refresh_window: RangeInclusive<Duration>,
    retry_backoff: Duration,
}

#[derive(Default)]
struct RefreshState {
    /// After a failed refresh (while serving still-valid credentials), wait until then.
    retry_after: Option<SystemTime>,
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
    /// Caches `inner` with the system clock, a 3-to-5-minute refresh window and a 10 s retry
    /// back-off.
    pub fn new(inner: P) -> Self {
        Self {
            inner: Arc::new(inner),
            current: ArcSwapOption::empty(),
            refresh: tokio::sync::Mutex::new(RefreshState::default()),
            clock: Arc::new(SystemClock),
            refresh_window: Duration::from_secs(180)..=Duration::from_secs(300),
            retry_backoff: Duration::from_secs(10),
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

    /// The same cache waiting `backoff` after a failed refresh before trying again (while it
    /// serves the still-valid credentials).
    pub fn with_retry_backoff(mut self, backoff: Duration) -> Self {
        self.retry_backoff = backoff;
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

    /// When to refresh credentials expiring at `expiry`.
    fn refresh_at(&self, credentials: &Credentials, now: SystemTime) -> SystemTime {
        let Some(expiry) = credentials.expiry() else {
            // Long-term credentials: refresh never (a far future instant).
            return now + Duration::from_secs(100 * 365 * 86_400);
        };
        let (lo, hi) = (*self.refresh_window.start(), *self.refresh_window.end());
        let margin = lo + (hi.saturating_sub(lo)).mul_f64(random_unit());
        expiry.checked_sub(margin).unwrap_or(now).max(now)
    }
}

/// A random number in `[0, 1)`: jitter needs spread, not secrecy.
fn random_unit() -> f64 {
    let mut hasher = RandomState::new().build_hasher();
    hasher.write_u64(0x2545_f491_4f6c_dd1d);
    (hasher.finish() >> 11) as f64 / (1u64 << 53) as f64
}

impl<P: ProvideCredentials> CachedProvider<P> {
    /// Refreshes (unless someone just did), holding the single-flight lock.
    async fn refresh_holding(
        &self,
        mut state: tokio::sync::MutexGuard<'_, RefreshState>,
    ) -> Result<Credentials, Error> {
        let now = self.clock.now();
        if let Some(credentials) = self.fresh(now) {
            return Ok(credentials);
        }
        if let (Some(after), Some(valid)) = (state.retry_after, self.still_valid(now))
            && now < after
        {
            return Ok(valid);
        }
        match self.inner.provide_credentials().await {
            Ok(credentials) => {
                let now = self.clock.now();
                if credentials.is_expired_at(now) {
                    return Err(Error::credentials(format!(
                        "the provider returned credentials for {} that have already expired",
                        credentials.access_key_id()
                    )));
                }
                let refresh_at = self.refresh_at(&credentials, now);
                self.current.store(Some(Arc::new(Entry {
                    credentials: credentials.clone(),
                    refresh_at,
                })));
                state.retry_after = None;
                Ok(credentials)
            }
            Err(error) => match self.still_valid(self.clock.now()) {
                Some(valid) => {
                    tracing::warn!(error = %error, "credentials refresh failed; serving the cached credentials until they expire");
                    state.retry_after = Some(self.clock.now() + self.retry_backoff);
                    Ok(valid)
                }
                None => Err(error),
            },
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
            // Nothing valid: everyone waits for the one fetch.
            None => self.refresh.lock().await,
        };
        self.refresh_holding(state).await
    }

    fn cached(&self) -> Option<Credentials> {
        self.fresh(self.clock.now())
    }
}
