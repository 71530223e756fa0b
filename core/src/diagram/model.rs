//! From flows to what the picture shows: arrows per host pair and direction, hosts in
//! columns, workloads (source + its target) as units, identical units collapsed.

use super::overlay::{Overlay, Signal};
use super::ports::Item;
use crate::address::HostName;
use crate::plan::Plan;
use crate::types::{Phase, Role};
use std::collections::BTreeMap;

/// Groups of identical workloads larger than this collapse into one box.
pub const COLLAPSE_THRESHOLD: usize = 3;

/// All flows from one host to another, merged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Edge {
    /// Sorted and deduplicated, so equal edges compare equal.
    pub items: Vec<Item>,
    /// In phase order.
    pub phases: Vec<Phase>,
}

impl Edge {
    pub fn status(&self) -> Option<Signal> {
        self.items.iter().map(|i| i.status).max().flatten()
    }
}

/// A source and the target it replicates to; either may be missing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Unit {
    pub source: Option<usize>,
    pub target: Option<usize>,
    /// The units this one stands for (itself first); more than one when collapsed.
    pub members: Vec<(Option<usize>, Option<usize>)>,
}

pub(crate) struct Model {
    pub edges: BTreeMap<(usize, usize), Edge>,
    /// The PlateSpin Server every column talks to (the first host with that role).
    pub server: Option<usize>,
    /// Virtualization hosts, connectors and any further server, in plan order.
    pub left: Vec<usize>,
    pub units: Vec<Unit>,
    /// Edges that fit no column pair, drawn between repeated boxes below the columns.
    pub odd: Vec<(usize, usize)>,
}

impl Model {
    pub fn build(plan: &Plan, overlay: Option<&Overlay>) -> Model {
        // Inserted one by one: `collect` into a map sorts with its own copy of the sort.
        let mut index: BTreeMap<&HostName, usize> = BTreeMap::new();
        for (i, h) in plan.hosts.iter().enumerate() {
            index.insert(&h.name, i);
        }
        let mut edges: BTreeMap<(usize, usize), Edge> = BTreeMap::new();
        for f in &plan.flows {
            let (Some(&a), Some(&b)) = (index.get(&f.from), index.get(&f.to)) else {
                continue; // a validated plan names only its hosts
            };
            let e = edges.entry((a, b)).or_insert(Edge {
                items: Vec::new(),
                phases: Vec::new(),
            });
            e.items.push(Item {
                protocol: f.protocol,
                ports: f.ports,
                status: overlay.map(|o| o.status(f)),
            });
            e.phases.push(f.phase);
        }
        for e in edges.values_mut() {
            crate::order::sort(&mut e.items);
            e.items.dedup();
            crate::order::sort(&mut e.phases);
            e.phases.dedup();
        }
        let role = |i: usize| plan.hosts[i].role;
        let all = 0..plan.hosts.len();
        let server = all.clone().find(|&i| role(i) == Role::Server);
        let left: Vec<usize> = all
            .clone()
            .filter(|&i| {
                Some(i) != server
                    && matches!(
                        role(i),
                        Role::VirtualizationHost
                            | Role::Connector
                            | Role::Server
                            | Role::Admin
                            | Role::Factory
                            | Role::Database
                    )
            })
            .collect();
        let linked =
            |a: usize, b: usize| edges.contains_key(&(a, b)) || edges.contains_key(&(b, a));
        let mut assigned: BTreeMap<usize, usize> = BTreeMap::new(); // target -> source
                                                                    // Each host's linked targets in host order: a wave of ten thousand sources
                                                                    // looks at its own edges, not at every host.
        let mut targets_of: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
        for &(a, b) in edges.keys() {
            for (x, y) in [(a, b), (b, a)] {
                if role(y) == Role::Target {
                    targets_of.entry(x).or_default().push(y);
                }
            }
        }
        for list in targets_of.values_mut() {
            crate::order::sort(list);
            list.dedup();
        }
        let mut units = Vec::new();
        for i in all.clone() {
            match role(i) {
                Role::Source => {
                    let target = targets_of.get(&i).and_then(|list| {
                        list.iter()
                            .copied()
                            .find(|t| !assigned.contains_key(t) && linked(i, *t))
                    });
                    if let Some(t) = target {
                        assigned.insert(t, i);
                    }
                    units.push((Some(i), target));
                }
                Role::Target => {}
                _ => {}
            }
        }
        // Targets no source replicates to get a unit of their own, after the sources.
        for t in all
            .clone()
            .filter(|&t| role(t) == Role::Target && !assigned.contains_key(&t))
        {
            units.push((None, Some(t)));
        }
        let mut regular: Vec<(usize, usize)> = Vec::new();
        if let Some(s) = server {
            for &l in &left {
                regular.extend([(s, l), (l, s)]);
            }
            for &(src, tgt) in &units {
                for h in [src, tgt].into_iter().flatten() {
                    regular.extend([(s, h), (h, s)]);
                }
            }
        }
        for &(src, tgt) in &units {
            if let (Some(a), Some(b)) = (src, tgt) {
                regular.extend([(a, b), (b, a)]);
            }
        }
        crate::order::sort(&mut regular);
        let odd: Vec<(usize, usize)> = edges
            .keys()
            .copied()
            .filter(|k| regular.binary_search(k).is_err())
            .collect();
        let mut m = Model {
            edges,
            server,
            left,
            units: Vec::new(),
            odd,
        };
        m.units = m.collapse(&units);
        m
    }

