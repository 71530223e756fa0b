//! `--format aws-cfn`: a CloudFormation template of `AWS::EC2::SecurityGroupIngress`
//! rules for the security group of the plan's targets in AWS (targets whose container
//! is an AWS host), one per consolidated rule, protocol, port range and source block.
//!
//! Security groups see the private address after the public one is translated, so the
//! rules need no destination: they attach to the group (`TargetSecurityGroupId`). The
//! targets share that group, so a rule "each source to its own target" lets every one
//! of those sources reach every target in it: one group per target is exact. No
//! rule has the whole internet as its source, and none opens RDP (3389): the server's
//! own group is not written, since the plan does not say where the server runs.

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
    let in_aws = |name: &str| {
        plan.host(name).is_some_and(|h| {
            h.platform == Some(Platform::Aws) && h.role != Role::VirtualizationHost
        })
    };
    let mut resources = Map::new();
    for (i, r) in rules(plan).iter().enumerate() {
        let n = i + 1;
        let targets: Vec<usize> = (0..r.to.members.len())
            .filter(|&j| in_aws(&r.to.members[j].name))
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
            for (protocol, ranges) in r.openings.iter().map(|(p, r)| (*p, *r)) {
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
                let mut props = json!({
                    "GroupId": { "Ref": "TargetSecurityGroupId" },
                    "IpProtocol": ip_protocol,
                    "FromPort": from,
                    "ToPort": to,
                    "Description": description(&format!("portplan R{n}: {}", r.comment())),
                });
                props[key] = json!(cidr);
                resources.insert(
                    format!("PortplanR{n}N{k}"),
                    json!({
                        "Type": "AWS::EC2::SecurityGroupIngress",
                        "Properties": props,
                    }),
                );
            }
        }
    }
    let template = json!({
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": description(&format!(
            "portplan: inbound rules for the security group of the PlateSpin {} {} targets in AWS (rule numbers of portplan plan --format rules); no rule opens RDP 3389 or anything to the whole internet",
            plan.product.title(),
            plan.version
        )),
        "Parameters": {
            "TargetSecurityGroupId": {
                "Type": "AWS::EC2::SecurityGroup::Id",
                "Description": "The security group of the targets in AWS"
            }
        },
        "Resources": Value::Object(resources),
    });
    let mut s = serde_json::to_string_pretty(&template).unwrap_or_default();
    s.push('\n');
    s
}
