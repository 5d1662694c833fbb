//! A loopback emulator of Alibaba Cloud APIs for tests, examples and users' own tests.
//!
//! [`TestServer`] listens on `127.0.0.1` and **verifies** every request's signature (RPC v1,
//! ROA, V3) with acs-signer against the keys a test registers, answers with scripted
//! [`Reply`]s in the real response shapes (JSON or XML, success or `Error` bodies with
//! `RequestId`, `HostId`, `Code`, `Message`, `Recommend`), injects [`Fault`]s, and records every
//! request so a test can count exactly what was sent.

mod decode;
mod metadata;
mod reply;
mod server;
mod sts;
mod verify;

pub use reply::{Fault, Reply};
pub use server::{RecordedRequest, TestServer, Verdict};
pub use sts::{Identity, iso8601};
pub use verify::Scheme;
