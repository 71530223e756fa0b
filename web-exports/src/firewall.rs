//! The firewall view: the plan as the few rules a firewall team writes, with address
//! groups (the core's [`groups::rules`]), phase and purpose, search and sort. It is what
//! a firewall team asks for first; the full plan below says why.
//!
//! Rendered here, in the exports module, as HTML into the page's `#firewall-view`
//! (the page renders the search box and the sort select): the grouping code is too
//! large for the main bundle's budget.

use portplan_core::export::groups;
use portplan_core::export::markup::escape as esc;
use portplan_core::types::Phase;

/// Orders of the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sort {
    Plan,
    From,
    To,
    Ports,
    Phase,
}

impl Sort {
    const ALL: [(Sort, &'static str, &'static str); 5] = [
        (Sort::Plan, "plan", "plan order (phase by phase)"),
        (Sort::From, "from", "source"),
        (Sort::To, "to", "destination"),
        (Sort::Ports, "ports", "ports"),
        (Sort::Phase, "phase", "phase"),
    ];
}

/// The rules to show: those matching `query`, in `sort` order.
pub fn shown<'a>(
    rules: &'a [groups::GroupRule],
    query: &str,
    sort: Sort,
) -> Vec<&'a groups::GroupRule> {
    let mut out: Vec<&groups::GroupRule> = rules.iter().filter(|r| r.matches(query)).collect();
    if sort != Sort::Plan {
        // One text key per order: one sort in the wasm, not five.
        portplan_core::order::sort_by_cached_key(&mut out, |r| match sort {
            Sort::From => r.from.label().to_ascii_lowercase(),
            Sort::To => r.to.label().to_ascii_lowercase(),
            Sort::Ports => format!(
                "{:05}",
                r.openings
                    .first()
                    .and_then(|(_, p)| *p)
                    .map_or(0, |p| p.first.get())
            ),
            _ => format!(
                "{:?}",
                r.phases
                    .first()
                    .map(|p| Phase::ALL.iter().position(|q| q == p))
            ),
        });
    }
    out
}

/// One side of a rule: the host, or the group's label, its exact address ranges and
/// its hosts by name; a host reached through NAT shows both addresses.
fn side(g: &groups::Group) -> String {
    match g.members.as_slice() {
        [one] => format!(
            "{}<br><small class=\"addresses\">{}</small>",
            esc(&one.name),
            esc(&g.addresses())
        ),
        _ => format!(
            "<details class=\"group\"><summary>{}</summary><small class=\"addresses\">{}</small>\
             <br><small class=\"hosts\">{}</small></details>",
            esc(&g.label()),
            esc(&g.addresses()),
            esc(&g.hosts())
        ),
    }
}

/// The sort order named by the page's `#firewall-sort` select.
pub fn sort_named(name: &str) -> Sort {
    Sort::ALL
        .iter()
        .find(|(_, n, _)| *n == name)
        .map_or(Sort::Plan, |(s, _, _)| *s)
}

/// The heading, the count and the table of the firewall view, as HTML.
pub fn render(rules: &[groups::GroupRule], query: &str, sort: Sort) -> String {
    let rows = shown(rules, query, sort);
    let pairs: usize = rules
        .iter()
        .map(|r| {
            if r.pairwise {
                r.from.members.len()
            } else {
                r.from.members.len() * r.to.members.len()
            }
        })
        .sum();
    let mut html = format!(
        "<h2 id=\"firewall-title\">Firewall view: {} rules for {pairs} host pairs</h2>",
        rules.len()
    );
    let count = if query.is_empty() {
        String::new()
    } else {
        format!("{} of {} rules match.", rows.len(), rules.len())
    };
    html.push_str(&format!(
        "<p id=\"firewall-count\" role=\"status\" class=\"hint\">{count}</p>\
         <table class=\"flows firewall\"><thead><tr><th>From</th><th>To (opens inbound)</th>\
         <th>Ports</th><th>Phase</th><th>Purpose</th></tr></thead><tbody>"
    ));
    for r in rows {
        let phases: Vec<&str> = r.phases.iter().map(|p| p.title()).collect();
        let purposes: String = r
            .purposes
            .iter()
            .map(|p| format!("<li>{}</li>", esc(p)))
            .chain(
                r.notes
                    .iter()
                    .map(|n| format!("<li class=\"note\">{}</li>", esc(n))),
            )
            .collect();
        let pairwise = if r.pairwise {
            "<br><small class=\"pairwise\">each source to its own target</small>"
        } else {
            ""
        };
        html.push_str(&format!(
            "<tr class=\"fw-rule\" data-from=\"{}\" data-to=\"{}\"><td data-label=\"From\">{}</td>\
             <td data-label=\"To\">{}{pairwise}</td><td class=\"ports\" data-label=\"Ports\">{}</td>\
             <td class=\"phase\" data-label=\"Phase\">{}</td>\
             <td class=\"purpose\" data-label=\"Purpose\"><ul class=\"purposes\">{purposes}</ul></td></tr>",
            esc(&r.from.label()),
            esc(&r.to.label()),
            side(&r.from),
            side(&r.to),
            esc(&r.ports_text()),
            phases.join(", "),
        ));
    }
    html.push_str("</tbody></table>");
    html
}

#[cfg(test)]
mod tests {
    use super::*;
    use portplan_core::{Plan, Scenario};

    #[test]
    fn search_and_sort_over_the_rules() {
        let s =
            Scenario::from_json(include_str!("../../examples/legacy-block.json")).expect("example");
        let plan = Plan::build(&s).expect("plan");
        let rules = groups::rules(&plan);
        let html = render(&rules, "10002", sort_named("to"));
        assert!(html.contains("1 of "), "{html}");
        assert!(html.contains("data-from=\"db01\""), "{html}");
        let legacy = shown(&rules, "10002", Sort::Plan);
        assert_eq!(legacy.len(), 1);
        assert_eq!(
            legacy[0].ports_text(),
            "TCP 137-139, 445, 9999, 10002, 10004 · ICMP echo"
        );
        assert_eq!(shown(&rules, "", Sort::Plan).len(), rules.len());
        // Host names inside a group are searchable.
        let db = shown(&rules, "db01", Sort::Plan);
        assert!(!db.is_empty() && db.len() < rules.len());
        let by_to = shown(&rules, "", Sort::To);
        let labels: Vec<String> = by_to
            .iter()
            .map(|r| r.to.label().to_ascii_lowercase())
            .collect();
        let mut sorted = labels.clone();
        sorted.sort();
        assert_eq!(labels, sorted);
    }

    #[test]
    fn nat_is_visible_and_searchable_by_the_public_address() {
        let s = Scenario::from_json(include_str!("../../examples/firewall-wave.json"))
            .expect("example");
        let plan = Plan::build(&s).expect("plan");
        let rules = groups::rules(&plan);
        let html = render(&rules, "198.51.100.5", Sort::Plan);
        assert!(html.contains("2 of "), "{html}");
        assert!(
            html.contains("dialed 198.51.100.5, NAT to 10.20.0.5"),
            "{html}"
        );
        let html = render(&rules, "management.azure.com", Sort::Plan);
        assert!(html.contains("1 of ") && !html.contains("vc01"), "{html}");
    }
}
