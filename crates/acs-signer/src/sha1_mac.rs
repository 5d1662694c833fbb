//! HMAC-SHA1 with the key's padded blocks absorbed once.
//!
//! RPC v1 signs every request under the same key (`secret + "&"`), so the SHA-1 states after
//! the inner (`key ^ ipad`) and outer (`key ^ opad`) blocks are computed once per credentials
//! and kept beside the secret, wiped with it. A signature then costs only the message's blocks
//! plus one outer block, all compressed straight from the signer's buffer by RustCrypto's
//! `sha1` (SHA-NI where the CPU has it).

use zeroize::{Zeroize, ZeroizeOnDrop};

const BLOCK: usize = 64;

/// SHA-1's initial state (FIPS 180-4, 5.3.1).
const INITIAL: [u32; 5] = [
    0x6745_2301,
    0xEFCD_AB89,
    0x98BA_DCFE,
    0x1032_5476,
    0xC3D2_E1F0,
];

fn compress(state: &mut [u32; 5], blocks: &[[u8; BLOCK]]) {
    sha1::block_api::compress(state, blocks);
}

/// An HMAC-SHA1 key, reduced to the SHA-1 states after its inner and outer padded blocks.
///
/// Holding these states is as good as holding the key, so they are wiped on drop.
#[derive(Zeroize, ZeroizeOnDrop)]
pub(crate) struct HmacSha1Key {
    inner: [u32; 5],
    outer: [u32; 5],
}

impl HmacSha1Key {
    /// The key `key` (RFC 2104: hashed first when longer than a block).
    pub(crate) fn new(key: &[u8]) -> Self {
        let mut padded = [0u8; BLOCK];
        if key.len() > BLOCK {
            let mut hashed = Sha1Stream::new(INITIAL, 0);
            let (blocks, tail) = key.as_chunks::<BLOCK>();
            hashed.blocks(blocks);
            let digest = hashed.finish(tail);
            padded[..20].copy_from_slice(&digest);
        } else {
            padded[..key.len()].copy_from_slice(key);
        }
        let mut inner = INITIAL;
        let mut outer = INITIAL;
        let mut block = padded.map(|b| b ^ 0x36);
        compress(&mut inner, std::slice::from_ref(&block));
        block = padded.map(|b| b ^ 0x5c);
        compress(&mut outer, std::slice::from_ref(&block));
        block.zeroize();
        padded.zeroize();
        Self { inner, outer }
    }

    /// RPC v1's key, `secret + "&"`, assembled in wiped memory (on the stack for secrets up
    /// to 127 bytes).
    pub(crate) fn rpc_v1(secret: &[u8]) -> Self {
        let mut short = zeroize::Zeroizing::new([0u8; 128]);
        if let Some(key) = short.get_mut(..=secret.len()) {
            key[..secret.len()].copy_from_slice(secret);
            key[secret.len()] = b'&';
            return Self::new(key);
        }
        let mut long = zeroize::Zeroizing::new(Vec::with_capacity(secret.len() + 1));
        long.extend_from_slice(secret);
        long.push(b'&');
        Self::new(&long)
    }

    /// Starts a MAC: feed whole blocks with [`Sha1Stream::blocks`], then [`Self::finish`].
    pub(crate) fn start(&self) -> Sha1Stream {
        Sha1Stream::new(self.inner, BLOCK as u64)
    }

    /// The MAC of everything fed to `stream` followed by `tail` (shorter than a block).
    pub(crate) fn finish(&self, mut stream: Sha1Stream, tail: &[u8]) -> [u8; 20] {
        let inner = stream.finish(tail);
        let mut outer = Sha1Stream::new(self.outer, BLOCK as u64);
        outer.finish(&inner)
    }

    /// The MAC of `message`, hashed in one pass: SHA-1's padding is appended to `message` (it
    /// needs at most 72 bytes of spare capacity to avoid growing), all of its blocks are
    /// compressed in one call, and `message` is cut back to its own length.
    pub(crate) fn mac_in_place(&self, message: &mut Vec<u8>) -> [u8; 20] {
        let length = message.len();
        let bits = (BLOCK as u64 + length as u64) * 8;
        let zeros = (BLOCK - (length + 9) % BLOCK) % BLOCK;
        message.push(0x80);
        message.extend_from_slice(&[0u8; BLOCK][..zeros]);
        message.extend_from_slice(&bits.to_be_bytes());
        let mut inner = self.start();
        inner.blocks(message.as_chunks::<BLOCK>().0);
        message.truncate(length);
        let inner = inner.digest();
        let mut outer = Sha1Stream::new(self.outer, BLOCK as u64);
        outer.finish(&inner)
    }
}

/// HMAC-SHA1 of `data` under `key`, in one call.
pub(crate) fn hmac_sha1(key: &[u8], data: &[u8]) -> [u8; 20] {
    let key = HmacSha1Key::new(key);
    let mut stream = key.start();
    let (blocks, tail) = data.as_chunks::<BLOCK>();
    stream.blocks(blocks);
    key.finish(stream, tail)
}

