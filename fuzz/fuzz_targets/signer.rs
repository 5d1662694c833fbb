//! The signer's inputs: method, path, query, headers and body from the caller, under every
//! algorithm. Each line of the input is `q name=value`, `h name:value`, `m METHOD`, `p /path`
//! or body text; whatever is signed must not panic, and an error must be a typed one.
#![no_main]

use std::time::{Duration, SystemTime};

use acs_signer::{Credentials, Nonce, SignableRequest, SignatureAlgorithm, SigningContext};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mut method = "POST";
    let mut path = "/";
    let mut query = Vec::new();
    let mut headers = Vec::new();
    let mut body = String::new();
    for line in text.split('\n') {
        match line.split_at_checked(2) {
            Some(("q ", rest)) => query.push(rest.split_once('=').unwrap_or((rest, ""))),
            Some(("h ", rest)) => headers.push(rest.split_once(':').unwrap_or((rest, ""))),
            Some(("m ", rest)) => method = rest,
            Some(("p ", rest)) => path = rest,
            _ => body.push_str(line),
        }
    }
    let Ok(credentials) = Credentials::new("LTAI5tFuzz", "fuzz-secret")
        .and_then(|c| c.with_security_token("fuzz-token"))
    else {
        return;
    };
    let Ok(nonce) = Nonce::new("fuzz-nonce") else {
        return;
    };
    let context = SigningContext::new(
        SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000),
        nonce,
    );
    let request = SignableRequest::new(method, path)
        .query(&query)
        .headers(&headers)
        .body(body.as_bytes());
    for algorithm in [
        SignatureAlgorithm::RpcV1,
        SignatureAlgorithm::Roa,
        SignatureAlgorithm::Acs3HmacSha256,
        SignatureAlgorithm::Acs3HmacSm3,
    ] {
        if let Ok(out) = acs_signer::sign(algorithm, &request, &credentials, &context) {
            let _ = out.signature();
            let _ = out.headers().count();
        }
    }
});
