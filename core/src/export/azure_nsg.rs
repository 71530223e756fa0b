//! `--format azure-nsg`: an ARM template of one network security group whose inbound
//! `securityRules` let in what the plan's targets in Azure accept: the consolidated
//! rules (`R3`…) whose destinations run in an Azure container.
//!
//! Azure evaluates an NSG after the public address is translated to the private one,
//! so a rule names the targets' private addresses even for flows dialed at a public
//! one. Azure's limits are kept here: rule names of at most 80 characters, descriptions
//! of at most 140, protocols `Tcp`, `Udp`, `Icmp`, priorities unique within 100..4096
//! (rules past 4096 are left out and said so in the template's description).
//! A source given by DNS name cannot be an address prefix: it is left out, and said so.
//! The server's own NSG (when it runs in Azure) is not written: the plan does not say
//! where the server runs. So no rule opens RDP (3389) to the server, and none opens
//! anything to the whole internet (`*`): IaC scanners flag RDP open to the internet
//! (checkov CKV_AZURE_9), and a rule names its sources.

use super::firewall::{clean, truncate};
use crate::firewall::blocks::{collapse, Block};
use crate::firewall::rules;
use crate::plan::Plan;
use crate::types::{Platform, Protocol, Role};
use serde_json::{json, Value};

/// Azure's bounds.
pub const FIRST_PRIORITY: u32 = 100;
pub const LAST_PRIORITY: u32 = 4096;
pub const MAX_NAME: usize = 80;
pub const MAX_DESCRIPTION: usize = 140;

pub fn render(plan: &Plan) -> String {
    let in_azure = |name: &str| {
        plan.host(name).is_some_and(|h| {
            h.platform == Some(Platform::Azure) && h.role != Role::VirtualizationHost
        })
    };
    let mut security: Vec<Value> = Vec::new();
    let mut left_out: Vec<String> = Vec::new();
    let mut priority = FIRST_PRIORITY;
    for (i, r) in rules(plan).iter().enumerate() {
        let n = i + 1;
        let targets: Vec<usize> = (0..r.to.members.len())
            .filter(|&j| in_azure(&r.to.members[j].name))
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
            let sources = prefixes(&from, &mut left_out);
            let destinations = prefixes(&to, &mut left_out);
            if sources.is_empty() || destinations.is_empty() {
                continue;
            }
            for (protocol, ports) in super::change_csv::by_protocol(r) {
                if priority > LAST_PRIORITY {
                    left_out.push(format!("{id} {protocol}: no NSG priority left (100-4096)"));
                    continue;
                }
                let name = truncate(
                    &format!("portplan-{id}-{}", azure_protocol(protocol)),
                    MAX_NAME,
                );
                let description = truncate(
                    &clean(&format!(
                        "{id} {} -> {}: {}",
                        r.from.label(),
                        r.to.label(),
                        r.comment()
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
    let mut about = format!(
        "portplan: inbound rules for the NSG in front of the PlateSpin {} {} targets in Azure (rule numbers of `portplan plan --format rules`). Private (post-NAT) destinations: Azure applies an NSG after translating the public address. Sources are the addresses the plan gives; if a source's own network translates its address on the way out, allow that address instead. No rule opens RDP 3389 or anything to the whole internet (checkov CKV_AZURE_9).",
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
        "parameters": {
            "nsgName": { "type": "string", "defaultValue": "portplan-targets" },
            "location": { "type": "string", "defaultValue": "[resourceGroup().location]" }
        },
        "resources": [{
            "type": "Microsoft.Network/networkSecurityGroups",
            "apiVersion": "2023-09-01",
            "name": "[parameters('nsgName')]",
            "location": "[parameters('location')]",
            "properties": { "securityRules": security }
        }]
    });
    let mut s = serde_json::to_string_pretty(&template).unwrap_or_default();
    s.push('\n');
    s
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
