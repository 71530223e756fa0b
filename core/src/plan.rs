//! The planner: rules × scenario → concrete flows (public plan format 1).
//!
//! Deterministic and deduplicated: flows are ordered by phase, then by the scenario
//! order of the initiating and accepting hosts, then protocol and port, so the same
//! scenario always gives the same bytes (and the same digest).

use crate::error::InputError;
use crate::rules::{PortSpec, Rule, RULES};
use crate::scenario::{parse_json, Scenario, Workload};
use crate::types::{
    Phase, Platform, PortRange, Product, Protocol, Role, Version, WindowsGeneration,
};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::{HashMap, HashSet};

/// The only plan format this version reads and writes.
pub const PLAN_FORMAT: u32 = 1;

/// A host as the plan knows it: enough to probe it without the scenario.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanHost {
    pub name: String,
    pub address: String,
    pub role: Role,
}

/// One connection a firewall must let through.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Flow {
    pub phase: Phase,
    /// The host that opens the connection.
    pub from: String,
    /// The host that accepts it.
    pub to: String,
    pub protocol: Protocol,
    /// Absent for ICMP.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ports: Option<PortRange>,
    pub purpose: String,
    /// Id of the catalog rule that produced the flow.
    pub rule: String,
}

impl Flow {
    /// The catalog rule behind this flow, if this build knows it.
    pub fn rule(&self) -> Option<&'static Rule> {
        crate::rules::rule(&self.rule)
    }
}

/// A whole plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Plan {
    pub format: u32,
    pub product: Product,
    pub version: String,
    pub hosts: Vec<PlanHost>,
    pub flows: Vec<Flow>,
}

/// Sort key of a flow: phase, initiator and responder in scenario order, protocol, port.
type FlowOrder = (usize, usize, usize, Protocol, u16);

/// A pair of hosts a rule may connect, with what the rule conditions look at.
struct Pair<'a> {
    from: (Role, usize),
    to: (Role, usize),
    workload: Option<&'a Workload>,
    platform: Option<Platform>,
}

impl Plan {
    /// Plans a validated scenario.
    pub fn build(s: &Scenario) -> Result<Plan, InputError> {
        s.validate()?;
        let version = s.parsed_version();
        let mut hosts = vec![PlanHost {
            name: s.server.name.clone(),
            address: s.server.address.clone(),
            role: Role::Server,
        }];
        let mut pairs = Vec::new();
        for h in &s.hosts {
            let i = push(&mut hosts, &h.name, &h.address, Role::VirtualizationHost);
            pairs.push(Pair {
                from: (Role::Server, 0),
                to: (Role::VirtualizationHost, i),
                workload: None,
                platform: Some(h.platform),
            });
        }
        for c in &s.connectors {
            let i = push(&mut hosts, &c.name, &c.address, Role::Connector);
            pairs.push(Pair {
                from: (Role::Connector, i),
                to: (Role::Server, 0),
                workload: None,
                platform: None,
            });
        }
        for w in &s.workloads {
            let src = push(&mut hosts, &w.name, &w.address, Role::Source);
            let mut both = |a: (Role, usize), b: (Role, usize)| {
                pairs.push(Pair {
                    from: a,
                    to: b,
                    workload: Some(w),
                    platform: None,
                });
                pairs.push(Pair {
                    from: b,
                    to: a,
                    workload: Some(w),
                    platform: None,
                });
            };
            both((Role::Server, 0), (Role::Source, src));
            if let Some(t) = &w.target {
                let tgt = hosts.len();
                both((Role::Source, src), (Role::Target, tgt));
                both((Role::Server, 0), (Role::Target, tgt));
                hosts.push(PlanHost {
                    name: t.name.clone(),
                    address: t.address.clone(),
                    role: Role::Target,
                });
            }
        }
        let replication = s
            .replication
            .unwrap_or(crate::types::Replication::SourceListens);
        let mut keyed: Vec<(FlowOrder, Flow)> = Vec::new();
        let mut seen = HashSet::new();
        for pair in &pairs {
            for rule in RULES {
                if rule.from != pair.from.0 || rule.to != pair.to.0 {
                    continue;
                }
                if !applies(rule, s.product, &version, pair, replication) {
                    continue;
                }
                for (ports, purpose) in expand(rule, pair) {
                    let flow = Flow {
                        phase: rule.phase,
                        from: hosts[pair.from.1].name.clone(),
                        to: hosts[pair.to.1].name.clone(),
                        protocol: rule.protocol,
                        ports,
                        purpose,
                        rule: rule.id.to_string(),
                    };
                    let dedupe = (
                        flow.phase,
                        pair.from.1,
                        pair.to.1,
                        flow.protocol,
                        flow.ports,
                    );
                    if seen.insert(dedupe) {
                        let port = ports.map_or(0, |p| p.first.get());
                        let phase = Phase::ALL
                            .iter()
                            .position(|p| *p == rule.phase)
                            .unwrap_or(0);

                        keyed.push(((phase, pair.from.1, pair.to.1, rule.protocol, port), flow));
                    }
                }
            }
        }
        keyed.sort_by_key(|k| k.0);
        let plan = Plan {
            format: PLAN_FORMAT,
            product: s.product,
            version: s.version.clone(),
            hosts,
            flows: keyed.into_iter().map(|(_, f)| f).collect(),
        };
        plan.check_every_host_is_used(s)?;
        Ok(plan)
    }

