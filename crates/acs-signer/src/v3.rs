//! V3: `ACS3-HMAC-SHA256` and `ACS3-HMAC-SM3`.
//!
//! The canonical request is
//!
//! ```text
//! METHOD\n
//! <path, percent-encoded with / kept; "/" when empty>\n
//! <query sorted by name, enc(name)=enc(value), joined by &>\n
//! <signed headers, lower-cased and sorted, "name:value\n" each; repeated names joined by ,>\n
//! <signed header names joined by ;>\n
//! <hex hash of the body>
//! ```
//!
//! where the signed headers are `host`, `content-type` and every `x-acs-*` header. The
//! string-to-sign is `ALGORITHM\n<hex hash of the canonical request>` and the signature its hex
//! HMAC under the secret. The signer adds `x-acs-date`, `x-acs-signature-nonce`,
//! `x-acs-content-sha256` (the body hash, whichever the algorithm), `x-acs-security-token` for
//! temporary credentials, and `Authorization`.

use std::ops::Range;

use crate::algorithm::SignatureAlgorithm;
use crate::canonical::{
    check_header, check_method, header_groups_bound, is_acs_header, write_header_groups,
};
use crate::context::SigningContext;
use crate::credentials::Credentials;
use crate::digest::{hmac_sha256, hmac_sm3, sha256, sm3};
use crate::encoding::{with_simd, write_bounded};
use crate::error::{SigningError, SigningErrorKind};
use crate::inline::InlineStr;
use crate::output::SigningOutput;
use crate::params::{Entry, HeaderBuf, ParamBuf};
use crate::request::SignableRequest;

/// Headers the signer owns: a copy in the request is replaced rather than signed twice.
const OWNED: [&str; 7] = [
    "authorization",
    "x-acs-date",
    "x-acs-signature-nonce",
    "x-acs-content-sha256",
    "x-acs-security-token",
    "x-acs-bearer-token",
    "x-acs-signature-type",
];

pub(crate) fn is_owned_header(name: &str) -> bool {
    OWNED.iter().any(|owned| owned.eq_ignore_ascii_case(name))
}

pub(crate) fn sign<'c>(
    algorithm: SignatureAlgorithm,
    request: &SignableRequest<'_>,
    credentials: &'c Credentials,
    context: &SigningContext,
) -> Result<SigningOutput<'c>, SigningError> {
    let token = credentials.security_token();
    let mut out = SigningOutput::signed(algorithm, credentials, context);
    out.timestamp = context.iso8601_inline()?;
    out.payload_hash = payload_hash(algorithm, request)?;
    let own: [(&str, &[u8]); 4] = [
        ("x-acs-content-sha256", out.payload_hash.as_bytes()),
        ("x-acs-date", out.timestamp.as_bytes()),
        ("x-acs-signature-nonce", out.nonce.as_bytes()),
        ("x-acs-security-token", token.unwrap_or("").as_bytes()),
    ];
    let own = if token.is_some() { &own[..] } else { &own[..3] };

    let mut buffer = crate::buffer::take();
    let id = credentials.access_key_id();
    let signed = build(
        &mut buffer,
        request,
        own,
        true,
        out.payload_hash.as_str(),
        id.len(),
    )?;
    let string_to_sign = string_to_sign_inline(algorithm, &buffer);
    out.signature = signature_inline(algorithm, credentials.access_key_secret(), &string_to_sign);
    out.v3_string_to_sign = string_to_sign;
    out.authorization_start = buffer.len();
    push_authorization(
        &mut buffer,
        algorithm,
        id,
        Some(signed),
        &[],
        out.signature.as_bytes(),
    );
    out.buffer = buffer;
    Ok(out)
}

/// The hex digest of the body, or the caller's precomputed one after checking its form.
fn payload_hash(
    algorithm: SignatureAlgorithm,
    request: &SignableRequest<'_>,
) -> Result<InlineStr<64>, SigningError> {
    let mut out = InlineStr::new();
    match request.payload_hash {
        Some(given) => {
            let ok = given.len() == 64
                && given
                    .bytes()
                    .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
            if !ok || out.push_str(given).is_none() {
                return Err(SigningError::new(
                    SigningErrorKind::InvalidPayloadHash,
                    "expected 64 lower-case hex digits",
                ));
            }
        }
        None => {
            if request.body.is_empty() {
                // Most calls have no body: skip hashing nothing.
                let _ = out.push_str(empty_payload_hash(algorithm));
            } else {
                let _ = out.push_hex(&hash(algorithm, request.body));
            }
        }
    }
    Ok(out)
}

