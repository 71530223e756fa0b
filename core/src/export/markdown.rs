//! The plan as Markdown: a heading per phase and per host pair, a table of flows.

use super::{grouped, port_label, Hosts};
use crate::plan::Plan;
use std::fmt::Write;

pub fn render(plan: &Plan) -> String {
    let mut out = String::new();
    let index = super::NoteIndex::of(plan);
    let _ = writeln!(
        out,
        "# Port plan: PlateSpin {} {}\n",
        plan.product, plan.version
    );
    let counts: Vec<String> = plan
        .phase_counts()
        .iter()
        .map(|(p, n)| format!("{} {}", n, p.title().to_lowercase()))
        .collect();
    let _ = writeln!(
        out,
        "{} hosts, {} flows ({}).\n",
        plan.hosts.len(),
        plan.flows.len(),
        counts.join(", ")
    );
    for n in &plan.notes {
        let _ = writeln!(out, "> {}\n", esc(n));
    }
    let hosts = Hosts::new(plan);
    for (phase, pairs) in grouped(plan) {
        let _ = writeln!(out, "## {}\n", phase.title());
        for g in pairs {
            let _ = writeln!(
                out,
                "### {} ({}) → {} ({})\n",
                esc(g.from),
                esc(hosts.address(g.from)),
                esc(g.to),
                esc(hosts.address(g.to))
            );
            out.push_str("| Protocol / port | Purpose | Rule |\n|---|---|---|\n");
            for f in g.flows {
                let remarks = index.remarks(plan, f);
                let purpose = if remarks.is_empty() {
                    esc(&f.purpose)
                } else {
                    format!("{} ({})", esc(&f.purpose), esc(&remarks))
                };
                let _ = writeln!(out, "| {} | {} | `{}` |", port_label(f), purpose, f.rule);
            }
            out.push('\n');
        }
    }
    if !index.notes.is_empty() {
        out.push_str("## Notes\n\n");
        for (i, n) in index.notes.iter().enumerate() {
            let _ = writeln!(out, "{}. {}", i + 1, esc(n));
        }
        out.push('\n');
    }
    out
}

/// Escapes the characters that would break a Markdown table cell.
fn esc(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('|', "\\|")
        .replace('\n', " ")
}
