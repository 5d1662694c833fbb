//! What a signature adds to a request, and the intermediate strings behind it.

use std::fmt;

use crate::algorithm::SignatureAlgorithm;
use crate::context::{Nonce, SigningContext};
use crate::credentials::Credentials;
use crate::credentials::Redacted;
use crate::inline::InlineStr;

/// The headers and query parameters one signing attempt adds to a request, plus the
/// intermediate strings that produced the signature (for debugging `SignatureDoesNotMatch`).
///
/// Add every pair from [`headers`](Self::headers) and [`query_params`](Self::query_params) to the
/// request, unchanged (query values percent-encoded with [`crate::encoding`]).
///
/// `Debug` shows the algorithm, key id, time and nonce only: tokens, the signature and the
/// intermediate strings (which can contain a security token) are left out.
///
/// Dropping an output gives its buffer to the thread's next signature, which then allocates
/// nothing.
///
/// ```
/// use acs_signer::{sign, Credentials, SignableRequest, SignatureAlgorithm, SigningContext};
///
/// let creds = Credentials::new("LTAI5tExampleKeyId", "secret")?;
/// let query = [("Action", "GetCallerIdentity"), ("Version", "2015-04-01")];
/// let request = SignableRequest::new("GET", "/").query(&query);
/// let out = sign(SignatureAlgorithm::RpcV1, &request, &creds, &SigningContext::now()?)?;
/// let names: Vec<_> = out.query_params().map(|(name, _)| name).collect();
/// assert_eq!(names, ["AccessKeyId", "SignatureMethod", "SignatureNonce",
///                    "SignatureVersion", "Timestamp", "Signature"]);
/// assert!(out.string_to_sign().starts_with("GET&%2F&AccessKeyId%3D"));
/// # Ok::<(), acs_signer::SigningError>(())
/// ```
pub struct SigningOutput<'c> {
    pub(crate) scheme: Scheme,
    pub(crate) access_key_id: &'c str,
    /// The STS security token, or the bearer token for bearer schemes.
    pub(crate) token: Option<&'c str>,
    pub(crate) timestamp: InlineStr<32>,
    pub(crate) nonce: Nonce,
    pub(crate) payload_hash: InlineStr<64>,
    pub(crate) signature: InlineStr<64>,
    /// RPC v1 and ROA: the string-to-sign; V3: the canonical request; then, for ROA and V3, the
    /// `Authorization` value. Always valid UTF-8. One allocation serves the whole signature.
    pub(crate) buffer: Vec<u8>,
    /// Where the `Authorization` value starts in `buffer` (its end for RPC v1).
    pub(crate) authorization_start: usize,
    /// V3 only: `ALGORITHM\n<hex hash of the canonical request>`.
    pub(crate) v3_string_to_sign: InlineStr<96>,
}

/// How the credentials were applied.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Scheme {
    Signed(SignatureAlgorithm),
    Bearer(SignatureAlgorithm),
}

impl<'c> SigningOutput<'c> {
    /// An output for a signature with `credentials`, filled in by the algorithm.
    pub(crate) fn signed(
        algorithm: SignatureAlgorithm,
        credentials: &'c Credentials,
        context: &SigningContext,
    ) -> Self {
        Self::empty(
            Scheme::Signed(algorithm),
            credentials.access_key_id(),
            credentials.security_token(),
            *context.nonce(),
        )
    }

    pub(crate) fn empty(
        scheme: Scheme,
        access_key_id: &'c str,
        token: Option<&'c str>,
        nonce: Nonce,
    ) -> Self {
        Self {
            scheme,
            access_key_id,
            token,
            timestamp: InlineStr::new(),
            nonce,
            payload_hash: InlineStr::new(),
            signature: InlineStr::new(),
            buffer: Vec::new(),
            authorization_start: 0,
            v3_string_to_sign: InlineStr::new(),
        }
    }

