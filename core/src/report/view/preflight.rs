//! Preflight's rows in the one view: per host that ran `portplan preflight`, each inbound
//! flow (what the host's own firewall does with it) and each prerequisite, with the
//! words and the fix already written, so the CLI table, JUnit and the page's
//! Verification section print the same thing beside check's verdicts.

use super::Mark;
use crate::preflight::section::{ports_label, PreflightSection, PrerequisiteStatus};
use crate::preflight::Judgement;

/// One host's preflight.
#[derive(Debug, Clone, PartialEq)]
pub struct PreflightView {
    pub host: String,
    /// What the firewall was read from, or why it was not.
    pub firewall: String,
    pub rows: Vec<PreflightRow>,
}

/// What a row is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowKind {
    /// An inbound flow of the plan, judged against the host's own firewall.
    Flow,
    /// A vendor prerequisite of the host.
    Prerequisite,
}

/// One inbound flow or prerequisite.
#[derive(Debug, Clone, PartialEq)]
pub struct PreflightRow {
    pub kind: RowKind,
    /// `inbound TCP 3725 from lnx01-t (replication)`, or the prerequisite's id.
    pub label: String,
    /// Pass (allowed, ok), fail (blocked, problem), attention (unknown: nobody could
    /// tell, which is not a pass).
    pub mark: Mark,
    /// The report's own word: `allowed`, `blocked`, `unknown`, `ok`, `problem`.
    pub word: &'static str,
    /// The evidence (rule, chain, policy, profile), the reason it is unknown, or what
    /// the host showed.
    pub detail: String,
    /// What to do, in the host's dialect; empty when nothing is to be done.
    pub fix: String,
    /// Why the fix may be refused (hardening guides) and the alternative.
    pub caveat: String,
    /// The vendor's words and page, for prerequisites.
    pub quote: String,
    pub page: String,
}

fn mark_of(j: Judgement) -> Mark {
    match j {
        Judgement::Allowed => Mark::Pass,
        Judgement::Blocked => Mark::Fail,
        Judgement::Unknown => Mark::Attention,
    }
}

impl PreflightView {
    /// The rows of one section: its flows run by run (a flow whose ports differ gives
    /// one row per run), then its prerequisites.
    pub fn of(s: &PreflightSection) -> PreflightView {
        let mut rows = Vec::new();
        for f in &s.flows {
            for r in &f.results {
                let ports = ports_label(f.protocol, r.ports.or(f.ports));
                let d = &r.decision;
                let detail = if d.verdict == Judgement::Unknown {
                    d.reason.clone()
                } else {
                    d.evidence.join("; ")
                };
                let fix = if d.verdict == Judgement::Blocked {
                    format!(
                        "let {ports} from {} in through the firewall of {} itself, before what blocks it ({detail})",
                        f.from, s.host
                    )
                } else {
                    String::new()
                };
                rows.push(PreflightRow {
                    kind: RowKind::Flow,
                    label: format!("inbound {ports} from {} ({})", f.from, f.phase.as_str()),
                    mark: mark_of(d.verdict),
                    word: d.verdict.as_str(),
                    detail,
                    fix,
                    caveat: String::new(),
                    quote: String::new(),
                    page: String::new(),
                });
            }
        }
        for p in &s.prerequisites {
            rows.push(PreflightRow {
                kind: RowKind::Prerequisite,
                label: p.id.clone(),
                mark: match p.status {
                    PrerequisiteStatus::Ok => Mark::Pass,
                    PrerequisiteStatus::Problem => Mark::Fail,
                    PrerequisiteStatus::Unknown => Mark::Attention,
                },
                word: p.status.as_str(),
                detail: p.observed.clone(),
                fix: p.fix.clone(),
                caveat: p.caveat.clone(),
                quote: p.quote.clone(),
                page: p.page.clone(),
            });
        }
        PreflightView {
            host: s.host.clone(),
            firewall: s.firewall.clone(),
            rows,
        }
    }
}
