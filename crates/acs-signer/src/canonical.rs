//! Checks and orderings shared by every canonicalisation.

use crate::encoding::SliceWriter;
use crate::error::{SigningError, SigningErrorKind};
use crate::params::Entry;

/// An HTTP method is an upper-case token.
pub(crate) fn check_method(method: &str) -> Result<(), SigningError> {
    if !method.is_empty() && method.bytes().all(|b| b.is_ascii_uppercase()) {
        Ok(())
    } else {
        Err(SigningError::new(
            SigningErrorKind::InvalidMethod,
            "expected an upper-case token",
        ))
    }
}

/// A header must be sendable as is, and unambiguous in a canonical string: a non-empty visible
/// ASCII name without `:`, and a value without control characters (tab aside).
pub(crate) fn check_header(name: &str, value: &str) -> Result<(), SigningError> {
    // Branch-free folds over the bytes (the compiler vectorises them); headers are short and
    // almost always valid, so an early exit saves nothing.
    let bad_name = name.bytes().fold(name.is_empty(), |bad, b| {
        bad | !b.is_ascii_graphic() | (b == b':')
    });
    if bad_name {
        return Err(SigningError::new(
            SigningErrorKind::InvalidHeader,
            "a header name must be visible ASCII without ':'",
        ));
    }
    let bad_value = value.bytes().fold(false, |bad, b| {
        bad | ((b < 0x20) & (b != b'\t')) | (b == 0x7f)
    });
    if bad_value {
        return Err(SigningError::new(
            SigningErrorKind::InvalidHeader,
            "a header value must not hold control characters",
        ));
    }
    Ok(())
}

/// Whether `name` starts with `x-acs-`, in any case.
pub(crate) fn is_acs_header(name: &str) -> bool {
    name.len() >= 6 && name.as_bytes()[..6].eq_ignore_ascii_case(b"x-acs-")
}

/// Writes sorted headers as `name:v1,v2\n`, one line per lower-cased name.
pub(crate) fn write_header_groups(w: &mut SliceWriter<'_>, sorted: &[Entry<'_>]) {
    let mut i = 0;
    while i < sorted.len() {
        let Entry { name, value, .. } = sorted[i];
        w.put_lowercase(name);
        w.put_byte(b':');
        w.put(value);
        i += 1;
        while i < sorted.len() && sorted[i].name.eq_ignore_ascii_case(name) {
            w.put_byte(b',');
            w.put(sorted[i].value);
            i += 1;
        }
        w.put_byte(b'\n');
    }
}

/// An upper bound of what [`write_header_groups`] writes.
pub(crate) fn header_groups_bound(sorted: &[Entry<'_>]) -> usize {
    sorted
        .iter()
        .map(|e| e.name.len() + e.value.len() + 2)
        .sum()
}
