//! The one error type every call returns.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use serde::Deserialize;

/// Why a call failed.
///
/// Inspect it with [`kind`](Self::kind) or the predicates ([`is_throttling`](Self::is_throttling),
/// [`is_retryable`](Self::is_retryable), [`code`](Self::code), [`request_id`](Self::request_id)).
/// No error ever contains a secret: credentials, signatures and tokens are never part of the
/// message, and response bodies appear only as a short excerpt of a malformed response.
///
/// ```
/// use acs_core::{Error, ErrorKind};
/// let err = Error::construction("missing required parameter RoleArn");
/// assert_eq!(err.kind(), ErrorKind::Construction);
/// assert!(!err.is_retryable());
/// assert_eq!(err.to_string(), "invalid request: missing required parameter RoleArn");
/// ```
#[derive(Clone)]
pub struct Error {
    kind: ErrorKind,
    detail: Detail,
    /// The cause, shared so that one failure can be handed to every caller waiting on it.
    source: Option<Arc<dyn std::error::Error + Send + Sync>>,
    /// Set where the request certainly never left this process (no connection was made).
    not_sent: bool,
    /// A response cut short by a lost connection: transient, unlike other malformed answers.
    truncated: bool,
    /// What the client adds to the error (a refused clock correction, say).
    note: Option<String>,
    /// How long the server asked us to wait (`x-acs-retry-after`, `Retry-After`).
    retry_after: Option<Duration>,
}

/// The category of an [`Error`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The service answered with an error (`Code`, `Message`, `RequestId`, …).
    Service,
    /// An attempt or the whole operation ran out of time.
    Timeout,
    /// No connection could be made, or it broke (DNS, refused, reset).
    Connect,
    /// The TLS handshake failed (untrusted certificate, wrong host name, protocol error).
    Tls,
    /// Credentials could not be obtained or are unusable.
    Credentials,
    /// The response could not be understood (with the HTTP status and a short excerpt).
    MalformedResponse,
    /// The response body was larger than the configured cap.
    ResponseTooLarge,
    /// The request could not be built (bad input, refused endpoint, signing failure).
    Construction,
}

#[derive(Clone)]
enum Detail {
    Service(Box<ServiceError>),
    Message(String),
    Malformed {
        status: u16,
        message: String,
        /// `None`: the body is withheld (it may hold credentials, or cannot be shown safely).
        excerpt: Option<String>,
    },
}

impl Error {
    /// A service error.
    pub fn service(error: ServiceError) -> Self {
        Self {
            kind: ErrorKind::Service,
            detail: Detail::Service(Box::new(error)),
            source: None,
            not_sent: false,
            truncated: false,
            note: None,
            retry_after: None,
        }
    }

    /// A request that could not be built.
    pub fn construction(message: impl Into<String>) -> Self {
        Self::with_message(ErrorKind::Construction, message)
    }

    /// A timeout.
    pub fn timeout(message: impl Into<String>) -> Self {
        Self::with_message(ErrorKind::Timeout, message)
    }

    /// A connection failure.
    pub fn connect(message: impl Into<String>) -> Self {
        Self::with_message(ErrorKind::Connect, message)
    }

    /// A credentials failure.
    pub fn credentials(message: impl Into<String>) -> Self {
        Self::with_message(ErrorKind::Credentials, message)
    }

    /// A credentials provider's failure as a caller sees it: [`ErrorKind::Credentials`] naming
    /// the provider, with the provider's own error (an STS service error, a timeout) as the
    /// [`source`](std::error::Error::source), so it is never taken for the called API's own
    /// error. A credentials error passes through unchanged. Not retryable: the provider
    /// retries on its own.
    ///
    /// ```
    /// use acs_core::{Error, ErrorKind};
    /// let error = Error::provider_failure("ram_role_arn", Error::timeout("no answer"));
    /// assert_eq!(error.kind(), ErrorKind::Credentials);
    /// assert_eq!(error.to_string(), "credentials unavailable: the ram_role_arn credentials provider failed: timed out");
    /// assert!(std::error::Error::source(&error).is_some());
    /// assert!(!error.is_retryable());
    /// ```
    pub fn provider_failure(provider: &str, error: Error) -> Self {
        if error.kind == ErrorKind::Credentials {
            return error;
        }
        Self::credentials(format!(
            "the {provider} credentials provider failed: {}",
            error.kind_description()
        ))
        .with_source(error)
    }

