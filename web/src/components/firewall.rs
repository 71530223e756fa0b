//! The firewall view: the plan as the few rules a firewall team writes, with address
//! groups (the core's [`groups::rules`]), phase and purpose, search and sort. It is what
//! a firewall team asks for first; the full plan below says why.

use portplan_core::export::{groups, phase_title};
use portplan_core::Plan;
use std::rc::Rc;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct FirewallViewProps {
    pub plan: Rc<Plan>,
}

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
    match sort {
        Sort::Plan => {}
        Sort::From => out.sort_by_key(|r| r.from.label().to_lowercase()),
        Sort::To => out.sort_by_key(|r| r.to.label().to_lowercase()),
        Sort::Ports => out.sort_by_key(|r| r.openings.first().map(|(_, p)| p.map(|p| p.first))),
        Sort::Phase => out.sort_by_key(|r| r.phases.first().copied()),
    }
    out
}

fn side(g: &groups::Group) -> Html {
    match g.members.as_slice() {
        [one] => html! { <>{ &one.name }<br/><small>{ &one.address }</small></> },
        _ => html! {
            <details class="group">
                <summary>{ g.label() }</summary>
                <small>{ g.addresses() }</small>
            </details>
        },
    }
}

#[function_component]
pub fn FirewallView(p: &FirewallViewProps) -> Html {
    let rules = use_memo(p.plan.clone(), |plan| groups::rules(plan));
    let query = use_state(String::new);
    let sort = use_state(|| Sort::Plan);
    let on_query = {
        let query = query.clone();
        Callback::from(move |e: InputEvent| {
            query.set(e.target_unchecked_into::<HtmlInputElement>().value())
        })
    };
    let on_sort = {
        let sort = sort.clone();
        Callback::from(move |e: Event| {
            let v = e.target_unchecked_into::<HtmlSelectElement>().value();
            if let Some((s, _, _)) = Sort::ALL.iter().find(|(_, name, _)| *name == v) {
                sort.set(*s);
            }
        })
    };
    let rows = shown(&rules, &query, *sort);
    let pairs = rules
        .iter()
        .map(|r| {
            if r.pairwise {
                r.from.members.len()
            } else {
                r.from.members.len() * r.to.members.len()
            }
        })
        .sum::<usize>();
    html! {
        <section id="firewall" aria-labelledby="firewall-title">
            <h2 id="firewall-title">{ format!("Firewall view: {} rules for {} host pairs", rules.len(), pairs) }</h2>
            <p class="hint">{ "Each rule opens inbound on the destination. Hosts with the same needs form an address group (open a group to see its addresses)." }</p>
            <div class="row no-print filters">
                <div class="field">
                    <label for="firewall-search">{ "Search (host, address, port, phase, purpose)" }</label>
                    <input type="search" id="firewall-search" value={(*query).clone()} oninput={on_query}
                        placeholder="e.g. 3725 or ps01" autocomplete="off" />
                </div>
                <div class="field">
                    <label for="firewall-sort">{ "Sort by" }</label>
                    <select id="firewall-sort" onchange={on_sort}>
                        { for Sort::ALL.iter().map(|(s, name, text)| html! {
                            <option value={*name} selected={*s == *sort}>{ *text }</option>
                        }) }
                    </select>
                </div>
            </div>
            <p id="firewall-count" role="status" class="hint">
                { if query.is_empty() { String::new() } else { format!("{} of {} rules match.", rows.len(), rules.len()) } }
            </p>
            <table class="flows firewall">
                <thead><tr><th>{ "From" }</th><th>{ "To (opens inbound)" }</th><th>{ "Ports" }</th><th>{ "Phase" }</th><th>{ "Purpose" }</th></tr></thead>
                <tbody>
                    { for rows.iter().map(|r| html! {
                        <tr class="fw-rule" data-from={r.from.label()} data-to={r.to.label()}>
                            <td data-label="From">{ side(&r.from) }</td>
                            <td data-label="To">{ side(&r.to) }
                                if r.pairwise { <br/><small class="pairwise">{ "each source to its own target" }</small> }
                            </td>
                            <td class="ports" data-label="Ports">{ r.ports_text() }</td>
                            <td class="phase" data-label="Phase">{ r.phases.iter().map(|p| phase_title(*p)).collect::<Vec<_>>().join(", ") }</td>
                            <td class="purpose" data-label="Purpose">
                                <ul class="purposes">{ for r.purposes.iter().map(|p| html! { <li>{ p }</li> }) }</ul>
                            </td>
                        </tr>
                    }) }
                </tbody>
            </table>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use portplan_core::Scenario;

    #[test]
    fn search_and_sort_over_the_rules() {
        let s = Scenario::from_json(include_str!("../../../examples/legacy-block.json"))
            .expect("example");
        let plan = Plan::build(&s).expect("plan");
        let rules = groups::rules(&plan);
        let legacy = shown(&rules, "10002", Sort::Plan);
        assert_eq!(legacy.len(), 1);
        assert_eq!(
            legacy[0].ports_text(),
            "TCP 137-139, 445, 9999, 10002, 10004 · ICMP echo"
        );
        assert_eq!(shown(&rules, "", Sort::Plan).len(), rules.len());
        let by_to = shown(&rules, "", Sort::To);
        let labels: Vec<String> = by_to.iter().map(|r| r.to.label().to_lowercase()).collect();
        let mut sorted = labels.clone();
        sorted.sort();
        assert_eq!(labels, sorted);
    }
}
