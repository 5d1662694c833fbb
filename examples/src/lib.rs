//! Runnable examples for the acs-rs crates; see the `*.rs` files beside this crate's manifest.
//!
//! ```text
//! cargo run -p acs-examples --example sign_request
//! ```