    /// A virtualization host no rule reaches would be silently ignored: refuse it.
    fn check_every_host_is_used(&self, s: &Scenario) -> Result<(), InputError> {
        let used: HashSet<&str> = self
            .flows
            .iter()
            .flat_map(|f| [f.from.as_str(), f.to.as_str()])
            .collect();
        for (i, h) in s.hosts.iter().enumerate() {
            if !used.contains(h.name.as_str()) {
                return Err(InputError::invalid(
                    format!("hosts[{i}].platform"),
                    format!(
                        "no documented port to discover a {:?} host with {} {}",
                        h.platform.as_str(),
                        s.product,
                        s.version
                    ),
                ));
            }
        }
        Ok(())
    }

    /// Parses and checks a plan file (e.g. one written by another host).
    pub fn from_json(text: &str) -> Result<Plan, InputError> {
        let plan: Plan = parse_json(text)?;
        plan.validate()?;
        Ok(plan)
    }

    /// Cross-field checks of a parsed plan: names resolve, ports fit the protocol.
    pub fn validate(&self) -> Result<(), InputError> {
        if self.format != PLAN_FORMAT {
            return Err(InputError::invalid(
                "format",
                format!(
                    "{} is not supported (this portplan reads plan format {PLAN_FORMAT})",
                    self.format
                ),
            ));
        }
        if Version::parse(&self.version).is_none() {
            return Err(InputError::invalid(
                "version",
                format!("{:?} is not a version", self.version),
            ));
        }
        let mut names = HashMap::new();
        for (i, h) in self.hosts.iter().enumerate() {
            crate::scenario::check_name(&h.name)
                .map_err(|m| InputError::invalid(format!("hosts[{i}].name"), m))?;
            crate::scenario::check_address(&h.address)
                .map_err(|m| InputError::invalid(format!("hosts[{i}].address"), m))?;
            if names.insert(h.name.to_ascii_lowercase(), i).is_some() {
                return Err(InputError::invalid(
                    format!("hosts[{i}].name"),
                    format!("{:?} is listed twice", h.name),
                ));
            }
        }
        for (i, f) in self.flows.iter().enumerate() {
            for (field, name) in [("from", &f.from), ("to", &f.to)] {
                if !names.contains_key(&name.to_ascii_lowercase()) {
                    return Err(InputError::invalid(
                        format!("flows[{i}].{field}"),
                        format!("{name:?} names no host of the plan"),
                    ));
                }
            }
            match (f.protocol, f.ports) {
                (Protocol::Icmp, Some(_)) => {
                    return Err(InputError::invalid(
                        format!("flows[{i}].ports"),
                        "icmp flows have no ports",
                    ))
                }
                (Protocol::Tcp | Protocol::Udp, None) => {
                    return Err(InputError::invalid(
                        format!("flows[{i}].ports"),
                        format!("a {} flow needs ports", f.protocol),
                    ))
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// The plan in its public JSON form, pretty-printed with a trailing newline.
    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).unwrap_or_default();
        s.push('\n');
        s
    }

    /// `sha256:<hex>` of the compact JSON: reports carry it so they can't be merged across plans.
    pub fn digest(&self) -> String {
        let bytes = serde_json::to_vec(self).unwrap_or_default();
        let hash = Sha256::digest(&bytes);
        let hex: String = hash.iter().map(|b| format!("{b:02x}")).collect();
        format!("sha256:{hex}")
    }

    pub fn host(&self, name: &str) -> Option<&PlanHost> {
        self.hosts
            .iter()
            .find(|h| h.name.eq_ignore_ascii_case(name))
    }

    /// Count of flows per phase, in phase order, phases without flows left out.
    pub fn phase_counts(&self) -> Vec<(Phase, usize)> {
        Phase::ALL
            .iter()
            .map(|p| (*p, self.flows.iter().filter(|f| f.phase == *p).count()))
            .filter(|(_, n)| *n > 0)
            .collect()
    }
}

fn push(hosts: &mut Vec<PlanHost>, name: &str, address: &str, role: Role) -> usize {
    hosts.push(PlanHost {
        name: name.to_string(),
        address: address.to_string(),
        role,
    });
    hosts.len() - 1
}

fn applies(
    rule: &Rule,
    product: Product,
    v: &Version,
    pair: &Pair,
    replication: crate::types::Replication,
) -> bool {
    let c = &rule.when;
    if !c.matches_product(product, v) {
        return false;
    }
    if let Some(rep) = c.replication {
        if rep != replication {
            return false;
        }
    }
    if !c.platforms.is_empty() && !pair.platform.is_some_and(|p| c.platforms.contains(&p)) {
        return false;
    }
    match pair.workload {
        Some(w) => {
            c.os.is_none_or(|os| os == w.os)
                && (c.transfers.is_empty() || c.transfers.contains(&w.transfer))
                && c.agent.is_none_or(|a| a == w.agent)
        }
        // Host-level pairs (virtualization hosts, connectors) only match host-level rules.
        None => c.os.is_none() && c.transfers.is_empty() && c.agent.is_none(),
    }
}

/// The concrete port ranges (and purposes) a rule gives for one pair.
fn expand(rule: &Rule, pair: &Pair) -> Vec<(Option<PortRange>, String)> {
    let purpose = rule.purpose.to_string();
    match rule.ports {
        PortSpec::None => vec![(None, purpose)],
        PortSpec::Fixed(r) => vec![(Some(r), purpose)],
        PortSpec::DynamicRpc => {
            let generation = pair
                .workload
                .map_or(WindowsGeneration::Modern, Workload::windows_generation);
            let (range, label) = dynamic_rpc_range(generation);
            vec![(Some(range), format!("{purpose} ({label})"))]
        }
        PortSpec::Drives => pair
            .workload
            .map(|w| {
                w.drives
                    .iter()
                    .map(|d| {
                        (
                            Some(PortRange::single(d.port())),
                            format!("Block-level mirror of drive {d} (10000 + {})", d.index()),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default(),
    }
}

/// The dynamic RPC range of a Windows generation (KB 929851) and how to name it.
pub fn dynamic_rpc_range(g: WindowsGeneration) -> (PortRange, &'static str) {
    match g {
        WindowsGeneration::Legacy => (
            PortRange::lit(1025, 5000),
            "Windows 2003/XP and older: 1025-5000",
        ),
        WindowsGeneration::Modern => (
            PortRange::lit(49152, 65535),
            "Windows 2008/Vista and newer: 49152-65535",
        ),
    }
}
