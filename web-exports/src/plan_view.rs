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

fn flow_row(o: &mut String, f: &Flow, remarks: &str) {
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
    let _ = write!(
        o,
        "</td><td class=\"rule\"><details><summary>{}</summary>",
        esc(&f.rule)
    );
    if let Some(r) = f.rule() {
        let _ = write!(o, "<p class=\"source\">Source: {}</p>", esc(r.source));
        if !r.notes.is_empty() {
            o.push_str("<ul class=\"notes\">");
            for n in r.notes {
                let _ = write!(o, "<li>{}</li>", esc(n));
            }
            o.push_str("</ul>");
        }
    }
    o.push_str("</details></td></tr>");
}

/// A plan longer than this shows its first flows and a note for the rest.
pub const SHOWN_FLOWS: usize = export::HEAD_FLOWS;

/// The plan section (`<section id="plan">`).
pub fn render(plan: &Plan) -> String {
    render_first(plan, plan.flows.len())
}

/// The plan section of a plan of `total` flows from `plan`, which may be only its
/// first flows ([`export::head`] with [`SHOWN_FLOWS`]): the page sends that much at
/// once after an edit, and the whole plan once edits settle; both draw the same.
pub fn render_first(plan: &Plan, total: usize) -> String {
    let mut budget = SHOWN_FLOWS;
    let cut = total > budget;
    let mut o = String::new();
    let _ = write!(
        o,
        "<section id=\"plan\" aria-labelledby=\"plan-title\"><h2 id=\"plan-title\">Plan: {} flows for {} {}</h2>",
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
    for (phase, pairs) in export::grouped(plan) {
        if budget == 0 {
            break;
        }
        let _ = write!(
            o,
            "<section class=\"phase\" data-phase=\"{}\"><h3>{}</h3>",
            phase.as_str(),
            phase.title()
        );
        for g in pairs {
            if budget == 0 {
                break;
            }
            budget = budget.saturating_sub(g.flows.len());
            let _ = write!(
                o,
                "<div class=\"pair\"><h4>{} ({}) → {} ({})</h4><table class=\"flows\"><thead><tr><th>Protocol</th><th>Port(s)</th><th>Direction</th><th>Purpose</th><th>Rule, source, notes</th></tr></thead><tbody>",
                esc(g.from),
                esc(export::address(plan, g.from)),
                esc(g.to),
                esc(export::address(plan, g.to))
            );
            for f in &g.flows {
                flow_row(&mut o, f, &export::flow_remarks(plan, f));
            }
            o.push_str("</tbody></table></div>");
        }
        o.push_str("</section>");
    }
    if cut {
        o.push_str("<p class=\"hint\" id=\"plan-cut\">The first flows are shown; the firewall view and the downloads have them all.</p>");
    }
    o.push_str("</section>");
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
            html.contains("<section class=\"phase\" data-phase=\"discovery\"><h3>Discovery</h3>"),
            "{html}"
        );
        assert!(html.contains("<p class=\"source\">Source: "), "{html}");
        assert!(!html.contains("plan-cut"));
    }

    /// What the page shows at once after an edit (the head of the plan) is what it
    /// shows once the whole plan has come.
    #[test]
    fn the_head_of_a_wave_draws_as_the_whole_plan() {
        for n in [1, 30, 1000] {
            let s = Scenario::from_json(&portplan_core::sample::wave(n)).expect("wave");
            let plan = Plan::build(&s).expect("plan");
            let head = export::head(&plan, SHOWN_FLOWS);
            assert!(head.flows.len() <= plan.flows.len());
            assert!(head.flows.len() >= SHOWN_FLOWS.min(plan.flows.len()));
            assert_eq!(render_first(&head, plan.flows.len()), render(&plan), "{n}");
            assert_eq!(
                render(&plan).contains("plan-cut"),
                plan.flows.len() > SHOWN_FLOWS
            );
        }
    }
}
