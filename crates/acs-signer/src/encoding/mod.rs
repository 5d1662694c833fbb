//! Percent-encoding as Alibaba Cloud's APIs expect it ("POP encoding").
//!
//! RFC 3986: the unreserved set `A-Z a-z 0-9 - _ . ~` is kept as is; every other byte of the
//! UTF-8 form becomes `%XX` with upper-case hex. So a space is `%20` (never `+`), `*` is `%2A` and
//! `~` stays `~`. The path variant also keeps `/`.

use std::mem::MaybeUninit;

#[cfg(target_arch = "x86_64")]
mod x86;

const HEX_UPPER: &[u8; 16] = b"0123456789ABCDEF";

/// `true` for the bytes RFC 3986 calls unreserved.
const UNRESERVED: [bool; 256] = unreserved_table(false);
/// The unreserved bytes plus `/`, for paths.
const UNRESERVED_OR_SLASH: [bool; 256] = unreserved_table(true);

const fn unreserved_table(keep_slash: bool) -> [bool; 256] {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        table[b] = c.is_ascii_alphanumeric()
            || c == b'-'
            || c == b'_'
            || c == b'.'
            || c == b'~'
            || (keep_slash && c == b'/');
        b += 1;
    }
    table
}

/// For each byte, its encoded form packed little-endian into the low bytes of a `u64`, with the
/// form's length in the top byte. Writing all eight bytes and advancing by the length encodes
/// without a data-dependent branch: escaped bytes come irregularly in JSON-like values, where a
/// branch mispredicts constantly.
const fn encoding_table(keep: &[bool; 256], double: bool) -> [u64; 256] {
    let mut table = [0u64; 256];
    let mut b = 0;
    while b < 256 {
        let (bytes, len): ([u8; 5], u64) = if keep[b] {
            ([b as u8, 0, 0, 0, 0], 1)
        } else if double {
            ([b'%', b'2', b'5', HEX_UPPER[b >> 4], HEX_UPPER[b & 15]], 5)
        } else {
            ([b'%', HEX_UPPER[b >> 4], HEX_UPPER[b & 15], 0, 0], 3)
        };
        let mut word = len << 56;
        let mut i = 0;
        while i < 5 {
            word |= (bytes[i] as u64) << (8 * i);
            i += 1;
        }
        table[b] = word;
        b += 1;
    }
    table
}

const ENCODE_COMPONENT: [u64; 256] = encoding_table(&UNRESERVED, false);
const ENCODE_COMPONENT_TWICE: [u64; 256] = encoding_table(&UNRESERVED, true);
const ENCODE_PATH: [u64; 256] = encoding_table(&UNRESERVED_OR_SLASH, false);

/// The three encodings the signers need.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Flavor {
    /// A query name or value: `%XX` for every byte outside the unreserved set.
    Component,
    /// A query name or value encoded twice (RPC v1's string-to-sign): `%25XX`.
    ComponentTwice,
    /// A path: like `Component`, but `/` is kept.
    Path,
}

impl Flavor {
    fn table(self) -> &'static [u64; 256] {
        match self {
            Self::Component => &ENCODE_COMPONENT,
            Self::ComponentTwice => &ENCODE_COMPONENT_TWICE,
            Self::Path => &ENCODE_PATH,
        }
    }
}

/// Spare bytes the writer needs past the real output, for its fixed-size windows (the SIMD
/// encoder's are 96 bytes, holding at most 80 of real output).
const WRITE_SLACK: usize = 96;

/// Whether `byte` is left as is by [`percent_encode`].
///
/// ```
/// use acs_signer::encoding::is_unreserved;
/// assert!(is_unreserved(b'~') && is_unreserved(b'Z'));
/// assert!(!is_unreserved(b'*') && !is_unreserved(b' ') && !is_unreserved(b'/'));
/// ```
pub fn is_unreserved(byte: u8) -> bool {
    UNRESERVED[usize::from(byte)]
}

/// Percent-encodes a query name or value.
///
/// ```
/// use acs_signer::encoding::percent_encode;
/// assert_eq!(percent_encode("a/b/c/ test"), "a%2Fb%2Fc%2F%20test");
/// assert_eq!(percent_encode("*~é"), "%2A~%C3%A9");
/// ```
pub fn percent_encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + value.len() / 2);
    percent_encode_into(&mut out, value);
    out
}

/// Appends the percent-encoded form of `value` to `out`.
///
/// ```
/// use acs_signer::encoding::percent_encode_into;
/// let mut query = String::from("Action=");
/// percent_encode_into(&mut query, "Describe Regions");
/// assert_eq!(query, "Action=Describe%20Regions");
/// ```
pub fn percent_encode_into(out: &mut String, value: &str) {
    encode_to_string(out, value, Flavor::Component);
}

