//! How a check is shown: a table for people (colored on a terminal), a progress bar on
//! stderr while probing, and the JSON report for machines, written atomically.

pub mod junit;
pub mod progress;
pub mod table;

use portplan_core::report::Report;
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

/// `1 flow`, `2 flows`: a count with its noun in the right number.
pub fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The one-line summary printed after the table (or on stderr with `--format json`).
/// `probes` is the run's probes and `cut` how many of them the deadline cut, each
/// counted once (a probe two flows share, TCP 135 in two phases, is one).
pub fn summary_line(report: &Report, probes: usize, cut: usize, secs: f64) -> String {
    let (pass, attention, fail) = report.counts();
    let cut = if cut > 0 {
        format!(
            " ({cut} of {} cut by the deadline)",
            count(probes, "probe", "probes")
        )
    } else {
        String::new()
    };
    format!(
        "{} from {} checked with {} in {secs:.1} s: {pass} pass, {attention} attention, {fail} fail{cut} (plan {})",
        count(report.flows.len(), "flow", "flows"),
        shown(&report.probed_from),
        count(probes, "probe", "probes"),
        report.plan_digest
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_take_their_nouns_number() {
        assert_eq!(count(1, "flow", "flows"), "1 flow");
        assert_eq!(count(0, "flow", "flows"), "0 flows");
        assert_eq!(count(16_392, "probe", "probes"), "16392 probes");
    }
}