    /// A body over the cap.
    pub fn response_too_large(limit: usize) -> Self {
        Self::with_message(
            ErrorKind::ResponseTooLarge,
            format!("the response body exceeds the {limit}-byte limit"),
        )
    }

    /// A response that could not be decoded: keeps the status and an excerpt of at most 256
    /// bytes of the body, with the value of every secret-named field replaced
    /// ([`scrub_text`](crate::scrub_text)).
    ///
    /// ```
    /// let body = br#"{"Credentials":{"AccessKeySecret":"issued-secret","SecurityToken":"CAIS"#;
    /// let error = acs_core::Error::malformed(200, "unexpected JSON", body);
    /// assert!(!error.to_string().contains("issued-secret"));
    /// assert!(!format!("{error:?}").contains("CAIS"));
    /// ```
    pub fn malformed(status: u16, message: impl Into<String>, body: &[u8]) -> Self {
        Self {
            kind: ErrorKind::MalformedResponse,
            detail: Detail::Malformed {
                status,
                message: message.into(),
                excerpt: Some(excerpt(body)),
            },
            source: None,
            not_sent: false,
            truncated: false,
            note: None,
            retry_after: None,
        }
    }

    /// A response that could not be decoded, without any of its body: for answers that carry
    /// credentials, and for bodies refused before they were read (too deep).
    ///
    /// ```
    /// let error = acs_core::Error::malformed_withheld(200, "unexpected JSON");
    /// assert_eq!(error.to_string(), "malformed response (HTTP 200): unexpected JSON; body withheld");
    /// ```
    pub fn malformed_withheld(status: u16, message: impl Into<String>) -> Self {
        Self {
            kind: ErrorKind::MalformedResponse,
            detail: Detail::Malformed {
                status,
                message: message.into(),
                excerpt: None,
            },
            source: None,
            not_sent: false,
            truncated: false,
            note: None,
            retry_after: None,
        }
    }

    /// A response whose body was cut short by a lost connection (HTTP `status`): malformed, but
    /// transient, so retried where the operation is safe to repeat. No part of the body is kept.
    pub fn truncated(status: u16, message: impl Into<String>) -> Self {
        let mut error = Self::malformed_withheld(status, message);
        error.truncated = true;
        error
    }