/// The hex digest of an empty body.
fn empty_payload_hash(algorithm: SignatureAlgorithm) -> &'static str {
    if algorithm == SignatureAlgorithm::Acs3HmacSm3 {
        "1ab21d8355cfa17f8e61194831e81a8f22bec8c728fefb747ed035eb5082aa2b"
    } else {
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    }
}

fn hash(algorithm: SignatureAlgorithm, data: &[u8]) -> [u8; 32] {
    if algorithm == SignatureAlgorithm::Acs3HmacSm3 {
        sm3(data)
    } else {
        sha256(data)
    }
}

fn string_to_sign_inline(algorithm: SignatureAlgorithm, canonical: &[u8]) -> InlineStr<96> {
    let mut out = InlineStr::new();
    let _ = out.push_str(algorithm_name(algorithm));
    let _ = out.push_str("\n");
    let _ = out.push_hex(&hash(algorithm, canonical));
    out
}

fn signature_inline(
    algorithm: SignatureAlgorithm,
    secret: &str,
    sts: &InlineStr<96>,
) -> InlineStr<64> {
    let mac = if algorithm == SignatureAlgorithm::Acs3HmacSm3 {
        hmac_sm3(secret.as_bytes(), sts.as_bytes())
    } else {
        hmac_sha256(secret.as_bytes(), sts.as_bytes())
    };
    let mut out = InlineStr::new();
    let _ = out.push_hex(&mac);
    out
}

fn algorithm_name(algorithm: SignatureAlgorithm) -> &'static str {
    if algorithm == SignatureAlgorithm::Acs3HmacSm3 {
        "ACS3-HMAC-SM3"
    } else {
        "ACS3-HMAC-SHA256"
    }
}

/// Appends `ALGORITHM Credential=<id>,SignedHeaders=<list>,Signature=<hex>` to `out`. The
/// signed-header list is `out[within]` when given (the canonical request being in `out`), else
/// `signed_headers`.
fn push_authorization(
    out: &mut Vec<u8>,
    algorithm: SignatureAlgorithm,
    access_key_id: &str,
    within: Option<Range<usize>>,
    signed_headers: &[u8],
    signature: &[u8],
) {
    out.extend_from_slice(algorithm_name(algorithm).as_bytes());
    out.extend_from_slice(b" Credential=");
    out.extend_from_slice(access_key_id.as_bytes());
    out.extend_from_slice(b",SignedHeaders=");
    match within {
        Some(range) => out.extend_from_within(range),
        None => out.extend_from_slice(signed_headers),
    }
    out.extend_from_slice(b",Signature=");
    out.extend_from_slice(signature);
}

/// The V3 canonical request of exactly this request's headers (nothing added or replaced), with
/// the payload hash `payload_hash` (lower-case hex), for checking a signature by hand or on a
/// server.
///
/// ```
/// use acs_signer::{v3, SignableRequest};
/// let query = [("test", "ok"), ("empty", "")];
/// let headers = [("x-acs-test", "http"), ("x-acs-TEST", "https")];
/// let request = SignableRequest::new("GET", "").query(&query).headers(&headers);
/// let hash = "55e12e91650d2fec56ec74e1d3e4ddbfce2ef3a65890c2a19ecf88a307e76a23";
/// assert_eq!(v3::canonical_request(&request, hash)?,
///            format!("GET\n/\nempty=&test=ok\nx-acs-test:http,https\n\nx-acs-test\n{hash}"));
/// # Ok::<(), acs_signer::SigningError>(())
/// ```
pub fn canonical_request(
    request: &SignableRequest<'_>,
    payload_hash: &str,
) -> Result<String, SigningError> {
    check_method(request.method)?;
    let mut out = Vec::new();
    build(&mut out, request, &[], false, payload_hash, 0)?;
    // Built from `&str` pieces and ASCII escapes only.
    Ok(String::from_utf8(out).unwrap_or_default())
}

/// The `Authorization` header value for a canonical request.
///
/// ```
/// use acs_signer::{v3, SignatureAlgorithm};
/// let canonical = "GET\n/\nempty=&test=ok\nx-acs-test:http,https\n\nx-acs-test\n\
///     55e12e91650d2fec56ec74e1d3e4ddbfce2ef3a65890c2a19ecf88a307e76a23";
/// let auth = v3::authorization(SignatureAlgorithm::Acs3HmacSha256, "acesskey", "secret", canonical);
/// assert!(auth.ends_with("Signature=d16b30a7699ae9e43875b13195b2f81bcc3ed10c14a9b5eb780e51619aa50be1"));
/// ```
pub fn authorization(
    algorithm: SignatureAlgorithm,
    access_key_id: &str,
    secret: &str,
    canonical_request: &str,
) -> String {
    let sts = string_to_sign_inline(algorithm, canonical_request.as_bytes());
    let signature = signature_inline(algorithm, secret, &sts);
    let signed_headers = canonical_request.rsplit('\n').nth(1).unwrap_or("");
    let mut out = Vec::new();
    push_authorization(
        &mut out,
        algorithm,
        access_key_id,
        None,
        signed_headers.as_bytes(),
        signature.as_bytes(),
    );
    // Built from `&str` pieces and ASCII hex only.
    String::from_utf8(out).unwrap_or_default()
}

