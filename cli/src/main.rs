//! `portplan`: plan and verify the network ports of PlateSpin Migrate, Protect and Forge.
#![cfg_attr(not(test), warn(clippy::unwrap_used))]

mod cli;
mod commands;
mod fleet;
mod io;
mod output;
mod probe;

use std::process::ExitCode;

fn main() -> ExitCode {
    commands::run(cli::parse())
}
