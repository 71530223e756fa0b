//! `portplan merge`: per-host reports of one plan → one fleet report (same format).

use crate::output::shown;
use anyhow::anyhow;
use portplan_core::report::merge::merge;
use portplan_core::report::Report;
use portplan_core::Plan;
use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

const EXAMPLES: &str = "\
Examples:
  # After `portplan check ... -o report-HOST.json` on every host of the wave
  portplan merge report-*.json -o fleet-report.json

  # Same, checked against the plan: flows in plan order, flows nobody checked listed
  portplan merge --plan plan.json report-*.json -o fleet-report.json

  # A host re-checked after a firewall fix: its newer results replace the old ones
  portplan merge fleet-report.json report-web01.json -o fleet-report.json

Every report must carry the same plan digest (the plan they checked); a report of
another plan is refused, naming its file. A flow checked by several reports keeps
the result that finished last (each replacement is listed on stderr). With --plan, each
failing flow is listed on stderr with the inbound rule it needs (`to fix: allow TCP 3725
from src (10.0.1.2) to tgt (10.0.2.2)`), or with its hint when no rule fixes it (another
host answered, the host is down or its address wrong).

  # For CI: JUnit XML, one test case per flow
  portplan merge --plan plan.json report-*.json -f junit > fleet-junit.xml

Exit status: 0 when no flow of the merged report fails, 1 when one does, when a host's
preflight found a flow its own firewall blocks or a prerequisite that is a problem, or
(with --plan) a flow of the plan was never checked, 2 on bad input (unreadable file, invalid
report, reports of different plans).";