/// The V3 string-to-sign of a canonical request: `ALGORITHM\n<hex hash>`.
///
/// ```
/// use acs_signer::{v3, SignatureAlgorithm};
/// let sts = v3::string_to_sign(SignatureAlgorithm::Acs3HmacSha256, "");
/// assert_eq!(sts, "ACS3-HMAC-SHA256\n\
///     e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
/// ```
pub fn string_to_sign(algorithm: SignatureAlgorithm, canonical_request: &str) -> String {
    string_to_sign_inline(algorithm, canonical_request.as_bytes())
        .as_str()
        .to_owned()
}

/// Whether a header takes part in a V3 signature.
fn is_signed_header(name: &str) -> bool {
    is_acs_header(name)
        || name.eq_ignore_ascii_case("host")
        || name.eq_ignore_ascii_case("content-type")
}

/// Writes the canonical request into `out` and returns where its signed-header list lies.
fn build(
    out: &mut Vec<u8>,
    request: &SignableRequest<'_>,
    own: &[(&str, &[u8])],
    replace_owned: bool,
    payload_hash: &str,
    access_key_id_len: usize,
) -> Result<Range<usize>, SigningError> {
    let mut headers = HeaderBuf::new();
    for i in 0..request.headers.param_count() {
        let (name, value) = request.headers.param(i);
        check_header(name, value)?;
        if is_signed_header(name) && !(replace_owned && is_owned_header(name)) {
            headers.push_header(name, value.trim_matches([' ', '\t']).as_bytes());
        }
    }
    for &(name, value) in own {
        headers.push_header(name, value);
    }
    let headers = headers.sorted_headers();

    let mut query = ParamBuf::new();
    for i in 0..request.query.param_count() {
        let (name, value) = request.query.param(i);
        query.push(name, value.as_bytes());
    }
    let query = query.sorted();

    // Encoding writes at most 3 bytes per input byte.
    let bound = request.method.len()
        + 3 * request.path.len()
        + query
            .iter()
            .map(|e| 3 * (e.name.len() + e.value.len()) + 2)
            .sum::<usize>()
        + 2 * header_groups_bound(headers)
        + payload_hash.len()
        + 8;
    // Room for the Authorization value after the canonical request: its fixed text, the key
    // id, the signed-header list and a 64-digit signature.
    let spare = 96 + access_key_id_len + header_groups_bound(headers) + 64;
    let mut signed = 0..0;
    write_bounded(out, bound, spare, |w| {
        with_simd(|| {
            w.put(request.method.as_bytes());
            w.put_byte(b'\n');
            if request.path.is_empty() {
                w.put_byte(b'/');
            } else if request.path_encoded {
                w.put(request.path.as_bytes());
            } else {
                w.encode_path(request.path);
            }
            w.put_byte(b'\n');
            for (i, entry) in query.iter().enumerate() {
                if i > 0 {
                    w.put_byte(b'&');
                }
                w.encode_component(entry.name.as_bytes());
                w.put_byte(b'=');
                w.encode_component(entry.value);
            }
            w.put_byte(b'\n');
            write_header_groups(w, headers);
            w.put_byte(b'\n');
            let start = w.len();
            let mut previous: Option<&str> = None;
            for &Entry { name, .. } in headers {
                if previous.is_some_and(|p| p.eq_ignore_ascii_case(name)) {
                    continue;
                }
                if previous.is_some() {
                    w.put_byte(b';');
                }
                w.put_lowercase(name);
                previous = Some(name);
            }
            signed = start..w.len();
            w.put_byte(b'\n');
            w.put(payload_hash.as_bytes());
        })
    });
    Ok(signed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_payload_hashes_are_the_digests_of_nothing() {
        for algorithm in [
            SignatureAlgorithm::Acs3HmacSha256,
            SignatureAlgorithm::Acs3HmacSm3,
        ] {
            let mut expected = InlineStr::<64>::new();
            let _ = expected.push_hex(&hash(algorithm, b""));
            assert_eq!(empty_payload_hash(algorithm), expected.as_str());
        }
    }
}
