//! The plan, grouped by phase and host pair as people read it (the core's
//! [`export::grouped`]), with each rule's source and notes one click away.
//!
//! Rendered here, in the exports module, as HTML into the page's `#plan-view` (the
//! page renders the empty container): with the diagram and the firewall view it is
//! the results, and its grouping and markup code would not fit the main bundle.

use portplan_core::export::markup::escape as esc;
use portplan_core::export::{self, port_label};
use portplan_core::rules::PortSpec;
use portplan_core::{DriveLetter, Flow, Plan};
use std::fmt::Write;

/// `TCP 10002 (drive C)` for legacy drive ports, the core's label otherwise.
pub fn ports_text(f: &Flow) -> String {
    let label = port_label(f);
    let drive = f
        .rule()
        .filter(|r| r.ports == PortSpec::Drives)
        .and(f.ports)
        .and_then(|r| DriveLetter::from_port(r.first));
    match drive {
        Some(d) => format!("{label} (drive {d})"),
        None => label,
    }
}

/// One flow as a table row; `notes`: with the rule's source and notes to open (on
/// screen), or the rule's name only (print, which lists each rule's once).
fn flow_row(o: &mut String, f: &Flow, remarks: &str, notes: bool) {
    let ports = ports_text(f);
    let _ = write!(
        o,
        "<tr class=\"flow\" data-rule=\"{rule}\"><td class=\"proto\">{proto}</td><td class=\"ports\">{ports}</td><td class=\"dir\">{from} → {to}</td><td>{purpose}",
        rule = esc(&f.rule),
        proto = f.protocol.as_str().to_ascii_uppercase(),
        ports = esc(ports.split_once(' ').map_or("", |(_, p)| p)),
        from = esc(&f.from),
        to = esc(&f.to),
        purpose = esc(&f.purpose),
    );
    // Optional, the public address dialed through NAT, the planner's notes.
    if !remarks.is_empty() {
        let _ = write!(o, "<span class=\"remarks\"> ({})</span>", esc(remarks));
    }
    if !notes {
        let _ = write!(o, "</td><td class=\"rule\">{}</td></tr>", esc(&f.rule));
        return;
    }
    let _ = write!(
        o,
        "</td><td class=\"rule\"><details><summary>{}</summary>",
        esc(&f.rule)
    );
    if let Some(r) = f.rule() {
        let _ = write!(o, "<p class=\"source\">Source: {}</p>", esc(r.source));
    }
    // The flow's notes: its rule's and the planner's.
    if !f.notes.is_empty() {
        o.push_str("<ul class=\"notes\">");
        for n in &f.notes {
            let _ = write!(o, "<li>{}</li>", esc(n));
        }
        o.push_str("</ul>");
    }
    o.push_str("</details></td></tr>");
}

/// The plan section's heading: the title with the flow count of the whole plan
/// (`total`; the plan given may be only its first flows) and the plan's notes.
pub fn heading(plan: &Plan, total: usize) -> String {
    let mut o = String::new();
    let _ = write!(
        o,
        "<h2 id=\"plan-title\">Plan: {} flows for {} {}</h2>",
        total,
        portplan_core::words::product(plan.product),
        esc(&plan.version)
    );
    if !plan.notes.is_empty() {
        o.push_str("<ul class=\"plan-notes\">");
        for n in &plan.notes {
            let _ = write!(o, "<li>{}</li>", esc(n));
        }
        o.push_str("</ul>");
    }
    o
}

/// The head of the plan's one table: a phase's and a host pair's titles are rows of it,
/// so every line of the plan is one row and the page can draw only the rows on screen.
pub const TABLE_HEAD: &str = "<thead><tr><th>Protocol</th><th>Port(s)</th><th>Direction</th><th>Purpose</th><th>Rule, source, notes</th></tr></thead>";

/// Every line of the plan view in order, one `<tr>` each: a phase's title, a host
/// pair's title, a flow. The page draws the ones on screen (any number of flows stays
/// reachable by scrolling, none is cut), and prints them all.
pub fn rows(plan: &Plan) -> Vec<String> {
    rows_with(plan, true)
}

fn rows_with(plan: &Plan, notes: bool) -> Vec<String> {
    let mut out = Vec::with_capacity(plan.flows.len() + 16);
    for (phase, pairs) in export::grouped(plan) {
        out.push(format!(
            "<tr class=\"phase-row\" data-phase=\"{}\"><th colspan=\"5\" scope=\"colgroup\"><h3>{}</h3></th></tr>",
            phase.as_str(),
            phase.title()
        ));
        for g in pairs {
            out.push(format!(
                "<tr class=\"pair-row\" data-phase=\"{}\"><th colspan=\"5\" scope=\"colgroup\"><h4>{} ({}) → {} ({})</h4></th></tr>",
                phase.as_str(),
                esc(g.from),
                esc(export::address(plan, g.from)),
                esc(g.to),
                esc(export::address(plan, g.to))
            ));
            for f in &g.flows {
                let mut o = String::new();
                // The notes are the rule's cell's to open (print lists each rule's once,
                // after the flows): a line of the plan stays one line to read.
                let remarks = export::short_remarks(plan, f).join("; ");
                flow_row(&mut o, f, &remarks, notes);
                out.push(o);
            }
        }
    }
    out
}

