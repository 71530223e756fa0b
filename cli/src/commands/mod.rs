//! One module per subcommand. Each returns its exit code; errors are printed once here.

pub mod check;
mod drive_port;
pub mod fleet;
pub mod input;
mod listen;
pub mod merge;
mod plan;
pub mod preflight;
mod probe_service;
mod rules;
mod shell;

use crate::cli::{Cli, Command};
use std::process::ExitCode;

/// Exit codes: 0 ok, 1 checks failed, 2 bad input or usage, 3 an output that could not
/// be written ([`crate::io::EXIT_WRITE`]).
pub const EXIT_INPUT: u8 = 2;

pub fn run(cli: Cli) -> ExitCode {
    let result = match cli.command {
        Command::Plan(a) => plan::run(a),
        Command::Rules(a) => rules::run(a),
        Command::DrivePort(a) => drive_port::run(a),
        Command::Listen(a) => listen::run(a),
        Command::ProbeService(a) => probe_service::run(a),
        Command::Check(a) => check::run(a),
        Command::Merge(a) => merge::run(a),
        Command::Preflight(a) => preflight::run(a),
        Command::Fleet(a) => fleet::run(a),
        Command::Completions(a) => shell::completions(a),
        Command::Man(a) => shell::man(a),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("portplan: {e:#}");
            if e.downcast_ref::<crate::io::WriteFailed>().is_some() {
                ExitCode::from(crate::io::EXIT_WRITE)
            } else {
                ExitCode::from(EXIT_INPUT)
            }
        }
    }
}
