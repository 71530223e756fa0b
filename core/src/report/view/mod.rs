//! One view of a plan's check results that every output prints: the CLI's table
//! (`portplan check`, `portplan merge --plan`) and the planner page's Verification
//! section.
//!
//! Both used to re-derive the grouping, the verdict texts and "what to fix" on their
//! own, and drifted (the page listed one sentence per sampled port, attention before
//! failures, netsh rules for an ESXi host). Here it is decided once, as plain data with
//! the words already written; a renderer only adds layout, colors and markup.
//!
//! ```
//! use portplan_core::report::view::{Mark, ReportView};
//! use portplan_core::report::{FlowReport, Report, Status};
//! use portplan_core::{Plan, Scenario};
//! let s = Scenario::from_json(r#"{"format":1,"product":"migrate","version":"12.3",
//!   "server":{"name":"ps01","address":"10.0.0.1"},
//!   "workloads":[{"name":"src","address":"10.0.1.2","os":"linux",
//!     "target":{"name":"tgt","address":"10.0.2.2"}}]}"#).unwrap();
//! let plan = Plan::build(&s).unwrap();
//! let transfer = plan.flows.iter().find(|f| f.from == "tgt").unwrap();
//! let report = Report { preflight: Vec::new(), format: 1, plan_digest: plan.digest(), catalog: plan.catalog.clone(),
//!     probed_from: "tgt".into(), host: "tgt".into(), started: "2026-01-01T00:00:00Z".into(),
//!     finished: "2026-01-01T00:00:01Z".into(),
//!     flows: vec![FlowReport::new(transfer, Status::Fail, "filtered".into(), vec![])] };
//! let view = ReportView::build(&plan, &report);
//! assert_eq!(view.fixes[0].mark, Mark::Fail);
//! // Flows nobody checked say which check covers them.
//! let ssh = view.flows().find(|f| f.flow.from == "ps01").unwrap();
//! assert_eq!(ssh.mark, Mark::NotChecked);
//! assert_eq!(ssh.run.as_deref(), Some("portplan check --from ps01"));
//! ```

mod preflight;
#[cfg(test)]
mod tests;
mod verdicts;

pub use preflight::{PreflightRow, PreflightView, RowKind};
pub use verdicts::{probe_status, shows_detail, VerdictGroup, VerdictLine};

use crate::export::{grouped, pair_heading, port_label};
use crate::plan::{Flow, Plan};
use crate::report::fixes::{self, Fix};
use crate::report::merge::{key, merge, FlowKey, MergeError};
use crate::report::{FlowReport, Report, Status};
use crate::types::{Phase, PortRange, Protocol};
use std::collections::HashMap;
use std::fmt;

/// A flow's state in the view: its status, or that no report covers it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Mark {
    Pass,
    Attention,
    Fail,
    NotChecked,
}

impl Mark {
    /// Every mark, in the order "What to fix" and the summaries count them.
    pub const ALL: &'static [Mark] = &[Mark::Pass, Mark::Attention, Mark::Fail, Mark::NotChecked];

    /// The word of the report format (`pass`, `attention`, `fail`), or `not checked`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Mark::Pass => "pass",
            Mark::Attention => "attention",
            Mark::Fail => "fail",
            Mark::NotChecked => "not checked",
        }
    }

    /// A sign that tells the marks apart without color (for readers who cannot see it,
    /// and for print): ✔ ▲ ✖ ○.
    pub const fn icon(self) -> &'static str {
        match self {
            Mark::Pass => "✔",
            Mark::Attention => "▲",
            Mark::Fail => "✖",
            Mark::NotChecked => "○",
        }
    }

    /// The mark in a sentence, for screen readers and tooltips.
    pub const fn label(self) -> &'static str {
        match self {
            Mark::Pass => "passed",
            Mark::Attention => "needs attention",
            Mark::Fail => "failed",
            Mark::NotChecked => "not checked",
        }
    }

    /// The report status it stands for (`None`: not checked).
    pub const fn status(self) -> Option<Status> {
        match self {
            Mark::Pass => Some(Status::Pass),
            Mark::Attention => Some(Status::Attention),
            Mark::Fail => Some(Status::Fail),
            Mark::NotChecked => None,
        }
    }
}

impl From<Option<Status>> for Mark {
    fn from(s: Option<Status>) -> Self {
        match s {
            Some(Status::Pass) => Mark::Pass,
            Some(Status::Attention) => Mark::Attention,
            Some(Status::Fail) => Mark::Fail,
            None => Mark::NotChecked,
        }
    }
}

impl fmt::Display for Mark {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How many flows have each mark.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Counts {
    pub pass: usize,
    pub attention: usize,
    pub fail: usize,
    pub not_checked: usize,
}

impl Counts {
    fn add(&mut self, m: Mark) {
        match m {
            Mark::Pass => self.pass += 1,
            Mark::Attention => self.attention += 1,
            Mark::Fail => self.fail += 1,
            Mark::NotChecked => self.not_checked += 1,
        }
    }

