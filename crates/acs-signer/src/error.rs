//! The error type returned by every fallible operation in this crate.

use std::fmt;

/// Why a request could not be signed or a signing input was rejected.
///
/// Signing errors never contain secret material: they name the offending field and the rule it
/// broke, never its value when that value could be a secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SigningError {
    kind: SigningErrorKind,
    detail: &'static str,
}

/// The category of a [`SigningError`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SigningErrorKind {
    /// An access key id, secret, security token or bearer token is empty or not allowed in HTTP.
    InvalidCredentials,
    /// A nonce is empty, too long or holds characters outside `[A-Za-z0-9._~-]`.
    InvalidNonce,
    /// The signing time is before 1970 or after 9999.
    InvalidTime,
    /// The HTTP method is empty or not an upper-case token.
    InvalidMethod,
    /// A header name or value holds characters that cannot be sent or signed.
    InvalidHeader,
    /// A precomputed payload hash is not lower-case hex of the digest's length.
    InvalidPayloadHash,
    /// The operating system's random number generator failed.
    Random,
}

impl SigningError {
    pub(crate) const fn new(kind: SigningErrorKind, detail: &'static str) -> Self {
        Self { kind, detail }
    }

    /// The category of this error.
    ///
    /// ```
    /// use acs_signer::{Nonce, SigningErrorKind};
    /// let err = Nonce::new("has space").unwrap_err();
    /// assert_eq!(err.kind(), SigningErrorKind::InvalidNonce);
    /// ```
    pub fn kind(&self) -> SigningErrorKind {
        self.kind
    }
}

impl fmt::Display for SigningError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.kind {
            SigningErrorKind::InvalidCredentials => "invalid credentials",
            SigningErrorKind::InvalidNonce => "invalid signature nonce",
            SigningErrorKind::InvalidTime => "invalid signing time",
            SigningErrorKind::InvalidMethod => "invalid HTTP method",
            SigningErrorKind::InvalidHeader => "invalid header",
            SigningErrorKind::InvalidPayloadHash => "invalid payload hash",
            SigningErrorKind::Random => "random number generator failed",
        };
        write!(f, "{what}: {}", self.detail)
    }
}

impl std::error::Error for SigningError {}