/// A SHA-1 computation in progress, fed whole blocks. Its state derives from the key, so it is
/// wiped on drop too.
#[derive(Zeroize, ZeroizeOnDrop)]
pub(crate) struct Sha1Stream {
    state: [u32; 5],
    /// Bytes absorbed so far (a multiple of the block size).
    length: u64,
}

impl Sha1Stream {
    fn new(state: [u32; 5], length: u64) -> Self {
        Self { state, length }
    }

    /// Absorbs whole 64-byte blocks.
    #[inline]
    pub(crate) fn blocks(&mut self, blocks: &[[u8; BLOCK]]) {
        compress(&mut self.state, blocks);
        self.length += (blocks.len() * BLOCK) as u64;
    }

    /// The digest of the blocks absorbed followed by `tail` (at most 63 bytes; more is cut).
    fn finish(&mut self, tail: &[u8]) -> [u8; 20] {
        let tail = &tail[..tail.len().min(BLOCK - 1)];
        let bits = (self.length + tail.len() as u64) * 8;
        let mut last = [0u8; 2 * BLOCK];
        last[..tail.len()].copy_from_slice(tail);
        last[tail.len()] = 0x80;
        // The length goes in the last 8 bytes of the first block that has room after the 0x80.
        let end = if tail.len() < BLOCK - 8 {
            BLOCK
        } else {
            2 * BLOCK
        };
        last[end - 8..end].copy_from_slice(&bits.to_be_bytes());
        compress(&mut self.state, last[..end].as_chunks::<BLOCK>().0);
        // `last` holds only message bytes and the inner digest, neither of them secret.
        self.digest()
    }

    /// The state as a digest (meaningful once the padding has been absorbed).
    fn digest(&self) -> [u8; 20] {
        let mut out = [0u8; 20];
        for (word, bytes) in self.state.iter().zip(out.chunks_exact_mut(4)) {
            bytes.copy_from_slice(&word.to_be_bytes());
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::HmacSha1Key;
    use hmac_reference::{Hmac, KeyInit, Mac};

    fn hmac_sha1(key: &[u8], data: &[u8]) -> [u8; 20] {
        let mut mac = Hmac::<sha1::Sha1>::new_from_slice(key).expect("any key length");
        mac.update(data);
        mac.finalize().into_bytes().into()
    }

    fn mac(key: &[u8], data: &[u8]) -> [u8; 20] {
        let key = HmacSha1Key::new(key);
        let mut stream = key.start();
        let (blocks, tail) = data.as_chunks::<64>();
        stream.blocks(blocks);
        key.finish(stream, tail)
    }

    #[test]
    fn matches_the_reference_hmac_for_every_length_and_key_size() {
        let data: Vec<u8> = (0..300u32).map(|i| (i * 7 + 3) as u8).collect();
        for key_len in [0, 1, 20, 63, 64, 65, 100, 129] {
            let key: Vec<u8> = (0..key_len).map(|i| (i * 13) as u8).collect();
            for len in 0..data.len() {
                assert_eq!(
                    mac(&key, &data[..len]),
                    hmac_sha1(&key, &data[..len]),
                    "key {key_len} data {len}"
                );
            }
        }
    }

    #[test]
    fn in_place_mac_matches_and_leaves_the_message_as_it_was() {
        let data: Vec<u8> = (0..300u32).map(|i| (i * 11 + 5) as u8).collect();
        for key_len in [1, 31, 64, 100] {
            let key_bytes: Vec<u8> = (0..key_len).map(|i| (i * 3) as u8).collect();
            let key = HmacSha1Key::new(&key_bytes);
            for len in 0..data.len() {
                let mut message = data[..len].to_vec();
                assert_eq!(
                    key.mac_in_place(&mut message),
                    hmac_sha1(&key_bytes, &data[..len]),
                    "key {key_len} data {len}"
                );
                assert_eq!(message, &data[..len]);
            }
        }
    }

    #[test]
    fn rpc_v1_key_is_the_secret_and_an_ampersand() {
        for len in [1, 127, 128, 200] {
            let secret = vec![b's'; len];
            let mut with_ampersand = secret.clone();
            with_ampersand.push(b'&');
            let mut a = b"data".to_vec();
            let mut b = a.clone();
            assert_eq!(
                HmacSha1Key::rpc_v1(&secret).mac_in_place(&mut a),
                HmacSha1Key::new(&with_ampersand).mac_in_place(&mut b),
                "{len}"
            );
        }
    }

    #[test]
    fn rfc_2202_case_2() {
        let mac = mac(b"Jefe", b"what do ya want for nothing?");
        assert_eq!(
            mac,
            [
                0xef, 0xfc, 0xdf, 0x6a, 0xe5, 0xeb, 0x2f, 0xa2, 0xd2, 0x74, 0x16, 0xd5, 0xf1, 0x84,
                0xdf, 0x9c, 0x25, 0x9a, 0x7c, 0x79
            ]
        );
    }
}
