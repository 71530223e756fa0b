//! The planner: rules × scenario → concrete flows (public plan format 1).
//!
//! Deterministic and deduplicated: flows are ordered by phase, then by the scenario
//! order of the initiating and accepting hosts, then protocol and port, so the same
//! scenario always gives the same bytes (and the same digest).

mod file;

use crate::address::HostName;
use crate::error::InputError;
use crate::rules::{Flag, PortSpec, Rule, RULES};
use crate::scenario::{parse_json_within, Scenario, Workload, MAX_PLAN_BYTES};
use crate::types::{
    Os, Phase, Platform, PortRange, Product, Protocol, Role, Version, WindowsGeneration,
};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::HashMap;

/// The only plan format this version reads and writes.
pub const PLAN_FORMAT: u32 = 1;

/// A host as the plan knows it: enough to probe it without the scenario.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanHost {
    pub name: HostName,
    pub address: String,
    /// The host's public (NAT) address, when it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_address: Option<String>,
    pub role: Role,
    /// The operating system the scenario states (workloads and their targets): which
    /// host firewall script, Windows or Linux, is this host's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub os: Option<Os>,
    /// The platform of a virtualization host or cloud (an appliance or a cloud endpoint
    /// gets perimeter or cloud rules, never a host script), or the one a target runs on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub platform: Option<Platform>,
}

/// One connection a firewall must let through.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Flow {
    pub phase: Phase,
    /// The host that opens the connection.
    pub from: HostName,
    /// The host that accepts it.
    pub to: HostName,
    pub protocol: Protocol,
    /// Absent for ICMP.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ports: Option<PortRange>,
    pub purpose: String,
    /// Id of the catalog rule that produced the flow.
    pub rule: String,
    /// The address the initiator dials when it is not the accepting host's own
    /// address: its public address, seen through NAT.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    /// Not needed for PlateSpin to work (off by default, or remote desktop only).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub optional: bool,
    /// What a firewall team must know about this flow: what the planner had to assume
    /// (e.g. the nearest documented version), then its rule's notes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    /// No vendor page states this flow as planned (its rule is marked inferred): every
    /// output shows the mark, so it is never presented as the vendor's.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub inferred: bool,
}

impl Flow {
    /// The catalog rule behind this flow, if this build knows it.
    pub fn rule(&self) -> Option<&'static Rule> {
        crate::rules::rule(&self.rule)
    }
}

/// A whole plan. Its JSON file lists each distinct list of flow notes once, and each
/// flow names its list by number (`plan/file.rs` says why).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(try_from = "file::PlanFile")]
pub struct Plan {
    pub format: u32,
    pub product: Product,
    pub version: String,
    /// [`crate::rules::catalog_digest`] of the rules the plan was built from (absent in
    /// plans of earlier builds).
    pub catalog: String,
    pub hosts: Vec<PlanHost>,
    pub flows: Vec<Flow>,
    /// What the planner decided for the whole plan (replication direction, versions).
    pub notes: Vec<String>,
}

/// Sort key of a flow: phase, initiator and responder in scenario order, protocol, port.
type FlowOrder = (usize, usize, usize, Protocol, u16);

/// A pair of hosts a rule may connect, with what the rule conditions look at.
struct Pair<'a> {
    from: (Role, usize),
    to: (Role, usize),
    workload: Option<&'a Workload>,
    platform: Option<Platform>,
    flags: Vec<Flag>,
    /// The public address the initiator dials, when it reaches `to` through NAT.
    dial: Option<String>,
}

impl<'a> Pair<'a> {
    fn hosts(from: (Role, usize), to: (Role, usize)) -> Pair<'a> {
        Pair {
            from,
            to,
            workload: None,
            platform: None,
            flags: Vec::new(),
            dial: None,
        }
    }
}

impl Serialize for Plan {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        file::PlanOut::of(self).serialize(s)
    }
}

