//! Cache reads: the cost of a hit, alone and with two threads reading at once.
//!
//! ```text
//! cargo bench -p acs-credentials --bench cache
//! ```
#![allow(missing_docs)]

use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};

use acs_core::{ProvideCredentials, StaticCredentialsProvider};
use acs_credentials::CachedProvider;
use acs_signer::Credentials;
use criterion::Criterion;

fn cache() -> Arc<CachedProvider<StaticCredentialsProvider>> {
    let creds = Credentials::new("STS.bench", "secret")
        .expect("valid")
        .with_expiry(std::time::SystemTime::now() + Duration::from_secs(3600));
    let cached = Arc::new(CachedProvider::new(StaticCredentialsProvider::new(creds)));
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime");
    runtime
        .block_on(cached.provide_credentials())
        .expect("filled");
    cached
}

/// Nanoseconds per `cached()` with `threads` threads reading at once (best of rounds).
fn per_read(cached: &Arc<CachedProvider<StaticCredentialsProvider>>, threads: usize) -> f64 {
    let reads = 200_000;
    let mut best = f64::MAX;
    for _ in 0..10 {
        let started = Instant::now();
        std::thread::scope(|scope| {
            for _ in 0..threads {
                scope.spawn(|| {
                    for _ in 0..reads {
                        black_box(cached.cached());
                    }
                });
            }
        });
        best = best.min(started.elapsed().as_secs_f64() * 1e9 / reads as f64);
    }
    best
}

fn main() {
    let cached = cache();
    if std::env::var_os("ACS_CREDENTIALS_BENCH").is_none_or(|v| v != "summary") {
        let mut criterion = Criterion::default()
            .warm_up_time(Duration::from_millis(300))
            .measurement_time(Duration::from_secs(2))
            .configure_from_args();
        criterion.bench_function("cached_read_hit", |b| b.iter(|| black_box(cached.cached())));
        criterion.final_summary();
    }
    let one = per_read(&cached, 1);
    let two = per_read(&cached, 2);
    eprintln!(
        "\n== acs-credentials cache reads ==\n\
         one thread:  {one:>6.1} ns per read (target: well under 100 ns)\n\
         two threads: {two:>6.1} ns per read per thread (wall time per read; equal to one thread means it scales)\n"
    );
}