/// The plan section as one document (natively, for tests and whoever wants all of
/// it): the heading and every row.
pub fn render(plan: &Plan) -> String {
    format!(
        "<section id=\"plan\" aria-labelledby=\"plan-title\">{}<table class=\"flows\">{TABLE_HEAD}<tbody>{}</tbody></table></section>",
        heading(plan, plan.flows.len()),
        rows(plan).concat()
    )
}

/// The printed appendix: every flow of the plan in its phase and host pair with its
/// rule's name, then each rule of the plan once with its source and notes (a wave's
/// hundreds of flows share a few dozen rules: printing the notes per flow made a
/// 40-workload wave 131 pages).
pub fn appendix(plan: &Plan) -> String {
    let mut o = format!(
        "<h2 id=\"plan-appendix-title\">Appendix: every flow of the plan</h2><table class=\"flows\">{TABLE_HEAD}<tbody>{}</tbody></table>",
        rows_with(plan, false).concat()
    );
    o.push_str("<h3 id=\"plan-rules-title\">The rules, their sources and notes</h3><dl class=\"rule-notes\">");
    // Each rule once, in plan order, with the notes of its flows (the rule's and the
    // planner's), each note once.
    let mut rules: Vec<(&str, Vec<&str>)> = Vec::new();
    for f in &plan.flows {
        let at = match rules.iter().position(|(r, _)| *r == f.rule) {
            Some(at) => at,
            None => {
                rules.push((f.rule.as_str(), Vec::new()));
                rules.len() - 1
            }
        };
        for n in &f.notes {
            if !rules[at].1.contains(&n.as_str()) {
                rules[at].1.push(n);
            }
        }
    }
    for (rule, notes) in rules {
        let _ = write!(o, "<dt>{}</dt><dd>", esc(rule));
        if let Some(r) = portplan_core::rules::rule(rule) {
            let _ = write!(o, "<p class=\"source\">Source: {}</p>", esc(r.source));
        }
        if !notes.is_empty() {
            o.push_str("<ul class=\"notes\">");
            for n in notes {
                let _ = write!(o, "<li>{}</li>", esc(n));
            }
            o.push_str("</ul>");
        }
        o.push_str("</dd>");
    }
    o.push_str("</dl>");
    o
}

#[cfg(test)]
mod tests {
    use super::*;
    use portplan_core::Scenario;

    fn legacy() -> Plan {
        let s =
            Scenario::from_json(include_str!("../../examples/legacy-block.json")).expect("example");
        Plan::build(&s).expect("plan")
    }

    #[test]
    fn legacy_drive_ports_carry_their_letter() {
        let plan = legacy();
        let texts: Vec<String> = plan.flows.iter().map(ports_text).collect();
        assert!(
            texts.contains(&"TCP 10002 (drive C)".to_string()),
            "{texts:?}"
        );
        assert!(
            texts.contains(&"TCP 10004 (drive E)".to_string()),
            "{texts:?}"
        );
        assert!(texts.contains(&"TCP 9999".to_string()), "{texts:?}");
    }

    #[test]
    fn every_flow_is_a_row_under_its_phase_and_pair() {
        let plan = legacy();
        let html = render(&plan);
        assert!(html.starts_with(&format!(
            "<section id=\"plan\" aria-labelledby=\"plan-title\"><h2 id=\"plan-title\">Plan: {} flows for PlateSpin Portability Suite 8.1.3</h2>",
            plan.flows.len()
        )), "{html}");
        assert_eq!(html.matches("<tr class=\"flow\"").count(), plan.flows.len());
        assert!(
            html.contains("<td class=\"ports\">10002 (drive C)</td>"),
            "{html}"
        );
        assert!(
            html.contains("<tr class=\"phase-row\" data-phase=\"discovery\"><th colspan=\"5\" scope=\"colgroup\"><h3>Discovery</h3>"),
            "{html}"
        );
        assert!(html.contains("<p class=\"source\">Source: "), "{html}");
    }

    /// A wave of a thousand workloads has every flow as a row, the last workload's
    /// transfer flow (TCP 3725) included: nothing is cut.
    #[test]
    fn a_thousand_workloads_keep_every_flow() {
        let s = Scenario::from_json(&portplan_core::sample::wave(1000)).expect("wave");
        let plan = Plan::build(&s).expect("plan");
        let rows = rows(&plan);
        let flows = rows
            .iter()
            .filter(|r| r.starts_with("<tr class=\"flow\""))
            .count();
        assert_eq!(flows, plan.flows.len());
        let last = &s.workloads.last().expect("a workload").name;
        assert!(
            rows.iter()
                .any(|r| r.contains("<td class=\"ports\">3725</td>") && r.contains(&esc(last))),
            "no TCP 3725 from {last}"
        );
        let printed = appendix(&plan);
        assert_eq!(
            printed.matches("<tr class=\"flow\"").count(),
            plan.flows.len()
        );
        assert!(!printed.contains("<details>"));
        // Each rule's notes once, not once per flow.
        let rules: std::collections::HashSet<&str> =
            plan.flows.iter().map(|f| f.rule.as_str()).collect();
        assert_eq!(printed.matches("<dt>").count(), rules.len());
    }
}
