//! RPC v1: `SignatureMethod=HMAC-SHA1`, `SignatureVersion=1.0`.
//!
//! The query and form-body parameters, plus the signer's own (`AccessKeyId`, `SignatureMethod`,
//! `SignatureNonce`, `SignatureVersion`, `Timestamp` and, for temporary credentials,
//! `SecurityToken`), are sorted by name in byte order and joined as `enc(name)=enc(value)` with
//! `&`. The string-to-sign is `METHOD&%2F&enc(that)`; the signature is the Base64 HMAC-SHA1 of it
//! under the key `secret + "&"`, sent as the `Signature` query parameter.

use crate::algorithm::SignatureAlgorithm;
use crate::canonical::check_method;
use crate::context::SigningContext;
use crate::credentials::Credentials;
use crate::encoding::{SliceWriter, with_simd, write_bounded};
use crate::error::SigningError;
use crate::inline::InlineStr;
use crate::output::SigningOutput;
use crate::params::{Entry, ParamBuf, Params, name_key};
use crate::request::SignableRequest;
use crate::sha1_mac::HmacSha1Key;

/// Parameters the signer owns: any copy in the request (from an earlier attempt, say) is
/// replaced rather than signed twice.
pub(crate) fn is_owned_param(name: &str) -> bool {
    // Every owned name starts with one of these: most request parameters are ruled out without
    // a string comparison.
    matches!(name.as_bytes().first(), Some(b'A' | b'B' | b'S' | b'T'))
        && matches!(
            name,
            "AccessKeyId"
                | "BearerToken"
                | "SecurityToken"
                | "Signature"
                | "SignatureMethod"
                | "SignatureNonce"
                | "SignatureType"
                | "SignatureVersion"
                | "Timestamp"
        )
}

/// A parameter the signer adds, written in its double-encoded form directly: its name (and,
/// where fixed, its value) is a constant, and its value needs at most a known fix-up.
#[derive(Clone, Copy)]
pub(crate) struct OwnParam<'a> {
    /// The sort key of `name` (see [`name_key`]).
    key: u64,
    name: &'static str,
    /// `name%3D`, followed by the value when it is fixed, already double-encoded.
    head: &'static [u8],
    value: OwnValue<'a>,
}

#[derive(Clone, Copy)]
enum OwnValue<'a> {
    /// The value is part of `head`.
    InHead,
    /// Only unreserved characters (a [`crate::Nonce`]): written as is.
    Unreserved(&'a [u8]),
    /// `yyyy-MM-ddTHH:mm:ssZ`: only the two colons need encoding (`%253A`).
    Timestamp(&'a [u8]),
    /// Anything else (key id, security token): double-encoded.
    Encode(&'a [u8]),
}

impl OwnParam<'_> {
    fn bound(&self) -> usize {
        self.head.len()
            + match self.value {
                OwnValue::InHead => 0,
                OwnValue::Unreserved(v) | OwnValue::Timestamp(v) | OwnValue::Encode(v) => {
                    5 * v.len()
                }
            }
    }

    fn write(&self, w: &mut SliceWriter<'_>) {
        w.put(self.head);
        match self.value {
            OwnValue::InHead => {}
            OwnValue::Unreserved(v) => w.put(v),
            // `yyyy-MM-ddTHH` `:` `mm` `:` `ssZ`: the colons double-encoded.
            OwnValue::Timestamp(v) if v.len() == 20 && v[13] == b':' && v[16] == b':' => {
                w.put(&v[..13]);
                w.put(b"%253A");
                w.put(&v[14..16]);
                w.put(b"%253A");
                w.put(&v[17..]);
            }
            OwnValue::Timestamp(v) | OwnValue::Encode(v) => w.encode_component_twice(v),
        }
    }

    /// Whether this parameter sorts before `entry` (names are never equal: the request's own
    /// copies of these parameters are dropped).
    fn precedes(&self, entry: &Entry<'_>) -> bool {
        (self.key, self.name.as_bytes()) < (entry.key, entry.name.as_bytes())
    }
}

const fn own(name: &'static str, head: &'static [u8]) -> (u64, &'static str, &'static [u8]) {
    (name_key(name), name, head)
}

const ACCESS_KEY_ID: (u64, &str, &[u8]) = own("AccessKeyId", b"AccessKeyId%3D");
const SECURITY_TOKEN: (u64, &str, &[u8]) = own("SecurityToken", b"SecurityToken%3D");
const SIGNATURE_METHOD: (u64, &str, &[u8]) = own("SignatureMethod", b"SignatureMethod%3DHMAC-SHA1");
const SIGNATURE_NONCE: (u64, &str, &[u8]) = own("SignatureNonce", b"SignatureNonce%3D");
const SIGNATURE_VERSION: (u64, &str, &[u8]) = own("SignatureVersion", b"SignatureVersion%3D1.0");
const TIMESTAMP: (u64, &str, &[u8]) = own("Timestamp", b"Timestamp%3D");

fn own_param<'a>(
    (key, name, head): (u64, &'static str, &'static [u8]),
    value: OwnValue<'a>,
) -> OwnParam<'a> {
    OwnParam {
        key,
        name,
        head,
        value,
    }
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
    let access_key_id = own_param(
        ACCESS_KEY_ID,
        OwnValue::Encode(credentials.access_key_id().as_bytes()),
    );
    let rest = [
        own_param(SIGNATURE_METHOD, OwnValue::InHead),
        own_param(SIGNATURE_NONCE, OwnValue::Unreserved(out.nonce.as_bytes())),
        own_param(SIGNATURE_VERSION, OwnValue::InHead),
        own_param(TIMESTAMP, OwnValue::Timestamp(out.timestamp.as_bytes())),
    ];
    // In byte order of name.
    let with_token;
    let without_token;
    let own: &[OwnParam<'_>] = match token {
        Some(token) => {
            let token = own_param(SECURITY_TOKEN, OwnValue::Encode(token.as_bytes()));
            with_token = [access_key_id, token, rest[0], rest[1], rest[2], rest[3]];
            &with_token
        }
        None => {
            without_token = [access_key_id, rest[0], rest[1], rest[2], rest[3]];
            &without_token
        }
    };

    let mut string_to_sign = crate::buffer::take();
    write_string_to_sign(&mut string_to_sign, request.method, pairs.sorted(), own);
    let mac = credentials.rpc_v1_key().mac_in_place(&mut string_to_sign);
    drop(pairs);
    out.signature = base64_inline(&mac);
    out.authorization_start = string_to_sign.len();
    out.buffer = string_to_sign;
    Ok(out)
}

