//! Command-line surface (clap). Parsing only; the commands live in `commands/`.

use clap::{Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// Plan and verify the network ports of PlateSpin Migrate, Protect and Forge.
///
/// Describe the deployment in a scenario file (see README), then `plan` it into the
/// flows a firewall must allow, export them for the firewall team, and verify them on
/// site.
#[derive(Debug, Parser)]
#[command(
    name = "portplan",
    version,
    about,
    long_about,
    propagate_version = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Turn a scenario into the flows (from, to, protocol, port, why) it needs.
    Plan(PlanArgs),
    /// List the port-rule catalog with sources, optionally for one product and version.
    Rules(RulesArgs),
    /// Print the legacy block-based mirror port of each drive letter (C -> 10002).
    DrivePort(DrivePortArgs),
    /// Probe the flows this host opens and report which ones the network lets through.
    Check(CheckArgs),
}

#[derive(Debug, clap::Args)]
pub struct PlanArgs {
    /// Scenario file (JSON, format 1), or `-` for standard input.
    #[arg(long, short = 's', value_name = "FILE")]
    pub scenario: PathBuf,
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = PlanFormat::Table)]
    pub format: PlanFormat,
    /// Write to FILE (atomically) instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PlanFormat {
    /// Human-readable table grouped by phase and host pair.
    Table,
    /// The public plan format (JSON, format 1).
    Json,
    /// One row per flow (RFC 4180).
    Csv,
    /// Markdown, grouped by phase and host pair.
    Md,
    /// Network diagram (SVG): hosts in columns by role, one labelled arrow per host pair.
    Svg,
}

#[derive(Debug, clap::Args)]
#[command(disable_version_flag = true)]
pub struct RulesArgs {
    /// Only rules that apply to this product.
    #[arg(long, value_parser = parse_product)]
    pub product: Option<portplan_core::Product>,
    /// Only rules that apply to this version (needs --product).
    #[arg(
        long = "version",
        id = "product_version",
        value_name = "VERSION",
        requires = "product"
    )]
    pub version: Option<String>,
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = RulesFormat::Table)]
    pub format: RulesFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RulesFormat {
    Table,
    Json,
}

#[derive(Debug, clap::Args)]
pub struct DrivePortArgs {
    /// Drive letters, A-Z, case-insensitive (e.g. `c d e`).
    #[arg(required = true, value_name = "LETTER")]
    pub letters: Vec<String>,
}

pub use crate::commands::check::CheckArgs;

fn parse_product(s: &str) -> Result<portplan_core::Product, String> {
    s.parse()
}

pub fn parse() -> Cli {
    Cli::parse()
}

#[cfg(test)]
mod tests {
    #[test]
    fn clap_definition_is_consistent() {
        use clap::CommandFactory;
        super::Cli::command().debug_assert();
    }
}
