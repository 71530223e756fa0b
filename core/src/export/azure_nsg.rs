//! `--format azure-nsg`: an ARM template of network security groups whose inbound
//! `securityRules` let in what the plan's hosts in Azure accept: one NSG for the
//! targets in Azure (the consolidated rules, `R3`…, whose destinations run in an Azure
//! container) and, when the server runs in Azure (the scenario's `"server": {"platform":
//! "azure"}`, or `"platform": "azure"` on the server host of a plan file), one for the
//! PlateSpin server. A server only said to be "in a cloud" (`"cloud": true`) gets none:
//! it is not placed in Azure by guess, and the template's description says how to have
//! it.
//!
//! Azure evaluates an NSG after the public address is translated to the private one,
//! so a rule names the hosts' private addresses even for flows dialed at a public
//! one. Azure's limits are kept here: rule names of at most 80 characters, descriptions
//! of at most 140, protocols `Tcp`, `Udp`, `Icmp`, priorities unique within 100..4096
//! per NSG (rules past 4096 are left out and said so in the template's description).
//! A source given by DNS name cannot be an address prefix: it is left out, and said so.
//! No rule opens anything to the whole internet (`*`, `Internet`): every rule names its
//! sources. The optional RDP (3389) to a cloud server opens only from the scenario's
//! administrators' machines, in a rule of its own (`-optional`) a team can leave out:
//! IaC scanners flag RDP open to the internet (checkov CKV_AZURE_9), the most
//! attacked port of a Windows server.

use super::firewall::{clean, truncate};
use crate::firewall::blocks::{collapse, Block};
use crate::firewall::{rules, GroupRule, Opening};
use crate::plan::Plan;
use crate::types::{Platform, Protocol, Role};
use serde_json::{json, Value};

/// Azure's bounds.
pub const FIRST_PRIORITY: u32 = 100;
pub const LAST_PRIORITY: u32 = 4096;
pub const MAX_NAME: usize = 80;
pub const MAX_DESCRIPTION: usize = 140;

/// The hosts one NSG is in front of.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Side {
    Targets,
    Server,
}

pub fn render(plan: &Plan) -> String {
    let side_of = |name: &str| {
        plan.host(name)
            .filter(|h| h.platform == Some(Platform::Azure))
            .and_then(|h| match h.role {
                Role::Server => Some(Side::Server),
                Role::VirtualizationHost => None,
                _ => Some(Side::Targets),
            })
    };
    let server_in_azure = plan
        .hosts
        .iter()
        .any(|h| h.role == Role::Server && h.platform == Some(Platform::Azure));
    let targets_in_azure = plan
        .hosts
        .iter()
        .any(|h| side_of(&h.name) == Some(Side::Targets));
    let all = rules(plan);
    let mut left_out: Vec<String> = Vec::new();
    let mut resources: Vec<Value> = Vec::new();
    let mut sides = Vec::new();
    if targets_in_azure || !server_in_azure {
        sides.push((Side::Targets, "nsgName", "portplan-targets"));
    }
    if server_in_azure {
        sides.push((Side::Server, "serverNsgName", "portplan-server"));
    }
    let mut parameters = serde_json::Map::new();
    for (side, parameter, default) in sides {
        let security = security_rules(&all, side, &side_of, &mut left_out);
        parameters.insert(
            parameter.into(),
            json!({ "type": "string", "defaultValue": default }),
        );
        resources.push(json!({
            "type": "Microsoft.Network/networkSecurityGroups",
            "apiVersion": "2023-09-01",
            "name": format!("[parameters('{parameter}')]"),
            "location": "[parameters('location')]",
            "properties": { "securityRules": security }
        }));
    }
    parameters.insert(
        "location".into(),
        json!({ "type": "string", "defaultValue": "[resourceGroup().location]" }),
    );
    let (nsgs, server) = if server_in_azure {
        (
            "NSGs",
            "and the PlateSpin server (the plan's server runs in Azure)",
        )
    } else {
        ("NSG", "(no NSG for the server: the scenario does not say it runs in Azure; its server's \"platform\": \"azure\" does)")
    };
    let mut about = format!(
        "portplan: inbound rules for the {nsgs} in front of the PlateSpin {} {} targets in Azure {server} (rule numbers of `portplan plan --format rules`). Private (post-NAT) destinations: Azure applies an NSG after translating the public address. Sources are the addresses the plan gives; if a source's own network translates its address on the way out, allow that address instead. No rule opens anything to the whole internet: the optional RDP 3389 to a cloud server opens only from the administrators' machines, in its own -optional rule (IaC scanners flag RDP open to the internet, checkov CKV_AZURE_9).",
        plan.product.title(),
        plan.version
    );
    if !left_out.is_empty() {
        about.push_str(&format!(" Left out: {}.", left_out.join("; ")));
    }
    let template = json!({
        "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
        "contentVersion": "1.0.0.0",
        "metadata": { "description": about },
        "parameters": parameters,
        "resources": resources,
    });
    let mut s = serde_json::to_string_pretty(&template).unwrap_or_default();
    s.push('\n');
    s
}

