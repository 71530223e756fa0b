//! The checklist's lead: the consolidated rules a firewall team applies (the rules of
//! `portplan plan --format rules`, numbered the same), one row, tick box and sign-off
//! per rule, addresses grouped with host names. The per-pair tables follow as an
//! appendix.

use super::layout::{Flow, CONTENT_W};
use super::metrics::Font;
use super::table::{Column, Table};
use crate::firewall::{rules, Group};
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

pub(super) fn draw(flow: &mut Flow, plan: &Plan) {
    let rules = rules(plan);
    flow.paragraph(
        &format!("Rules to apply ({})", rules.len()),
        Font::Bold,
        14.0,
        CONTENT_W,
    );
    flow.gap(2.0);
    flow.paragraph(
        "One row per consolidated rule: every phase that needs it is merged into it. Tick it when the rule is in place and sign it. The appendix lists every flow by phase and host pair; the change request (CSV, XLSX) has every address.",
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
                format!("{}. Applied by: ______________ Date: ________", r.comment()),
            ]
        })
        .collect();
    let table = Table {
        columns: &COLUMNS,
        tick: true,
        size: 8.0,
    };
    table.draw(flow, &rows, &|f: &mut Flow| {
        f.paragraph("Rules to apply (continued)", Font::Bold, 10.0, CONTENT_W);
        f.gap(1.0);
    });
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