    /// The count of one mark.
    pub fn of(&self, m: Mark) -> usize {
        match m {
            Mark::Pass => self.pass,
            Mark::Attention => self.attention,
            Mark::Fail => self.fail,
            Mark::NotChecked => self.not_checked,
        }
    }
}

/// What was actually dialed, from where: a DNS name, a NAT address or the wrong
/// interface shows here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    pub dialed: String,
    pub local: Option<String>,
}

impl fmt::Display for Route {
    /// `dialed 10.0.1.2 from 10.0.2.2`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "dialed {}", self.dialed)?;
        if let Some(l) = &self.local {
            write!(f, " from {l}")?;
        }
        Ok(())
    }
}

/// One plan flow with what the reports say about it.
#[derive(Debug, Clone, PartialEq)]
pub struct FlowView {
    pub flow: Flow,
    /// `TCP 135`, `TCP 49152-65535`, `ICMP echo`.
    pub label: String,
    pub mark: Mark,
    /// The probes as one line (empty when not checked).
    pub verdicts: VerdictLine,
    /// The report's hint: what the probes saw and what to do; empty on a pass.
    pub hint: String,
    /// For a flow no report covers: the check that would, run on the host that opens it.
    pub run: Option<String>,
    /// The report entry behind it (the page lists its probes).
    pub entry: Option<FlowReport>,
}

/// The flows of one host pair within a phase.
#[derive(Debug, Clone, PartialEq)]
pub struct PairView {
    pub from: String,
    pub to: String,
    /// `ps01 (10.0.0.5) -> web01 (10.0.1.10)`.
    pub heading: String,
    pub flows: Vec<FlowView>,
    pub counts: Counts,
}

impl PairView {
    /// Whether any flow of the pair was checked (the CLI's table shows only those).
    pub fn checked(&self) -> bool {
        self.flows.iter().any(|f| f.mark != Mark::NotChecked)
    }

    /// The first probe's dialed and local addresses, when the report has them. A method
    /// rather than a field: reading addresses costs an address parser, which a renderer
    /// that does not show the route (the page) should not carry.
    pub fn route(&self) -> Option<Route> {
        self.flows
            .iter()
            .filter_map(|f| f.entry.as_ref())
            .flat_map(|e| &e.probes)
            .find_map(|p| {
                Some(Route {
                    dialed: p.dialed_ip()?,
                    local: p.local.clone(),
                })
            })
    }
}

/// One phase of the plan and its host pairs, in plan order.
#[derive(Debug, Clone, PartialEq)]
pub struct PhaseView {
    pub phase: Phase,
    pub pairs: Vec<PairView>,
}

/// One line of "What to fix": a flow that fails or needs attention.
#[derive(Debug, Clone, PartialEq)]
pub struct FixItem {
    pub flow: Flow,
    /// [`Mark::Fail`] or [`Mark::Attention`].
    pub mark: Mark,
    /// `TCP 49152-65535`.
    pub label: String,
    /// The verdicts that keep it from passing, with their ports as runs:
    /// `filtered 49152-53247 (4096 ports) (no-response)`.
    pub concern: String,
    /// The report's hint (service-aware: Windows' own services, the PlateSpin server…).
    pub hint: String,
    /// For a failing flow: the inbound rule, in the dialects of the accepting host only
    /// ([`Fix::place`] says where it goes when no host dialect applies).
    pub fix: Option<Fix>,
    /// The same rule's flows in later phases (same hosts, address, protocol and ports,
    /// the same mark): one firewall rule fixes them all, so one line names them all
    /// (TCP 445 from ps01 to web01 in Discovery and in Conversion).
    pub also: Vec<Flow>,
}

impl FixItem {
    /// The phases this line covers, in plan order.
    pub fn phases(&self) -> Vec<Phase> {
        std::iter::once(&self.flow)
            .chain(&self.also)
            .map(|f| f.phase)
            .collect()
    }

    /// What to do in one sentence: `allow TCP 443 from web01 (…) to ps01 (…) on ps01's
    /// firewall.`; empty for attention (the path is open, the hint says the rest).
    pub fn action(&self) -> String {
        self.fix
            .as_ref()
            .map(|f| format!("{} {}.", f.summary, f.place()))
            .unwrap_or_default()
    }
}

/// The whole view: results grouped like the plan, and what to fix first.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportView {
    pub phases: Vec<PhaseView>,
    /// Failing flows first, then those that need attention; plan order within each.
    pub fixes: Vec<FixItem>,
    pub counts: Counts,
    /// Each host's `portplan preflight` (what its own firewall and settings say),
    /// beside the check results; empty when no report carries one.
    pub preflight: Vec<PreflightView>,
}

/// The command that checks the flows host `from` opens.
pub fn check_command(from: &str) -> String {
    format!("portplan check --from {from}")
}

