//! The hash and MAC primitives behind the signatures, exposed for verifiers (such as a test
//! server) and for debugging.
//!
//! SHA-256 and HMAC-SHA256 come from `ring`. SHA-1 comes from RustCrypto's `sha1`, which uses the
//! CPU's SHA extensions when present (ring's SHA-1 is portable code, about 2.5 times slower). SM3
//! (GB/T 32905) comes from RustCrypto's `sm3`.

use hmac::{Hmac, Mac};

/// HMAC-SHA1 of `data` under `key`.
///
/// ```
/// use acs_signer::digest::hmac_sha1;
/// // RFC 2202, test case 2.
/// let mac = hmac_sha1(b"Jefe", b"what do ya want for nothing?");
/// assert_eq!(mac[..4], [0xef, 0xfc, 0xdf, 0x6a]);
/// ```
pub fn hmac_sha1(key: &[u8], data: &[u8]) -> [u8; 20] {
    crate::sha1_mac::hmac_sha1(key, data)
}

/// SHA-256 of `data`.
///
/// ```
/// use acs_signer::digest::sha256;
/// assert_eq!(sha256(b"")[..4], [0xe3, 0xb0, 0xc4, 0x42]);
/// ```
pub fn sha256(data: &[u8]) -> [u8; 32] {
    let digest = ring::digest::digest(&ring::digest::SHA256, data);
    let mut out = [0u8; 32];
    out.copy_from_slice(digest.as_ref());
    out
}

/// HMAC-SHA256 of `data` under `key`.
///
/// ```
/// use acs_signer::digest::hmac_sha256;
/// // RFC 4231, test case 2.
/// let mac = hmac_sha256(b"Jefe", b"what do ya want for nothing?");
/// assert_eq!(mac[..4], [0x5b, 0xdc, 0xc1, 0x46]);
/// ```
pub fn hmac_sha256(key: &[u8], data: &[u8]) -> [u8; 32] {
    let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, key);
    let tag = ring::hmac::sign(&key, data);
    let mut out = [0u8; 32];
    out.copy_from_slice(tag.as_ref());
    out
}

/// SM3 of `data`.
///
/// ```
/// use acs_signer::digest::sm3;
/// // GB/T 32905-2016, example 1.
/// assert_eq!(sm3(b"abc")[..4], [0x66, 0xc7, 0xf0, 0xf4]);
/// ```
pub fn sm3(data: &[u8]) -> [u8; 32] {
    use sm3::Digest;
    sm3::Sm3::digest(data).into()
}

/// HMAC-SM3 of `data` under `key`.
///
/// ```
/// use acs_signer::digest::hmac_sm3;
/// let mac = hmac_sm3(b"secret", b"source");
/// assert_eq!(mac[..4], [0xb9, 0xff, 0x64, 0x68]);
/// ```
pub fn hmac_sm3(key: &[u8], data: &[u8]) -> [u8; 32] {
    let Ok(mut mac) = Hmac::<sm3::Sm3>::new_from_slice(key) else {
        return [0; 32];
    };
    mac.update(data);
    mac.finalize().into_bytes().into()
}
