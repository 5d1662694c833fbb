//! Signing benchmarks, each reported beside a baseline measured in the same run.
//!
//! ```text
//! cargo bench -p acs-signer
//! ```
//!
//! After criterion's own report, a summary prints the ratios the project tracks:
//! - RPC v1 signing of a realistic AssumeRole request (14 parameters, a 300-byte policy) against
//!   one raw HMAC-SHA1 over the same string-to-sign (target: at most 1.6x);
//! - V3 signing of the same request against one raw SHA-256 of its canonical request plus one
//!   raw HMAC-SHA256 of its string-to-sign (target: at most 2x);
//! - V3 signing against `aws-sigv4` signing an equivalent GET (target: at least 5x faster).
//!
//! `ACS_SIGNER_BENCH=ratios cargo bench -p acs-signer --bench signing` prints the summary only;
//! `ACS_SIGNER_PROFILE=rpc` (or `v3`) signs in a loop for three seconds, for `perf record`.
#![allow(missing_docs)]

use std::hint::black_box;
use std::time::{Duration, Instant, SystemTime};

use criterion::{Criterion, criterion_group};

use acs_signer::{
    Credentials, Nonce, SignableRequest, SignatureAlgorithm, SigningContext, digest, sign,
};

const POLICY: &str = r#"{"Version":"1","Statement":[{"Effect":"Allow","Action":["ecs:DescribeInstances","ecs:DescribeRegions","ecs:StartInstance"],"Resource":["acs:ecs:cn-hangzhou:1234567890123456:instance/*"],"Condition":{"IpAddress":{"acs:SourceIp":["192.168.0.0/16","10.0.0.0/8"]},"Bool":{"acs:SecureTransport":["true"]}}}]}"#;

/// The nine request parameters of an AssumeRole call; RPC v1 adds five of its own (14 in all).
fn rpc_params() -> [(&'static str, &'static str); 9] {
    [
        ("Action", "AssumeRole"),
        ("Version", "2015-04-01"),
        ("Format", "JSON"),
        ("RegionId", "cn-hangzhou"),
        ("RoleArn", "acs:ram::1234567890123456:role/example-role"),
        ("RoleSessionName", "example-session"),
        ("DurationSeconds", "3600"),
        ("ExternalId", "abcd-1234"),
        ("Policy", POLICY),
    ]
}

/// The same call for V3: action and version travel as headers, the rest in the query.
fn v3_query() -> [(&'static str, &'static str); 7] {
    [
        ("Format", "JSON"),
        ("RegionId", "cn-hangzhou"),
        ("RoleArn", "acs:ram::1234567890123456:role/example-role"),
        ("RoleSessionName", "example-session"),
        ("DurationSeconds", "3600"),
        ("ExternalId", "abcd-1234"),
        ("Policy", POLICY),
    ]
}

const V3_HEADERS: [(&str, &str); 3] = [
    ("host", "sts.aliyuncs.com"),
    ("x-acs-action", "AssumeRole"),
    ("x-acs-version", "2015-04-01"),
];

fn credentials() -> Credentials {
    Credentials::new("LTAI5tExampleKeyId00", "ExampleSecretExampleSecret0000").expect("valid")
}

fn context() -> SigningContext {
    SigningContext::new(
        SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000),
        Nonce::new("d410180a5abf7fe235dd9b74aca91fc0").expect("valid"),
    )
}

/// The operations being compared, as closures over prepared inputs.
struct Cases {
    creds: Credentials,
    ctx: SigningContext,
    rpc_params: [(&'static str, &'static str); 9],
    v3_query: [(&'static str, &'static str); 7],
    rpc_string_to_sign: String,
    rpc_key: Vec<u8>,
    v3_canonical: String,
    v3_string_to_sign: String,
    aws_identity: aws_credential_types::Credentials,
    aws_uri: String,
}