/// Writes the string-to-sign of the request's parameters `sorted` merged with the signer's
/// own `own` (both in byte order of name) into `out`.
///
/// (Hashing each block as soon as it was written, to overlap hashing with encoding, was
/// measured no faster: the SHA-1 call costs more per call than the overlap saves.)
pub(crate) fn write_string_to_sign(
    out: &mut Vec<u8>,
    method: &str,
    sorted: &[Entry<'_>],
    own: &[OwnParam<'_>],
) {
    // Double encoding writes at most 5 bytes per input byte; 6 more per pair for `%3D`, `%26`.
    let bound = method.len()
        + 5
        + sorted
            .iter()
            .map(|e| 5 * (e.name.len() + e.value.len()) + 6)
            .sum::<usize>()
        + own.iter().map(|o| o.bound() + 3).sum::<usize>();
    write_bounded(out, bound, 0, |w| {
        with_simd(|| {
            w.put(method.as_bytes());
            w.put(b"&%2F&");
            let mut own = own.iter().peekable();
            let mut first = true;
            let mut separate = |w: &mut SliceWriter<'_>| {
                if !first {
                    w.put(b"%26");
                }
                first = false;
            };
            for entry in sorted {
                while let Some(param) = own.next_if(|o| o.precedes(entry)) {
                    separate(w);
                    param.write(w);
                }
                separate(w);
                w.encode_component_twice(entry.name.as_bytes());
                w.put(b"%3D");
                w.encode_component_twice(entry.value);
            }
            for param in own {
                separate(w);
                param.write(w);
            }
        })
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
    write_string_to_sign(&mut out, method, pairs.sorted(), &[]);
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
    let mut message = Vec::with_capacity(string_to_sign.len() + 72);
    message.extend_from_slice(string_to_sign);
    base64_inline(&HmacSha1Key::rpc_v1(secret.as_bytes()).mac_in_place(&mut message))
}

/// The standard Base64 of a 20-byte HMAC-SHA1 (28 characters, one `=` of padding).
///
/// Written out for this one length: the signer's hot path spent more in the general encoder's
/// set-up than in the encoding; the unit tests check it against the `base64` crate.
pub(crate) fn base64_inline(mac: &[u8; 20]) -> InlineStr<64> {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let sextet = |word: u32, shift: u32| ALPHABET[(word >> shift) as usize & 63];
    let mut text = [b'='; 28];
    let (groups, last) = mac.as_chunks::<3>();
    for (&[a, b, c], out) in groups.iter().zip(text.as_chunks_mut::<4>().0) {
        let word = u32::from(a) << 16 | u32::from(b) << 8 | u32::from(c);
        *out = [
            sextet(word, 18),
            sextet(word, 12),
            sextet(word, 6),
            sextet(word, 0),
        ];
    }
    if let &[a, b] = last {
        let word = u32::from(a) << 16 | u32::from(b) << 8;
        text[24..27].copy_from_slice(&[sextet(word, 18), sextet(word, 12), sextet(word, 6)]);
    }
    let mut out = InlineStr::new();
    let _ = out.push_ascii(&text);
    out
}

#[cfg(test)]
mod tests {
    use base64::Engine as _;

    #[test]
    fn mac_base64_matches_the_base64_crate() {
        let mut state = 0x2545_f491_4f6c_dd1du64;
        for _ in 0..2000 {
            let mut mac = [0u8; 20];
            for b in &mut mac {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                *b = state as u8;
            }
            let expected = base64::engine::general_purpose::STANDARD.encode(mac);
            assert_eq!(super::base64_inline(&mac).as_str(), expected);
        }
        assert_eq!(
            super::base64_inline(&[0xff; 20]).as_str(),
            "//////////////////////////8="
        );
    }
}
