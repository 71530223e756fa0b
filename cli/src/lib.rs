//! The `portplan` CLI as a library: the binary's `main` only calls [`main`].
//!
//! Everything is here so the parsers of untrusted network bytes ([`proto`]) can be
//! fuzzed and tested without the binary, and so integration tests can drive the
//! async clients and the responder directly. The commands, the prober and the output
//! are private: the command line is their interface.
#![cfg_attr(not(test), warn(clippy::unwrap_used))]

mod cli;
mod clock;
mod commands;
mod duration;
mod fleet;
mod io;
mod output;
mod probe;
pub mod proto;
pub mod responder;
mod secret;

/// Parses the command line, runs the command and returns its exit code.
pub fn main() -> std::process::ExitCode {
    commands::run(cli::parse())
}