impl Cases {
    fn new() -> Self {
        let creds = credentials();
        let ctx = context();
        let rpc_params = rpc_params();
        let v3_query = v3_query();
        let rpc = sign(
            SignatureAlgorithm::RpcV1,
            &SignableRequest::new("GET", "/").query(&rpc_params),
            &creds,
            &ctx,
        )
        .expect("signs");
        let v3 = sign(
            SignatureAlgorithm::Acs3HmacSha256,
            &SignableRequest::new("GET", "/")
                .query(&v3_query)
                .headers(&V3_HEADERS),
            &creds,
            &ctx,
        )
        .expect("signs");
        let rpc_string_to_sign = rpc.string_to_sign().to_owned();
        let v3_canonical = v3.canonical_request().to_owned();
        let v3_string_to_sign = v3.string_to_sign().to_owned();
        // Outputs borrow the credentials (and give their buffer back when dropped).
        drop((rpc, v3));
        let mut aws_uri = String::from("https://sts.us-east-1.amazonaws.com/?");
        for (i, (k, v)) in v3_query.iter().enumerate() {
            if i > 0 {
                aws_uri.push('&');
            }
            aws_uri.push_str(&acs_signer::encoding::percent_encode(k));
            aws_uri.push('=');
            aws_uri.push_str(&acs_signer::encoding::percent_encode(v));
        }
        Self {
            rpc_string_to_sign,
            rpc_key: format!("{}&", creds.access_key_secret()).into_bytes(),
            v3_canonical,
            v3_string_to_sign,
            aws_identity: aws_credential_types::Credentials::new(
                "AKIDEXAMPLE",
                "ExampleSecretExampleSecret0000",
                None,
                None,
                "bench",
            ),
            aws_uri,
            creds,
            ctx,
            rpc_params,
            v3_query,
        }
    }

    fn rpc_sign(&self) -> usize {
        let request = SignableRequest::new("GET", "/").query(&self.rpc_params);
        let out = sign(SignatureAlgorithm::RpcV1, &request, &self.creds, &self.ctx).expect("signs");
        out.signature().len()
    }

    /// RustCrypto's HMAC over RustCrypto's SHA-1 (SHA-NI where the CPU has it): the fastest
    /// sound HMAC-SHA1 available, keyed on every call as a plain HMAC is.
    fn rpc_baseline_hmac_sha1(&self) -> usize {
        use hmac_reference::{Hmac, KeyInit, Mac};
        let Ok(mut mac) = Hmac::<sha1::Sha1>::new_from_slice(&self.rpc_key) else {
            return 0;
        };
        mac.update(self.rpc_string_to_sign.as_bytes());
        mac.finalize().into_bytes().len()
    }

    fn rpc_baseline_ring_hmac_sha1(&self) -> usize {
        let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY, &self.rpc_key);
        ring::hmac::sign(&key, self.rpc_string_to_sign.as_bytes())
            .as_ref()
            .len()
    }

    fn v3_sign(&self, algorithm: SignatureAlgorithm) -> usize {
        let request = SignableRequest::new("GET", "/")
            .query(&self.v3_query)
            .headers(&V3_HEADERS);
        let out = sign(algorithm, &request, &self.creds, &self.ctx).expect("signs");
        out.authorization().len()
    }

    fn v3_baseline(&self) -> usize {
        let hash = digest::sha256(self.v3_canonical.as_bytes());
        let mac = digest::hmac_sha256(
            self.creds.access_key_secret().as_bytes(),
            self.v3_string_to_sign.as_bytes(),
        );
        hash.len() + mac.len()
    }

    fn aws_sigv4(&self) -> usize {
        use aws_sigv4::http_request::{SignableBody, SignableRequest, SigningSettings, sign};
        let identity = self.aws_identity.clone().into();
        let params = aws_sigv4::sign::v4::SigningParams::builder()
            .identity(&identity)
            .region("us-east-1")
            .name("sts")
            .time(self.ctx.time())
            .settings(SigningSettings::default())
            .build()
            .expect("params")
            .into();
        let headers = [("host", "sts.us-east-1.amazonaws.com")];
        let request = SignableRequest::new(
            "GET",
            self.aws_uri.as_str(),
            headers.into_iter(),
            SignableBody::Bytes(b""),
        )
        .expect("request");
        let (instructions, signature) = sign(request, &params).expect("signs").into_parts();
        instructions.headers().count() + signature.len()
    }
}

