//! Back-off between attempts.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::time::Duration;

use crate::config::RetryConfig;
use crate::error::Error;

/// The delay before attempt `next` (2 for the first retry) after `error`: full jitter, a random
/// duration up to `min(cap, base * 2^(next - 2))`, or the server's `Retry-After` when it asked
/// (capped too).
pub(crate) fn backoff(config: &RetryConfig, error: &Error, next: u32) -> Duration {
    if let Some(after) = error.retry_after() {
        return after.min(config.max_backoff);
    }
    let base = if error.is_throttling() {
        config.throttling_base
    } else {
        config.transient_base
    };
    let exponent = next.saturating_sub(2).min(30);
    let ceiling = base
        .saturating_mul(1u32 << exponent)
        .min(config.max_backoff);
    ceiling.mul_f64(random_unit())
}

/// A random number in `[0, 1)`. Jitter needs spread, not secrecy: the standard library's
/// randomly keyed hasher is enough.
fn random_unit() -> f64 {
    let mut hasher = RandomState::new().build_hasher();
    hasher.write_u64(0x9e37_79b9_7f4a_7c15);
    (hasher.finish() >> 11) as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ServiceError;

    fn service(code: &str, retry_after: Option<Duration>) -> Error {
        let body = format!(r#"{{"Code":"{code}","Message":"m"}}"#);
        let parsed = ServiceError::parse(400, retry_after, body.as_bytes());
        Error::service(parsed.unwrap_or_else(|| unreachable!()))
    }

    #[test]
    fn jittered_delays_stay_under_the_ceiling() {
        let config = RetryConfig::default();
        let transient = Error::timeout("t");
        for next in 2..10 {
            for _ in 0..50 {
                let d = backoff(&config, &transient, next);
                let ceiling =
                    Duration::from_millis(100 * (1 << (next - 2))).min(config.max_backoff);
                assert!(d <= ceiling, "{d:?} > {ceiling:?}");
            }
        }
        let throttled = service("Throttling.User", None);
        let delays: Vec<Duration> = (0..50).map(|_| backoff(&config, &throttled, 2)).collect();
        assert!(delays.iter().all(|d| *d <= Duration::from_secs(1)));
        // Full jitter spreads: not every delay is the same.
        assert!(delays.windows(2).any(|w| w[0] != w[1]));
    }

    #[test]
    fn retry_after_is_honoured_and_capped() {
        let config = RetryConfig::default();
        assert_eq!(
            backoff(
                &config,
                &service("Throttling", Some(Duration::from_secs(3))),
                2
            ),
            Duration::from_secs(3)
        );
        assert_eq!(
            backoff(
                &config,
                &service("Throttling", Some(Duration::from_secs(300))),
                2
            ),
            config.max_backoff
        );
    }
}