    /// An error of `kind` with a message.
    pub fn with_message(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            detail: Detail::Message(message.into()),
            source: None,
            not_sent: false,
            truncated: false,
            note: None,
            retry_after: None,
        }
    }

    /// The same error, recording what caused it.
    pub fn with_source(mut self, source: impl std::error::Error + Send + Sync + 'static) -> Self {
        self.source = Some(Arc::new(source));
        self
    }

    /// The same error, marked as certainly not sent: the request never left this process (no
    /// connection could be made), so retrying it cannot repeat its effect. Transports set this
    /// on connection failures; anything not so marked may have reached the server.
    ///
    /// ```
    /// let error = acs_core::Error::connect("connection refused").with_request_not_sent();
    /// assert!(error.is_request_not_sent());
    /// assert!(!acs_core::Error::connect("reset after sending").is_request_not_sent());
    /// ```
    pub fn with_request_not_sent(mut self) -> Self {
        self.not_sent = true;
        self
    }

    /// Whether the request certainly never reached the server.
    pub fn is_request_not_sent(&self) -> bool {
        self.not_sent
    }

    /// The same error, recording how long the server asked us to wait before trying again.
    pub fn with_retry_after(mut self, after: Option<Duration>) -> Self {
        self.retry_after = after;
        self
    }

    /// How long the server asked us to wait before trying again, if it said.
    pub fn retry_after(&self) -> Option<Duration> {
        self.retry_after
            .or_else(|| self.as_service().and_then(|e| e.retry_after))
    }

    /// Whether the response was cut short by a lost connection ([`truncated`](Self::truncated)).
    pub(crate) fn is_truncated(&self) -> bool {
        self.truncated
    }

    /// A few words for the kind, as the message starts.
    pub(crate) fn kind_description(&self) -> &'static str {
        match self.kind {
            ErrorKind::Construction => "invalid request",
            ErrorKind::Timeout => "timed out",
            ErrorKind::Connect => "connection failed",
            ErrorKind::Tls => "TLS handshake failed",
            ErrorKind::Credentials => "credentials unavailable",
            ErrorKind::ResponseTooLarge => "response too large",
            ErrorKind::MalformedResponse => "malformed response",
            ErrorKind::Service => "service error",
        }
    }

    /// The same error with a note appended to its message.
    pub fn with_note(mut self, note: impl Into<String>) -> Self {
        self.note = Some(note.into());
        self
    }

    /// The category.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The service error, for [`ErrorKind::Service`].
    pub fn as_service(&self) -> Option<&ServiceError> {
        match &self.detail {
            Detail::Service(error) => Some(error),
            _ => None,
        }
    }

    /// The service's error code (`Throttling.User`, `InvalidParameter`, …).
    pub fn code(&self) -> Option<&str> {
        self.as_service().map(|e| e.code.as_str())
    }

    /// The request id the service assigned, for support tickets.
    pub fn request_id(&self) -> Option<&str> {
        self.as_service().and_then(|e| e.request_id.as_deref())
    }

    /// The HTTP status, when a response was received.
    pub fn status(&self) -> Option<u16> {
        match &self.detail {
            Detail::Service(e) => Some(e.status),
            Detail::Malformed { status, .. } => Some(*status),
            Detail::Message(_) => None,
        }
    }

    /// Whether the service asked us to slow down: a throttling code, or HTTP 429.
    pub fn is_throttling(&self) -> bool {
        self.as_service().is_some_and(ServiceError::is_throttling) || self.status() == Some(429)
    }

    /// Whether trying again may succeed: throttling, transient service errors (HTTP 500, 502,
    /// 503, 504 and the transient codes), timeouts and connection failures.
    pub fn is_retryable(&self) -> bool {
        match self.kind {
            ErrorKind::Timeout | ErrorKind::Connect => true,
            // A certificate problem does not fix itself.
            ErrorKind::Tls => false,
            ErrorKind::Service => self.as_service().is_some_and(ServiceError::is_retryable),
            // A gateway answering 429 or 5xx without an Alibaba error body (an HTML page, say).
            ErrorKind::MalformedResponse => {
                self.truncated || matches!(self.status(), Some(429 | 500 | 502 | 503 | 504))
            }
            _ => false,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.fmt_detail(f)?;
        if let Some(note) = &self.note {
            write!(f, "; {note}")?;
        }
        Ok(())
    }
}

