//! Things a valid plan may still get wrong, said as warnings (the plan is made): a wave
//! without targets plans no transfer, and two hosts at one address are usually a
//! copy-and-paste slip. Read from the plan, which lists every host with its role.

use portplan_core::export::markup::escape as esc;
use portplan_core::types::Role;
use portplan_core::Plan;
use std::collections::{HashMap, HashSet};

/// At most this many names are listed in one warning.
const NAMES_SHOWN: usize = 5;

fn some_names(names: &[&str]) -> String {
    let mut text = names
        .iter()
        .take(NAMES_SHOWN)
        .copied()
        .collect::<Vec<_>>()
        .join(", ");
    if names.len() > NAMES_SHOWN {
        text.push_str(&format!(" and {} more", names.len() - NAMES_SHOWN));
    }
    text
}

/// The warnings of a plan, in words.
pub fn of(plan: &Plan) -> Vec<String> {
    let mut out = Vec::new();
    let role = |r: Role| plan.hosts.iter().filter(move |h| h.role == r);
    let targets: HashSet<&str> = role(Role::Target).map(|h| h.name.as_str()).collect();
    let with_target: HashSet<&str> = plan
        .flows
        .iter()
        .filter_map(|f| {
            if targets.contains(f.to.as_str()) {
                Some(f.from.as_str())
            } else if targets.contains(f.from.as_str()) {
                Some(f.to.as_str())
            } else {
                None
            }
        })
        .collect();
    let sources: Vec<&str> = role(Role::Source).map(|h| h.name.as_str()).collect();
    let untargeted: Vec<&str> = sources
        .iter()
        .copied()
        .filter(|s| !with_target.contains(s))
        .collect();
    if !sources.is_empty() && untargeted.len() == sources.len() {
        out.push(
            "No workload has a target, so the plan has no Transfer phase: add a target name and address to each workload to plan the replication ports."
                .to_string(),
        );
    } else if !untargeted.is_empty() {
        out.push(format!(
            "{} of {} workloads have no target, so their transfer is not planned: {}.",
            untargeted.len(),
            sources.len(),
            some_names(&untargeted)
        ));
    }
    let mut by_address: HashMap<String, Vec<&str>> = HashMap::new();
    let mut order = Vec::new();
    for h in &plan.hosts {
        let key = h.address.trim().to_ascii_lowercase();
        if !by_address.contains_key(&key) {
            order.push(key.clone());
        }
        by_address.entry(key).or_default().push(h.name.as_str());
    }
    for key in order {
        let users = &by_address[&key];
        if users.len() > 1 {
            out.push(format!(
                "{key} is the address of {} hosts: {}. Check for a copy-and-paste slip.",
                users.len(),
                some_names(users)
            ));
        }
    }
    out
}

/// The warnings as the page's `#warnings` section (nothing when there are none).
pub fn render(plan: &Plan) -> String {
    let list = of(plan);
    if list.is_empty() {
        return String::new();
    }
    let items: String = list
        .iter()
        .map(|w| format!("<li class=\"warning\">{}</li>", esc(w)))
        .collect();
    format!(
        "<section id=\"warnings\" aria-labelledby=\"warnings-title\"><h2 id=\"warnings-title\">Worth a look</h2><ul>{items}</ul></section>"
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use portplan_core::Scenario;

    #[test]
    fn a_wave_without_targets_and_shared_addresses_are_warned_about() {
        let text = include_str!("../../examples/windows-file.json");
        let s = Scenario::from_json(text).expect("example");
        assert_eq!(of(&Plan::build(&s).expect("plan")), Vec::<String>::new());
        let mut s2 = s.clone();
        for w in &mut s2.workloads {
            w.target = None;
        }
        // A scenario refuses a shared address; a plan file made elsewhere may still
        // carry one, and the page says so.
        let mut plan = Plan::build(&s2).expect("plan");
        let server = plan.hosts[0].address.clone();
        plan.hosts[1].address = server;
        let w = of(&plan);
        assert!(w[0].starts_with("No workload has a target"), "{w:?}");
        assert!(
            w[1].contains(&format!(
                "is the address of 2 hosts: {}",
                plan.hosts[0].name
            )),
            "{w:?}"
        );
        assert!(render(&plan).contains("<li class=\"warning\">"));
    }
}
