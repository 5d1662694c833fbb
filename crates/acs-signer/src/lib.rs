//! Sans-IO request signing for Alibaba Cloud APIs.
//!
//! This crate computes every signature Alibaba Cloud accepts, with no I/O, no async runtime and
//! no HTTP client:
//!
//! | algorithm | where it goes | used by |
//! |---|---|---|
//! | [`SignatureAlgorithm::RpcV1`] | `Signature` query parameter (Base64 HMAC-SHA1) | RPC-style APIs, legacy |
//! | [`SignatureAlgorithm::Roa`] | `Authorization: acs <id>:<sig>` (Base64 HMAC-SHA1) | ROA-style APIs, legacy |
//! | [`SignatureAlgorithm::Acs3HmacSha256`] | `Authorization: ACS3-HMAC-SHA256 …` | every API (the default) |
//! | [`SignatureAlgorithm::Acs3HmacSm3`] | `Authorization: ACS3-HMAC-SM3 …` | every API, SM3 hash |
//!
//! Bearer tokens sign nothing; [`sign_with_bearer_token`] gives the headers and parameters that
//! carry one.
//!
//! Describe the request with [`SignableRequest`] (unencoded names and values), pick a fresh
//! [`SigningContext`] for every attempt, and add what [`SigningOutput`] lists to the request.
//! The output also exposes the intermediate strings (string-to-sign, canonical request), to
//! compare with what a server reports in a `SignatureDoesNotMatch` error.
//!
//! ```
//! use acs_signer::{sign, Credentials, SignableRequest, SignatureAlgorithm, SigningContext};
//!
//! let creds = Credentials::new("LTAI5tExampleKeyId", "example-secret")?;
//! let query = [("RegionId", "cn-hangzhou")];
//! let headers = [
//!     ("host", "ecs.cn-hangzhou.aliyuncs.com"),
//!     ("x-acs-action", "DescribeRegions"),
//!     ("x-acs-version", "2014-05-26"),
//! ];
//! let request = SignableRequest::new("GET", "/").query(&query).headers(&headers);
//! let signed = sign(SignatureAlgorithm::Acs3HmacSha256, &request, &creds, &SigningContext::now()?)?;
//! for (name, value) in signed.headers() {
//!     // add `name: value` to the outgoing request
//! #   assert!(!value.is_empty(), "{name}");
//! }
//! assert!(signed.authorization().starts_with("ACS3-HMAC-SHA256 Credential=LTAI5tExampleKeyId,"));
//! # Ok::<(), acs_signer::SigningError>(())
//! ```

// `unsafe` code lives in two places, each allowing it locally: the SSSE3 encoder in
// `encoding/x86.rs`, and the writer in `encoding/mod.rs` that fills uninitialised memory.
#![deny(unsafe_code)]

mod algorithm;
mod buffer;
mod canonical;
mod context;
mod credentials;
pub mod digest;
pub mod encoding;
mod error;
mod inline;
mod output;
mod params;
mod request;
pub mod roa;
pub mod rpc;
mod sha1_mac;
pub mod v3;

pub use algorithm::SignatureAlgorithm;
pub use context::{Nonce, SigningContext, parse_iso8601};
pub use credentials::{BearerToken, Credentials};
pub use error::{SigningError, SigningErrorKind};
pub use output::{Entries, SigningOutput};
pub use params::Params;
pub use request::SignableRequest;

use output::Scheme;

/// Signs `request` with `credentials`, using `algorithm` and the time and nonce of `context`.
///
/// Use a fresh [`SigningContext::now`] for every attempt: a replayed nonce is rejected by the
/// server. Parameters and headers the signer owns (`Signature`, `x-acs-date`, `Authorization`,
/// …) are replaced if the request already has them, so re-signing a request for a retry is safe.
///
/// ```
/// use std::time::{Duration, SystemTime};
/// use acs_signer::{sign, Credentials, Nonce, SignableRequest, SignatureAlgorithm, SigningContext};
///
/// let creds = Credentials::new("testid", "testsecret")?;
/// let query = [("Action", "DescribeRegions"), ("Format", "XML"), ("Version", "2014-05-26")];
/// let context = SigningContext::new(
///     SystemTime::UNIX_EPOCH + Duration::from_secs(1_456_231_584), // 2016-02-23T12:46:24Z
///     Nonce::new("3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf")?,
/// );
/// let request = SignableRequest::new("GET", "/").query(&query);
/// let out = sign(SignatureAlgorithm::RpcV1, &request, &creds, &context)?;
/// assert_eq!(out.signature(), "OLeaidS1JvxuMvnyHOwuJ+uX5qY=");
/// # Ok::<(), acs_signer::SigningError>(())
/// ```
pub fn sign<'c>(
    algorithm: SignatureAlgorithm,
    request: &SignableRequest<'_>,
    credentials: &'c Credentials,
    context: &SigningContext,
) -> Result<SigningOutput<'c>, SigningError> {
    canonical::check_method(request.method())?;
    match algorithm {
        SignatureAlgorithm::RpcV1 => rpc::sign(request, credentials, context),
        SignatureAlgorithm::Roa => roa::sign(request, credentials, context),
        SignatureAlgorithm::Acs3HmacSha256 | SignatureAlgorithm::Acs3HmacSm3 => {
            v3::sign(algorithm, request, credentials, context)
        }
    }
}

/// The headers and parameters that carry a bearer token instead of a signature.
///
/// `algorithm` selects the request style: for [`SignatureAlgorithm::RpcV1`] the token travels
/// as the `BearerToken` query parameter with `SignatureType=BEARERTOKEN` (as the official SDKs
/// send it) and also in the `x-acs-bearer-token` header; for ROA and V3 it travels in
/// `x-acs-bearer-token` with `x-acs-signature-type: BEARERTOKEN`. The time and nonce are sent
/// too.
///
/// ```
/// use acs_signer::{sign_with_bearer_token, BearerToken, SignatureAlgorithm, SigningContext};
/// let token = BearerToken::new("example-token")?;
/// let out = sign_with_bearer_token(SignatureAlgorithm::Acs3HmacSha256, &token, &SigningContext::now()?)?;
/// let headers: Vec<_> = out.headers().collect();
/// assert!(headers.contains(&("x-acs-signature-type", "BEARERTOKEN")));
/// assert!(headers.contains(&("x-acs-bearer-token", "example-token")));
/// assert_eq!(out.authorization(), "");
/// # Ok::<(), acs_signer::SigningError>(())
/// ```
pub fn sign_with_bearer_token<'t>(
    algorithm: SignatureAlgorithm,
    token: &'t BearerToken,
    context: &SigningContext,
) -> Result<SigningOutput<'t>, SigningError> {
    let mut out = SigningOutput::empty(
        Scheme::Bearer(algorithm),
        "",
        Some(token.token()),
        *context.nonce(),
    );
    out.timestamp = if algorithm == SignatureAlgorithm::Roa {
        context.http_date_inline()?
    } else {
        context.iso8601_inline()?
    };
    Ok(out)
}
