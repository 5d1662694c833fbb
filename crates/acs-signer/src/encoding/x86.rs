//! SSSE3 percent-encoding for x86-64: sixteen input bytes per step, no per-byte branches.
//!
//! Each quarter of a 16-byte group (four bytes) becomes one `pshufb` (two for double encoding)
//! from a 16-byte "source" vector holding the four raw bytes, their four high hex digits, their
//! four low hex digits and the constants `%`, `2`, `5`. A 16-entry table, indexed by which of
//! the four bytes need escaping, gives the shuffle that lays out the encoded bytes; the
//! quarter's output length comes from the same index. Which bytes need escaping comes from two
//! nibble-indexed class tables (two more `pshufb`). Values of at most 16 bytes that need no
//! escaping, and plain tails of longer ones, are copied after one such check. The scalar
//! encoder handles the rest and serves CPUs without SSSE3; the unit tests in `mod.rs` (every
//! byte at every position, every length around the 16-byte boundaries) and
//! `tests/properties.rs` check the two agree.
//!
//! Besides the writer's two marked blocks in `mod.rs`, this is the crate's only `unsafe` code:
//! unaligned SIMD loads and stores whose bounds are checked with safe slice operations just
//! before, and the calls into SSSE3 functions, made only after runtime detection.
#![allow(unsafe_code)]

use std::mem::MaybeUninit;

use std::arch::x86_64::{
    __m128i, _mm_and_si128, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_set_epi64x,
    _mm_set1_epi8, _mm_set1_epi32, _mm_setr_epi8, _mm_setzero_si128, _mm_shuffle_epi8,
    _mm_srli_epi16, _mm_storeu_si128, _mm_unpackhi_epi32, _mm_unpackhi_epi64, _mm_unpacklo_epi32,
    _mm_unpacklo_epi64,
};

/// Source positions: raw bytes 0..4, high digits 4..8, low digits 8..12, then `%`, `2`, `5`.
const PERCENT: u8 = 12;
const TWO: u8 = 13;
const FIVE: u8 = 14;
/// `pshufb` writes zero for an index with the top bit set.
const NONE: u8 = 0x80;

/// Shuffle patterns for one half (four input bytes), indexed by the escape mask, for single
/// encoding (`%XX`: at most 12 output bytes).
static SINGLE: [[u8; 16]; 16] = patterns(false, 0);
/// The first and second 16 bytes of the patterns for double encoding (`%25XX`: at most 20).
static DOUBLE_LO: [[u8; 16]; 16] = patterns(true, 0);
static DOUBLE_HI: [[u8; 16]; 16] = patterns(true, 16);

const fn patterns(double: bool, skip: usize) -> [[u8; 16]; 16] {
    let mut table = [[NONE; 16]; 16];
    let mut mask = 0;
    while mask < 16 {
        let mut full = [NONE; 32];
        let mut n = 0;
        let mut i = 0;
        while i < 4 {
            if mask & (1 << i) != 0 {
                full[n] = PERCENT;
                n += 1;
                if double {
                    full[n] = TWO;
                    full[n + 1] = FIVE;
                    n += 2;
                }
                full[n] = 4 + i as u8;
                full[n + 1] = 8 + i as u8;
                n += 2;
            } else {
                full[n] = i as u8;
                n += 1;
            }
            i += 1;
        }
        let mut k = 0;
        while k < 16 {
            table[mask][k] = full[skip + k];
            k += 1;
        }
        mask += 1;
    }
    table
}

/// Whether this CPU can run [`encode`]'s SIMD path (cached by the standard library).
pub(super) fn available() -> bool {
    std::arch::is_x86_feature_detected!("ssse3")
}

/// Runs `f` inside a function compiled for SSSE3 when the CPU has it, so the encoders `f` calls
/// are inlined into it rather than called once per value (a signature encodes a few dozen
/// short names and values, where the call is a good part of the cost).
#[inline]
pub(super) fn with_ssse3<R>(f: impl FnOnce() -> R) -> R {
    if available() {
        // SAFETY: SSSE3 support was just detected at runtime.
        unsafe { run_ssse3(f) }
    } else {
        f()
    }
}

