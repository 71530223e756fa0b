//! The plan, grouped by phase and host pair as people read it (the core's
//! [`export::grouped`]), with each rule's source and notes one click away.

use portplan_core::export::{self, port_label};
use portplan_core::rules::PortSpec;
use portplan_core::{DriveLetter, Flow, Plan};
use std::rc::Rc;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct PlanViewProps {
    pub plan: Rc<Plan>,
}

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

fn flow_row(f: &Flow, remarks: String) -> Html {
    let rule = f.rule();
    html! {
        <tr class="flow" data-rule={f.rule.clone()}>
            <td class="proto">{ f.protocol.as_str().to_ascii_uppercase() }</td>
            <td class="ports">{ ports_text(f).split_once(' ').map_or(String::new(), |(_, p)| p.to_string()) }</td>
            <td class="dir">{ format!("{} → {}", f.from, f.to) }</td>
            <td>
                { &f.purpose }
                // Optional, the public address dialed through NAT, the planner's notes.
                if !remarks.is_empty() {
                    <span class="remarks">{ format!(" ({remarks})") }</span>
                }
            </td>
            <td class="rule">
                <details>
                    <summary>{ &f.rule }</summary>
                    if let Some(r) = rule {
                        <p class="source">{ "Source: " }{ r.source }</p>
                        if !r.notes.is_empty() {
                            <ul class="notes">{ for r.notes.iter().map(|n| html! { <li>{ *n }</li> }) }</ul>
                        }
                    }
                </details>
            </td>
        </tr>
    }
}

/// A plan longer than this shows its first flows and a button for the rest: a wave of
/// a thousand workloads is 14,000 flows, which the firewall view above sums up.
pub const SHOWN_FLOWS: usize = 400;

#[function_component]
pub fn PlanView(p: &PlanViewProps) -> Html {
    let plan = &p.plan;
    let mut budget = SHOWN_FLOWS;
    let cut = plan.flows.len() > budget;
    let mut groups = Vec::new();
    for (phase, pairs) in export::grouped(plan) {
        let mut kept = Vec::new();
        for g in pairs {
            if budget == 0 {
                break;
            }
            budget = budget.saturating_sub(g.flows.len());
            kept.push(g);
        }
        if !kept.is_empty() {
            groups.push((phase, kept));
        }
    }
    html! {
        <section id="plan" aria-labelledby="plan-title">
            <h2 id="plan-title">{ format!("Plan: {} flows for {} {}", plan.flows.len(), super::labels::product(plan.product), plan.version) }</h2>
            if !plan.notes.is_empty() {
                <ul class="plan-notes">{ for plan.notes.iter().map(|n| html! { <li>{ n }</li> }) }</ul>
            }
            { for groups.iter().map(|(phase, pairs)| html! {
                <section class="phase" data-phase={phase.as_str()}>
                    <h3>{ phase.title() }</h3>
                    { for pairs.iter().map(|g| html! {
                        <div class="pair">
                            <h4>{ format!("{} ({}) → {} ({})", g.from, export::address(plan, g.from), g.to, export::address(plan, g.to)) }</h4>
                            <table class="flows">
                                <thead><tr><th>{ "Protocol" }</th><th>{ "Port(s)" }</th><th>{ "Direction" }</th><th>{ "Purpose" }</th><th>{ "Rule, source, notes" }</th></tr></thead>
                                <tbody>{ for g.flows.iter().map(|f| flow_row(f, export::flow_remarks(plan, f))) }</tbody>
                            </table>
                        </div>
                    }) }
                </section>
            }) }
            if cut {
                <p class="hint" id="plan-cut">{ "The first flows are shown; the firewall view and the downloads have them all." }</p>
            }
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use portplan_core::Scenario;

    #[test]
    fn legacy_drive_ports_carry_their_letter() {
        let s = Scenario::from_json(include_str!("../../../examples/legacy-block.json"))
            .expect("example");
        let plan = Plan::build(&s).expect("plan");
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
}
