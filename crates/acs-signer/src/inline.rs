//! A fixed-capacity ASCII string stored inline, so short signing outputs need no heap allocation.

use std::fmt;

/// Each byte's two lower-case hex digits.
const HEX_PAIRS: [[u8; 2]; 256] = {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut table = [[0u8; 2]; 256];
    let mut b = 0;
    while b < 256 {
        table[b] = [HEX[b >> 4], HEX[b & 15]];
        b += 1;
    }
    table
};

/// At most `N` ASCII bytes, stored inline.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) struct InlineStr<const N: usize> {
    buf: [u8; N],
    len: u8,
}

impl<const N: usize> InlineStr<N> {
    pub(crate) const fn new() -> Self {
        Self {
            buf: [0; N],
            len: 0,
        }
    }

    /// Builds from ASCII parts; `None` when they do not fit or are not ASCII.
    pub(crate) fn from_parts(parts: &[&str]) -> Option<Self> {
        let mut out = Self::new();
        for part in parts {
            out.push_str(part)?;
        }
        Some(out)
    }

    pub(crate) fn push_str(&mut self, s: &str) -> Option<()> {
        self.push_ascii(s.as_bytes())
    }

    /// Appends ASCII bytes; `None` (nothing appended) for anything else or when they do not fit.
    pub(crate) fn push_ascii(&mut self, bytes: &[u8]) -> Option<()> {
        let start = usize::from(self.len);
        let end = start
            .checked_add(bytes.len())
            .filter(|&end| end <= N && end <= 255)?;
        if !bytes.is_ascii() {
            return None;
        }
        self.buf[start..end].copy_from_slice(bytes);
        self.len = u8::try_from(end).ok()?;
        Some(())
    }

    /// Appends lower-case hex of `bytes`.
    pub(crate) fn push_hex(&mut self, bytes: &[u8]) -> Option<()> {
        let start = usize::from(self.len);
        let end = start
            .checked_add(bytes.len() * 2)
            .filter(|&end| end <= N && end <= 255)?;
        for (pair, &b) in self.buf[start..end].chunks_exact_mut(2).zip(bytes) {
            pair.copy_from_slice(&HEX_PAIRS[usize::from(b)]);
        }
        self.len = u8::try_from(end).ok()?;
        Some(())
    }

    /// The bytes, without the UTF-8 check `as_str` makes (they are ASCII).
    pub(crate) fn as_bytes(&self) -> &[u8] {
        &self.buf[..usize::from(self.len)]
    }

    pub(crate) fn as_str(&self) -> &str {
        // Only ASCII is ever stored (checked by `push_str`), so this never falls back.
        std::str::from_utf8(&self.buf[..usize::from(self.len)]).unwrap_or("")
    }
}

impl<const N: usize> fmt::Debug for InlineStr<N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

#[cfg(test)]
mod tests {
    use super::InlineStr;

    #[test]
    fn rejects_overflow_and_non_ascii() {
        assert!(InlineStr::<4>::from_parts(&["ab", "cd"]).is_some());
        assert!(InlineStr::<4>::from_parts(&["ab", "cde"]).is_none());
        assert!(InlineStr::<8>::from_parts(&["é"]).is_none());
        assert_eq!(
            InlineStr::<8>::from_parts(&["a", "b"]).map(|s| s.as_str().len()),
            Some(2)
        );
    }
}
