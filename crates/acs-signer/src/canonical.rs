//! Checks and orderings shared by every canonicalisation.

use std::cmp::Ordering;

use crate::error::{SigningError, SigningErrorKind};

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
    let name_ok = !name.is_empty() && name.bytes().all(|b| b.is_ascii_graphic() && b != b':');
    if !name_ok {
        return Err(SigningError::new(
            SigningErrorKind::InvalidHeader,
            "a header name must be visible ASCII without ':'",
        ));
    }
    if value.bytes().any(|b| (b < 0x20 && b != b'\t') || b == 0x7f) {
        return Err(SigningError::new(
            SigningErrorKind::InvalidHeader,
            "a header value must not hold control characters",
        ));
    }
    Ok(())
}

/// Byte order on (name, value): the order every Alibaba Cloud canonicalisation uses.
pub(crate) fn sort_pairs(pairs: &mut [(&str, &str)]) {
    pairs.sort_unstable_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()).then(a.1.cmp(b.1)));
}

/// Byte order on (lower-cased name, value), for headers.
pub(crate) fn sort_headers(pairs: &mut [(&str, &str)]) {
    pairs.sort_unstable_by(|a, b| cmp_lowercase(a.0, b.0).then(a.1.cmp(b.1)));
}

pub(crate) fn cmp_lowercase(a: &str, b: &str) -> Ordering {
    a.bytes()
        .map(|c| c.to_ascii_lowercase())
        .cmp(b.bytes().map(|c| c.to_ascii_lowercase()))
}

/// Whether `name` starts with `x-acs-`, in any case.
pub(crate) fn is_acs_header(name: &str) -> bool {
    name.len() >= 6 && name.as_bytes()[..6].eq_ignore_ascii_case(b"x-acs-")
}

/// Appends `name` lower-cased.
pub(crate) fn push_lowercase(out: &mut String, name: &str) {
    if name.bytes().any(|b| b.is_ascii_uppercase()) {
        out.extend(name.chars().map(|c| c.to_ascii_lowercase()));
    } else {
        out.push_str(name);
    }
}
