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

/// Nanoseconds per `read()` with `threads` threads calling it at once (best of rounds).
fn per_read(threads: usize, read: &(dyn Fn() + Sync)) -> f64 {
    let reads = 200_000;
    let mut best = f64::MAX;
    for _ in 0..10 {
        let started = Instant::now();
        std::thread::scope(|scope| {
            for _ in 0..threads {
                scope.spawn(|| {
                    for _ in 0..reads {
                        read();
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
    // The baseline: cloning a shared handle to credentials, the least a cache read can cost.
    let shared = Arc::new(
        Credentials::new("STS.bench", "secret")
            .expect("valid")
            .with_expiry(std::time::SystemTime::now() + Duration::from_secs(3600)),
    );
    if std::env::var_os("ACS_CREDENTIALS_BENCH").is_none_or(|v| v != "summary") {
        let mut criterion = Criterion::default()
            .warm_up_time(Duration::from_millis(300))
            .measurement_time(Duration::from_secs(2))
            .configure_from_args();
        criterion.bench_function("baseline_arc_clone", |b| {
            b.iter(|| black_box(Arc::clone(black_box(&shared))))
        });
        criterion.bench_function("cached_read_hit", |b| b.iter(|| black_box(cached.cached())));
        criterion.final_summary();
    }
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    let read_cache = || {
        black_box(cached.cached());
    };
    let read_arc = || {
        black_box(Arc::clone(black_box(&shared)));
    };
    let (one, one_base) = (per_read(1, &read_cache), per_read(1, &read_arc));
    let (all, all_base) = (per_read(cores, &read_cache), per_read(cores, &read_arc));
    eprintln!(
        "\n== acs-credentials cache reads (baseline: Arc::clone of the credentials) ==\n\
         one thread:        {one:>6.1} ns per read, baseline {one_base:>5.1} ns, ratio {:.2}x (target: well under 100 ns)\n\
         all {cores} cores:  {all:>6.1} ns per read per thread, baseline {all_base:>5.1} ns, ratio {:.2}x (equal to one thread means it scales)\n",
        one / one_base,
        all / all_base,
    );
}
