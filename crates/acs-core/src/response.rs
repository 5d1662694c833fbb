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
#[derive(Debug, Clone)]
pub struct Response {
    status: u16,
    headers: http::HeaderMap,
    body: Bytes,
}

impl Response {
    /// A response from its parts.
    pub fn new(status: u16, headers: http::HeaderMap, body: Bytes) -> Self {
        Self {
            status,
            headers,
            body,
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
    /// and a short excerpt.
    pub fn decode<T: DeserializeOwned>(&self, format: ResponseFormat) -> Result<T, Error> {
        match format {
            ResponseFormat::Xml => {
                let text = std::str::from_utf8(&self.body).map_err(|_| {
                    Error::malformed(self.status, "the XML body is not UTF-8", &self.body)
                })?;
                quick_xml::de::from_str(text).map_err(|e| {
                    Error::malformed(self.status, format!("unexpected XML: {e}"), &self.body)
                })
            }
            ResponseFormat::Json | ResponseFormat::None => {
                let body: &[u8] = if self.body.is_empty() {
                    b"{}"
                } else {
                    &self.body
                };
                serde_json::from_slice(body).map_err(|e| {
                    Error::malformed(self.status, format!("unexpected JSON: {e}"), &self.body)
                })
            }
        }
    }
}
