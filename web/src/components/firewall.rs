//! The compact firewall view: for each host pair, what the accepting side must open.
//! It is what a firewall team asks for first; the full plan says why.

use portplan_core::export::address;
use portplan_core::{Plan, PortRange, Protocol};
use std::rc::Rc;
use yew::prelude::*;

/// One host pair and its ports, per protocol: `(Tcp, [135..=135, 445..=445])`.
#[derive(Debug, PartialEq, Eq)]
pub struct Opening<'a> {
    pub from: &'a str,
    pub to: &'a str,
    /// Ports per protocol in ascending order, each once; `None` is ICMP echo.
    pub ports: Vec<(Protocol, Vec<Option<PortRange>>)>,
}

/// Pairs in plan order, protocols in plan order, ports sorted.
pub fn openings(plan: &Plan) -> Vec<Opening<'_>> {
    let mut out: Vec<Opening<'_>> = Vec::new();
    for f in &plan.flows {
        let i = match out.iter().position(|o| o.from == f.from && o.to == f.to) {
            Some(i) => i,
            None => {
                out.push(Opening {
                    from: &f.from,
                    to: &f.to,
                    ports: vec![],
                });
                out.len() - 1
            }
        };
        let by_proto = &mut out[i].ports;
        match by_proto.iter_mut().find(|(p, _)| *p == f.protocol) {
            Some((_, list)) if !list.contains(&f.ports) => list.push(f.ports),
            Some(_) => {}
            None => by_proto.push((f.protocol, vec![f.ports])),
        }
    }
    for o in &mut out {
        for (_, list) in &mut o.ports {
            list.sort();
        }
    }
    out
}

/// `TCP 135, 445 · ICMP echo`.
pub fn openings_text(o: &Opening<'_>) -> String {
    o.ports
        .iter()
        .map(|(p, list)| {
            let ports: Vec<String> = list
                .iter()
                .map(|r| r.map_or_else(|| "echo".to_string(), |r| r.to_string()))
                .collect();
            format!("{} {}", p.as_str().to_ascii_uppercase(), ports.join(", "))
        })
        .collect::<Vec<_>>()
        .join(" · ")
}

#[derive(Properties, PartialEq)]
pub struct FirewallViewProps {
    pub plan: Rc<Plan>,
}

#[function_component]
pub fn FirewallView(p: &FirewallViewProps) -> Html {
    let plan = &p.plan;
    html! {
        <section id="firewall" aria-labelledby="firewall-title">
            <h2 id="firewall-title">{ "Firewall view: ports to open" }</h2>
            <table class="flows">
                <thead><tr><th>{ "From" }</th><th>{ "To (opens inbound)" }</th><th>{ "Ports" }</th></tr></thead>
                <tbody>
                    { for openings(plan).iter().map(|o| html! {
                        <tr>
                            <td>{ o.from }<br/><small>{ address(plan, o.from) }</small></td>
                            <td>{ o.to }<br/><small>{ address(plan, o.to) }</small></td>
                            <td class="ports">{ openings_text(o) }</td>
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
    fn one_line_per_pair_with_ports_by_protocol() {
        let s = Scenario::from_json(include_str!("../../../examples/legacy-block.json"))
            .expect("example");
        let plan = Plan::build(&s).expect("plan");
        let o = openings(&plan);
        let pairs: std::collections::HashSet<(&str, &str)> = plan
            .flows
            .iter()
            .map(|f| (f.from.as_str(), f.to.as_str()))
            .collect();
        assert_eq!(o.len(), pairs.len());
        let legacy = o
            .iter()
            .find(|o| o.from == "db01" && o.to == "db01-t")
            .expect("pair");
        let text = openings_text(legacy);
        assert_eq!(text, "TCP 137-139, 445, 9999, 10002, 10004 · ICMP echo");
        let server = o
            .iter()
            .find(|o| o.from == "ps01" && o.to == "db01")
            .expect("pair");
        assert_eq!(
            openings_text(server),
            "TCP 135, 139, 445, 1025-5000 · UDP 137-138"
        );
    }
}