/// The `securityRules` of the NSG in front of `side`'s hosts, priorities from 100.
fn security_rules(
    all: &[GroupRule],
    side: Side,
    side_of: &dyn Fn(&str) -> Option<Side>,
    left_out: &mut Vec<String>,
) -> Vec<Value> {
    let mut security: Vec<Value> = Vec::new();
    let mut priority = FIRST_PRIORITY;
    for (i, r) in all.iter().enumerate() {
        let n = i + 1;
        let targets: Vec<usize> = (0..r.to.members.len())
            .filter(|&j| side_of(&r.to.members[j].name) == Some(side))
            .collect();
        if targets.is_empty() {
            continue;
        }
        // A pairwise rule is one rule per pair; otherwise the group to every target.
        let sets: Vec<(String, Vec<&str>, Vec<&str>)> = if r.pairwise {
            targets
                .iter()
                .filter_map(|&j| {
                    let src = r.from.members.get(j)?;
                    Some((
                        format!("R{n}-P{}", j + 1),
                        vec![src.address.as_str()],
                        vec![r.to.members[j].address.as_str()],
                    ))
                })
                .collect()
        } else {
            vec![(
                format!("R{n}"),
                r.from.members.iter().map(|m| m.address.as_str()).collect(),
                targets
                    .iter()
                    .map(|&j| r.to.members[j].address.as_str())
                    .collect(),
            )]
        };
        for (id, from, to) in sets {
            let prefixes = |list: &[&str], left: &mut Vec<String>| -> Vec<String> {
                collapse(list.iter().copied())
                    .into_iter()
                    .filter_map(|b| match b {
                        Block::Name(name) => {
                            left.push(format!("{id}: {name} is a DNS name, not an address prefix"));
                            None
                        }
                        b => Some(b.cidr()),
                    })
                    .collect()
            };
            let sources = prefixes(&from, left_out);
            let destinations = prefixes(&to, left_out);
            if sources.is_empty() || destinations.is_empty() {
                continue;
            }
            // The openings every flow needs, then the optional ones in a rule apart.
            let (optional, required): (Vec<Opening>, Vec<Opening>) =
                r.openings.iter().partition(|o| r.optional.contains(o));
            for (openings, suffix) in [(required, ""), (optional, "-optional")] {
                for (protocol, ports) in super::change_csv::by_protocol_of(&openings) {
                    if priority > LAST_PRIORITY {
                        left_out.push(format!("{id} {protocol}: no NSG priority left (100-4096)"));
                        continue;
                    }
                    let name = truncate(
                        &format!("portplan-{id}-{}{suffix}", azure_protocol(protocol)),
                        MAX_NAME,
                    );
                    let why = if suffix.is_empty() {
                        r.comment()
                    } else {
                        format!(
                            "optional, from these sources only, never the internet ({})",
                            r.notes.join("; ")
                        )
                    };
                    let description = truncate(
                        &clean(&format!(
                            "{id} {} -> {}: {why}",
                            r.from.label(),
                            r.to.label()
                        )),
                        MAX_DESCRIPTION,
                    );
                    let mut p = json!({
                        "description": description,
                        "protocol": azure_protocol(protocol),
                        "sourcePortRange": "*",
                        "access": "Allow",
                        "priority": priority,
                        "direction": "Inbound",
                    });
                    one_or_many(
                        &mut p,
                        ("sourceAddressPrefix", "sourceAddressPrefixes"),
                        &sources,
                    );
                    one_or_many(
                        &mut p,
                        ("destinationAddressPrefix", "destinationAddressPrefixes"),
                        &destinations,
                    );
                    let ports: Vec<String> = if protocol == Protocol::Icmp {
                        vec!["*".to_string()]
                    } else {
                        ports.split(", ").map(str::to_string).collect()
                    };
                    one_or_many(
                        &mut p,
                        ("destinationPortRange", "destinationPortRanges"),
                        &ports,
                    );
                    security.push(json!({ "name": name, "properties": p }));
                    priority += 1;
                }
            }
        }
    }
    security
}