    /// The headers to add, as (lower-case name, value).
    pub fn headers(&self) -> Entries<'_> {
        let mut out = Entries::default();
        let ts = self.timestamp.as_str();
        let nonce = self.nonce.as_str();
        match self.scheme {
            Scheme::Signed(SignatureAlgorithm::RpcV1) => {}
            Scheme::Signed(SignatureAlgorithm::Roa) => {
                out.push("date", ts);
                out.push("x-acs-signature-nonce", nonce);
                out.push("x-acs-signature-method", "HMAC-SHA1");
                out.push("x-acs-signature-version", "1.0");
                out.push_some("x-acs-security-token", self.token);
                out.push("authorization", self.authorization());
            }
            Scheme::Signed(_) => {
                out.push("x-acs-date", ts);
                out.push("x-acs-signature-nonce", nonce);
                out.push("x-acs-content-sha256", self.payload_hash.as_str());
                out.push_some("x-acs-security-token", self.token);
                out.push("authorization", self.authorization());
            }
            Scheme::Bearer(SignatureAlgorithm::RpcV1) => {
                out.push_some("x-acs-bearer-token", self.token);
            }
            Scheme::Bearer(algorithm) => {
                let date = if algorithm == SignatureAlgorithm::Roa {
                    "date"
                } else {
                    "x-acs-date"
                };
                out.push(date, ts);
                out.push("x-acs-signature-nonce", nonce);
                out.push_some("x-acs-bearer-token", self.token);
                out.push("x-acs-signature-type", "BEARERTOKEN");
            }
        }
        out
    }

    /// The query parameters to add, as (name, unencoded value). Only RPC-style schemes add any.
    pub fn query_params(&self) -> Entries<'_> {
        let mut out = Entries::default();
        let ts = self.timestamp.as_str();
        match self.scheme {
            Scheme::Signed(SignatureAlgorithm::RpcV1) => {
                out.push("AccessKeyId", self.access_key_id);
                out.push("SignatureMethod", "HMAC-SHA1");
                out.push("SignatureNonce", self.nonce.as_str());
                out.push("SignatureVersion", "1.0");
                out.push("Timestamp", ts);
                out.push_some("SecurityToken", self.token);
                out.push("Signature", self.signature.as_str());
            }
            Scheme::Bearer(SignatureAlgorithm::RpcV1) => {
                out.push("SignatureNonce", self.nonce.as_str());
                out.push("Timestamp", ts);
                out.push_some("BearerToken", self.token);
                out.push("SignatureType", "BEARERTOKEN");
            }
            Scheme::Signed(_) | Scheme::Bearer(_) => {}
        }
        out
    }

    /// The signature: Base64 for RPC v1 and ROA, lower-case hex for V3, empty for bearer tokens.
    pub fn signature(&self) -> &str {
        self.signature.as_str()
    }

    /// The `Authorization` header value (ROA and V3), empty otherwise.
    pub fn authorization(&self) -> &str {
        // Built only from ASCII pieces, so this never falls back.
        std::str::from_utf8(
            self.buffer
                .get(self.authorization_start..)
                .unwrap_or_default(),
        )
        .unwrap_or_default()
    }

    /// The string that was signed, to compare with the `StringToSign` a server reports in a
    /// `SignatureDoesNotMatch` error. Empty for bearer tokens.
    ///
    /// For RPC v1 and ROA it contains the security token when the credentials have one: treat it
    /// as a secret.
    pub fn string_to_sign(&self) -> &str {
        match self.scheme {
            Scheme::Signed(algorithm) if algorithm.is_v3() => self.v3_string_to_sign.as_str(),
            _ => self.buffer_str(),
        }
    }

    /// V3's canonical request (empty for the other schemes). Contains the security token when
    /// the credentials have one: treat it as a secret.
    pub fn canonical_request(&self) -> &str {
        match self.scheme {
            Scheme::Signed(algorithm) if algorithm.is_v3() => self.buffer_str(),
            _ => "",
        }
    }

    fn buffer_str(&self) -> &str {
        // Built only from `&str` pieces and ASCII escapes, so it is always valid UTF-8.
        let signed = self
            .buffer
            .get(..self.authorization_start)
            .unwrap_or_default();
        std::str::from_utf8(signed).unwrap_or_default()
    }

    /// V3's payload hash as sent in `x-acs-content-sha256` (empty for the other schemes).
    pub fn payload_hash(&self) -> &str {
        self.payload_hash.as_str()
    }

    /// The signing time as sent: `Timestamp` / `x-acs-date` / `Date`.
    pub fn timestamp(&self) -> &str {
        self.timestamp.as_str()
    }

    /// The nonce as sent.
    pub fn nonce(&self) -> &str {
        self.nonce.as_str()
    }
}

impl Drop for SigningOutput<'_> {
    fn drop(&mut self) {
        // With a security token the buffer held it (signed, or in a signed header): wipe it.
        let secret = matches!(self.scheme, Scheme::Signed(_)) && self.token.is_some();
        crate::buffer::give_back(std::mem::take(&mut self.buffer), secret);
    }
}

impl fmt::Debug for SigningOutput<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (scheme, algorithm) = match self.scheme {
            Scheme::Signed(a) => ("signature", a),
            Scheme::Bearer(a) => ("bearer token", a),
        };
        f.debug_struct("SigningOutput")
            .field("scheme", &scheme)
            .field("algorithm", &algorithm)
            .field("access_key_id", &self.access_key_id)
            .field("timestamp", &self.timestamp)
            .field("nonce", &self.nonce)
            .field("signature", &Redacted)
            .finish_non_exhaustive()
    }
}

/// Name–value pairs produced by a signature; iterate them to add them to a request.
#[derive(Clone, Default)]
pub struct Entries<'a> {
    items: [(&'static str, &'a str); 8],
    len: usize,
    pos: usize,
}

impl<'a> Entries<'a> {
    fn push(&mut self, name: &'static str, value: &'a str) {
        if self.len < self.items.len() {
            self.items[self.len] = (name, value);
            self.len += 1;
        }
    }

    fn push_some(&mut self, name: &'static str, value: Option<&'a str>) {
        if let Some(value) = value {
            self.push(name, value);
        }
    }
}

impl<'a> Iterator for Entries<'a> {
    type Item = (&'static str, &'a str);

    fn next(&mut self) -> Option<Self::Item> {
        let item = self.items[..self.len].get(self.pos).copied()?;
        self.pos += 1;
        Some(item)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let left = self.len - self.pos;
        (left, Some(left))
    }
}

impl ExactSizeIterator for Entries<'_> {}

impl fmt::Debug for Entries<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Values can be tokens or signatures: list the names only.
        f.debug_list()
            .entries(self.items[self.pos..self.len].iter().map(|(n, _)| n))
            .finish()
    }
}
