//! The page's sections the module draws, as markup: pure functions of the plan, the
//! loaded reports and the controls' values, which the page (Yew) inserts as they are.

use crate::verdicts::{self, Loaded};
use crate::view;
use portplan_core::Plan;

/// Above this many hosts the diagram is not drawn on the page (thousands of arrows
/// are unreadable and take the browser seconds to lay out); its SVG download still is.
pub const MAX_DRAWN_HOSTS: usize = 150;

/// The diagram, colored by the reports that checked the plan. The SVG has presentation
/// attributes only (no style, no script), so it fits the page's CSP inline; its texts
/// are escaped by the core's writer.
pub fn diagram(plan: &Plan, loaded: &Loaded) -> String {
    if plan.hosts.len() > MAX_DRAWN_HOSTS {
        return format!(
            "<p class=\"hint\">{} hosts are too many to draw here (up to {MAX_DRAWN_HOSTS}); the Diagram (SVG) download has them all.</p>",
            plan.hosts.len()
        );
    }
    let overlay = verdicts::overlay(plan, loaded);
    portplan_core::export::svg::render(plan, overlay.as_ref())
}

/// The firewall view: the plan's grouped rules matching `query`, in the order named
/// `sort` (the page's select values).
pub fn firewall(plan: &Plan, query: &str, sort: &str) -> String {
    let rules = portplan_core::export::groups::rules(plan);
    crate::firewall::render(&rules, query, crate::firewall::sort_named(sort))
}

/// The Verification section's body for the loaded reports: empty without any; a note
/// when an edit changed checked flows since; then the reports, what to fix, the
/// summary and every flow's verdicts.
pub fn verification(plan: &Plan, loaded: &Loaded) -> String {
    if loaded.is_empty() {
        return String::new();
    }
    let dropped = verdicts::changed(plan, loaded);
    let carried = if dropped > 0 {
        format!(
            "<p class=\"warning\" id=\"reports-carried\" role=\"status\">The plan changed since the reports were loaded: the verdicts of the flows it did not change are kept; {dropped} checked {} changed and {} “not checked” until checked again.</p>",
            if dropped == 1 { "flow" } else { "flows" },
            if dropped == 1 { "reads" } else { "read" },
        )
    } else {
        String::new()
    };
    format!("{carried}{}", view::render(plan, loaded))
}

#[cfg(test)]
mod tests {
    use super::*;
    use portplan_core::Scenario;

    fn plan(workloads: usize) -> Plan {
        let s = Scenario::from_json(&portplan_core::sample::wave(workloads)).expect("wave");
        Plan::build(&s).expect("plan")
    }

    #[test]
    fn the_sections_follow_the_plan_the_reports_and_the_controls() {
        let none = Loaded::default();
        let small = plan(3);
        assert!(diagram(&small, &none).contains("<svg"));
        // No reports: no Verification body (the page shows only its input).
        assert_eq!(verification(&small, &none), "");
        let big = plan(100);
        assert!(big.hosts.len() > MAX_DRAWN_HOSTS);
        assert!(diagram(&big, &none).contains("too many to draw here"));
        let all = firewall(&small, "", "plan");
        let found = firewall(&small, "3725", "to");
        assert!(found.contains("3725") && found.len() < all.len());
    }
}