#[target_feature(enable = "ssse3")]
fn run_ssse3<R>(f: impl FnOnce() -> R) -> R {
    f()
}

/// Encodes what it can of `value` into `buf` at `*pos`, advancing it; returns how many input
/// bytes were consumed, leaving the rest to the scalar encoder: all of a plain value of at most
/// 16 bytes, whole 16-byte groups of a longer one (and its tail, when plain), nothing of a short
/// value that needs escaping. Stops early when fewer than 96 bytes of `buf` remain.
#[inline(always)]
pub(super) fn encode(
    buf: &mut [MaybeUninit<u8>],
    pos: &mut usize,
    value: &[u8],
    double: bool,
    keep_slash: bool,
) -> usize {
    if !available() {
        return 0;
    }
    if value.len() <= 16 {
        // SAFETY: SSSE3 support was just detected at runtime.
        if unsafe { copy_if_plain(buf, pos, value, keep_slash) } {
            return value.len();
        }
        if value.len() < 16 {
            return 0;
        }
    }
    // SAFETY: as above.
    unsafe {
        if double {
            encode_ssse3::<true>(buf, pos, value, keep_slash)
        } else {
            encode_ssse3::<false>(buf, pos, value, keep_slash)
        }
    }
}

#[target_feature(enable = "ssse3")]
fn encode_ssse3<const DOUBLE: bool>(
    buf: &mut [MaybeUninit<u8>],
    pos: &mut usize,
    value: &[u8],
    keep_slash: bool,
) -> usize {
    let classes = Classes::new(keep_slash);
    let hex = _mm_setr_epi8(
        b'0' as i8, b'1' as i8, b'2' as i8, b'3' as i8, b'4' as i8, b'5' as i8, b'6' as i8,
        b'7' as i8, b'8' as i8, b'9' as i8, b'A' as i8, b'B' as i8, b'C' as i8, b'D' as i8,
        b'E' as i8, b'F' as i8,
    );
    let constants = _mm_set1_epi32(i32::from_le_bytes([b'%', b'2', b'5', 0]));
    let mut consumed = 0;
    for group in value.chunks_exact(16) {
        // Every store below lands in `window`: at most 3 * 20 + 32 bytes from its start.
        let Some(window) = buf.get_mut(*pos..).and_then(|b| b.first_chunk_mut::<96>()) else {
            break;
        };
        let Some(input) = group.first_chunk::<16>() else {
            break;
        };
        // SAFETY: `input` is 16 readable bytes; `_mm_loadu_si128` reads exactly 16.
        let x = unsafe { _mm_loadu_si128(input.as_ptr().cast::<__m128i>()) };
        let (high_nibbles, low_nibbles) = nibbles(x);
        let reserved = classes.reserved(high_nibbles, low_nibbles);
        if reserved == 0 {
            // Nothing to escape: the sixteen bytes are their own encoding.
            // SAFETY: 16 bytes at the start of the 96-byte `window`.
            unsafe { _mm_storeu_si128(window.as_mut_ptr().cast::<__m128i>(), x) };
            *pos += 16;
            consumed += 16;
            continue;
        }
        let high = _mm_shuffle_epi8(hex, high_nibbles);
        let low = _mm_shuffle_epi8(hex, low_nibbles);
        let raw_high_lo = _mm_unpacklo_epi32(x, high);
        let raw_high_hi = _mm_unpackhi_epi32(x, high);
        let low_consts_lo = _mm_unpacklo_epi32(low, constants);
        let low_consts_hi = _mm_unpackhi_epi32(low, constants);
        let quarters = [
            _mm_unpacklo_epi64(raw_high_lo, low_consts_lo),
            _mm_unpackhi_epi64(raw_high_lo, low_consts_lo),
            _mm_unpacklo_epi64(raw_high_hi, low_consts_hi),
            _mm_unpackhi_epi64(raw_high_hi, low_consts_hi),
        ];
        let mut at = 0usize;
        for (k, source) in quarters.into_iter().enumerate() {
            let mask = (reserved >> (4 * k)) as usize & 15;
            let escaped = mask.count_ones() as usize;
            // SAFETY: each table row is 16 readable bytes; each store writes 16 bytes at
            // `at` or `at + 16` with `at <= 60`, inside the 96-byte `window`.
            unsafe {
                let out = window.as_mut_ptr().add(at).cast::<__m128i>();
                if DOUBLE {
                    let lo = _mm_loadu_si128(DOUBLE_LO[mask].as_ptr().cast::<__m128i>());
                    let hi = _mm_loadu_si128(DOUBLE_HI[mask].as_ptr().cast::<__m128i>());
                    _mm_storeu_si128(out, _mm_shuffle_epi8(source, lo));
                    _mm_storeu_si128(out.add(1), _mm_shuffle_epi8(source, hi));
                } else {
                    let pattern = _mm_loadu_si128(SINGLE[mask].as_ptr().cast::<__m128i>());
                    _mm_storeu_si128(out, _mm_shuffle_epi8(source, pattern));
                }
            }
            at += 4 + escaped * if DOUBLE { 4 } else { 2 };
        }
        *pos += at;
        consumed += 16;
    }
    // A tail whose last 16 input bytes are all plain: those bytes were (or will be) written
    // one for one, so storing all 16 raw, ending where the tail ends, writes the tail.
    let rest = value.len() - consumed;
    if rest > 0 && rest < 16 && consumed == value.len() / 16 * 16 {
        let (Some(last), Some(start)) = (value.last_chunk::<16>(), pos.checked_sub(16 - rest))
        else {
            return consumed;
        };
        // SAFETY: `last` is 16 readable bytes.
        let x = unsafe { _mm_loadu_si128(last.as_ptr().cast::<__m128i>()) };
        let (high_nibbles, low_nibbles) = nibbles(x);
        if classes.reserved(high_nibbles, low_nibbles) == 0
            && let Some(window) = buf.get_mut(start..).and_then(|b| b.first_chunk_mut::<16>())
        {
            window.write_copy_of_slice(last);
            *pos += rest;
            consumed = value.len();
        }
    }
    consumed
}

