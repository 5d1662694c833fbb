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
    check_header, check_method, is_acs_header, push_lowercase, sort_headers, sort_pairs,
};
use crate::context::SigningContext;
use crate::credentials::Credentials;
use crate::digest::hmac_sha1;
use crate::error::SigningError;
use crate::output::{Scheme, SigningOutput};
use crate::params::PairBuf;
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
    check_method(request.method)?;
    let token = credentials.security_token();
    let mut out = SigningOutput::empty(
        Scheme::Signed(SignatureAlgorithm::Roa),
        credentials.access_key_id(),
        token,
        *context.nonce(),
    );
    out.timestamp = context.http_date_inline()?;
    let own = [
        ("date", out.timestamp.as_str()),
        ("x-acs-signature-method", "HMAC-SHA1"),
        ("x-acs-signature-nonce", out.nonce.as_str()),
        ("x-acs-signature-version", "1.0"),
        ("x-acs-security-token", token.unwrap_or("")),
    ];
    let own = if token.is_some() { &own[..] } else { &own[..4] };
    out.string_to_sign = build(request, own, true)?;
    let mac = hmac_sha1(
        credentials.access_key_secret().as_bytes(),
        out.string_to_sign.as_bytes(),
    );
    out.signature = base64_inline(&mac);
    let id = credentials.access_key_id();
    let mut authorization = String::with_capacity(5 + id.len() + out.signature.as_str().len());
    authorization.push_str("acs ");
    authorization.push_str(id);
    authorization.push(':');
    authorization.push_str(out.signature.as_str());
    out.authorization = authorization;
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
    build(request, &[], false)
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
    own: &[(&str, &str)],
    replace_owned: bool,
) -> Result<String, SigningError> {
    let headers = request.headers;
    let mut accept = "";
    let mut content_md5 = "";
    let mut content_type = "";
    let mut date = "";
    let mut acs = PairBuf::new();
    let mut len = 64 + request.path.len();
    for i in 0..headers.param_count() {
        let (name, value) = headers.param(i);
        check_header(name, value)?;
        let value = value.trim_matches([' ', '\t']);
        if replace_owned && is_owned_header(name) {
            continue;
        }
        len += name.len() + value.len() + 2;
        if is_acs_header(name) {
            acs.push((name, value));
        } else if name.eq_ignore_ascii_case("accept") {
            accept = value;
        } else if name.eq_ignore_ascii_case("content-md5") {
            content_md5 = value;
        } else if name.eq_ignore_ascii_case("content-type") {
            content_type = value;
        } else if name.eq_ignore_ascii_case("date") {
            date = value;
        }
    }
    for &(name, value) in own {
        len += name.len() + value.len() + 2;
        if name == "date" {
            date = value;
        } else {
            acs.push((name, value));
        }
    }
    let acs = acs.as_mut_slice();
    sort_headers(acs);

    let mut query = PairBuf::new();
    for i in 0..request.query.param_count() {
        let (name, value) = request.query.param(i);
        len += name.len() + value.len() + 2;
        query.push((name, value));
    }
    let query = query.as_mut_slice();
    sort_pairs(query);

    let mut out = String::with_capacity(len);
    for part in [request.method, accept, content_md5, content_type, date] {
        out.push_str(part);
        out.push('\n');
    }
    write_header_groups(&mut out, acs);
    out.push_str(request.path);
    for (i, (name, value)) in query.iter().enumerate() {
        out.push(if i == 0 { '?' } else { '&' });
        out.push_str(name);
        if !value.is_empty() {
            out.push('=');
            out.push_str(value);
        }
    }
    Ok(out)
}

/// Writes sorted headers as `name:v1,v2\n`, one line per lower-cased name.
pub(crate) fn write_header_groups(out: &mut String, sorted: &[(&str, &str)]) {
    let mut i = 0;
    while i < sorted.len() {
        let (name, value) = sorted[i];
        push_lowercase(out, name);
        out.push(':');
        out.push_str(value);
        i += 1;
        while i < sorted.len() && sorted[i].0.eq_ignore_ascii_case(name) {
            out.push(',');
            out.push_str(sorted[i].1);
            i += 1;
        }
        out.push('\n');
    }
}
