//! ROA: `Authorization: acs <AccessKeyId>:<signature>`.
//!
//! The string-to-sign is
//!
//! ```text
//! METHOD\nAccept\nContent-MD5\nContent-Type\nDate\n
//! <x-acs-* headers, lower-cased, sorted, each "name:value\n">
//! <path>[?<query sorted by name, "name=value" or "name" when the value is empty, joined by &>]
//! ```
//!
//! with raw (unencoded) query values, and the signature is its Base64 HMAC-SHA1 under the raw
//! secret. The signer adds `Date`, `x-acs-signature-nonce`, `x-acs-signature-method`,
//! `x-acs-signature-version` and, for temporary credentials, `x-acs-security-token`.

use crate::algorithm::SignatureAlgorithm;
use crate::canonical::{
    check_header, check_method, header_groups_bound, is_acs_header, write_header_groups,
};
use crate::context::SigningContext;
use crate::credentials::Credentials;
use crate::digest::hmac_sha1;
use crate::encoding::write_bounded;
use crate::error::SigningError;
use crate::output::SigningOutput;
use crate::params::{HeaderBuf, ParamBuf};
use crate::request::SignableRequest;
use crate::rpc::base64_inline;

/// Headers the signer owns: a copy in the request is replaced rather than signed twice.
const OWNED: [&str; 7] = [
    "date",
    "authorization",
    "x-acs-signature-nonce",
    "x-acs-signature-method",
    "x-acs-signature-version",
    "x-acs-security-token",
    "x-acs-bearer-token",
];

pub(crate) fn is_owned_header(name: &str) -> bool {
    OWNED.iter().any(|owned| owned.eq_ignore_ascii_case(name))
}

pub(crate) fn sign<'c>(
    request: &SignableRequest<'_>,
    credentials: &'c Credentials,
    context: &SigningContext,
) -> Result<SigningOutput<'c>, SigningError> {
    let token = credentials.security_token();
    let mut out = SigningOutput::signed(SignatureAlgorithm::Roa, credentials, context);
    out.timestamp = context.http_date_inline()?;
    let own: [(&str, &[u8]); 5] = [
        ("date", out.timestamp.as_bytes()),
        ("x-acs-signature-method", b"HMAC-SHA1"),
        ("x-acs-signature-nonce", out.nonce.as_bytes()),
        ("x-acs-signature-version", b"1.0"),
        ("x-acs-security-token", token.unwrap_or("").as_bytes()),
    ];
    let own = if token.is_some() { &own[..] } else { &own[..4] };
    let id = credentials.access_key_id();
    // Room for `acs <id>:<28 Base64 characters>` after the string-to-sign.
    let mut buffer = build(request, own, true, id.len() + 40)?;
    let mac = hmac_sha1(credentials.access_key_secret().as_bytes(), &buffer);
    out.signature = base64_inline(&mac);
    out.authorization_start = buffer.len();
    buffer.extend_from_slice(b"acs ");
    buffer.extend_from_slice(id.as_bytes());
    buffer.push(b':');
    buffer.extend_from_slice(out.signature.as_bytes());
    out.buffer = buffer;
    Ok(out)
}

/// The ROA string-to-sign of exactly this request's headers and query (nothing added).
///
/// ```
/// use acs_signer::{roa, SignableRequest};
/// let query = [("ccp", "ok"), ("test", "tests"), ("test1", "")];
/// let headers = [("x-acs-meta", "user"), ("accept", "application/json"),
///                ("content-md5", "md5"), ("content-type", "application/json"), ("date", "date")];
/// let request = SignableRequest::new("GET", "Pathname").query(&query).headers(&headers);
/// assert_eq!(roa::string_to_sign(&request)?,
///     "GET\napplication/json\nmd5\napplication/json\ndate\nx-acs-meta:user\n\
///      Pathname?ccp=ok&test=tests&test1");
/// # Ok::<(), acs_signer::SigningError>(())
/// ```
pub fn string_to_sign(request: &SignableRequest<'_>) -> Result<String, SigningError> {
    check_method(request.method)?;
    // Built from `&str` pieces only, so always valid UTF-8.
    Ok(String::from_utf8(build(request, &[], false, 0)?).unwrap_or_default())
}

/// The Base64 HMAC-SHA1 of `string_to_sign` under the raw `secret`.
///
/// ```
/// use acs_signer::roa;
/// let sts = "GET\napplication/octet-stream\n\n\n2018-12-04T03:55:31Z\n\
///            x-acs-signature-method:HMAC-SHA1\nx-acs-signature-version:1.0\n/";
/// assert_eq!(roa::signature("access_key_secret", sts), "HKCpm41tJg6b3EYdtGMbNuwALZU=");
/// ```
pub fn signature(secret: &str, string_to_sign: &str) -> String {
    base64_inline(&hmac_sha1(secret.as_bytes(), string_to_sign.as_bytes()))
        .as_str()
        .to_owned()
}

/// Builds the string-to-sign from the request plus the signer's own headers `own` (already
/// lower-case and sorted). With `replace_owned`, request headers the signer owns are skipped.
fn build(
    request: &SignableRequest<'_>,
    own: &[(&str, &[u8])],
    replace_owned: bool,
    spare: usize,
) -> Result<Vec<u8>, SigningError> {
    let headers = request.headers;
    let mut accept: &[u8] = b"";
    let mut content_md5: &[u8] = b"";
    let mut content_type: &[u8] = b"";
    let mut date: &[u8] = b"";
    let mut acs = HeaderBuf::new();
    // Method, path and the four fixed headers with their newlines; query pairs added below.
    let mut len = request.method.len() + request.path.len() + 5;
    for i in 0..headers.param_count() {
        let (name, value) = headers.param(i);
        check_header(name, value)?;
        let value = value.trim_matches([' ', '\t']).as_bytes();
        if replace_owned && is_owned_header(name) {
            continue;
        }
        if is_acs_header(name) {
            acs.push_header(name, value);
        } else if name.eq_ignore_ascii_case("accept") {
            len += value.len();
            accept = value;
        } else if name.eq_ignore_ascii_case("content-md5") {
            len += value.len();
            content_md5 = value;
        } else if name.eq_ignore_ascii_case("content-type") {
            len += value.len();
            content_type = value;
        } else if name.eq_ignore_ascii_case("date") {
            len += value.len();
            date = value;
        }
    }
    for &(name, value) in own {
        if name == "date" {
            len += value.len();
            date = value;
        } else {
            acs.push_header(name, value);
        }
    }
    let acs = acs.sorted_headers();

    let mut query = ParamBuf::new();
    for i in 0..request.query.param_count() {
        let (name, value) = request.query.param(i);
        len += name.len() + value.len() + 2;
        query.push(name, value.as_bytes());
    }
    let query = query.sorted();

    let bound = len + header_groups_bound(acs);
    let mut out = crate::buffer::take();
    write_bounded(&mut out, bound, spare, |w| {
        for part in [
            request.method.as_bytes(),
            accept,
            content_md5,
            content_type,
            date,
        ] {
            w.put(part);
            w.put_byte(b'\n');
        }
        write_header_groups(w, acs);
        w.put(request.path.as_bytes());
        for (i, entry) in query.iter().enumerate() {
            w.put_byte(if i == 0 { b'?' } else { b'&' });
            w.put(entry.name.as_bytes());
            if !entry.value.is_empty() {
                w.put_byte(b'=');
                w.put(entry.value);
            }
        }
    });
    Ok(out)
}
