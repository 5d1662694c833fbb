//! Signing allocates at most one buffer per signature (the canonicalisation buffer, which also
//! holds the `Authorization` value), and none at all once the thread has a spare buffer from a
//! dropped output.
//!
//! A counting global allocator measures the allocations of each signature. This file holds a
//! single test so no other thread allocates while it counts (each signature under test runs on
//! a thread of its own, started before counting and joined after).
#![allow(unsafe_code)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, SystemTime};

use acs_signer::{Credentials, Nonce, SignableRequest, SignatureAlgorithm, SigningContext, sign};

struct Counting;

static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

// SAFETY: forwards every call to the system allocator unchanged; only counts.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as the caller's.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: same contract as the caller's.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn count<T>(f: impl FnOnce() -> T) -> (T, usize) {
    let before = ALLOCATIONS.load(Ordering::Relaxed);
    let value = f();
    (value, ALLOCATIONS.load(Ordering::Relaxed) - before)
}

#[test]
fn signing_allocates_one_buffer() -> Result<(), acs_signer::SigningError> {
    let policy = r#"{"Version":"1","Statement":[{"Effect":"Allow","Action":["ecs:Describe*","ecs:List*"],"Resource":["acs:ecs:*:*:instance/*"],"Condition":{"IpAddress":{"acs:SourceIp":["10.0.0.0/8"]}}}]}"#;
    let creds =
        Credentials::new("LTAI5tExampleKeyId", "example-secret")?.with_security_token("token")?;
    let query = [
        ("Action", "AssumeRole"),
        ("Format", "JSON"),
        ("Version", "2015-04-01"),
        ("RoleArn", "acs:ram::1234567890123456:role/example"),
        ("RoleSessionName", "session"),
        ("DurationSeconds", "3600"),
        ("Policy", policy),
    ];
    let headers = [
        ("host", "sts.aliyuncs.com"),
        ("x-acs-action", "AssumeRole"),
        ("x-acs-version", "2015-04-01"),
    ];
    let context = SigningContext::new(
        SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000),
        Nonce::new("n")?,
    );

    for algorithm in [
        // RPC v1: the string-to-sign is the one buffer; everything else is inline.
        SignatureAlgorithm::RpcV1,
        // ROA: one buffer holds the string-to-sign, then the Authorization value.
        SignatureAlgorithm::Roa,
        // V3: one buffer holds the canonical request, then the Authorization value.
        SignatureAlgorithm::Acs3HmacSha256,
        SignatureAlgorithm::Acs3HmacSm3,
    ] {
        let counts = std::thread::scope(|scope| {
            scope
                .spawn(|| {
                    let request = SignableRequest::new("POST", "/")
                        .query(&query)
                        .headers(&headers);
                    let (first, fresh) = count(|| sign(algorithm, &request, &creds, &context));
                    let first = first.map(|out| out.signature().to_owned());
                    // The first output is dropped: its buffer is this thread's spare now.
                    let (second, reused) = count(|| sign(algorithm, &request, &creds, &context));
                    let second = second.map(|out| out.signature().len());
                    (first.is_ok() && second.is_ok(), fresh, reused)
                })
                .join()
        });
        let Ok((signed, fresh, reused)) = counts else {
            panic!("{algorithm}: the signing thread panicked");
        };
        assert!(signed, "{algorithm} signs");
        assert_eq!(
            fresh, 1,
            "{algorithm}: allocations of a thread's first signature"
        );
        assert_eq!(reused, 0, "{algorithm}: allocations with a spare buffer");
    }
    Ok(())
}
