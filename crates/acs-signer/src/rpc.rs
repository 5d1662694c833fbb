//! RPC v1: `SignatureMethod=HMAC-SHA1`, `SignatureVersion=1.0`.
//!
//! The query and form-body parameters, plus the signer's own (`AccessKeyId`, `SignatureMethod`,
//! `SignatureNonce`, `SignatureVersion`, `Timestamp` and, for temporary credentials,
//! `SecurityToken`), are sorted by name in byte order and joined as `enc(name)=enc(value)` with
//! `&`. The string-to-sign is `METHOD&%2F&enc(that)`; the signature is the Base64 HMAC-SHA1 of it
//! under the key `secret + "&"`, sent as the `Signature` query parameter.

use base64::Engine as _;
use zeroize::Zeroize as _;

use crate::algorithm::SignatureAlgorithm;
use crate::canonical::check_method;
use crate::context::SigningContext;
use crate::credentials::Credentials;
use crate::digest::hmac_sha1;
use crate::encoding::write_bounded;
use crate::error::SigningError;
use crate::inline::InlineStr;
use crate::output::SigningOutput;
use crate::params::{Entry, ParamBuf, Params};
use crate::request::SignableRequest;

/// Parameters the signer owns: any copy in the request (from an earlier attempt, say) is
/// replaced rather than signed twice.
const OWNED: [&str; 9] = [
    "AccessKeyId",
    "BearerToken",
    "SecurityToken",
    "Signature",
    "SignatureMethod",
    "SignatureNonce",
    "SignatureType",
    "SignatureVersion",
    "Timestamp",
];

/// Blocks are hashed once this many bytes have been written past them: hashing bytes just
/// written stalls on store-to-load forwarding (measured slower than hashing at the end).
const LAG: usize = 256;

pub(crate) fn is_owned_param(name: &str) -> bool {
    OWNED.contains(&name)
}

pub(crate) fn sign<'c>(
    request: &SignableRequest<'_>,
    credentials: &'c Credentials,
    context: &SigningContext,
) -> Result<SigningOutput<'c>, SigningError> {
    let token = credentials.security_token();
    let mut out = SigningOutput::signed(SignatureAlgorithm::RpcV1, credentials, context);
    out.timestamp = context.iso8601_inline()?;

    let mut pairs = ParamBuf::new();
    for list in [request.query, request.form] {
        for i in 0..list.param_count() {
            let (name, value) = list.param(i);
            if !is_owned_param(name) {
                pairs.push(name, value.as_bytes());
            }
        }
    }
    let auth: [(&str, &[u8]); 6] = [
        ("AccessKeyId", credentials.access_key_id().as_bytes()),
        ("SignatureMethod", b"HMAC-SHA1"),
        ("SignatureNonce", out.nonce.as_bytes()),
        ("SignatureVersion", b"1.0"),
        ("Timestamp", out.timestamp.as_bytes()),
        ("SecurityToken", token.unwrap_or("").as_bytes()),
    ];
    let auth = if token.is_some() {
        &auth[..]
    } else {
        &auth[..5]
    };
    for &(name, value) in auth {
        pairs.push(name, value);
    }

    let mut string_to_sign = Vec::new();
    let key = credentials.rpc_v1_key();
    let mut mac = key.start();
    let mut hashed = 0;
    write_string_to_sign(
        &mut string_to_sign,
        request.method,
        pairs.sorted(),
        |written| {
            // Hash each block as soon as it is complete, while the next parameter is encoded.
            let lagged = written.len().saturating_sub(LAG).max(hashed);
            let (blocks, _) = written[hashed..lagged].as_chunks::<64>();
            mac.blocks(blocks);
            hashed += blocks.len() * 64;
        },
    );
    let (blocks, tail) = string_to_sign[hashed..].as_chunks::<64>();
    mac.blocks(blocks);
    let mac = key.finish(mac, tail);
    drop(pairs);
    out.signature = base64_inline(&mac);
    out.authorization_start = string_to_sign.len();
    out.buffer = string_to_sign;
    Ok(out)
}

/// Writes the string-to-sign into `out`, showing what has been written so far to `progress`
/// after each parameter.
pub(crate) fn write_string_to_sign(
    out: &mut Vec<u8>,
    method: &str,
    sorted: &[Entry<'_>],
    mut progress: impl FnMut(&[u8]),
) {
    // Double encoding writes at most 5 bytes per input byte; 6 more per pair for `%3D`, `%26`.
    let bound = method.len()
        + 5
        + sorted
            .iter()
            .map(|e| 5 * (e.name.len() + e.value.len()) + 6)
            .sum::<usize>();
    write_bounded(out, bound, 0, |w| {
        w.put(method.as_bytes());
        w.put(b"&%2F&");
        for (i, entry) in sorted.iter().enumerate() {
            if i > 0 {
                w.put(b"%26");
            }
            w.encode_component_twice(entry.name.as_bytes());
            w.put(b"%3D");
            w.encode_component_twice(entry.value);
            progress(w.written());
        }
    });
}

/// The RPC v1 string-to-sign of exactly these parameters (nothing added), for checking a
/// signature by hand or on a server.
///
/// ```
/// use acs_signer::rpc;
/// let params = [("query", "test"), ("body", "test")];
/// assert_eq!(rpc::string_to_sign("GET", &params)?, "GET&%2F&body%3Dtest%26query%3Dtest");
/// # Ok::<(), acs_signer::SigningError>(())
/// ```
pub fn string_to_sign(method: &str, params: &dyn Params) -> Result<String, SigningError> {
    check_method(method)?;
    let mut pairs = ParamBuf::new();
    for i in 0..params.param_count() {
        let (name, value) = params.param(i);
        pairs.push(name, value.as_bytes());
    }
    let mut out = Vec::new();
    write_string_to_sign(&mut out, method, pairs.sorted(), |_| {});
    // Method and double-encoded parameters are ASCII.
    Ok(String::from_utf8(out).unwrap_or_default())
}

/// The Base64 HMAC-SHA1 of `string_to_sign` under `secret + "&"`.
///
/// ```
/// use acs_signer::rpc;
/// assert_eq!(rpc::signature("secret", "GET&%2F&body%3Dtest%26query%3Dtest"),
///            "XlUyV4sXjOuX5FnjUz9IF9tm5rU=");
/// ```
pub fn signature(secret: &str, string_to_sign: &str) -> String {
    signature_inline(secret, string_to_sign.as_bytes())
        .as_str()
        .to_owned()
}

fn signature_inline(secret: &str, string_to_sign: &[u8]) -> InlineStr<64> {
    let secret = secret.as_bytes();
    let mac = if secret.len() < 64 {
        let mut key = [0u8; 64];
        key[..secret.len()].copy_from_slice(secret);
        key[secret.len()] = b'&';
        let mac = hmac_sha1(&key[..=secret.len()], string_to_sign);
        key.zeroize();
        mac
    } else {
        let mut key = zeroize::Zeroizing::new(Vec::with_capacity(secret.len() + 1));
        key.extend_from_slice(secret);
        key.push(b'&');
        hmac_sha1(&key, string_to_sign)
    };
    base64_inline(&mac)
}

pub(crate) fn base64_inline(bytes: &[u8]) -> InlineStr<64> {
    let mut buf = [0u8; 64];
    let n = base64::engine::general_purpose::STANDARD
        .encode_slice(bytes, &mut buf)
        .unwrap_or(0);
    let mut out = InlineStr::new();
    let _ = out.push_ascii(&buf[..n]);
    out
}