/// Combine per-host reports of the same plan into one fleet report.
///
/// The fleet report has the same public format as a `portplan check` report; its
/// `probed_from` and `host` list every probing host, comma-separated.
#[derive(Debug, clap::Args)]
#[command(after_long_help = EXAMPLES)]
pub struct MergeArgs {
    /// Report files written by `portplan check -o` (or earlier merges).
    #[arg(required = true, value_name = "REPORT")]
    pub reports: Vec<PathBuf>,
    /// The plan the reports checked: refuse reports of any other plan, order the flows
    /// like the plan and list the flows no report checked.
    #[arg(long, short = 'p', value_name = "FILE")]
    pub plan: Option<PathBuf>,
    /// Write the fleet report to FILE (atomically) instead of standard output; a table
    /// of the results is printed instead when --plan is given.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// What to print on standard output: the fleet report (json; a table with --plan
    /// and -o), or JUnit XML for CI (junit: one test case per flow, failures with their
    /// verdicts and fix; with --plan, flows nobody checked are skipped cases).
    #[arg(long, short = 'f', value_enum, default_value_t = MergeFormat::Json)]
    pub format: MergeFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum MergeFormat {
    /// The fleet report (or, with --plan and -o, the table).
    Json,
    /// JUnit XML: one test case per flow.
    Junit,
}

pub fn run(a: MergeArgs) -> anyhow::Result<ExitCode> {
    let plan = match &a.plan {
        Some(path) => {
            let text = crate::io::read_input(path)?;
            Some(Plan::from_json(&text).map_err(|e| anyhow!("{}: {e}", path.display()))?)
        }
        None => None,
    };
    let mut reports = Vec::with_capacity(a.reports.len());
    for path in &a.reports {
        let text = crate::io::read_input(path)?;
        let (r, corrected) = Report::from_json_settled(&text).map_err(|e| {
            if Plan::from_json(&text).is_ok() {
                anyhow!(
                    "{}: this is a plan, not a report: pass it with --plan",
                    path.display()
                )
            } else {
                anyhow!("{}: {e}", path.display())
            }
        })?;
        // A status its own probes contradict is corrected on reading; say which.
        for line in corrected {
            eprintln!("portplan merge: {}: {}", path.display(), shown(&line));
        }
        reports.push((path.display().to_string(), r));
    }
    let inputs: Vec<(&str, &Report)> = reports.iter().map(|(n, r)| (n.as_str(), r)).collect();
    let merged = merge(&inputs, plan.as_ref()).map_err(|e| anyhow!(e))?;
    // Every line from the reports goes through the printable cleaner: a report is
    // someone else's file.
    for line in &merged.replaced {
        eprintln!("portplan merge: {}", shown(line));
    }
    if !merged.unchecked.is_empty() {
        let mut by_host: BTreeMap<&str, usize> = BTreeMap::new();
        for f in &merged.unchecked {
            *by_host.entry(f.from.as_str()).or_default() += 1;
        }
        let hosts: Vec<String> = by_host.iter().map(|(h, n)| format!("{h} ({n})")).collect();
        let n = merged.unchecked.len();
        eprintln!(
            "portplan merge: {} of the plan {} not checked; no report from: {}",
            crate::output::count(n, "flow", "flows"),
            if n == 1 { "was" } else { "were" },
            shown(&hosts.join(", "))
        );
    }
    let report = &merged.report;
    if let Some(p) = &plan {
        // What to fix: the firewall rule each failing flow needs (the exporters' rules;
        // `portplan plan --format nftables|powershell|…` has the full scripts).
        // One line per rule: TCP 135 failing in discovery and in conversion is one fix.
        let mut seen = std::collections::HashSet::new();
        let fixes = portplan_core::report::fixes::fixes(p, report);
        let ruled: std::collections::HashSet<&portplan_core::Flow> =
            fixes.iter().map(|f| &f.flow).collect();
        for fix in &fixes {
            if seen.insert(fix.summary.clone()) {
                eprintln!(
                    "portplan merge: to fix: {}",
                    shown(&format!("{} {}", fix.summary, fix.place()))
                );
            }
        }
        // A failure no firewall rule fixes (another host answered, the host is down or
        // its address wrong) says what to do in its hint: listed too, so the fails on
        // stderr are all the fails. One line per hint (a dead host's flows share one).
        for f in &report.flows {
            let no_rule =
                f.status == portplan_core::report::Status::Fail && !ruled.contains(&f.flow());
            if no_rule && seen.insert(f.hint.clone()) {
                eprintln!("portplan merge: to fix: {}", shown(&f.hint));
            }
        }
    }
    let (pass, attention, fail) = report.counts();
    // A flow nobody checked is not a pass: the fleet's result is incomplete. A host whose
    // own firewall or setup blocks the plan (preflight) fails the fleet as a failed flow does.
    let blocked = report.preflight.iter().any(|s| s.blocks());
    let exit = if fail > 0 || blocked || !merged.unchecked.is_empty() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    };
    let unchecked = if merged.unchecked.is_empty() {
        String::new()
    } else {
        format!(", {} not checked", merged.unchecked.len())
    };
    let summary = format!(
        "{} merged: {} from {}: {pass} pass, {attention} attention, {fail} fail{unchecked}{}",
        crate::output::count(inputs.len(), "report", "reports"),
        crate::output::count(report.flows.len(), "flow", "flows"),
        shown(&report.probed_from.replace(',', ", ")),
        preflight_summary(report),
    );
    if a.format == MergeFormat::Junit {
        if let Some(path) = &a.output {
            crate::output::write_report(path, report)?;
        }
        let xml = crate::output::junit::render("portplan merge", plan.as_ref(), report, true)?;
        crate::io::write_output(None, xml.as_bytes())?;
        eprintln!("{summary}");
        return Ok(exit);
    }
    match &a.output {
        Some(path) => {
            crate::output::write_report(path, report)?;
            let table = match &plan {
                Some(p) => crate::output::table::render(p, report, std::io::stdout().is_terminal()),
                None => String::new(),
            };
            crate::io::write_output(None, format!("{table}{summary}\n").as_bytes())?;
        }
        None => {
            crate::io::write_output(None, report.to_json().as_bytes())?;
            eprintln!("{summary}");
        }
    }
    Ok(exit)
}

/// `; preflight of 3 hosts: 2 blocked or missing, 5 unknown`: what the hosts' own
/// `portplan preflight` found, counted from the view's rows (empty without any).
fn preflight_summary(report: &portplan_core::report::Report) -> String {
    use portplan_core::report::view::{Mark, PreflightView};
    if report.preflight.is_empty() {
        return String::new();
    }
    let views: Vec<PreflightView> = report.preflight.iter().map(PreflightView::of).collect();
    let n = |m: Mark| {
        views
            .iter()
            .flat_map(|v| &v.rows)
            .filter(|r| r.mark == m)
            .count()
    };
    format!(
        "; preflight of {}: {} ok, {} blocked or missing, {} unknown",
        crate::output::count(views.len(), "host", "hosts"),
        n(Mark::Pass),
        n(Mark::Fail),
        n(Mark::Attention)
    )
}
