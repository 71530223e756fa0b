//! The library side of the `portplan` CLI: protocol confirmations and the responder.
//!
//! Kept as a library so the parsers of untrusted network bytes ([`proto`]) can be
//! fuzzed and tested without the binary, and so integration tests can drive the
//! async clients and the responder directly.
#![cfg_attr(not(test), warn(clippy::unwrap_used))]

pub mod proto;
pub mod responder;
