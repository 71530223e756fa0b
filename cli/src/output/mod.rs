//! How a check is shown: a table for people (colored on a terminal), a progress bar on
//! stderr while probing, and the JSON report for machines, written atomically.

pub mod progress;
pub mod table;

use portplan_core::report::{Reason, Report};
use portplan_core::scenario::is_forbidden_char;
use std::borrow::Cow;
use std::path::Path;

/// Text from a file (a plan, a report) as it may reach a terminal: control characters
/// (escape sequences, bells, line breaks), separators and invisible reordering
/// characters become `?`, as network data does ([`crate::proto::bytes::printable`]). A
/// report or plan someone else wrote can then neither retitle the terminal nor erase
/// and forge table lines.
pub fn shown(text: &str) -> Cow<'_, str> {
    if text.chars().any(is_forbidden_char) {
        Cow::Owned(
            text.chars()
                .map(|c| if is_forbidden_char(c) { '?' } else { c })
                .collect(),
        )
    } else {
        Cow::Borrowed(text)
    }
}

/// Writes the report as JSON to `path` through a temporary file and a rename, so a
/// reader (the web planner, `merge`) never sees half a report.
pub fn write_report(path: &Path, report: &Report) -> anyhow::Result<()> {
    crate::io::write_atomic(path, report.to_json().as_bytes())
}

/// The one-line summary printed after the table (or on stderr with `--format json`).
pub fn summary_line(report: &Report, probes: usize, secs: f64) -> String {
    let (pass, attention, fail) = report.counts();
    let cut = report
        .flows
        .iter()
        .flat_map(|f| &f.probes)
        .filter(|p| p.reason == Reason::Deadline)
        .map(|p| p.port_count())
        .sum::<usize>();
    let cut = if cut > 0 {
        format!(" ({cut} probe results cut by the deadline)")
    } else {
        String::new()
    };
    format!(
        "{} flows from {} checked with {probes} probes in {secs:.1} s: {pass} pass, {attention} attention, {fail} fail{cut} (plan {})",
        report.flows.len(),
        shown(&report.probed_from),
        report.plan_digest
    )
}
