//! Command-line surface (clap). Parsing only; the commands live in `commands/`.

use clap::{Parser, Subcommand, ValueEnum};
use portplan_core::export::registry;
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
    /// Open the ports a host must accept and answer `check`'s token (before PlateSpin runs).
    Listen(ListenArgs),
    /// Run one protocol confirmation or token check against ADDR:PORT (debugging, tests).
    #[command(hide = true)]
    ProbeService(ProbeServiceArgs),
    /// Probe the flows this host opens and report which ones the network lets through.
    Check(crate::commands::check::CheckArgs),
    /// Read this host's own firewall and prerequisites against the flows the plan sends to it.
    Preflight(crate::commands::preflight::PreflightArgs),
    /// Combine per-host reports of the same plan into one fleet report.
    Merge(crate::commands::merge::MergeArgs),
    /// Write the files that run `listen` and `check` across a fleet (Ansible).
    Fleet(crate::commands::fleet::FleetArgs),
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish).
    Completions(CompletionsArgs),
    /// Write the man pages (portplan.1 and one per subcommand) into DIR.
    #[command(hide = true)]
    Man(ManArgs),
}

#[derive(Debug, clap::Args)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[derive(Debug, clap::Args)]
pub struct ManArgs {
    /// Directory to write the pages into (created if missing).
    #[arg(long, value_name = "DIR")]
    pub dir: PathBuf,
}

#[derive(Debug, clap::Args)]
pub struct PlanArgs {
    /// Scenario file (JSON, format 1), or `-` for standard input.
    #[arg(long, short = 's', value_name = "FILE")]
    pub scenario: PathBuf,
    /// Output format.
    #[arg(long, short = 'f', value_parser = plan_formats(), default_value = "table")]
    pub format: String,
    /// Write to FILE (atomically) instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Date printed on the PDF checklist (YYYY-MM-DD); default: today (UTC).
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date)]
    pub date: Option<String>,
    /// Color the diagram (svg, pdf) with the verdicts of these `check` reports of the plan.
    #[arg(long, value_name = "FILE")]
    pub report: Vec<PathBuf>,
}

/// The `--format` values of `plan`: the core's one list of formats
/// ([`registry::FORMATS`]), which the page's downloads also list, so a format added
/// there is offered here with its words.
fn plan_formats() -> clap::builder::PossibleValuesParser {
    clap::builder::PossibleValuesParser::new(
        registry::FORMATS
            .iter()
            .map(|f| clap::builder::PossibleValue::new(f.name).help(f.about)),
    )
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
    /// What changes between two releases, e.g. `--diff 2018.11..2020.2` (needs --product).
    #[arg(
        long,
        value_name = "OLD..NEW",
        requires = "product",
        conflicts_with = "product_version"
    )]
    pub diff: Option<String>,
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

#[derive(Debug, clap::Args)]
#[command(group(clap::ArgGroup::new("source").required(true).args(["plan", "scenario", "key"])))]
pub struct ListenArgs {
    /// The plan: its flows say which ports to open, its digest keys the token.
    #[command(flatten)]
    pub input: crate::commands::input::PlanInput,
    /// The plan host this machine stands in for: its name (any case) or its address
    /// (IPv6 with or without brackets). Every token answer names it, so `check` can tell
    /// another host's responder from the one it dialed.
    #[arg(long = "as", value_name = "HOST", required = true)]
    pub host: Option<String>,
    /// Ports to open instead of the plan's, e.g. `3725,10002-10004,udp/137`.
    #[arg(long, value_name = "LIST")]
    pub ports: Option<String>,
    /// Address to bind (repeatable; IPv6 with or without brackets); default: the host's
    /// address from the plan.
    #[arg(long, value_name = "ADDR", value_parser = parse_ip)]
    pub bind: Vec<std::net::IpAddr>,
    /// Stop after this long: `90s`, `15m`, `2h`.
    #[arg(long = "for", value_name = "DURATION", default_value = "15m", value_parser = crate::duration::up_to_a_week)]
    pub duration: std::time::Duration,
    /// Concurrent TCP connections served at most; more are closed at once.
    #[arg(long, value_name = "N", default_value_t = 64)]
    pub max_connections: usize,
    /// Token key when no plan is given (both ends must use the same text).
    #[arg(long, value_name = "TEXT", hide = true)]
    pub key: Option<String>,
    /// The run's token secret, shared with `portplan check --secret-file` (a file only its
    /// owner can read, 0600; never printed). Without it the token is keyed by the public
    /// plan digest and proves only the plan, not this host.
    #[arg(long, value_name = "FILE")]
    pub secret_file: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
pub struct ProbeServiceArgs {
    /// Where to connect (`10.0.0.5:445`, `[fd00::5]:22`).
    pub addr: std::net::SocketAddr,
    /// Name for HTTP Host and TLS SNI (default: the address).
    #[arg(long)]
    pub host: Option<String>,
    /// Probe UDP (137: NetBIOS node status) instead of TCP.
    #[arg(long)]
    pub udp: bool,
    /// Check the `portplan listen` token under this plan digest instead.
    #[arg(long, value_name = "DIGEST")]
    pub token: Option<String>,
    /// With --token: the run's secret (as `listen --secret-file`).
    #[arg(long, value_name = "FILE", requires = "token")]
    pub secret_file: Option<PathBuf>,
    /// With --token: the plan host that must answer (default: any).
    #[arg(long = "expect", value_name = "HOST", requires = "token")]
    pub expect: Option<String>,
    /// Run the confirmation of this well-known port (a service on a non-standard port).
    #[arg(long, value_name = "PORT")]
    pub as_port: Option<u16>,
    /// Seconds per confirmation.
    #[arg(long, default_value_t = 5)]
    pub timeout: u64,
}

/// An IP address as plans and scenarios write it: IPv6 with or without `[…]`.
fn parse_ip(s: &str) -> Result<std::net::IpAddr, String> {
    let t = s.trim();
    let bare = t
        .strip_prefix('[')
        .and_then(|r| r.strip_suffix(']'))
        .unwrap_or(t);
    bare.parse()
        .map_err(|_| format!("{s:?} is not an IP address (e.g. 10.0.1.10, fd00::10 or [fd00::10])"))
}

/// Accepts a calendar date as `YYYY-MM-DD` (checked, so the PDF never prints garbage).
fn parse_date(s: &str) -> Result<String, String> {
    let bad = || format!("{s:?} is not a date as YYYY-MM-DD");
    let parts: Vec<&str> = s.split('-').collect();
    let [y, m, d] = parts.as_slice() else {
        return Err(bad());
    };
    if y.len() != 4 || m.len() != 2 || d.len() != 2 {
        return Err(bad());
    }
    let num = |t: &str| t.parse::<u32>().map_err(|_| bad());
    let (y, m, d) = (num(y)?, num(m)?, num(d)?);
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return Err(bad()),
    };
    if d == 0 || d > days {
        return Err(bad());
    }
    Ok(s.to_string())
}

