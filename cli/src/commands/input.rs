//! Reading what a command works from: a plan, or a scenario planned on the spot. One
//! loader, so every command says the same thing about the same mistake.

use anyhow::{anyhow, Result};
use portplan_core::{Plan, Scenario};
use std::path::{Path, PathBuf};

/// `--plan FILE` or `--scenario FILE` (`check`, `listen`).
#[derive(Debug, Clone, clap::Args)]
pub struct PlanInput {
    /// Plan file (`portplan plan -f json`), or `-` for standard input.
    #[arg(long, short = 'p', value_name = "FILE", conflicts_with = "scenario")]
    pub plan: Option<PathBuf>,
    /// Scenario file, planned on the fly exactly like `portplan plan`.
    #[arg(long, short = 's', value_name = "FILE")]
    pub scenario: Option<PathBuf>,
}

impl PlanInput {
    /// The plan, if either flag was given.
    pub fn load(&self) -> Result<Option<Plan>> {
        match (&self.plan, &self.scenario) {
            (Some(path), _) => read_plan(path).map(Some),
            (None, Some(path)) => plan_scenario(path).map(Some),
            (None, None) => Ok(None),
        }
    }
}

/// Reads a plan file; a scenario given as a plan says which flag to use.
pub fn read_plan(path: &Path) -> Result<Plan> {
    let text = crate::io::read_input(path)?;
    Plan::from_json(&text).map_err(|e| {
        if Scenario::from_json(&text).is_ok() {
            anyhow!(
                "--plan {}: this is a scenario, not a plan: pass it with --scenario",
                path.display()
            )
        } else {
            anyhow!("{}: {e}", path.display())
        }
    })
}

/// Reads a scenario file; errors name the file and the JSON path.
pub fn read_scenario(path: &Path) -> Result<Scenario> {
    let text = crate::io::read_input(path)?;
    Scenario::from_json(&text).map_err(|e| {
        if Plan::from_json(&text).is_ok() {
            anyhow!(
                "--scenario {}: this is a plan, not a scenario: pass it with --plan",
                path.display()
            )
        } else {
            anyhow!("{}: {e}", path.display())
        }
    })
}

/// Reads and plans a scenario file.
pub fn plan_scenario(path: &Path) -> Result<Plan> {
    let scenario = read_scenario(path)?;
    Plan::build(&scenario).map_err(|e| anyhow!("{}: {e}", path.display()))
}