/// Each byte's high and low nibble.
#[target_feature(enable = "ssse3")]
#[inline]
fn nibbles(x: __m128i) -> (__m128i, __m128i) {
    let nibble = _mm_set1_epi8(0x0f);
    (
        _mm_and_si128(_mm_srli_epi16(x, 4), nibble),
        _mm_and_si128(x, nibble),
    )
}

/// Two 16-entry tables of class bits, indexed by a byte's low and high nibble: the byte is
/// unreserved exactly when the two entries share a bit. One class per high nibble: `-` `.`
/// (and `/` for paths) under 2, digits under 3, letters under 4 and 6, `P`-`Z` and `_` under 5,
/// `p`-`z` and `~` under 7. Bytes from 0x80 up have high nibbles with no class, so they are
/// always escaped. Two `pshufb` replace a dozen range comparisons, and share the nibbles the
/// hex digits need anyway.
struct Classes {
    by_low: __m128i,
    by_high: __m128i,
}

impl Classes {
    #[target_feature(enable = "ssse3")]
    #[inline]
    fn new(keep_slash: bool) -> Self {
        const MARK: i8 = 1; // high nibble 2
        const DIGIT: i8 = 2; // 3
        const LETTER: i8 = 4; // 4 and 6
        const UPPER_END: i8 = 8; // 5
        const LOWER_END: i8 = 16; // 7
        let all = DIGIT | LETTER | UPPER_END | LOWER_END;
        let slash = if keep_slash { MARK } else { 0 };
        let by_low = _mm_setr_epi8(
            DIGIT | UPPER_END | LOWER_END,  // 0: '0' 'P' 'p'
            all,                            // 1
            all,                            // 2
            all,                            // 3
            all,                            // 4
            all,                            // 5
            all,                            // 6
            all,                            // 7
            all,                            // 8
            all,                            // 9
            LETTER | UPPER_END | LOWER_END, // A: 'J' 'Z' 'j' 'z'
            LETTER,                         // B
            LETTER,                         // C
            MARK | LETTER,                  // D: '-' 'M' 'm'
            MARK | LETTER | LOWER_END,      // E: '.' 'N' 'n' '~'
            LETTER | UPPER_END | slash,     // F: 'O' 'o' '_' ('/')
        );
        let by_high = _mm_setr_epi8(
            0, 0, MARK, DIGIT, LETTER, UPPER_END, LETTER, LOWER_END, 0, 0, 0, 0, 0, 0, 0, 0,
        );
        Self { by_low, by_high }
    }