impl Error {
    fn fmt_detail(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.detail {
            Detail::Service(e) => fmt::Display::fmt(e, f),
            Detail::Message(message) => write!(f, "{}: {message}", self.kind_description()),
            Detail::Malformed {
                status,
                message,
                excerpt,
            } => match excerpt {
                Some(excerpt) => write!(
                    f,
                    "malformed response (HTTP {status}): {message}; body starts {excerpt:?}"
                ),
                None => write!(
                    f,
                    "malformed response (HTTP {status}): {message}; body withheld"
                ),
            },
        }
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Error")
            .field("kind", &self.kind)
            .field("message", &self.to_string())
            .field("source", &self.source.as_ref().map(|s| s.to_string()))
            .finish()
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_deref()
            .map(|s| s as &(dyn std::error::Error + 'static))
    }
}

/// The longest message or detail kept from a service error, in bytes.
const MAX_MESSAGE: usize = 8192;

/// `text` cut to at most [`MAX_MESSAGE`] bytes, on a character boundary.
fn bounded(text: &str) -> &str {
    let mut end = text.len().min(MAX_MESSAGE);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// The longest excerpt of a body an error keeps, in bytes.
const EXCERPT_BYTES: usize = 256;
/// How much of a body is scrubbed before the excerpt is cut from it: enough that a secret's
/// name inside the excerpt is seen with its value.
const SCRUBBED_BYTES: usize = 4096;

/// At most 256 bytes of a body, lossily decoded and scrubbed of secret values, for error
/// messages. The scrubbing runs before the cut, so a value the cut would split is still
/// recognised by its name.
fn excerpt(body: &[u8]) -> String {
    let head = String::from_utf8_lossy(&body[..body.len().min(SCRUBBED_BYTES)]);
    let scrubbed = crate::redact::scrub_text(&head);
    let mut end = scrubbed.len().min(EXCERPT_BYTES);
    while !scrubbed.is_char_boundary(end) {
        end -= 1;
    }
    scrubbed[..end].to_owned()
}

/// An error answered by an Alibaba Cloud service.
///
/// ```
/// use acs_core::ServiceError;
/// let body = br#"{"RequestId":"6B3C","HostId":"sts.aliyuncs.com","Code":"Throttling.User","Message":"Request was denied due to user flow control.","Recommend":"https://api.aliyun.com/troubleshoot?q=Throttling.User"}"#;
/// let err = ServiceError::parse(400, None, body).unwrap();
/// assert_eq!(err.code, "Throttling.User");
/// assert!(err.is_throttling());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ServiceError {
    /// The HTTP status.
    pub status: u16,
    /// The error code, such as `InvalidParameter.DurationSeconds`.
    pub code: String,
    /// The human-readable message.
    pub message: String,
    /// The request id.
    pub request_id: Option<String>,
    /// The host that answered.
    pub host_id: Option<String>,
    /// Alibaba Cloud's troubleshooting link.
    pub recommend: Option<String>,
    /// Why access was denied (RAM policy details), when the service says.
    pub access_denied_detail: Option<String>,
    /// How long the server asked us to wait before retrying (`Retry-After`).
    pub retry_after: Option<Duration>,
}

/// Codes that mean "slow down".
const THROTTLING: [&str; 3] = ["Throttling", "Throttling.User", "Throttling.Api"];
/// Codes that mean "a transient fault on the service side".
const TRANSIENT: [&str; 3] = ["ServiceUnavailable", "InternalError", "UnknownError"];

impl ServiceError {
    /// Parses an error body, JSON or XML, as Alibaba Cloud services send them (`Code`,
    /// `Message`, `RequestId`, `HostId`, `Recommend`, `AccessDeniedDetail`; lower-camel-case
    /// variants too). `None` when the body is neither, carries no code, or nests deeper than
    /// [`MAX_DEPTH`](crate::MAX_DEPTH) (it is then never deserialised). The message and
    /// details are scrubbed of secret-named values ([`scrub_text`](crate::scrub_text)).
    pub fn parse(status: u16, retry_after: Option<Duration>, body: &[u8]) -> Option<Self> {
        let text = std::str::from_utf8(body)
            .ok()?
            .trim_start_matches('\u{feff}')
            .trim();
        let fields: ErrorFields = if text.starts_with('<') {
            crate::depth::check_xml(text.as_bytes()).ok()?;
            quick_xml::de::from_str(text).ok()?
        } else {
            crate::depth::check_json(text.as_bytes()).ok()?;
            serde_json::from_str(text).ok()?
        };
        let code = fields.code.filter(|c| !c.is_empty())?;
        Some(Self {
            status,
            code,
            message: crate::redact::scrub_text(bounded(&fields.message.unwrap_or_default())),
            request_id: fields.request_id,
            host_id: fields.host_id,
            recommend: fields.recommend,
            access_denied_detail: fields.access_denied_detail.map(|v| {
                crate::redact::scrub_text(bounded(&match v {
                    serde_json::Value::String(s) => s,
                    other => other.to_string(),
                }))
            }),
            retry_after,
        })
    }

    /// Replaces every occurrence of `secret` in the message (servers echo their string-to-sign,
    /// which for RPC v1 holds the security token).
    pub(crate) fn scrub(&mut self, secret: &str) {
        if !secret.is_empty() && self.message.contains(secret) {
            self.message = self.message.replace(secret, "** redacted **");
        }
    }

    /// Whether the code is a throttling code.
    pub fn is_throttling(&self) -> bool {
        THROTTLING.contains(&self.code.as_str()) || self.code.starts_with("Throttling.")
    }

    /// Whether retrying may succeed: throttling, transient codes, or HTTP 500/502/503/504.
    pub fn is_retryable(&self) -> bool {
        self.is_throttling()
            || TRANSIENT.contains(&self.code.as_str())
            || matches!(self.status, 500 | 502 | 503 | 504)
    }
}

impl fmt::Display for ServiceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (HTTP {}): {}", self.code, self.status, self.message)?;
        if let Some(id) = &self.request_id {
            write!(f, " [request id {id}]")?;
        }
        Ok(())
    }
}

