//! The checklist's lead: the consolidated rules a firewall team applies (the rules of
//! `portplan plan --format rules`, numbered the same), one row, tick box and sign-off
//! per rule, addresses grouped with host names. The per-pair tables follow as an
//! appendix.

use super::layout::{Flow, CONTENT_W};
use super::metrics::Font;
use super::table::{Column, Table};
use crate::export::NoteIndex;
use crate::firewall::{rules, Group, GroupRule};
use crate::plan::Plan;

const COLUMNS: [Column; 6] = [
    Column {
        title: "Done",
        width: 26.0,
    },
    Column {
        title: "Rule",
        width: 26.0,
    },
    Column {
        title: "From",
        width: 120.0,
    },
    Column {
        title: "To (opens inbound)",
        width: 120.0,
    },
    Column {
        title: "Ports",
        width: 70.0,
    },
    Column {
        title: "Why; applied by / date",
        width: CONTENT_W - 26.0 - 26.0 - 120.0 - 120.0 - 70.0,
    },
];

/// At most this many address ranges and host names in a cell: a group of a thousand
/// scattered addresses would not fit a page; the change request lists them all.
const SHOWN: usize = 12;

pub(super) fn draw(flow: &mut Flow, plan: &Plan, index: &NoteIndex<'_>) {
    let rules = rules(plan);
    flow.paragraph(
        &format!("Rules to apply ({})", rules.len()),
        Font::Bold,
        14.0,
        CONTENT_W,
    );
    flow.gap(2.0);
    flow.paragraph(
        "One row per consolidated rule: every phase that needs it is merged into it. Tick it when the rule is in place and sign it. Numbered notes are at the end of the document. The appendix lists every flow by phase and host pair; the change request (CSV, XLSX) has every address.",
        Font::Regular,
        8.5,
        CONTENT_W,
    );
    flow.gap(4.0);
    let rows: Vec<Vec<String>> = rules
        .iter()
        .enumerate()
        .map(|(i, r)| {
            vec![
                String::new(),
                format!("R{}", i + 1),
                side(&r.from),
                side(&r.to),
                r.ports_text(),
                format!(
                    "{}. Applied by: ______________ Date: ________",
                    why(r, index)
                ),
            ]
        })
        .collect();
    let table = Table::new(&COLUMNS, true, 8.0);
    table.draw(flow, &rows, &|f: &mut Flow| {
        f.paragraph("Rules to apply (continued)", Font::Bold, 10.0, CONTENT_W);
        f.gap(1.0);
    });
}

/// The rule's comment with the flows' notes as the numbers of the document's notes
/// (printed whole in a narrow column, one rule's notes filled a page): `Discovery:
/// HTTPS to the server (notes 1, 4; optional: TCP 3389)`.
fn why(r: &GroupRule, index: &NoteIndex<'_>) -> String {
    let phases: Vec<&str> = r.phases.iter().map(|p| p.title()).collect();
    let mut c = format!("{}: {}", phases.join(", "), r.purposes.join("; "));
    if r.pairwise {
        c.push_str(" (each source to its own target)");
    }
    let mut numbers: Vec<usize> = Vec::new();
    let mut words: Vec<&str> = Vec::new();
    for n in &r.notes {
        match index.number(n) {
            Some(i) => numbers.push(i),
            None => words.push(n),
        }
    }
    numbers.sort_unstable();
    numbers.dedup();
    let mut notes: Vec<String> = Vec::new();
    if !numbers.is_empty() {
        let list: Vec<String> = numbers.iter().map(usize::to_string).collect();
        notes.push(format!("notes {}", list.join(", ")));
    }
    notes.extend(words.iter().map(|w| w.to_string()));
    if !notes.is_empty() {
        c.push_str(&format!(" ({})", notes.join("; ")));
    }
    c
}

/// `ps01 (10.20.0.5)`, or `36 sources: 10.1.0.1-10.1.0.36 (win01, win02, …)`.
fn side(g: &Group) -> String {
    if let [one] = g.members.as_slice() {
        return one.text();
    }
    let addresses = g.addresses();
    let parts: Vec<&str> = addresses.split(if g.nat() { "; " } else { ", " }).collect();
    let mut text = format!(
        "{}: {}",
        g.label(),
        parts[..parts.len().min(SHOWN)].join(", ")
    );
    if parts.len() > SHOWN {
        text.push_str(&format!(" and {} more", parts.len() - SHOWN));
    }
    let names: Vec<&str> = g
        .members
        .iter()
        .take(SHOWN)
        .map(|m| m.name.as_str())
        .collect();
    let more = if g.members.len() > SHOWN { ", …" } else { "" };
    text.push_str(&format!(" ({}{more})", names.join(", ")));
    text
}
