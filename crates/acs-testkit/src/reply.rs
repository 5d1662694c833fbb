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
}
