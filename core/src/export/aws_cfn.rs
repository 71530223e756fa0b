//! `--format aws-cfn`: a CloudFormation template of `AWS::EC2::SecurityGroupIngress`
//! rules for the security group of the plan's targets in AWS (targets whose container
//! is an AWS host) and, when the server runs in AWS (the scenario's `"server":
//! {"platform": "aws"}`, or `"platform": "aws"` on the server host of a plan file), for
//! the PlateSpin server's own group: one per consolidated rule, protocol,
//! port range and source block. A server only said to be "in a cloud" (`"cloud":
//! true`) gets none: it is not placed in AWS by guess; the description says so.
//!
//! Security groups see the private address after the public one is translated, so the
//! rules need no destination: they attach to the group (`TargetSecurityGroupId`,
//! `ServerSecurityGroupId`). The targets share that group, so a rule "each source to its
//! own target" lets every one of those sources reach every target in it: one group
//! per target is exact. No rule has the whole internet as its source: the optional RDP
//! (3389) to a cloud server opens only from the administrators' machines, in rules of
//! its own (`…Optional…`, a team can leave them out), never from `0.0.0.0/0` as the
//! vendor's Quick Start allows: scanners flag RDP open to the internet.

use super::firewall::clean;
use crate::firewall::blocks::{collapse, Block};
use crate::firewall::rules;
use crate::plan::Plan;
use crate::types::{Platform, Protocol, Role};
use serde_json::{json, Map, Value};

/// AWS allows these characters in a rule description (255 at most).
fn description(s: &str) -> String {
    let ok = |c: char| c.is_ascii_alphanumeric() || " ._-:/()#,@[]+=&;{}!$*".contains(c);
    let text: String = clean(s)
        .chars()
        .map(|c| if ok(c) { c } else { ' ' })
        .collect();
    text.chars().take(255).collect()
}

pub fn render(plan: &Plan) -> String {
    let in_aws = |name: &str, server: bool| {
        plan.host(name).is_some_and(|h| {
            h.platform == Some(Platform::Aws)
                && h.role != Role::VirtualizationHost
                && (h.role == Role::Server) == server
        })
    };
    let server_in_aws = plan
        .hosts
        .iter()
        .any(|h| h.role == Role::Server && h.platform == Some(Platform::Aws));
    let targets_in_aws = plan.hosts.iter().any(|h| in_aws(&h.name, false));
    let mut resources = Map::new();
    let mut parameters = Map::new();
    let mut groups = Vec::new();
    if targets_in_aws || !server_in_aws {
        groups.push((
            "TargetSecurityGroupId",
            "",
            false,
            "The security group of the targets in AWS",
        ));
    }
    if server_in_aws {
        groups.push((
            "ServerSecurityGroupId",
            "Server",
            true,
            "The security group of the PlateSpin server in AWS",
        ));
    }
    let all = rules(plan);
    for (parameter, prefix, server, what) in groups {
        parameters.insert(
            parameter.into(),
            json!({ "Type": "AWS::EC2::SecurityGroup::Id", "Description": what }),
        );
        for (i, r) in all.iter().enumerate() {
            let n = i + 1;
            let targets: Vec<usize> = (0..r.to.members.len())
                .filter(|&j| in_aws(&r.to.members[j].name, server))
                .collect();
            if targets.is_empty() {
                continue;
            }
            let sources: Vec<&str> = if r.pairwise {
                targets
                    .iter()
                    .filter_map(|&j| r.from.members.get(j).map(|m| m.address.as_str()))
                    .collect()
            } else {
                r.from.members.iter().map(|m| m.address.as_str()).collect()
            };
            let mut k = 0;
            for block in collapse(sources) {
                let (key, cidr) = match &block {
                    Block::V4(..) => ("CidrIp", block.cidr()),
                    Block::V6(..) => ("CidrIpv6", block.cidr()),
                    Block::Name(_) => continue,
                };
                for &(protocol, ranges) in &r.openings {
                    let optional = r.optional.contains(&(protocol, ranges));
                    let (from, to) = match (protocol, ranges) {
                        (Protocol::Icmp, _) | (_, None) => (8, -1),
                        (_, Some(r)) => (i32::from(r.first.get()), i32::from(r.last.get())),
                    };
                    let ip_protocol = match (protocol, &block) {
                        (Protocol::Icmp, Block::V6(..)) => "icmpv6",
                        (Protocol::Icmp, _) => "icmp",
                        (Protocol::Tcp, _) => "tcp",
                        (Protocol::Udp, _) => "udp",
                    };
                    let (from, to) = match (protocol, &block) {
                        (Protocol::Icmp, Block::V6(..)) => (128, -1),
                        _ => (from, to),
                    };
                    k += 1;
                    let why = if optional {
                        format!(
                            "optional, from this source only, never the internet ({})",
                            r.notes.join("; ")
                        )
                    } else {
                        r.comment()
                    };
                    let mut props = json!({
                        "GroupId": { "Ref": parameter },
                        "IpProtocol": ip_protocol,
                        "FromPort": from,
                        "ToPort": to,
                        "Description": description(&format!("portplan R{n}: {why}")),
                    });
                    props[key] = json!(cidr);
                    let optional = if optional { "Optional" } else { "" };
                    resources.insert(
                        format!("Portplan{prefix}R{n}{optional}N{k}"),
                        json!({
                            "Type": "AWS::EC2::SecurityGroupIngress",
                            "Properties": props,
                        }),
                    );
                }
            }
        }
    }
    let server = if server_in_aws {
        "and of the PlateSpin server (the plan's server runs in AWS)"
    } else {
        "(no group for the server: the scenario does not say it runs in AWS; its server's platform: aws does)"
    };
    let template = json!({
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": clean(&format!(
            "portplan: inbound rules for the security groups of the PlateSpin {} {} targets in AWS {server} (rule numbers of portplan plan --format rules); no rule opens anything to the whole internet: the optional RDP 3389 to a cloud server opens only from the administrators' machines (Optional rules)",
            plan.product.title(),
            plan.version
        )),
        "Parameters": Value::Object(parameters),
        "Resources": Value::Object(resources),
    });
    let mut s = serde_json::to_string_pretty(&template).unwrap_or_default();
    s.push('\n');
    s
}
