//! Alibaba Cloud credential providers and the cache around them.
//!
//! Every provider that fetches credentials which expire is wrapped in one
//! [`CachedProvider`]: lock-free cache hits, single-flight refresh, jittered refresh ahead of
//! expiry, and static stability when a refresh fails.

mod cache;
mod clock;

pub use cache::CachedProvider;
pub use clock::{Clock, SystemClock};