    pub fn edge(&self, from: Option<usize>, to: Option<usize>) -> Option<&Edge> {
        self.edges.get(&(from?, to?))
    }

    /// What makes two units interchangeable in the picture: the same ports each way
    /// with the server and between source and target, and the same verdicts.
    fn signature(&self, (src, tgt): (Option<usize>, Option<usize>)) -> Option<Vec<Option<Edge>>> {
        let s = src?;
        let in_odd = |h: usize| self.odd.iter().any(|&(a, b)| a == h || b == h);
        if in_odd(s) || tgt.is_some_and(in_odd) {
            return None;
        }
        let srv = self.server;
        let pairs = [
            (srv, src),
            (src, srv),
            (src, tgt),
            (tgt, src),
            (tgt, srv),
            (srv, tgt),
        ];
        let mut sig: Vec<Option<Edge>> = pairs
            .iter()
            .map(|&(a, b)| self.edge(a, b).cloned())
            .collect();
        sig.push(tgt.map(|_| Edge {
            items: Vec::new(),
            phases: Vec::new(),
        }));
        Some(sig)
    }

    /// Replaces each group of more than [`COLLAPSE_THRESHOLD`] identical units by its
    /// first member, standing for all of them, at the place of that first member.
    fn collapse(&self, units: &[(Option<usize>, Option<usize>)]) -> Vec<Unit> {
        let sigs: Vec<Option<Vec<Option<Edge>>>> =
            units.iter().map(|&u| self.signature(u)).collect();
        let mut groups: Vec<Vec<usize>> = Vec::new();
        let mut group_of: Vec<usize> = Vec::with_capacity(units.len());
        for (i, sig) in sigs.iter().enumerate() {
            let found = sig
                .as_ref()
                .and_then(|sig| groups.iter().position(|g| sigs[g[0]].as_ref() == Some(sig)));
            match found {
                Some(g) => {
                    groups[g].push(i);
                    group_of.push(g);
                }
                None => {
                    groups.push(vec![i]);
                    group_of.push(groups.len() - 1);
                }
            }
        }
        let mut out = Vec::new();
        for (i, &(source, target)) in units.iter().enumerate() {
            let g = &groups[group_of[i]];
            if g.len() > COLLAPSE_THRESHOLD {
                if g[0] == i {
                    let members = g.iter().map(|&j| units[j]).collect();
                    out.push(Unit {
                        source,
                        target,
                        members,
                    });
                }
            } else {
                out.push(Unit {
                    source,
                    target,
                    members: vec![(source, target)],
                });
            }
        }
        out
    }
}
