//! Exporters: one module per format, each a pure function of a plan.
//!
//! The web page and the CLI call the same functions, so their files are byte-identical.

pub mod aerleon;
pub mod aws_cfn;
pub mod azure_nsg;
pub mod change_csv;
pub mod csv;
pub mod firewall;
pub mod groups;
pub mod markdown;
pub mod markup;
pub mod pdf;
pub mod registry;
pub mod rule_list;
pub mod svg;
pub mod table;
#[cfg(feature = "xlsx")]
pub mod xlsx;

use crate::plan::{Flow, Plan};
use crate::types::{Phase, Protocol};
use std::collections::hash_map::{Entry, HashMap};

/// Flows of one host pair within a phase, in plan order.
pub struct PairGroup<'a> {
    pub from: &'a str,
    pub to: &'a str,
    pub flows: Vec<&'a Flow>,
}

/// Flows grouped by phase, then by host pair (first appearance order), as people read them.
pub fn grouped(plan: &Plan) -> Vec<(Phase, Vec<PairGroup<'_>>)> {
    let mut out: Vec<(Phase, Vec<PairGroup<'_>>)> = Vec::new();
    for phase in Phase::ALL {
        let mut pairs: Vec<PairGroup<'_>> = Vec::new();
        // A wave of a thousand workloads has thousands of pairs: find each by name.
        let mut index: HashMap<(&str, &str), usize> = HashMap::new();
        for f in plan.flows.iter().filter(|f| f.phase == *phase) {
            match index.entry((&f.from, &f.to)) {
                Entry::Occupied(i) => pairs[*i.get()].flows.push(f),
                Entry::Vacant(v) => {
                    v.insert(pairs.len());
                    pairs.push(PairGroup {
                        from: &f.from,
                        to: &f.to,
                        flows: vec![f],
                    });
                }
            }
        }
        if !pairs.is_empty() {
            out.push((*phase, pairs));
        }
    }
    out
}

/// How many flows a page shows of a long plan (whole host pairs, so a few more): a
/// wave of a thousand workloads is 14,000 flows, which the firewall view sums up.
pub const HEAD_FLOWS: usize = 400;

/// The plan's first flows, whole host pairs, at least `n` of them (all of them when
/// the plan has no more), with only the hosts they name: what a view that shows the
/// first flows of a long plan needs, without the rest of a thousand-workload wave.
///
/// A built plan is ordered by phase and host pair, so its first pairs are one prefix
/// of its flows and [`grouped`] gives the head the same first groups as the plan.
pub fn head(plan: &Plan, n: usize) -> Plan {
    let same_pair = |a: &Flow, b: &Flow| a.phase == b.phase && a.from == b.from && a.to == b.to;
    let mut end = plan.flows.len().min(n);
    while end > 0 && end < plan.flows.len() && same_pair(&plan.flows[end], &plan.flows[end - 1]) {
        end += 1;
    }
    let flows = plan.flows[..end].to_vec();
    let named: std::collections::HashSet<&str> = flows
        .iter()
        .flat_map(|f| [f.from.as_str(), f.to.as_str()])
        .collect();
    Plan {
        hosts: plan
            .hosts
            .iter()
            .filter(|h| named.contains(h.name.as_str()))
            .cloned()
            .collect(),
        flows,
        format: plan.format,
        product: plan.product,
        version: plan.version.clone(),
        catalog: plan.catalog.clone(),
        notes: plan.notes.clone(),
    }
}

/// The plan's hosts by name, for exporters that name the hosts of every flow: one
/// lookup per flow instead of a scan of the host list (twenty thousand hosts in a wave
/// of ten thousand workloads).
pub struct Hosts<'a> {
    plan: &'a Plan,
    index: HashMap<String, usize>,
}

impl<'a> Hosts<'a> {
    pub fn new(plan: &'a Plan) -> Hosts<'a> {
        let mut index = HashMap::with_capacity(plan.hosts.len());
        for (i, h) in plan.hosts.iter().enumerate() {
            index.entry(h.name.to_ascii_lowercase()).or_insert(i);
        }
        Hosts { plan, index }
    }

    /// What [`address`] answers.
    pub fn address(&self, name: &str) -> &'a str {
        let plan: &'a Plan = self.plan;
        let found = match self.index.get(name) {
            Some(&i) if plan.hosts[i].name == name => Some(i),
            _ => self.index.get(&name.to_ascii_lowercase()).copied(),
        };
        found.map_or("", |i| plan.hosts[i].address.as_str())
    }