impl Plan {
    /// Plans a validated scenario.
    pub fn build(s: &Scenario) -> Result<Plan, InputError> {
        s.validate()?;
        let version = s.parsed_version();
        let direction = s.replication_direction();
        let mut hosts = Vec::new();
        let server = push(&mut hosts, &s.server.name, &s.server.address, Role::Server);
        hosts[server].public_address = s.server.public_address.clone();
        // The cloud the server runs in, when the scenario names it: the NSG and security
        // group outputs then write the server's own rules.
        hosts[server].platform = s.server.platform;
        let server = (Role::Server, server);
        let server_public = s.server.public_address.clone();
        let mut pairs = Vec::new();
        let mut containers = HashMap::new();
        for h in &s.hosts {
            let i = push(&mut hosts, &h.name, &h.address, Role::VirtualizationHost);
            hosts[i].platform = Some(h.platform);
            containers.insert(h.name.to_ascii_lowercase(), i);
            pairs.push(Pair {
                platform: Some(h.platform),
                ..Pair::hosts(server, (Role::VirtualizationHost, i))
            });
        }
        let mut connectors = Vec::new();
        for c in &s.connectors {
            let i = push(&mut hosts, &c.name, &c.address, Role::Connector);
            connectors.push(i);
            pairs.push(Pair::hosts((Role::Connector, i), server));
        }
        if let Some(f) = &s.factory {
            let i = push(&mut hosts, &f.name, &f.address, Role::Factory);
            pairs.push(Pair::hosts((Role::Factory, i), server));
            for &c in &connectors {
                pairs.push(Pair::hosts((Role::Factory, i), (Role::Connector, c)));
                pairs.push(Pair::hosts((Role::Connector, c), (Role::Factory, i)));
            }
            // The Transformation Manager discovers the target platforms of the wave.
            for (hi, h) in s.hosts.iter().enumerate() {
                let container = s.workloads.iter().any(|w| {
                    w.target
                        .as_ref()
                        .and_then(|t| s.container(t))
                        .is_some_and(|c| c.name.eq_ignore_ascii_case(&h.name))
                });
                pairs.push(Pair {
                    platform: Some(h.platform),
                    flags: if container {
                        vec![Flag::Container]
                    } else {
                        Vec::new()
                    },
                    ..Pair::hosts((Role::Factory, i), (Role::VirtualizationHost, 1 + hi))
                });
            }
            if let Some(db) = &f.database {
                let d = push(&mut hosts, &db.name, &db.address, Role::Database);
                pairs.push(Pair::hosts((Role::Factory, i), (Role::Database, d)));
            }
        }
        let factory = s
            .factory
            .as_ref()
            .map(|f| (f, hosts.iter().position(|h| h.role == Role::Factory)));
        for a in &s.admins {
            let i = push(&mut hosts, &a.name, &a.address, Role::Admin);
            let mut flags = Vec::new();
            if s.server.in_cloud() || s.server.marketplace {
                flags.push(Flag::CloudServer);
            }
            pairs.push(Pair {
                flags,
                ..Pair::hosts((Role::Admin, i), server)
            });
            if let Some((f, Some(fi))) = factory {
                let flags = if f.appliance {
                    vec![Flag::Appliance]
                } else {
                    Vec::new()
                };
                pairs.push(Pair {
                    flags,
                    ..Pair::hosts((Role::Admin, i), (Role::Factory, fi))
                });
            }
        }
        for w in &s.workloads {
            let src = (
                Role::Source,
                push(&mut hosts, &w.name, &w.address, Role::Source),
            );
            hosts[src.1].os = Some(w.os);
            let outside = w.is_outside();
            // Calls into the server or the target from outside go to their public address.
            let server_dial = server_public.clone().filter(|_| outside);
            both(&mut pairs, w, server, src, None, server_dial);
            if let Some(t) = &w.target {
                let tgt = (
                    Role::Target,
                    push(&mut hosts, &t.name, &t.address, Role::Target),
                );
                hosts[tgt.1].public_address = t.public_address.clone();
                // A migrated workload keeps its operating system.
                hosts[tgt.1].os = Some(w.os);
                let target_dial = t.public_address.clone().filter(|_| outside);
                both(&mut pairs, w, src, tgt, target_dial, None);
                let server_dial = server_public.clone().filter(|_| t.is_outside(s));
                both(&mut pairs, w, server, tgt, None, server_dial);
                if let Some(c) = s.container(t) {
                    // Where the target runs: a cloud's target sits behind its security group.
                    hosts[tgt.1].platform = Some(c.platform);
                    if let Some(&ci) = containers.get(&c.name.to_ascii_lowercase()) {
                        pairs.push(Pair {
                            platform: Some(c.platform),
                            flags: vec![Flag::Container],
                            ..Pair::hosts(server, (Role::VirtualizationHost, ci))
                        });
                    }
                }
            }
        }
        let (flows, used) = flows(s, &version, direction.replication, &hosts, &pairs);
        let mut notes: Vec<String> = crate::releases::warning(s.product, &version)
            .into_iter()
            .collect();
        notes.extend(direction.reason.map(str::to_string));
        for sub in crate::rules::TRANSFER_SUBSTITUTES {
            let substituted = s.workloads.iter().any(|w| {
                w.os == sub.os
                    && w.transfer == sub.from
                    && w.effective_transfer(s.product, &version) == sub.to
            });
            if substituted {
                notes.push(sub.note.to_string());
            }
        }
        notes.extend(alternate_server_address(s));
        let plan = Plan {
            format: PLAN_FORMAT,
            product: s.product,
            version: s.version.trim().to_string(),
            catalog: crate::rules::catalog_digest().to_string(),
            hosts,
            flows,
            notes,
        };
        check_every_host_is_used(s, &used)?;
        Ok(plan)
    }

