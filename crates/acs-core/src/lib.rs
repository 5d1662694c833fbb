//! The transport and request pipeline every acs-rs product client runs on.
//!
//! A generated client describes each API with an [`Operation`], fills a [`Request`] with the
//! caller's parameters, and hands both to [`Client::call`], which
//!
//! 1. reads one credentials snapshot per attempt from a [`ProvideCredentials`] provider,
//! 2. builds and signs the HTTP request (V3 `ACS3-HMAC-SHA256` by default; SM3 or the legacy
//!    RPC v1 / ROA signatures on request) with a fresh nonce and timestamp,
//! 3. sends it through an [`HttpClient`] (hyper + rustls by default) within the timeouts,
//! 4. classifies the answer into a [`Response`] or an [`Error`] (JSON and XML error bodies),
//! 5. retries transient failures and throttling with jittered exponential back-off, and
//!    corrects for clock skew once.
//!
//! See the README section "Building a product client on acs-core".

#[cfg(not(any(feature = "webpki-roots", feature = "native-roots")))]
compile_error!("acs-core needs root certificates: enable `webpki-roots` or `native-roots`");

mod build;
mod call_options;
mod client;
mod config;
mod credentials;
mod depth;
mod endpoint;
mod error;
mod http;
mod operation;
pub mod paging;
mod proxy;
mod redact;
mod response;
mod retry;

pub use call_options::CallOptions;
pub use client::{Client, allows_plain_http, check_credentials_url};
pub use config::{
    ClientConfig, ClientConfigBuilder, Protocol, RetryConfig, SignatureVersion, Timeouts,
};
pub use credentials::{ProvideCredentials, SharedCredentialsProvider, StaticCredentialsProvider};
pub use depth::MAX_DEPTH;
pub use endpoint::EndpointRules;
pub use error::{Error, ErrorKind, ServiceError};
pub use futures_core::Stream;
pub use http::{HttpClient, HttpResponse, HyperClient, ResponseLimits, SharedHttpClient};
pub use operation::{
    AuthType, BodyFormat, Operation, Request, ResponseFormat, Style, flatten, idempotency_token,
};
pub use proxy::ProxyConfig;
pub use redact::{is_secret_parameter, scrub_text};
pub use response::{Output, Response};