/// Percent-encodes a URL path, keeping its `/` separators.
///
/// ```
/// use acs_signer::encoding::percent_encode_path;
/// assert_eq!(percent_encode_path("/path/ test"), "/path/%20test");
/// ```
pub fn percent_encode_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len() + 8);
    percent_encode_path_into(&mut out, path);
    out
}

/// Appends the percent-encoded form of the URL path `path` to `out`, keeping `/`.
///
/// ```
/// use acs_signer::encoding::percent_encode_path_into;
/// let mut url = String::from("https://cs.aliyuncs.com");
/// percent_encode_path_into(&mut url, "/clusters/c 1");
/// assert_eq!(url, "https://cs.aliyuncs.com/clusters/c%201");
/// ```
pub fn percent_encode_path_into(out: &mut String, path: &str) {
    encode_to_string(out, path, Flavor::Path);
}

fn encode_to_string(out: &mut String, value: &str, flavor: Flavor) {
    // Chunks of at most 51 bytes encode to at most 255 bytes: the buffer always suffices.
    let mut bytes = [MaybeUninit::<u8>::uninit(); 255 + WRITE_SLACK];
    out.reserve(value.len() + value.len() / 2);
    let mut rest = value;
    while !rest.is_empty() {
        let mut cut = rest.len().min(51);
        while !rest.is_char_boundary(cut) {
            cut -= 1;
        }
        let (chunk, tail) = rest.split_at(cut);
        let mut writer = SliceWriter {
            buf: &mut bytes,
            pos: 0,
        };
        writer.encode(chunk.as_bytes(), flavor);
        // Encoded output is ASCII by construction, so this never falls back.
        out.push_str(std::str::from_utf8(writer.written()).unwrap_or_default());
        rest = tail;
    }
}

/// Writes into uninitialised memory sized in advance to an upper bound of the output.
///
/// The signers size one buffer per signature, write through this with a local index, then
/// take what was written ([`write_bounded`]). A `Vec::push` loop would reload the length from
/// memory on every byte and call `memcpy` for every piece: several times slower; zeroing the
/// bound first (to write into initialised memory) costs about 60 ns a signature.
///
/// Invariant, relied on by [`Self::written`] and [`write_bounded`]: every byte of
/// `buf[..pos]` has been written. Each method writes bytes from `pos` on (sometimes more than
/// it keeps, which the next write overwrites) and only then advances `pos` over bytes it wrote.
pub(crate) struct SliceWriter<'a> {
    buf: &'a mut [MaybeUninit<u8>],
    pos: usize,
}

