//! What the emulator answers: scripted replies and faults.

use std::time::Duration;

/// A scripted answer for an action.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Reply {
    /// Success: HTTP 200 with this JSON document (rendered as XML when the client asked for
    /// XML). A `RequestId` is added when the document has none.
    Success(serde_json::Value),
    /// An Alibaba Cloud error body (`RequestId`, `HostId`, `Code`, `Message`, `Recommend`), in
    /// JSON or XML as the client asked.
    Error {
        /// The HTTP status.
        status: u16,
        /// The error code.
        code: String,
        /// The error message.
        message: String,
    },
    /// A fault instead of a proper answer.
    Fault(Fault),
}

impl Reply {
    /// A success with `body`.
    pub fn success(body: serde_json::Value) -> Self {
        Self::Success(body)
    }

    /// An error reply.
    pub fn error(status: u16, code: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Error {
            status,
            code: code.into(),
            message: message.into(),
        }
    }

    /// The throttling error STS sends: HTTP 400, `Throttling.User`.
    pub fn throttling() -> Self {
        Self::error(
            400,
            "Throttling.User",
            "Request was denied due to user flow control.",
        )
    }
}

/// A way to misbehave.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Fault {
    /// Answer this HTTP status with an HTML body (no error document).
    BareStatus(u16),
    /// Close the connection without answering.
    Reset,
    /// Wait, then answer normally.
    Delay(Duration),
    /// Never answer (until the client gives up).
    Hang,
    /// HTTP 200 with a body that is not the expected format.
    Malformed,
    /// HTTP 200 with a body of this many bytes.
    LargeBody(usize),
    /// HTTP 200 whose `Content-Length` promises more than is sent before the connection closes.
    Truncated,
    /// Exactly this answer: any status, headers and body (a hostile or broken server). A
    /// `Date` header is added unless one is given.
    Raw {
        /// The HTTP status.
        status: u16,
        /// Header names and values, sent as given.
        headers: Vec<(String, String)>,
        /// The body, sent as given.
        body: Vec<u8>,
    },
}

impl Fault {
    /// A [`Fault::Raw`] answer with a body and headers.
    ///
    /// ```
    /// use acs_testkit::Fault;
    /// let deep = Fault::raw(400, [("content-type", "text/xml")], "<a>".repeat(10_000));
    /// assert!(matches!(deep, Fault::Raw { status: 400, .. }));
    /// ```
    pub fn raw<'a>(
        status: u16,
        headers: impl IntoIterator<Item = (&'a str, &'a str)>,
        body: impl Into<Vec<u8>>,
    ) -> Self {
        Self::Raw {
            status,
            headers: headers
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect(),
            body: body.into(),
        }
    }
}
