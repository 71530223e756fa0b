//! The notes page: what the tables cannot say in a row.

use super::layout::{Flow, CONTENT_W};
use super::metrics::Font;
use super::table::{Column, Table};
use crate::drive::DriveLetter;
use crate::plan::Plan;
use crate::rules;
use crate::types::Phase;

/// Microsoft articles the vendor article and later guides refer to.
const KB: [(&str, &str); 4] = [
    (
        "KB 929851",
        "The default dynamic port range for TCP/IP changed in Windows Vista and Windows Server 2008 (49152-65535; 1025-5000 before).",
    ),
    (
        "KB 154596",
        "How to configure RPC dynamic port allocation to work with firewalls (HKLM\\Software\\Microsoft\\Rpc\\Internet).",
    ),
    ("KB 217351", "Using Distributed COM with firewalls."),
    (
        "KB 248809",
        "DCOM does not work over Network Address Translation-based firewalls.",
    ),
];

pub fn draw(flow: &mut Flow, plan: &Plan, index: &crate::export::NoteIndex<'_>) {
    flow.paragraph("Notes", Font::Bold, 16.0, CONTENT_W);
    flow.gap(6.0);
    let remarked: Vec<String> = plan
        .flows
        .iter()
        .filter_map(|f| {
            let r = crate::export::short_remarks(plan, f).join("; ");
            (!r.is_empty()).then(|| {
                format!(
                    "{} -> {} {}: {r}",
                    f.from,
                    f.to,
                    crate::export::port_label(f)
                )
            })
        })
        .collect();
    if !plan.notes.is_empty() || !remarked.is_empty() {
        heading(flow, "This plan");
        for n in &plan.notes {
            bullet(flow, n);
        }
        // A wave repeats the same remark per host: list at most a page of them.
        for n in remarked.iter().take(40) {
            bullet(flow, n);
        }
        if remarked.len() > 40 {
            bullet(
                flow,
                &format!(
                    "... and {} more flows with remarks (see the CSV export).",
                    remarked.len() - 40
                ),
            );
        }
        flow.gap(6.0);
    }
    if !index.notes.is_empty() {
        heading(flow, "Flow notes (numbered in the checklist)");
        for (i, n) in index.notes.iter().enumerate() {
            bullet(flow, &format!("{}. {}", i + 1, n.replace('`', "")));
        }
        flow.gap(6.0);
    }
    heading(flow, "Dynamic RPC ports (Windows discovery and WMI)");
    let notes = rules::rule("discovery.windows.rpc-dynamic").map_or(&[][..], |r| r.notes);
    for n in notes {
        bullet(flow, &n.replace('`', ""));
    }
    flow.gap(6.0);
    heading(flow, "Microsoft KB references");
    for (kb, what) in KB {
        bullet(flow, &format!("{kb}: {what}"));
    }
    flow.gap(6.0);
    heading(flow, "Legacy block-based transfer: drive-letter ports");
    let legacy = plan.flows.iter().any(|f| f.phase == Phase::Legacy);
    flow.paragraph(
        &format!(
            "Portability Suite 8.1.3 and Forge 2.5 and older mirror each drive on its own TCP \
             connection to port 10000 + the drive's index (A = 0), so drive C is 10002. {}",
            if legacy {
                "This plan uses legacy block-based transfer: the drive ports are in its tables."
            } else {
                "This plan does not use legacy block-based transfer; the table is for reference."
            }
        ),
        Font::Regular,
        9.0,
        CONTENT_W,
    );
    flow.gap(4.0);
    let cols = [
        Column {
            title: "Drive",
            width: 40.0,
        },
        Column {
            title: "TCP port",
            width: 60.0,
        },
        Column {
            title: "Drive",
            width: 40.0,
        },
        Column {
            title: "TCP port",
            width: 60.0,
        },
    ];
    let letters: Vec<DriveLetter> = ('A'..='Z')
        .filter_map(|c| DriveLetter::parse(&c.to_string()).ok())
        .collect();
    let (left, right) = letters.split_at(letters.len().div_ceil(2));
    let rows: Vec<Vec<String>> = left
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let mut r = vec![format!("{}:", d.letter()), d.port().to_string()];
            match right.get(i) {
                Some(e) => r.extend([format!("{}:", e.letter()), e.port().to_string()]),
                None => r.extend([String::new(), String::new()]),
            }
            r
        })
        .collect();
    let table = Table::new(&cols, false, 8.5);
    table.draw(flow, &rows, &|_| {});
}

fn heading(flow: &mut Flow, s: &str) {
    flow.ensure(40.0);
    flow.paragraph(s, Font::Bold, 11.0, CONTENT_W);
    flow.gap(2.0);
}

fn bullet(flow: &mut Flow, s: &str) {
    flow.paragraph(&format!("- {s}"), Font::Regular, 9.0, CONTENT_W);
    flow.gap(1.5);
}
