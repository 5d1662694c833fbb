//! What a call returns: status, headers and body, with typed decoding.

use bytes::Bytes;
use serde::de::DeserializeOwned;

use crate::error::Error;
use crate::operation::ResponseFormat;

/// A successful response, as the official SDKs return it (`statusCode`, `headers`, `body`).
///
/// ```
/// use acs_core::{Response, ResponseFormat};
/// #[derive(serde::Deserialize)]
/// struct Identity { #[serde(rename = "AccountId")] account_id: String }
/// let response = Response::new(200, http::HeaderMap::new(), r#"{"AccountId":"123"}"#.into());
/// let identity: Identity = response.decode(ResponseFormat::Json)?;
/// assert_eq!(identity.account_id, "123");
/// # Ok::<(), acs_core::Error>(())
/// ```
///
/// Its `Debug` shows the status, the header names and the body's size, never the body (it can
/// hold issued credentials).
#[derive(Clone)]
pub struct Response {
    status: u16,
    headers: http::HeaderMap,
    body: Bytes,
    /// The body may hold credentials: decoding errors quote none of it.
    sensitive: bool,
}

impl std::fmt::Debug for Response {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Response")
            .field("status", &self.status)
            .field(
                "headers",
                &self.headers.keys().map(|k| k.as_str()).collect::<Vec<_>>(),
            )
            .field("body_bytes", &self.body.len())
            .finish()
    }
}

impl Response {
    /// A response from its parts.
    pub fn new(status: u16, headers: http::HeaderMap, body: Bytes) -> Self {
        Self {
            status,
            headers,
            body,
            sensitive: false,
        }
    }

    /// The same response, marked as carrying credentials (the operation's
    /// [`sensitive_response`](crate::Operation::sensitive_response)): a body that fails to
    /// decode is then never quoted in the error.
    pub fn with_sensitive_body(mut self, sensitive: bool) -> Self {
        self.sensitive = sensitive;
        self
    }

    /// The error for a body that does not decode: an excerpt, scrubbed, or none at all for a
    /// sensitive body.
    fn malformed(&self, message: String) -> Error {
        if self.sensitive {
            Error::malformed_withheld(self.status, message)
        } else {
            Error::malformed(self.status, message, &self.body)
        }
    }

    /// The HTTP status.
    pub fn status(&self) -> u16 {
        self.status
    }

    /// The response headers.
    pub fn headers(&self) -> &http::HeaderMap {
        &self.headers
    }

    /// The raw body.
    pub fn body(&self) -> &Bytes {
        &self.body
    }

    /// The request id, from the `x-acs-request-id` header.
    pub fn request_id(&self) -> Option<&str> {
        self.headers
            .get("x-acs-request-id")
            .and_then(|v| v.to_str().ok())
    }

    /// Decodes the body as `format` into `T`. A body that does not match gives
    /// [`ErrorKind::MalformedResponse`](crate::ErrorKind::MalformedResponse) with the status
    /// and a short, scrubbed excerpt. A body nested deeper than
    /// [`MAX_DEPTH`](crate::MAX_DEPTH) is refused before it is deserialised.
    ///
    /// ```
    /// use acs_core::{ErrorKind, Response, ResponseFormat};
    /// let deep = "[".repeat(10_000);
    /// let response = Response::new(200, http::HeaderMap::new(), deep.into());
    /// let error = response.decode::<serde_json::Value>(ResponseFormat::Json).unwrap_err();
    /// assert_eq!(error.kind(), ErrorKind::MalformedResponse);
    /// ```
    pub fn decode<T: DeserializeOwned>(&self, format: ResponseFormat) -> Result<T, Error> {
        match format {
            ResponseFormat::Xml => {
                let text = std::str::from_utf8(&self.body)
                    .map_err(|_| self.malformed("the XML body is not UTF-8".to_owned()))?;
                crate::depth::check_xml(text.as_bytes()).map_err(|e| e.into_error(self.status))?;
                quick_xml::de::from_str(text).map_err(|e| {
                    // A decoding error can quote the value it choked on.
                    self.malformed(if self.sensitive {
                        "unexpected XML".to_owned()
                    } else {
                        format!("unexpected XML: {e}")
                    })
                })
            }
            ResponseFormat::Json | ResponseFormat::None => {
                let body: &[u8] = if self.body.is_empty() {
                    b"{}"
                } else {
                    &self.body
                };
                crate::depth::check_json(body).map_err(|e| e.into_error(self.status))?;
                serde_json::from_slice(body).map_err(|e| {
                    // A decoding error can quote the value it choked on.
                    self.malformed(if self.sensitive {
                        format!("unexpected JSON at line {} column {}", e.line(), e.column())
                    } else {
                        format!("unexpected JSON: {e}")
                    })
                })
            }
        }
    }
}

/// A decoded response together with the HTTP response it came from: what a generated
/// client's `…_with_response` methods return, for callers who need the status, headers or
/// request id beside the model (as the official SDKs' `statusCode`, `headers`, `body`).
///
/// ```
/// use acs_core::{Output, Response};
/// let mut headers = http::HeaderMap::new();
/// headers.insert("x-acs-request-id", "req-1".parse().unwrap());
/// let output = Output::new(42_u32, Response::new(200, headers, "{}".into()));
/// assert_eq!((output.status(), output.request_id()), (200, Some("req-1")));
/// assert_eq!(output.into_model(), 42);
/// ```
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Output<T> {
    model: T,
    response: Response,
}

impl<T> Output<T> {
    /// The model decoded from `response`, and `response`.
    pub fn new(model: T, response: Response) -> Self {
        Self { model, response }
    }

    /// The decoded model.
    pub fn model(&self) -> &T {
        &self.model
    }

    /// The decoded model, the response dropped.
    pub fn into_model(self) -> T {
        self.model
    }

    /// The model and the response.
    pub fn into_parts(self) -> (T, Response) {
        (self.model, self.response)
    }

    /// The HTTP response (status, headers and the raw body).
    pub fn response(&self) -> &Response {
        &self.response
    }

    /// The HTTP status.
    pub fn status(&self) -> u16 {
        self.response.status()
    }

    /// The response headers.
    pub fn headers(&self) -> &http::HeaderMap {
        self.response.headers()
    }

    /// The request id, from the `x-acs-request-id` header.
    pub fn request_id(&self) -> Option<&str> {
        self.response.request_id()
    }
}