/// `Tcp`, `Udp`, `Icmp`: the NSG's protocol words.
fn azure_protocol(p: Protocol) -> &'static str {
    match p {
        Protocol::Tcp => "Tcp",
        Protocol::Udp => "Udp",
        Protocol::Icmp => "Icmp",
    }
}

/// The single-value property for one value, the list property for several (a rule
/// may not set both).
fn one_or_many(p: &mut Value, (one_key, many_key): (&str, &str), values: &[String]) {
    if let [one] = values {
        p[one_key] = json!(one);
    } else {
        p[many_key] = json!(values);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Scenario;

    /// The firewall wave with `server` added to its server (`cloud`, `platform`) and two
    /// administrators' machines.
    fn wave_with_server(server: Value) -> Plan {
        let mut s: Value =
            serde_json::from_str(include_str!("../../../examples/firewall-wave.json"))
                .expect("example");
        for (k, v) in server.as_object().into_iter().flatten() {
            s["server"][k] = v.clone();
        }
        s["admins"] = json!([
            {"name": "adm01", "address": "10.9.0.6"},
            {"name": "adm02", "address": "10.9.0.7"}
        ]);
        let s = Scenario::from_json(&s.to_string()).expect("scenario");
        Plan::build(&s).expect("plan")
    }

    fn nsgs(plan: &Plan) -> (Value, Vec<(String, Vec<Value>)>) {
        let t: Value = serde_json::from_str(&render(plan)).expect("json");
        let groups = t["resources"]
            .as_array()
            .expect("resources")
            .iter()
            .map(|r| {
                (
                    r["name"].as_str().expect("name").to_string(),
                    r["properties"]["securityRules"]
                        .as_array()
                        .expect("rules")
                        .clone(),
                )
            })
            .collect();
        (t, groups)
    }

    /// What checkov's CKV_AZURE_9 flags: an inbound allow of 3389 from the internet.
    fn rdp_from_internet(rule: &Value) -> bool {
        let p = &rule["properties"];
        let ports: Vec<String> = match &p["destinationPortRange"] {
            Value::String(one) => vec![one.clone()],
            _ => p["destinationPortRanges"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect(),
        };
        let rdp = ports.iter().any(|r| {
            r == "*"
                || r.split_once('-').map_or(r == "3389", |(a, b)| {
                    a.parse::<u16>().is_ok_and(|a| a <= 3389)
                        && b.parse::<u16>().is_ok_and(|b| b >= 3389)
                })
        });
        let sources: Vec<&str> = p["sourceAddressPrefix"]
            .as_str()
            .into_iter()
            .chain(
                p["sourceAddressPrefixes"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_str),
            )
            .collect();
        rdp && sources.iter().any(|s| {
            ["*", "0.0.0.0", "internet", "any"].contains(&s.to_ascii_lowercase().as_str())
                || s.ends_with("/0")
        })
    }

    #[test]
    fn the_servers_own_nsg_when_the_scenario_puts_it_in_azure() {
        let (t, groups) = nsgs(&wave_with_server(json!({"platform": "azure"})));
        let names: Vec<&str> = groups.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(
            names,
            ["[parameters('nsgName')]", "[parameters('serverNsgName')]"]
        );
        assert_eq!(
            t["parameters"]["serverNsgName"]["defaultValue"],
            "portplan-server"
        );
        let server = &groups[1].1;
        assert!(!server.is_empty());
        for r in server {
            // The server's private address, also for the agents that dial its public one.
            assert_eq!(r["properties"]["destinationAddressPrefix"], "10.20.0.5/32");
            assert!(!rdp_from_internet(r), "{r:#}");
        }
        assert!(server.iter().any(|r| r["properties"]["description"]
            .as_str()
            .is_some_and(|d| d.contains("dialed") || d.contains("sources"))));
        // RDP only from the two administrators' machines, in its own optional rule.
        let rdp: Vec<&Value> = server
            .iter()
            .filter(|r| r["properties"]["destinationPortRange"] == "3389")
            .collect();
        assert_eq!(rdp.len(), 1, "{server:#?}");
        assert!(rdp[0]["name"]
            .as_str()
            .is_some_and(|n| n.ends_with("-Tcp-optional")));
        assert_eq!(rdp[0]["properties"]["sourceAddressPrefix"], "10.9.0.6/31");
        // Priorities unique within each NSG, from 100.
        for (_, rules) in &groups {
            let mut p: Vec<u64> = rules
                .iter()
                .map(|r| r["properties"]["priority"].as_u64().expect("priority"))
                .collect();
            let n = p.len();
            p.sort();
            p.dedup();
            assert_eq!(p.len(), n);
            assert_eq!(p.first(), Some(&100));
        }
        // The targets' NSG is the same as without the server in Azure.
        let (_, on_premises) = nsgs(&wave_with_server(json!({})));
        assert_eq!(groups[0].1, on_premises[0].1);
        assert!(t["metadata"]["description"]
            .as_str()
            .is_some_and(|d| d.contains("checkov CKV_AZURE_9")));
    }

    /// One line per case: the server's cloud fields → NSGs written and what the header says.
    #[test]
    fn a_server_not_named_in_azure_gets_no_nsg_and_the_header_says_how() {
        let cases = [
            (json!({}), 1, "does not say it runs in Azure"),
            (json!({"cloud": true}), 1, "does not say it runs in Azure"),
            (
                json!({"platform": "aws"}),
                1,
                "does not say it runs in Azure",
            ),
            (
                json!({"platform": "azure"}),
                2,
                "the plan's server runs in Azure",
            ),
        ];
        for (cloud, n, says) in cases {
            let (t, groups) = nsgs(&wave_with_server(cloud.clone()));
            assert_eq!(groups.len(), n, "{cloud}");
            let about = t["metadata"]["description"].as_str().expect("description");
            assert!(about.contains(says), "{cloud}: {about}");
            for (_, rules) in &groups {
                assert!(rules.iter().all(|r| !rdp_from_internet(r)));
                assert!(rules
                    .iter()
                    .all(
                        |r| r["properties"]["destinationAddressPrefix"] != "10.20.0.5/32" || n == 2
                    ));
            }
        }
    }

    #[test]
    fn the_scanners_check_flags_rdp_from_the_internet() {
        let rule = |source: &str, ports: Value| json!({"properties": {"sourceAddressPrefix": source, "destinationPortRanges": ports}});
        assert!(rdp_from_internet(&rule("*", json!(["3389"]))));
        assert!(rdp_from_internet(&rule("Internet", json!(["3000-4000"]))));
        assert!(rdp_from_internet(&rule("0.0.0.0/0", json!(["*"]))));
        assert!(!rdp_from_internet(&rule("10.9.0.7/32", json!(["3389"]))));
        assert!(!rdp_from_internet(&rule("*", json!(["443"]))));
    }

    #[test]
    fn rules_for_the_azure_targets_within_azures_limits() {
        let s = Scenario::from_json(include_str!("../../../examples/firewall-wave.json"))
            .expect("example");
        let plan = Plan::build(&s).expect("plan");
        let t: Value = serde_json::from_str(&render(&plan)).expect("json");
        let rules = t["resources"][0]["properties"]["securityRules"]
            .as_array()
            .expect("rules");
        assert!(!rules.is_empty());
        let mut priorities: Vec<u64> = Vec::new();
        for r in rules {
            let name = r["name"].as_str().expect("name");
            assert!(name.len() <= MAX_NAME, "{name}");
            let p = &r["properties"];
            assert!(["Tcp", "Udp", "Icmp"].contains(&p["protocol"].as_str().expect("p")));
            assert!(p["description"].as_str().expect("d").len() <= MAX_DESCRIPTION);
            priorities.push(p["priority"].as_u64().expect("priority"));
            // Only the Azure targets (10.30.0.11-14), private addresses.
            let dst = p["destinationAddressPrefix"].as_str().expect("one target");
            assert!(dst.starts_with("10.30.0."), "{dst}");
            assert_ne!(p["sourceAddressPrefix"], "*");
            assert_ne!(p["destinationPortRange"], "3389");
        }
        let n = priorities.len();
        priorities.sort();
        priorities.dedup();
        assert_eq!(priorities.len(), n, "unique priorities");
        assert!(priorities.iter().all(|p| (100..=4096).contains(p)));
        // Replication: each source to its own target, one rule per pair (the Linux
        // agents' with SSH 22 beside 3725, rules v3).
        let transfer: Vec<&Value> = rules
            .iter()
            .filter(|r| {
                let p = &r["properties"];
                p["destinationPortRange"] == "3725"
                    || p["destinationPortRanges"]
                        .as_array()
                        .is_some_and(|l| l.iter().any(|v| v == "3725"))
            })
            .collect();
        assert_eq!(transfer.len(), 4);
        assert_eq!(
            transfer[0]["properties"]["sourceAddressPrefix"],
            "192.168.50.11/32"
        );
        assert_eq!(
            transfer[0]["properties"]["destinationAddressPrefix"],
            "10.30.0.11/32"
        );
    }
}
