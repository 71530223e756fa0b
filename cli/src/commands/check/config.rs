//! What a `check` run will do, settled and validated from its arguments before any
//! socket opens: the plan, the host it runs as, the probes, how they are run, the
//! deadline, and whether confirmations run. A mistake in any of them is reported here,
//! in words naming the flag, not after minutes of probing.

use super::CheckArgs;
use crate::probe::deep::DeepSettings;
use crate::probe::limits;
use crate::probe::net::Sources;
use crate::probe::schedule::{self, Settings};
use anyhow::{anyhow, bail, Context};
use portplan_core::probe::jobs::{self, Selection, Work};
use portplan_core::token::Key;
use portplan_core::{Address, HostName, Plan};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

/// A validated `check` run.
#[derive(Debug)]
pub struct CheckConfig {
    pub plan: Plan,
    /// The probes, selected from the plan's flows.
    pub work: Work,
    /// The plan host this machine is (the plan's spelling of `--from`).
    pub from: HostName,
    pub settings: Settings,
    /// The whole run's deadline.
    pub budget: Duration,
    /// `None` with `--no-deep`: the sockets alone decide.
    pub deep: Option<Arc<DeepSettings>>,
    /// The `--from` host's addresses on this machine, which probes leave from.
    pub sources: Sources,
}

impl CheckConfig {
    /// Loads the plan and settles everything else; the open-file limit is raised here
    /// (the default concurrency follows it).
    pub fn from_args(a: &CheckArgs) -> anyhow::Result<CheckConfig> {
        let plan = a
            .input
            .load()?
            .ok_or_else(|| anyhow!("--plan or --scenario is required"))?;
        // A report that cannot be written is known now, not after every probe has run.
        if let Some(path) = &a.output {
            crate::io::check_writable(path).context("-o")?;
        }
        let nofile = limits::raise_nofile();
        let concurrency = a
            .concurrency
            .map_or_else(|| limits::default_concurrency(nofile), |n| n as usize);
        let mut config = Self::settle(plan, a, concurrency)?;
        // Last, once every flag is known good: is this machine the --from host?
        config.sources = super::vantage::settle(&config.plan, &config.from, a.translated)?;
        Ok(config)
    }

    /// [`Self::from_args`] past its side effects (file system, process limits).
    fn settle(plan: Plan, a: &CheckArgs, concurrency: usize) -> anyhow::Result<CheckConfig> {
        let from = host_flag(&plan, "--from", &a.from)?;
        let to =
            a.to.iter()
                .map(|t| host_flag(&plan, "--to", t))
                .collect::<anyhow::Result<Vec<HostName>>>()?;
        let selection = Selection {
            from: from.clone(),
            to,
            phases: a.only_phase.clone(),
            full_ranges: a.full_ranges,
        };
        let work = jobs::plan_work(&plan, &selection).map_err(|e| anyhow!(e))?;
        let settings = Settings {
            timeout: a.timeout,
            retries: a.retries,
            concurrency,
            per_host: (a.per_host as usize).min(concurrency),
            max_time: a.max_time,
        };
        let needs_dns = work
            .targets
            .iter()
            .any(|t| !matches!(t.address.parse::<Address>(), Ok(Address::Ip(_))));
        let busiest = schedule::busiest_target(&work);
        let mut budget = schedule::budget(work.jobs.len(), busiest, needs_dns, &settings);
        let key = match &a.secret_file {
            Some(path) => Key::with_secret(&plan.digest(), &crate::secret::read(path)?),
            None => Key::plan_only(&plan.digest()),
        };
        let mut hosts: HashMap<String, Vec<HostName>> = HashMap::new();
        for t in &work.targets {
            let names = hosts.entry(t.address.clone()).or_default();
            if !names.contains(&t.name) {
                names.push(t.name.clone());
            }
        }
        let deep = (!a.no_deep).then(|| Arc::new(DeepSettings { key, hosts }));
        if deep.is_some() {
            // A confirmation, and the follow-ups it asks for, may wait out two more
            // timeouts per attempt.
            let extra = a.timeout.saturating_mul(2 * (a.retries + 1));
            budget = (budget + extra).min(a.max_time.unwrap_or(Duration::MAX));
        }
        Ok(CheckConfig {
            plan,
            work,
            from,
            settings,
            budget,
            deep,
            sources: Sources::default(),
        })
    }
}

/// The plan's name of the host a `--from`/`--to` means: its name in any case, or its
/// address however written (`[fd00::2]`).
fn host_flag(plan: &Plan, flag: &str, value: &str) -> anyhow::Result<HostName> {
    match plan.host_named_or_at(value) {
        Some(h) => Ok(h.name.clone()),
        None => {
            let names: Vec<&str> = plan.hosts.iter().map(|h| h.name.as_str()).collect();
            bail!(
                "{flag} {value:?}: not a host of the plan (hosts: {})",
                names.join(", ")
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;
    use portplan_core::Scenario;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        check: CheckArgs,
    }

    fn plan() -> Plan {
        let s = Scenario::from_json(
            r#"{"format":1,"product":"migrate","version":"2020.2",
            "server":{"name":"ps01","address":"10.0.0.5"},
            "workloads":[{"name":"web01","address":"[fd00::2]","os":"windows","windows":"2019",
              "target":{"name":"web01-t","address":"10.0.0.7"}}]}"#,
        )
        .expect("scenario");
        Plan::build(&s).expect("plan")
    }

    fn settle(args: &[&str], concurrency: usize) -> anyhow::Result<CheckConfig> {
        let mut all = vec!["check", "--plan", "unused.json"];
        all.extend_from_slice(args);
        let a = Cli::try_parse_from(all).expect("arguments").check;
        CheckConfig::settle(plan(), &a, concurrency)
    }

    #[test]
    fn hosts_are_named_or_given_by_address_and_take_the_plans_spelling() {
        let c = settle(&["--from", "PS01", "--to", "fd00::2"], 100).expect("config");
        assert_eq!(c.from, "ps01");
        assert!(c.work.targets.iter().all(|t| t.name == "web01"));
        assert!(!c.work.jobs.is_empty());
        let e = settle(&["--from", "ps01", "--to", "web02"], 100).expect_err("unknown");
        assert_eq!(
            e.to_string(),
            "--to \"web02\": not a host of the plan (hosts: ps01, web01, web01-t)"
        );
    }

    #[test]
    fn ceilings_and_the_deadline_are_settled_before_any_probe() {
        let c = settle(&["--from", "ps01", "--per-host", "5000"], 300).expect("config");
        assert_eq!(
            c.settings.per_host, 300,
            "a host's ceiling is within the run's"
        );
        assert!(c.deep.is_some(), "confirmations are the default");
        let capped = settle(&["--from", "ps01", "--max-time", "3s"], 300).expect("config");
        assert_eq!(capped.budget, Duration::from_secs(3));
        let plain = settle(&["--from", "ps01", "--no-deep"], 300).expect("config");
        assert!(plain.deep.is_none());
        assert!(
            plain.budget < c.budget,
            "no confirmation allowance without them"
        );
    }
}