impl SliceWriter<'_> {
    /// Bytes written so far.
    pub(crate) fn len(&self) -> usize {
        self.pos
    }

    /// What has been written so far.
    pub(crate) fn written(&self) -> &[u8] {
        let written = &self.buf[..self.pos];
        // SAFETY: the type's invariant: every byte before `pos` has been written.
        #[allow(unsafe_code)]
        unsafe {
            written.assume_init_ref()
        }
    }

    /// Writes `bytes` as they are. Short pieces (separators, constant names) are copied as one
    /// or two fixed-size words, overlapping when needed, instead of through a `memcpy` call.
    #[inline]
    pub(crate) fn put(&mut self, bytes: &[u8]) {
        let n = bytes.len();
        let dest = &mut self.buf[self.pos..self.pos + n];
        if let (Some(head), Some(tail)) = (bytes.first_chunk::<16>(), bytes.last_chunk::<16>())
            && n <= 32
        {
            dest[..16].write_copy_of_slice(head);
            dest[n - 16..].write_copy_of_slice(tail);
        } else if let (Some(head), Some(tail)) = (bytes.first_chunk::<8>(), bytes.last_chunk::<8>())
            && n <= 16
        {
            dest[..8].write_copy_of_slice(head);
            dest[n - 8..].write_copy_of_slice(tail);
        } else if let (Some(head), Some(tail)) = (bytes.first_chunk::<4>(), bytes.last_chunk::<4>())
            && n < 8
        {
            dest[..4].write_copy_of_slice(head);
            dest[n - 4..].write_copy_of_slice(tail);
        } else {
            dest.write_copy_of_slice(bytes);
        }
        self.pos += n;
    }

    pub(crate) fn put_lowercase(&mut self, bytes: &str) {
        let slots = &mut self.buf[self.pos..self.pos + bytes.len()];
        for (slot, b) in slots.iter_mut().zip(bytes.bytes()) {
            slot.write(b.to_ascii_lowercase());
        }
        self.pos += bytes.len();
    }

    pub(crate) fn put_byte(&mut self, byte: u8) {
        self.buf[self.pos].write(byte);
        self.pos += 1;
    }

    /// Writes `value` encoded as `flavor`; needs [`WRITE_SLACK`] spare bytes.
    ///
    /// On x86-64 with SSSE3, plain short values and plain tails are copied after one SIMD
    /// check, whole 16-byte groups go through the SIMD encoder, and the rest through
    /// [`Self::encode_scalar`]. (Running short values and tails through SIMD from a zero-padded
    /// copy was measured slower: the copy costs more than it saves.)
    #[inline(always)]
    pub(crate) fn encode(&mut self, value: &[u8], flavor: Flavor) {
        #[cfg(target_arch = "x86_64")]
        let value = {
            let double = flavor == Flavor::ComponentTwice;
            let keep_slash = flavor == Flavor::Path;
            let done = x86::encode(self.buf, &mut self.pos, value, double, keep_slash);
            value.get(done..).unwrap_or_default()
        };
        self.encode_scalar(value, flavor.table());
    }

    /// The portable encoder, through an [`encoding_table`].
    ///
    /// Every eight input bytes get a fixed 72-byte window of the output (one bounds check);
    /// inside it the write offset is masked, so the compiler drops the per-byte checks. Each
    /// byte stores its whole 8-byte table word and advances by the word's length. (Staging
    /// through a stack array instead stalls on store-to-load forwarding; padding the last group
    /// to eight bytes costs more than the branch it saves.)
    #[inline]
    fn encode_scalar(&mut self, value: &[u8], table: &[u64; 256]) {
        for group in value.chunks(8) {
            let Some(window) = self
                .buf
                .get_mut(self.pos..)
                .and_then(|b| b.first_chunk_mut::<72>())
            else {
                // Unreachable: buffers are sized from upper bounds plus WRITE_SLACK.
                return;
            };
            let mut j = 0usize;
            for &b in group {
                let word = table[usize::from(b)];
                // At most 7 * 5 = 35 bytes precede this store, so the mask never changes `j`.
                let at = j & 63;
                window[at..at + 8].write_copy_of_slice(&word.to_le_bytes());
                j += (word >> 56) as usize;
            }
            self.pos += j;
        }
    }

    /// Writes `value` percent-encoded as a query name or value (at most 3 bytes per byte).
    pub(crate) fn encode_component(&mut self, value: &[u8]) {
        self.encode(value, Flavor::Component);
    }

    /// Writes `value` percent-encoded twice, RPC v1's string-to-sign (at most 5 bytes per byte).
    #[inline(always)]
    pub(crate) fn encode_component_twice(&mut self, value: &[u8]) {
        self.encode(value, Flavor::ComponentTwice);
    }

    /// Writes `path` percent-encoded, keeping `/` (at most 3 bytes per byte).
    pub(crate) fn encode_path(&mut self, path: &str) {
        self.encode(path.as_bytes(), Flavor::Path);
    }
}

/// Runs `f` compiled for the best SIMD level this CPU has (SSSE3 on x86-64), so the encoders it
/// calls are inlined into it rather than called once per name and value.
#[inline]
pub(crate) fn with_simd<R>(f: impl FnOnce() -> R) -> R {
    #[cfg(target_arch = "x86_64")]
    return x86::with_ssse3(f);
    #[cfg(not(target_arch = "x86_64"))]
    f()
}

