//! The plan as a plain-text table for terminals, grouped by phase and host pair.

use super::{grouped, port_label, Hosts};
use crate::plan::Plan;
use std::fmt::Write;

pub fn render(plan: &Plan) -> String {
    let mut out = String::new();
    let index = super::NoteIndex::of(plan);
    let width = plan
        .flows
        .iter()
        .map(|f| port_label(f).len())
        .max()
        .unwrap_or(0);
    let hosts = Hosts::new(plan);
    for (phase, pairs) in grouped(plan) {
        let _ = writeln!(out, "{}", phase.title().to_uppercase());
        for g in pairs {
            let _ = writeln!(out, "  {}", hosts.pair_heading(g.from, g.to));
            for f in g.flows {
                let _ = writeln!(
                    out,
                    "    {:<width$}  {}  [{}]",
                    port_label(f),
                    f.purpose,
                    f.rule
                );
                let remarks = index.remarks(plan, f);
                if !remarks.is_empty() {
                    let _ = writeln!(out, "    {:<width$}  ({remarks})", "");
                }
            }
        }
        out.push('\n');
    }
    let counts: Vec<String> = plan
        .phase_counts()
        .iter()
        .map(|(p, n)| format!("{n} {p}"))
        .collect();
    let _ = writeln!(
        out,
        "{} flows between {} hosts ({})",
        plan.flows.len(),
        plan.hosts.len(),
        counts.join(", ")
    );
    for n in &plan.notes {
        let _ = writeln!(out, "note: {n}");
    }
    if !index.notes.is_empty() {
        let _ = writeln!(out, "\nNOTES");
        for (i, n) in index.notes.iter().enumerate() {
            let _ = writeln!(out, "  {}. {n}", i + 1);
        }
    }
    out
}
