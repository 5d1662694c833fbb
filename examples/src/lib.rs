//! Runnable examples for the acs-rs crates; see the `*.rs` files beside this crate's manifest.
//!
//! ```text
//! cargo run -p acs-examples --example sign_request
//! ```

/// The workspace README's Rust examples, compiled and run as doctests so they stay true.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct WorkspaceReadme;

/// acs-signer's README examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../../crates/acs-signer/README.md")]
pub struct SignerReadme;

/// acs-core's README examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../../crates/acs-core/README.md")]
pub struct CoreReadme;

/// acs-sts's README examples, compiled as doctests.
#[cfg(doctest)]
#[doc = include_str!("../../crates/acs-sts/README.md")]
pub struct StsReadme;

/// acs-credentials's README examples, compiled as doctests.
#[cfg(doctest)]
#[doc = include_str!("../../crates/acs-credentials/README.md")]
pub struct CredentialsReadme;