fn parse_product(s: &str) -> Result<portplan_core::Product, String> {
    s.parse()
}

/// `0.1.0 (commit 1a2b3c4d5e6f, catalog sha256:…)`: which build and which rules.
pub fn long_version() -> String {
    format!(
        "{} (commit {}, catalog {})",
        env!("CARGO_PKG_VERSION"),
        env!("PORTPLAN_COMMIT"),
        portplan_core::rules::catalog_digest()
    )
}

/// The clap command with the long version filled in (shared by parsing, completions
/// and man pages, so they describe the same binary).
pub fn command() -> clap::Command {
    use clap::CommandFactory;
    let long: &'static str = Box::leak(long_version().into_boxed_str());
    Cli::command().long_version(long)
}

pub fn parse() -> Cli {
    use clap::FromArgMatches;
    let matches = command().get_matches();
    Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit())
}

#[cfg(test)]
mod tests {
    #[test]
    fn clap_definition_is_consistent() {
        use clap::CommandFactory;
        super::Cli::command().debug_assert();
    }

    /// `plan --format` offers exactly the core's formats, in its order, and each of
    /// them renders (the registry's `render` knows every listed name): one list for
    /// the CLI and the page's downloads.
    #[test]
    fn plan_formats_are_the_registrys() {
        use clap::CommandFactory;
        use portplan_core::export::registry::{self, FORMATS};
        let cmd = super::Cli::command();
        let plan = cmd.find_subcommand("plan").expect("plan");
        let format = plan
            .get_arguments()
            .find(|a| a.get_id() == "format")
            .expect("--format");
        let offered: Vec<String> = format
            .get_possible_values()
            .iter()
            .map(|v| v.get_name().to_string())
            .collect();
        let listed: Vec<&str> = FORMATS.iter().map(|f| f.name).collect();
        assert_eq!(offered, listed);
        let s = portplan_core::Scenario::from_json(include_str!("../../examples/azure-nat.json"))
            .expect("example");
        let p = portplan_core::Plan::build(&s).expect("plan");
        for name in listed {
            let bytes = registry::render(name, &p, &registry::Options::new("2025-01-01"));
            assert!(bytes.is_some_and(|b| !b.is_empty()), "{name}");
        }
    }

    #[test]
    fn bind_addresses_take_ipv6_with_or_without_brackets() {
        use std::net::IpAddr;
        let v6: IpAddr = "fd00::10".parse().expect("v6");
        assert_eq!(super::parse_ip("[fd00::10]"), Ok(v6));
        assert_eq!(super::parse_ip(" fd00::10 "), Ok(v6));
        assert_eq!(
            super::parse_ip("10.0.1.10"),
            Ok(IpAddr::from([10, 0, 1, 10]))
        );
        assert!(super::parse_ip("[10.0.0]").is_err() && super::parse_ip("[fd00::10").is_err());
    }
}