#[derive(Deserialize)]
struct ErrorFields {
    #[serde(rename = "Code", alias = "code")]
    code: Option<String>,
    #[serde(rename = "Message", alias = "message")]
    message: Option<String>,
    #[serde(rename = "RequestId", alias = "requestId")]
    request_id: Option<String>,
    #[serde(rename = "HostId", alias = "hostId")]
    host_id: Option<String>,
    #[serde(rename = "Recommend", alias = "recommend")]
    recommend: Option<String>,
    #[serde(rename = "AccessDeniedDetail", alias = "accessDeniedDetail")]
    access_denied_detail: Option<serde_json::Value>,
}

#[cfg(test)]
mod tests {
    use super::*;

    const JSON: &[u8] = br#"{"RequestId":"req-1","HostId":"sts.aliyuncs.com","Code":"InvalidParameter.DurationSeconds","Message":"The Min/Max value of DurationSeconds is 15min/1hr.","Recommend":"https://api.aliyun.com/troubleshoot?q=InvalidParameter.DurationSeconds"}"#;
    const XML: &[u8] = br#"<?xml version="1.0" encoding="UTF-8"?>
<Error>
  <RequestId>req-1</RequestId>
  <HostId>sts.aliyuncs.com</HostId>
  <Code>InvalidParameter.DurationSeconds</Code>
  <Message>The Min/Max value of DurationSeconds is 15min/1hr.</Message>
  <Recommend><![CDATA[https://api.aliyun.com/troubleshoot?q=InvalidParameter.DurationSeconds]]></Recommend>
</Error>"#;

    #[test]
    fn json_and_xml_bodies_give_the_same_error() {
        let json = ServiceError::parse(400, None, JSON);
        let xml = ServiceError::parse(400, None, XML);
        assert!(json.is_some());
        assert_eq!(json, xml);
        let err = json.unwrap_or_else(|| unreachable!());
        assert_eq!(err.request_id.as_deref(), Some("req-1"));
        assert_eq!(err.host_id.as_deref(), Some("sts.aliyuncs.com"));
        assert!(
            err.recommend
                .as_deref()
                .is_some_and(|r| r.ends_with("DurationSeconds"))
        );
        assert!(!err.is_retryable());
    }

    #[test]
    fn lower_camel_case_and_detail_objects() {
        let body = br#"{"code":"Forbidden.RAM","message":"denied","requestId":"r","AccessDeniedDetail":{"PolicyType":"AccountLevelIdentityBasedPolicy"}}"#;
        let err = ServiceError::parse(403, None, body).unwrap_or_else(|| unreachable!());
        assert_eq!(err.code, "Forbidden.RAM");
        assert_eq!(err.request_id.as_deref(), Some("r"));
        assert!(
            err.access_denied_detail
                .as_deref()
                .is_some_and(|d| d.contains("PolicyType"))
        );
    }

    #[test]
    fn classification() {
        let make = |status, code: &str| ServiceError {
            status,
            code: code.into(),
            message: String::new(),
            request_id: None,
            host_id: None,
            recommend: None,
            access_denied_detail: None,
            retry_after: None,
        };
        assert!(make(400, "Throttling.User").is_throttling());
        assert!(make(400, "Throttling").is_retryable());
        assert!(make(503, "ServiceUnavailable").is_retryable());
        assert!(make(500, "Whatever").is_retryable());
        assert!(!make(404, "InvalidInstanceId.NotFound").is_retryable());
        assert!(Error::service(make(400, "Throttling.Api")).is_throttling());
    }

    #[test]
    fn not_an_error_body() {
        assert!(ServiceError::parse(500, None, b"<html>bad gateway</html>").is_none());
        assert!(ServiceError::parse(500, None, b"").is_none());
        assert!(ServiceError::parse(500, None, b"{\"Message\":\"no code\"}").is_none());
    }

    #[test]
    fn malformed_keeps_only_an_excerpt() {
        let body = vec![b'x'; 10_000];
        let err = Error::malformed(200, "expected JSON", &body);
        assert!(err.to_string().len() < 400);
        assert_eq!(err.status(), Some(200));
    }
}