    /// Parses and checks a plan file (e.g. one written by another host).
    pub fn from_json(text: &str) -> Result<Plan, InputError> {
        let plan: Plan = parse_json_within(text, MAX_PLAN_BYTES)?;
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
        crate::scenario::check_text(&self.version)
            .map_err(|m| InputError::invalid("version", m))?;
        if Version::parse(&self.version).is_none() || self.version.trim() != self.version {
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
            if names.insert(&h.name, i).is_some() {
                return Err(InputError::invalid(
                    format!("hosts[{i}].name"),
                    format!("{:?} is listed twice", h.name),
                ));
            }
        }
        for (i, f) in self.flows.iter().enumerate() {
            for (field, name) in [("from", &f.from), ("to", &f.to)] {
                if !names.contains_key(name) {
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

    /// The plan with each flow's rule notes (as this build's catalog words them) after
    /// its own, where they are missing: what [`Plan::build`] gives a flow when the
    /// catalog carries its words. The page's first-load module plans without them (see
    /// `rules::prose`), and the exports module puts them back on every plan it reads; a
    /// plan that has them is returned unchanged.
    pub fn with_rule_notes(mut self) -> Plan {
        for f in &mut self.flows {
            let Some(rule) = crate::rules::rule(&f.rule) else {
                continue;
            };
            for n in rule.notes {
                if !f.notes.iter().any(|have| have == n) {
                    f.notes.push(n.to_string());
                }
            }
        }
        self
    }

    /// `sha256:<hex>` of the compact JSON: reports carry it so they can't be merged across plans.
    pub fn digest(&self) -> String {
        let bytes = serde_json::to_vec(self).unwrap_or_default();
        let hash = Sha256::digest(&bytes);
        let hex: String = hash.iter().map(|b| format!("{b:02x}")).collect();
        format!("sha256:{hex}")
    }

    pub fn host(&self, name: &str) -> Option<&PlanHost> {
        self.hosts.iter().find(|h| h.name.is(name))
    }

    /// The host a command line means: its name (any case), else its address however
    /// written (`[fd00::2]` is `fd00::2`; a name in any case).
    pub fn host_named_or_at(&self, key: &str) -> Option<&PlanHost> {
        self.host(key).or_else(|| {
            self.hosts
                .iter()
                .find(|h| h.address.parse::<crate::Address>().is_ok_and(|a| a.is(key)))
        })
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

/// Both directions between two hosts of a workload, each with the address its
/// initiator dials when that is a public (NAT) address.
fn both<'a>(
    pairs: &mut Vec<Pair<'a>>,
    w: &'a Workload,
    a: (Role, usize),
    b: (Role, usize),
    a_dials: Option<String>,
    b_dials: Option<String>,
) {
    pairs.push(Pair {
        workload: Some(w),
        dial: a_dials,
        ..Pair::hosts(a, b)
    });
    pairs.push(Pair {
        workload: Some(w),
        dial: b_dials,
        ..Pair::hosts(b, a)
    });
}

/// Migrate Agent workloads outside the server's network dial the server's address; a
/// server without a public address leaves them dialling a private one (Q7). Public: the
/// page shows these notes beside the server's public address field.
pub fn alternate_server_address(s: &Scenario) -> Vec<String> {
    if s.server.public_address.is_some() {
        return Vec::new();
    }
    s.workloads
        .iter()
        .filter(|w| w.agent && w.is_outside())
        .map(|w| {
            format!(
                "Workload {:?} uses the Migrate Agent from outside the server's network, but server {:?} has no public address: the plan has it dial {}. \"Public IP addresses are required for the PlateSpin Migrate server host\": set the AlternateServerAddress parameter to the server's public IP address and give the scenario's server a \"public_address\" (Q7).",
                w.name, s.server.name, s.server.address
            )
        })
        .collect()
}

fn push(hosts: &mut Vec<PlanHost>, name: &str, address: &str, role: Role) -> usize {
    hosts.push(PlanHost {
        name: name.into(),
        address: address.to_string(),
        public_address: None,
        role,
        os: None,
        platform: None,
    });
    hosts.len() - 1
}

/// A virtualization host no rule reaches would be silently ignored: refuse it. `used`
/// says which plan hosts a flow names (the virtualization hosts follow the server).
fn check_every_host_is_used(s: &Scenario, used: &[bool]) -> Result<(), InputError> {
    for (i, h) in s.hosts.iter().enumerate() {
        if !used.get(1 + i).copied().unwrap_or(false) {
            let listed: Vec<String> = RULES
                .iter()
                .filter(|r| r.phase == Phase::Discovery && r.when.platforms.contains(&h.platform))
                .flat_map(|r| r.when.products.iter().filter(|p| p.product == s.product))
                .map(|p| p.describe())
                .collect();
            let hint = match listed.first() {
                Some(l) => format!(" (the vendor's guides list it for {l})"),
                None => String::new(),
            };
            return Err(InputError::invalid(
                format!("hosts[{i}].platform"),
                format!(
                    "no documented port to discover a \"{}\" host with {}{hint}",
                    h.platform.as_str(),
                    s.product_version(),
                ),
            ));
        }
    }
    Ok(())
}

/// One flow a rule gives for a pair, before duplicates are dropped: the sort key and
/// the indexes to make the [`Flow`] from, so sorting moves small records, not flows.
struct Candidate {
    order: FlowOrder,
    ports: Option<PortRange>,
    /// Index into the rules that apply to the plan's product and version.
    rule: usize,
    pair: usize,
    purpose: String,
}

/// The flows of every pair, deduplicated and in plan order, and which hosts they name.
///
/// The rules' product, version and replication conditions are the same for every pair,
/// so they are decided once; each pair then only looks at the rules between its roles.
/// Two flows are the same when phase, hosts, protocol and ports are: they share their
/// sort key, so after a stable sort the first of them (in pair and rule order) is the
/// one kept, as the plan format has always kept it.
fn flows(
    s: &Scenario,
    version: &Version,
    replication: crate::types::Replication,
    hosts: &[PlanHost],
    pairs: &[Pair],
) -> (Vec<Flow>, Vec<bool>) {
    // A rule's "nearest documented version" note depends on the version only: once
    // per rule, not once per host pair of a thousand-workload wave.
    let live: Vec<(&Rule, usize, Vec<String>)> = RULES
        .iter()
        .filter(|r| {
            r.when.matches_product(s.product, version)
                && r.when.replication.is_none_or(|rep| rep == replication)
        })
        .map(|r| {
            let phase = Phase::ALL.iter().position(|p| *p == r.phase).unwrap_or(0);
            let notes = r
                .undocumented_note(s.product, version)
                .into_iter()
                .chain(r.notes.iter().map(|n| n.to_string()))
                .collect();
            (r, phase, notes)
        })
        .collect();
    let mut candidates = Vec::new();
    for (pi, pair) in pairs.iter().enumerate() {
        for (ri, (rule, phase, _)) in live.iter().enumerate() {
            if rule.from != pair.from.0
                || rule.to != pair.to.0
                || !applies(rule, s.product, version, pair)
            {
                continue;
            }
            for (ports, purpose) in expand(rule, pair) {
                let port = ports.map_or(0, |p| p.first.get());
                candidates.push(Candidate {
                    order: (*phase, pair.from.1, pair.to.1, rule.protocol, port),
                    ports,
                    rule: ri,
                    pair: pi,
                    purpose,
                });
            }
        }
    }
    crate::order::sort_by_key(&mut candidates, |c| c.order);
    let mut used = vec![false; hosts.len()];
    let mut flows = Vec::with_capacity(candidates.len());
    // The port ranges kept for the current sort key (a handful at most).
    let mut run: Vec<Option<PortRange>> = Vec::new();
    let mut run_order = None;
    for c in candidates {
        if run_order != Some(c.order) {
            run.clear();
            run_order = Some(c.order);
        }
        if run.contains(&c.ports) {
            continue;
        }
        run.push(c.ports);
        let (rule, _, notes) = &live[c.rule];
        let pair = &pairs[c.pair];
        used[pair.from.1] = true;
        used[pair.to.1] = true;
        flows.push(Flow {
            phase: rule.phase,
            from: hosts[pair.from.1].name.clone(),
            to: hosts[pair.to.1].name.clone(),
            protocol: rule.protocol,
            ports: c.ports,
            purpose: c.purpose,
            rule: rule.id.to_string(),
            address: pair.dial.clone(),
            optional: rule.optional,
            notes: notes.clone(),
            inferred: rule.inferred,
        });
    }
    (flows, used)
}

/// Whether a rule that applies to the plan's product, version and replication applies
/// to this pair (its platform, flags and workload).
fn applies(rule: &Rule, product: Product, version: &Version, pair: &Pair) -> bool {
    let c = &rule.when;
    if !c.platforms.is_empty() && !pair.platform.is_some_and(|p| c.platforms.contains(&p)) {
        return false;
    }
    if !c.flags.iter().all(|f| pair.flags.contains(f)) {
        return false;
    }
    match pair.workload {
        Some(w) => {
            c.os.is_none_or(|os| os == w.os)
                && (c.transfers.is_empty()
                    || c.transfers
                        .contains(&w.effective_transfer(product, version)))
                && c.agent.is_none_or(|a| a == w.agent)
                && (c.generations.is_empty()
                    || (w.os == Os::Windows && c.generations.contains(&w.windows_generation())))
        }
        // Host-level pairs (virtualization hosts, connectors) only match host-level rules.
        None => {
            c.os.is_none()
                && c.transfers.is_empty()
                && c.agent.is_none()
                && c.generations.is_empty()
        }
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

/// The dynamic RPC range of a Windows generation (KB 929851) and how to name it; the
/// facts live in [`crate::services`].
pub fn dynamic_rpc_range(g: WindowsGeneration) -> (PortRange, &'static str) {
    crate::services::dynamic_rpc_range(g)
}