    /// What [`pair_heading`] answers.
    pub fn pair_heading(&self, from: &str, to: &str) -> String {
        format!(
            "{from} ({}) -> {to} ({})",
            self.address(from),
            self.address(to)
        )
    }

    /// What [`flow_remarks`] answers.
    pub fn flow_remarks(&self, f: &Flow) -> String {
        if f.address.is_none() && !f.optional && f.notes.is_empty() {
            return String::new();
        }
        flow_remarks(self.plan, f)
    }
}

/// `TCP 135`, `TCP 49152-65535`, `ICMP echo`.
pub fn port_label(f: &Flow) -> String {
    match (f.protocol, f.ports) {
        (Protocol::Icmp, _) | (_, None) => "ICMP echo".to_string(),
        (p, Some(r)) => format!("{} {}", p.as_str().to_ascii_uppercase(), r),
    }
}

/// The address of a host of the plan, or empty if the plan does not know it.
pub fn address<'a>(plan: &'a Plan, name: &str) -> &'a str {
    plan.host(name).map_or("", |h| h.address.as_str())
}

/// The address the initiator of `f` dials: the public (NAT) address when it has one.
pub fn dialed<'a>(plan: &'a Plan, f: &'a Flow) -> &'a str {
    f.address.as_deref().unwrap_or_else(|| address(plan, &f.to))
}

/// What a reader of one flow must know besides its ports, in one line: inferred,
/// optional, the NAT address it dials, and the flow's notes (the planner's and its
/// rule's), whole: for the formats read one row at a time (CSV, the page).
pub fn flow_remarks(plan: &Plan, f: &Flow) -> String {
    let mut parts = short_remarks(plan, f);
    parts.extend(f.notes.iter().cloned());
    parts.join("; ")
}

/// The mark an inferred flow carries in every output.
pub const INFERRED: &str = "INFERRED: no vendor page states this flow as planned";

/// The remarks of a flow without its notes: inferred, optional, the NAT address.
pub fn short_remarks(plan: &Plan, f: &Flow) -> Vec<String> {
    let mut parts = Vec::new();
    if f.inferred {
        parts.push(INFERRED.to_string());
    }
    if f.optional {
        parts.push("optional".to_string());
    }
    if let Some(nat) = nat_remark(plan, f) {
        parts.push(nat);
    }
    parts
}

/// The flows' notes numbered once each, in plan order: a wave repeats the same rule
/// notes on every host pair, so the table, Markdown and PDF print each note once in a
/// list and give each flow the numbers of its notes.
pub struct NoteIndex<'a> {
    pub notes: Vec<&'a str>,
    numbers: HashMap<&'a str, usize>,
}

impl<'a> NoteIndex<'a> {
    pub fn of(plan: &'a Plan) -> NoteIndex<'a> {
        let mut notes = Vec::new();
        let mut numbers = HashMap::new();
        for n in plan.flows.iter().flat_map(|f| &f.notes) {
            if let Entry::Vacant(v) = numbers.entry(n.as_str()) {
                notes.push(n.as_str());
                v.insert(notes.len());
            }
        }
        NoteIndex { notes, numbers }
    }

    /// `notes 1, 4` for a flow with notes, else `None`.
    pub fn refs(&self, f: &Flow) -> Option<String> {
        let nums: Vec<String> = f
            .notes
            .iter()
            .filter_map(|n| self.numbers.get(n.as_str()))
            .map(usize::to_string)
            .collect();
        (!nums.is_empty()).then(|| format!("notes {}", nums.join(", ")))
    }

    /// The number of a flow note, if it is one.
    pub fn number(&self, note: &str) -> Option<usize> {
        self.numbers.get(note).copied()
    }

    /// A flow's remarks with its notes as numbers: `optional; notes 1, 4`.
    pub fn remarks(&self, plan: &Plan, f: &Flow) -> String {
        let mut parts = short_remarks(plan, f);
        parts.extend(self.refs(f));
        parts.join("; ")
    }
}

/// `dials 203.0.113.5, NAT to 10.0.0.5` for a flow through NAT.
pub fn nat_remark(plan: &Plan, f: &Flow) -> Option<String> {
    f.address.as_ref().map(|a| {
        format!(
            "{} dials {a}, NAT to {} ({})",
            f.from,
            address(plan, &f.to),
            f.to
        )
    })
}

/// `ps01 (10.0.0.5) -> web01 (10.0.1.10)`: a host pair as the text outputs head it.
pub fn pair_heading(plan: &Plan, from: &str, to: &str) -> String {
    format!(
        "{from} ({}) -> {to} ({})",
        address(plan, from),
        address(plan, to)
    )
}
