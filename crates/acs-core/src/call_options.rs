//! Settings for one call, over the client's: the role the official SDKs' `RuntimeOptions`
//! plays.

use std::time::Duration;

use crate::config::RetryConfig;

/// What one call does differently from the client's configuration: timeouts, retries, and
/// extra headers and query parameters (sent and signed like the operation's own). Unset
/// settings are the client's.
///
/// ```
/// use std::time::Duration;
/// use acs_core::{CallOptions, RetryConfig};
/// let options = CallOptions::new()
///     .read_timeout(Duration::from_secs(2))
///     .retry(RetryConfig::disabled())
///     .header("x-acs-trace-id", "trace-42")
///     .query("Extra", "1");
/// assert_eq!(options.headers().len(), 1);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct CallOptions {
    pub(crate) read_timeout: Option<Duration>,
    pub(crate) attempt_timeout: Option<Duration>,
    pub(crate) operation_timeout: Option<Duration>,
    pub(crate) retry: Option<RetryConfig>,
    headers: Vec<(String, String)>,
    query: Vec<(String, String)>,
}

impl CallOptions {
    /// No overrides: the client's settings.
    pub fn new() -> Self {
        Self::default()
    }

    /// How long to wait for the response after sending, for this call.
    pub fn read_timeout(mut self, timeout: Duration) -> Self {
        self.read_timeout = Some(timeout);
        self
    }

    /// How long one attempt may take, for this call.
    pub fn attempt_timeout(mut self, timeout: Duration) -> Self {
        self.attempt_timeout = Some(timeout);
        self
    }

    /// How long the call may take, retries included.
    pub fn operation_timeout(mut self, timeout: Duration) -> Self {
        self.operation_timeout = Some(timeout);
        self
    }

    /// The retry settings for this call.
    pub fn retry(mut self, retry: RetryConfig) -> Self {
        self.retry = Some(retry);
        self
    }

    /// An extra header for this call (signed with the rest).
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// An extra query parameter for this call (signed with the rest).
    pub fn query(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.query.push((name.into(), value.into()));
        self
    }

    /// The extra headers.
    pub fn headers(&self) -> &[(String, String)] {
        &self.headers
    }

    /// The extra query parameters.
    pub fn query_params(&self) -> &[(String, String)] {
        &self.query
    }

    /// Whether it changes nothing.
    pub(crate) fn is_empty(&self) -> bool {
        self == &Self::default()
    }
}