    /// Bit `i` set when byte `i` (given as its nibbles) must be escaped.
    #[target_feature(enable = "ssse3")]
    #[inline]
    fn reserved(&self, high_nibbles: __m128i, low_nibbles: __m128i) -> u32 {
        let classes = _mm_and_si128(
            _mm_shuffle_epi8(self.by_low, low_nibbles),
            _mm_shuffle_epi8(self.by_high, high_nibbles),
        );
        _mm_movemask_epi8(_mm_cmpeq_epi8(classes, _mm_setzero_si128())) as u32
    }
}

/// Copies `value` (at most 16 bytes) into `buf` at `*pos` when none of its bytes needs escaping,
/// advancing `*pos`; returns `false`, writing nothing, otherwise (or when fewer than 16 bytes of
/// `buf` remain).
///
/// Most names and many values are short and plain: one SIMD check and one or two 8-byte stores
/// replace a table lookup and a store per byte. The bytes are read as two overlapping words,
/// never through a staging copy.
#[target_feature(enable = "ssse3")]
#[inline]
fn copy_if_plain(
    buf: &mut [MaybeUninit<u8>],
    pos: &mut usize,
    value: &[u8],
    keep_slash: bool,
) -> bool {
    let n = value.len();
    let (low, high, valid) = match value {
        [] => return true,
        [first, .., last] if n <= 3 => {
            let word = u64::from(*first)
                | u64::from(value[n / 2]) << (8 * (n / 2))
                | u64::from(*last) << (8 * (n - 1));
            (word, 0, (1u32 << n) - 1)
        }
        [only] => (u64::from(*only), 0, 1),
        _ if n < 8 => {
            let head = u32::from_le_bytes([value[0], value[1], value[2], value[3]]);
            let tail = u32::from_le_bytes([value[n - 4], value[n - 3], value[n - 2], value[n - 1]]);
            let word = u64::from(head) | u64::from(tail) << (8 * (n - 4));
            (word, 0, (1u32 << n) - 1)
        }
        _ => {
            let (Some(head), Some(tail)) = (value.first_chunk::<8>(), value.last_chunk::<8>())
            else {
                return false;
            };
            (u64::from_le_bytes(*head), u64::from_le_bytes(*tail), 0xffff)
        }
    };
    if n > 16 {
        return false;
    }
    let (high_nibbles, low_nibbles) = nibbles(_mm_set_epi64x(high as i64, low as i64));
    if Classes::new(keep_slash).reserved(high_nibbles, low_nibbles) & valid != 0 {
        return false;
    }
    let Some(window) = buf.get_mut(*pos..).and_then(|b| b.first_chunk_mut::<16>()) else {
        return false;
    };
    window[..8].write_copy_of_slice(&low.to_le_bytes());
    if n > 8 {
        window[n - 8..n].write_copy_of_slice(&high.to_le_bytes());
    }
    *pos += n;
    true
}
