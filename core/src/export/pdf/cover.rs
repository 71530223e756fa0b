//! Page 1: title, product and version, date and plan digest, the summary, how to use
//! the checklist, and the caller's figure ([`super::FirstPageExtras`]) if any.

use super::layout::{hline, Flow, Rect, MARGIN_X};
use super::metrics::Font;
use super::table::{Column, Table};
use super::{product_name, PdfOptions, CONTENT_W};
use crate::export::grouped;
use crate::plan::Plan;
use crate::types::Role;

pub(super) fn draw(flow: &mut Flow, plan: &Plan, opts: &PdfOptions<'_>, digest: &str) {
    flow.paragraph(opts.title, Font::Bold, 20.0, CONTENT_W);
    flow.gap(2.0);
    let product = format!("PlateSpin {} {}", product_name(plan), plan.version);
    flow.paragraph(&product, Font::Bold, 14.0, CONTENT_W);
    flow.gap(2.0);
    let short = digest.get(..23).unwrap_or(digest);
    flow.paragraph(
        &format!("Date: {}     Plan: {short}", opts.date),
        Font::Regular,
        9.0,
        CONTENT_W,
    );
    flow.gap(6.0);
    let y = flow.y;
    hline(flow.page(), MARGIN_X, MARGIN_X + CONTENT_W, y, 0.8, 0.3);
    flow.gap(14.0);

    flow.paragraph("Summary", Font::Bold, 12.0, CONTENT_W);
    flow.gap(2.0);
    let roles: Vec<String> = Role::ALL
        .iter()
        .map(|r| (r, plan.hosts.iter().filter(|h| h.role == *r).count()))
        .filter(|(_, n)| *n > 0)
        .map(|(r, n)| format!("{n} {}", role_label(*r, n)))
        .collect();
    flow.paragraph(
        &format!(
            "{} hosts ({}), {} flows.",
            plan.hosts.len(),
            roles.join(", "),
            plan.flows.len()
        ),
        Font::Regular,
        9.5,
        CONTENT_W,
    );
    flow.gap(4.0);
    let mut rows: Vec<Vec<String>> = grouped(plan)
        .iter()
        .map(|(phase, pairs)| {
            vec![
                phase.title().to_string(),
                pairs
                    .iter()
                    .map(|g| g.flows.len())
                    .sum::<usize>()
                    .to_string(),
                pairs.len().to_string(),
            ]
        })
        .collect();
    rows.push(vec![
        "Total".to_string(),
        plan.flows.len().to_string(),
        grouped(plan)
            .iter()
            .map(|(_, p)| p.len())
            .sum::<usize>()
            .to_string(),
    ]);
    let cols = [
        Column {
            title: "Phase",
            width: 180.0,
        },
        Column {
            title: "Flows",
            width: 60.0,
        },
        Column {
            title: "Host pairs",
            width: 70.0,
        },
    ];
    let summary = Table::new(&cols, false, 9.0);
    summary.draw(flow, &rows, &|_| {});
    flow.gap(12.0);
    flow.paragraph(
        "How to use: each table lists the connections one host opens to another. Allow each \
         on every firewall in the path (the accepting host's own firewall and any network \
         firewall between the two), test it, tick the box, and sign the table. The last page \
         has notes on dynamic RPC ports and the legacy drive-letter ports.",
        Font::Regular,
        9.0,
        CONTENT_W,
    );
    flow.gap(10.0);
    if let Some(extras) = opts.extras {
        let h = extras.height(CONTENT_W).min(flow.room()).max(0.0);
        let area = Rect {
            x: MARGIN_X,
            y: flow.y - h,
            w: CONTENT_W,
            h,
        };
        flow.page().save_state();
        extras.draw(flow.page(), area);
        flow.page().restore_state();
        flow.gap(h + 10.0);
    }
}

fn role_label(r: Role, n: usize) -> String {
    let base = match r {
        Role::Server => "PlateSpin server",
        Role::Source => "source workload",
        Role::Target => "target",
        Role::VirtualizationHost => "virtualization host",
        Role::Connector => "connector",
        Role::Admin => "administrator machine",
        Role::Factory => "Transformation Manager",
        Role::Database => "database",
    };
    if n == 1 {
        base.to_string()
    } else {
        format!("{base}s")
    }
}
