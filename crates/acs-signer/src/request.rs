//! What the signer reads from a request.

use crate::params::Params;

/// The parts of an HTTP request that take part in a signature, borrowed from the caller.
///
/// Names and values are given **unencoded**: the signer percent-encodes them as each signature
/// version requires. Send the request with the same values, encoded with
/// [`crate::encoding`], or the server will compute a different signature.
///
/// - `query`: the URL query parameters.
/// - `form`: the parameters of an `application/x-www-form-urlencoded` body. RPC v1 signs them
///   together with the query; ROA and V3 sign the body bytes instead (see [`Self::body`]).
/// - `headers`: the request headers. V3 signs `host`, `content-type` and every `x-acs-*`
///   header; ROA signs `accept`, `content-md5`, `content-type` and every `x-acs-*` header.
/// - `body`: the body bytes, hashed into V3's `x-acs-content-sha256`.
///
/// ```
/// use acs_signer::SignableRequest;
/// let query = [("Action", "DescribeRegions"), ("Version", "2014-05-26")];
/// let headers = [("host", "ecs.cn-hangzhou.aliyuncs.com")];
/// let request = SignableRequest::new("GET", "/").query(&query).headers(&headers);
/// assert_eq!(request.method(), "GET");
/// ```
#[derive(Clone, Copy)]
pub struct SignableRequest<'a> {
    pub(crate) method: &'a str,
    pub(crate) path: &'a str,
    pub(crate) query: &'a dyn Params,
    pub(crate) form: &'a dyn Params,
    pub(crate) headers: &'a dyn Params,
    pub(crate) body: &'a [u8],
    pub(crate) payload_hash: Option<&'a str>,
    /// The path is already percent-encoded, exactly as sent.
    pub(crate) path_encoded: bool,
}

const NONE: [(&str, &str); 0] = [];

impl<'a> SignableRequest<'a> {
    /// A request with an HTTP method (`GET`, `POST`, …) and an unencoded path (`/` for RPC).
    pub fn new(method: &'a str, path: &'a str) -> Self {
        Self {
            method,
            path,
            query: &NONE,
            form: &NONE,
            headers: &NONE,
            body: &[],
            payload_hash: None,
            path_encoded: false,
        }
    }

    /// Marks the path as already percent-encoded, exactly as it goes on the wire (a path
    /// parameter's `/` sent as `%2F`, say): V3 signs it as given instead of encoding it, the way
    /// the official SDKs sign the pathname they send. ROA signs the path as given either way.
    ///
    /// ```
    /// use acs_signer::{v3, SignableRequest};
    /// let sent = SignableRequest::new("GET", "/clusters/c%201%2Fx").encoded_path();
    /// let canonical = v3::canonical_request(&sent, "UNSIGNED-PAYLOAD").unwrap();
    /// assert!(canonical.starts_with("GET\n/clusters/c%201%2Fx\n"));
    /// let unencoded = SignableRequest::new("GET", "/clusters/c 1");
    /// assert!(v3::canonical_request(&unencoded, "UNSIGNED-PAYLOAD").unwrap().starts_with("GET\n/clusters/c%201\n"));
    /// ```
    pub fn encoded_path(mut self) -> Self {
        self.path_encoded = true;
        self
    }

    /// The URL query parameters, unencoded.
    pub fn query(mut self, query: &'a dyn Params) -> Self {
        self.query = query;
        self
    }

    /// The form-body parameters, unencoded (signed by RPC v1).
    pub fn form(mut self, form: &'a dyn Params) -> Self {
        self.form = form;
        self
    }

    /// The request headers.
    pub fn headers(mut self, headers: &'a dyn Params) -> Self {
        self.headers = headers;
        self
    }

    /// The body bytes (hashed by V3). Empty by default.
    pub fn body(mut self, body: &'a [u8]) -> Self {
        self.body = body;
        self
    }

    /// A payload hash to sign instead of hashing the body: lower-case hex of the V3 algorithm's
    /// digest, for bodies streamed separately.
    pub fn payload_hash(mut self, hex: &'a str) -> Self {
        self.payload_hash = Some(hex);
        self
    }

    /// The HTTP method.
    pub fn method(&self) -> &'a str {
        self.method
    }

    /// The path: unencoded, unless marked [`encoded_path`](Self::encoded_path).
    pub fn path(&self) -> &'a str {
        self.path
    }
}
