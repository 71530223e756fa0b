//! `portplan fleet`: write the files that verify a plan across a fleet with Ansible.

use crate::fleet::{self, InventoryVars};
use anyhow::Context;
use clap::ValueEnum;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

const EXAMPLES: &str = "\
Examples:
  # Files for the wave, then the run (from the output directory)
  portplan fleet --scenario wave-5.json --format ansible -o fleet/
  cp dist/portplan-x86_64-unknown-linux-musl dist/portplan-x86_64-win7-windows-gnu.exe fleet/bin/
  cd fleet && ansible-playbook -i inventory.yml -i my-connections.yml fleet.yml

Written to the output directory:
  plan.json        the plan every host checks (its digest keys reports and tokens)
  inventory.yml    hosts by role (ansible_host = the scenario address), portplan_listeners,
                   portplan_checkers, portplan_windows, portplan_linux
  fleet.yml        the playbook: copy, listen, check in parallel, fetch, stop, merge
  tasks/           its per-OS steps
  ansible.cfg      forks = 50 and the inventory
The merged result is fleet-report.json; see README \"Fleet runs\" for the variables.";

/// Write an Ansible inventory and playbook that run `listen` and `check` on every host.
///
/// Nothing is contacted: the files are written, you run them with ansible-playbook.
#[derive(Debug, clap::Args)]
#[command(after_long_help = EXAMPLES)]
pub struct FleetArgs {
    /// Scenario file (JSON, format 1): hosts, their roles and operating systems.
    #[arg(long, short = 's', value_name = "FILE")]
    pub scenario: PathBuf,
    /// What to write.
    #[arg(long, short = 'f', value_enum, default_value_t = FleetFormat::Ansible)]
    pub format: FleetFormat,
    /// Output directory (created; generated files in it are replaced).
    #[arg(long, short = 'o', value_name = "DIR")]
    pub output: PathBuf,
    /// Linux binary to copy to Linux hosts (path on the controller, relative to DIR).
    #[arg(
        long,
        value_name = "PATH",
        default_value = "bin/portplan-x86_64-unknown-linux-musl"
    )]
    pub linux_binary: String,
    /// Windows binary to copy to Windows hosts (path on the controller, relative to DIR).
    #[arg(
        long,
        value_name = "PATH",
        default_value = "bin/portplan-x86_64-win7-windows-gnu.exe"
    )]
    pub windows_binary: String,
    /// How long responders may live at most (`portplan listen --for`).
    #[arg(long, value_name = "DURATION", default_value = "15m", value_parser = parse_for)]
    pub listen_for: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FleetFormat {
    /// Inventory (YAML) and playbook for ansible-playbook.
    Ansible,
}

fn parse_for(s: &str) -> Result<String, String> {
    crate::duration::up_to_a_day(s).map(|_| s.trim().to_string())
}

/// Quotes that would break the inventory's double-quoted YAML strings are refused.
fn yaml_safe(flag: &str, v: &str) -> anyhow::Result<()> {
    if v.chars().any(|c| c == '"' || c == '\\' || c.is_control()) {
        anyhow::bail!("--{flag}: {v:?} contains a quote, a backslash or a control character");
    }
    Ok(())
}

pub fn run(a: FleetArgs) -> anyhow::Result<ExitCode> {
    let FleetFormat::Ansible = a.format;
    yaml_safe("linux-binary", &a.linux_binary)?;
    yaml_safe("windows-binary", &a.windows_binary)?;
    let scenario = super::input::read_scenario(&a.scenario)?;
    let plan = portplan_core::Plan::build(&scenario)
        .map_err(|e| anyhow::anyhow!("{}: {e}", a.scenario.display()))?;
    let hosts = fleet::hosts(&scenario, &plan);
    let source = a.scenario.display().to_string();
    let (linux, windows) = (
        controller_path(&a.linux_binary),
        controller_path(&a.windows_binary),
    );
    let vars = InventoryVars {
        linux_binary: &linux,
        windows_binary: &windows,
        listen_for: &a.listen_for,
        source: &source,
    };
    let out = &a.output;
    let inventory = fleet::inventory(&hosts, &vars);
    let plan_json = plan.to_json();
    let mut files: Vec<(&str, &[u8])> = vec![
        ("plan.json", plan_json.as_bytes()),
        ("inventory.yml", inventory.as_bytes()),
        ("fleet.yml", fleet::PLAYBOOK.as_bytes()),
        ("ansible.cfg", fleet::ANSIBLE_CFG.as_bytes()),
    ];
    files.extend(fleet::TASK_FILES.iter().map(|(p, t)| (*p, t.as_bytes())));
    for (name, bytes) in &files {
        write(out, name, bytes)?;
    }
    let count = |f: fn(&fleet::FleetHost) -> bool| hosts.iter().filter(|h| f(h)).count();
    let text = format!(
        "{}: {} hosts ({} listen, {} check), plan {} with {} flows\n\
         next: put the binaries at {} and {} (relative to {}), then\n  cd {} && ansible-playbook fleet.yml\n",
        out.display(),
        hosts.len(),
        count(|h| h.listens),
        count(|h| h.checks),
        plan.digest(),
        plan.flows.len(),
        a.linux_binary,
        a.windows_binary,
        out.display(),
        out.display()
    );
    crate::io::write_output(None, text.as_bytes())?;
    Ok(ExitCode::SUCCESS)
}

/// Relative binary paths are taken from the playbook's directory (Ansible would
/// otherwise look for them under `files/` next to each task file).
fn controller_path(p: &str) -> String {
    if Path::new(p).is_relative() {
        format!("{{{{ playbook_dir }}}}/{p}")
    } else {
        p.to_string()
    }
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> anyhow::Result<()> {
    let path = dir.join(name);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("{}: cannot create", parent.display()))?;
    }
    crate::io::write_atomic(&path, bytes)
}