impl ReportView {
    /// The view of `report` (one host's, or a fleet report of `merge`) over `plan`.
    /// Report flows the plan does not have are left out: check the digest first.
    pub fn build(plan: &Plan, report: &Report) -> ReportView {
        // Matched as `merge` matches them; its plan index's map type, so the page's wasm
        // has one copy of it.
        let mut by_key: HashMap<FlowKey, usize> = HashMap::new();
        for (i, r) in report.flows.iter().enumerate().rev() {
            by_key.insert(key(r.phase, &r.from, &r.to, r.protocol, r.ports), i);
        }
        let entry = |f: &Flow| {
            by_key
                .get(&key(f.phase, &f.from, &f.to, f.protocol, f.ports))
                .and_then(|&i| report.flows.get(i))
        };
        let mut counts = Counts::default();
        let phases = grouped(plan)
            .into_iter()
            .map(|(phase, pairs)| PhaseView {
                phase,
                pairs: pairs
                    .into_iter()
                    .map(|g| {
                        let flows: Vec<FlowView> =
                            g.flows.iter().map(|f| flow_view(f, entry(f))).collect();
                        let mut pc = Counts::default();
                        for f in &flows {
                            pc.add(f.mark);
                            counts.add(f.mark);
                        }
                        PairView {
                            from: g.from.to_string(),
                            to: g.to.to_string(),
                            heading: pair_heading(plan, g.from, g.to),
                            flows,
                            counts: pc,
                        }
                    })
                    .collect(),
            })
            .collect();
        ReportView {
            fixes: fix_items(plan, entry, &fixes::misaddressed(&report.flows)),
            phases,
            counts,
            preflight: report.preflight.iter().map(PreflightView::of).collect(),
        }
    }

    /// The view of several reports of `plan` merged as `portplan merge --plan` merges
    /// them (a flow checked twice keeps the run that finished last). `inputs` pairs a
    /// label (the file name) with each report, for the errors.
    pub fn merged(plan: &Plan, inputs: &[(&str, &Report)]) -> Result<ReportView, MergeError> {
        let m = merge(inputs, Some(plan))?;
        Ok(ReportView::build(plan, &m.report))
    }

    /// Every flow of the view, in plan order within its phase and host pair.
    pub fn flows(&self) -> impl Iterator<Item = &FlowView> {
        self.phases
            .iter()
            .flat_map(|p| &p.pairs)
            .flat_map(|g| &g.flows)
    }
}

fn flow_view(f: &Flow, entry: Option<&FlowReport>) -> FlowView {
    FlowView {
        label: port_label(f),
        mark: Mark::from(entry.map(|e| e.status)),
        verdicts: entry.map_or_else(VerdictLine::default, |e| VerdictLine::new(f, &e.probes)),
        hint: entry.map_or_else(String::new, |e| e.hint.clone()),
        run: entry.is_none().then(|| check_command(&f.from)),
        entry: entry.cloned(),
        flow: f.clone(),
    }
}

fn fix_items<'a>(
    plan: &Plan,
    entry: impl Fn(&Flow) -> Option<&'a FlowReport>,
    misaddressed: &std::collections::HashSet<&crate::HostName>,
) -> Vec<FixItem> {
    let items: Vec<FixItem> = plan
        .flows
        .iter()
        .filter_map(|f| {
            let e = entry(f)?;
            let mark = Mark::from(Some(e.status));
            if !matches!(mark, Mark::Fail | Mark::Attention) {
                return None;
            }
            let line = VerdictLine::new(f, &e.probes);
            let concern: Vec<String> = line
                .concerns()
                .map(|g| match g.ports.as_str() {
                    "" => g.sentence(),
                    ports => format!("{} {ports} ({})", g.verdict, g.reason),
                })
                .collect();
            Some(FixItem {
                label: port_label(f),
                concern: concern.join("; "),
                hint: e.hint.clone(),
                fix: (fixes::needs_rule(e) && !misaddressed.contains(&e.to))
                    .then(|| fixes::for_flow(plan, f, &e.hint)),
                mark,
                flow: f.clone(),
                also: Vec::new(),
            })
        })
        .collect();
    // One line per rule: a later phase's flow joins the first one's line.
    type Same = (
        String,
        String,
        Option<String>,
        Protocol,
        Option<PortRange>,
        Mark,
    );
    let mut first: HashMap<Same, usize> = HashMap::new();
    let mut lines: Vec<FixItem> = Vec::with_capacity(items.len());
    for i in items {
        let f = &i.flow;
        let same: Same = (
            f.from.to_ascii_lowercase(),
            f.to.to_ascii_lowercase(),
            f.address.clone(),
            f.protocol,
            f.ports,
            i.mark,
        );
        match first.get(&same) {
            Some(&at) => {
                let line = &mut lines[at];
                if !line.concern.split("; ").any(|c| c == i.concern) {
                    line.concern = format!("{}; {}", line.concern, i.concern);
                }
                line.also.push(i.flow);
            }
            None => {
                first.insert(same, lines.len());
                lines.push(i);
            }
        }
    }
    // Failures block the migration; attention mostly clears once PlateSpin runs.
    let (mut fails, attention): (Vec<FixItem>, Vec<FixItem>) =
        lines.into_iter().partition(|i| i.mark == Mark::Fail);
    fails.extend(attention);
    fails
}