/// Appends to `out` what `write` writes, given an upper bound `bound` of its length, leaving
/// room for `spare` more bytes without reallocating.
pub(crate) fn write_bounded(
    out: &mut Vec<u8>,
    bound: usize,
    spare: usize,
    write: impl FnOnce(&mut SliceWriter<'_>),
) {
    let start = out.len();
    if out.capacity() == 0 {
        // A fresh buffer (the usual case): allocate directly rather than through the growth path.
        *out = Vec::with_capacity(bound + WRITE_SLACK.max(spare));
    } else {
        out.reserve_exact(bound + WRITE_SLACK.max(spare));
    }
    let mut writer = SliceWriter {
        buf: &mut out.spare_capacity_mut()[..bound + WRITE_SLACK],
        pos: 0,
    };
    write(&mut writer);
    let written = writer.pos;
    // SAFETY: the capacity was made at least `start + bound + WRITE_SLACK` above, the writer
    // never advances past its `bound + WRITE_SLACK` slots, and its invariant says it wrote every
    // one of the `written` bytes it advanced over.
    #[allow(unsafe_code)]
    unsafe {
        out.set_len(start + written);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `percent_encode(percent_encode(value))` in one pass, as RPC v1 signs parameters.
    fn double_percent_encode(value: &str) -> String {
        let mut out = String::new();
        encode_to_string(&mut out, value, Flavor::ComponentTwice);
        out
    }

    #[test]
    fn official_examples() {
        assert_eq!(percent_encode_path("/path/ test"), "/path/%20test");
        assert_eq!(percent_encode("a/b/c/ test"), "a%2Fb%2Fc%2F%20test");
        assert_eq!(
            percent_encode("2016-02-23T12:46:24Z"),
            "2016-02-23T12%3A46%3A24Z"
        );
        assert_eq!(percent_encode(" *~"), "%20%2A~");
    }

    #[test]
    fn double_encoding_equals_encoding_twice() {
        for value in [
            "",
            "abc",
            "a b",
            "é*~",
            "12:46",
            "%",
            "x=y&z",
            &"é ".repeat(100),
        ] {
            assert_eq!(
                double_percent_encode(value),
                percent_encode(&percent_encode(value))
            );
        }
    }

    #[test]
    fn multibyte_characters_at_every_position() {
        assert_eq!(percent_encode("é"), "%C3%A9");
        assert_eq!(percent_encode("aé"), "a%C3%A9");
        assert_eq!(percent_encode("éa"), "%C3%A9a");
        assert_eq!(percent_encode("中文/x"), "%E4%B8%AD%E6%96%87%2Fx");
        assert_eq!(percent_encode_path("/中/"), "/%E4%B8%AD/");
        // Long values cross the 51-byte chunks of the `String` path mid-character.
        let long = "中".repeat(40);
        assert_eq!(percent_encode(&long), "%E4%B8%AD".repeat(40));
    }

    /// Encodes with the portable encoder only.
    pub(crate) fn scalar(value: &[u8], flavor: Flavor) -> Vec<u8> {
        let mut out = Vec::new();
        write_bounded(&mut out, value.len() * 5, 0, |w| {
            w.encode_scalar(value, flavor.table())
        });
        out
    }

    /// Encodes through the dispatching encoder (SIMD where available).
    pub(crate) fn dispatched(value: &[u8], flavor: Flavor) -> Vec<u8> {
        let mut out = Vec::new();
        write_bounded(&mut out, value.len() * 5, 0, |w| w.encode(value, flavor));
        out
    }

    #[test]
    fn simd_and_scalar_agree_on_every_byte_at_every_position() {
        for flavor in [Flavor::Component, Flavor::ComponentTwice, Flavor::Path] {
            for b in 0..=255u8 {
                for position in 0..33 {
                    let mut value = b"abcdefghijklmnopqrstuvwxyz0123456789".to_vec();
                    value.insert(position, b);
                    assert_eq!(
                        dispatched(&value, flavor),
                        scalar(&value, flavor),
                        "{flavor:?} {b}"
                    );
                }
                let all = [b; 40];
                assert_eq!(
                    dispatched(&all, flavor),
                    scalar(&all, flavor),
                    "{flavor:?} {b}"
                );
            }
        }
    }

    #[test]
    fn every_length_with_and_without_an_escape_matches_the_scalar_encoder() {
        // Lengths around the short-value copy (<= 16), the 16-byte groups and the tails, with
        // no escape, or one reserved byte at each position (including inside a plain tail's
        // overlapping window).
        for flavor in [Flavor::Component, Flavor::ComponentTwice, Flavor::Path] {
            for len in 0..=50 {
                let plain: Vec<u8> = (0..len).map(|i| b"aZ0-._~9"[i % 8]).collect();
                assert_eq!(
                    dispatched(&plain, flavor),
                    scalar(&plain, flavor),
                    "{flavor:?} {len}"
                );
                for at in 0..len {
                    for reserved in [b'/', b' ', b'%', 0x00, 0xff] {
                        let mut value = plain.clone();
                        value[at] = reserved;
                        assert_eq!(
                            dispatched(&value, flavor),
                            scalar(&value, flavor),
                            "{flavor:?} {len} {at} {reserved}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn bounded_writes_fill_exactly_the_bound() {
        let worst = "\u{7f}".repeat(100);
        let mut out = Vec::new();
        write_bounded(&mut out, 500, 0, |w| {
            w.encode_component_twice(worst.as_bytes())
        });
        assert_eq!(out.len(), 500);
    }
}