fn benches(c: &mut Criterion) {
    let cases = Cases::new();
    let mut rpc = c.benchmark_group("rpc_v1_assume_role");
    rpc.bench_function("acs_signer_sign", |b| {
        b.iter(|| black_box(&cases).rpc_sign())
    });
    rpc.bench_function("baseline_hmac_sha1_rustcrypto", |b| {
        b.iter(|| black_box(&cases).rpc_baseline_hmac_sha1())
    });
    rpc.bench_function("reference_hmac_sha1_ring", |b| {
        b.iter(|| black_box(&cases).rpc_baseline_ring_hmac_sha1())
    });
    rpc.finish();

    let mut v3 = c.benchmark_group("v3_assume_role");
    v3.bench_function("acs_signer_sign_sha256", |b| {
        b.iter(|| black_box(&cases).v3_sign(SignatureAlgorithm::Acs3HmacSha256))
    });
    v3.bench_function("acs_signer_sign_sm3", |b| {
        b.iter(|| black_box(&cases).v3_sign(SignatureAlgorithm::Acs3HmacSm3))
    });
    v3.bench_function("baseline_sha256_plus_hmac_sha256", |b| {
        b.iter(|| black_box(&cases).v3_baseline())
    });
    v3.bench_function("aws_sigv4_equivalent_get", |b| {
        b.iter(|| black_box(&cases).aws_sigv4())
    });
    v3.finish();

    let mut nonce = c.benchmark_group("per_attempt");
    nonce.bench_function("signing_context_now", |b| {
        b.iter(|| SigningContext::now().map(|c| c.time()))
    });
    nonce.finish();
}

/// Nanoseconds per call: the fastest of many interleaved rounds, so every candidate sees the
/// same machine conditions.
fn ratios() {
    let cases = Cases::new();
    let candidates: [(&str, &dyn Fn() -> usize); 6] = [
        ("rpc_sign", &|| cases.rpc_sign()),
        ("rpc_hmac", &|| cases.rpc_baseline_hmac_sha1()),
        ("rpc_ring_hmac", &|| cases.rpc_baseline_ring_hmac_sha1()),
        ("v3_sign", &|| {
            cases.v3_sign(SignatureAlgorithm::Acs3HmacSha256)
        }),
        ("v3_baseline", &|| cases.v3_baseline()),
        ("aws_sigv4", &|| cases.aws_sigv4()),
    ];
    let mut best = [f64::MAX; 6];
    let deadline = Instant::now() + Duration::from_secs(6);
    while Instant::now() < deadline {
        for (i, (_, f)) in candidates.iter().enumerate() {
            let iterations = 2_000;
            let start = Instant::now();
            for _ in 0..iterations {
                black_box(f());
            }
            let per_call = start.elapsed().as_secs_f64() * 1e9 / f64::from(iterations);
            best[i] = best[i].min(per_call);
        }
    }
    let ns = |name: &str| {
        candidates
            .iter()
            .position(|(n, _)| *n == name)
            .map(|i| best[i])
            .unwrap_or(f64::NAN)
    };
    let summary = format!(
        "\n== acs-signer ratios (same run, best of interleaved rounds) ==\n\
         RPC v1 sign              {:>8.0} ns\n\
         raw HMAC-SHA1 (sha1)     {:>8.0} ns   ratio sign/raw = {:.2}x  (target <= 1.6x)\n\
         raw HMAC-SHA1 (ring)     {:>8.0} ns   ring/sha1 = {:.2}x\n\
         V3 sign (SHA-256)        {:>8.0} ns\n\
         raw SHA-256 + HMAC       {:>8.0} ns   ratio sign/raw = {:.2}x  (target <= 2x)\n\
         aws-sigv4 equivalent GET {:>8.0} ns   aws-sigv4/acs V3 = {:.1}x faster  (target >= 5x)\n",
        ns("rpc_sign"),
        ns("rpc_hmac"),
        ns("rpc_sign") / ns("rpc_hmac"),
        ns("rpc_ring_hmac"),
        ns("rpc_ring_hmac") / ns("rpc_hmac"),
        ns("v3_sign"),
        ns("v3_baseline"),
        ns("v3_sign") / ns("v3_baseline"),
        ns("aws_sigv4"),
        ns("aws_sigv4") / ns("v3_sign"),
    );
    eprint!("{summary}");
}

criterion_group! {
    name = signing;
    config = Criterion::default()
        .sample_size(40)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    targets = benches
}

fn main() {
    if std::env::var_os("ACS_SIGNER_BENCH").is_some_and(|v| v == "ratios") {
        ratios();
        return;
    }
    if let Some(which) = std::env::var_os("ACS_SIGNER_PROFILE") {
        let cases = Cases::new();
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(3) {
            for _ in 0..1000 {
                if which == "rpc" {
                    black_box(cases.rpc_sign());
                } else {
                    black_box(cases.v3_sign(SignatureAlgorithm::Acs3HmacSha256));
                }
            }
        }
        return;
    }
    signing();
    Criterion::default().configure_from_args().final_summary();
    ratios();
}
