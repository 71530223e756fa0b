//! Things a valid scenario may still get wrong, said as warnings (the plan is made):
//! a wave without targets plans no transfer, and two hosts at one address are
//! usually a copy-and-paste slip.

use portplan_core::Scenario;
use std::collections::HashMap;

/// At most this many names are listed in one warning.
const NAMES_SHOWN: usize = 5;

fn some_names<'a>(names: impl Iterator<Item = &'a str>) -> String {
    let names: Vec<&str> = names.collect();
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

/// The warnings of a valid scenario, in words.
pub fn of(s: &Scenario) -> Vec<String> {
    let mut out = Vec::new();
    let untargeted: Vec<&str> = s
        .workloads
        .iter()
        .filter(|w| w.target.is_none())
        .map(|w| w.name.as_str())
        .collect();
    if !s.workloads.is_empty() && untargeted.len() == s.workloads.len() {
        out.push(
            "No workload has a target, so the plan has no Transfer phase: add a target name and address to each workload to plan the replication ports."
                .to_string(),
        );
    } else if !untargeted.is_empty() {
        out.push(format!(
            "{} of {} workloads have no target, so their transfer is not planned: {}.",
            untargeted.len(),
            s.workloads.len(),
            some_names(untargeted.iter().copied())
        ));
    }
    let names: Vec<(&str, &str)> = std::iter::once((&s.server.address, &s.server.name))
        .chain(s.hosts.iter().map(|h| (&h.address, &h.name)))
        .chain(s.connectors.iter().map(|c| (&c.address, &c.name)))
        .chain(s.workloads.iter().flat_map(|w| {
            std::iter::once((&w.address, &w.name))
                .chain(w.target.iter().map(|t| (&t.address, &t.name)))
        }))
        .map(|(a, n)| (a.as_str(), n.as_str()))
        .collect();
    let mut by_address: HashMap<String, Vec<&str>> = HashMap::new();
    let mut order = Vec::new();
    for (address, name) in names {
        let key = address.trim().to_ascii_lowercase();
        if !by_address.contains_key(&key) {
            order.push(key.clone());
        }
        by_address.entry(key).or_default().push(name);
    }
    for key in order {
        let users = &by_address[&key];
        if users.len() > 1 {
            out.push(format!(
                "{key} is the address of {} hosts: {}. Check for a copy-and-paste slip.",
                users.len(),
                some_names(users.iter().copied())
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wave_without_targets_and_shared_addresses_are_warned_about() {
        let text = include_str!("../../examples/windows-file.json");
        let s = Scenario::from_json(text).expect("example");
        assert_eq!(of(&s), Vec::<String>::new());
        let mut s2 = s.clone();
        for w in &mut s2.workloads {
            w.target = None;
        }
        s2.workloads[0].address = s2.server.address.clone();
        let w = of(&s2);
        assert!(w[0].starts_with("No workload has a target"), "{w:?}");
        assert!(
            w[1].contains(&format!("is the address of 2 hosts: {}", s2.server.name)),
            "{w:?}"
        );
    }
}
