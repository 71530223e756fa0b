//! Planner invariants over generated scenarios (proptest).

use portplan_core::scenario::{Server, Target, VirtualizationHost, Workload};
use portplan_core::types::{Replication, Version};
use portplan_core::{
    DriveLetter, Os, Phase, Plan, Platform, Product, Protocol, Scenario, Transfer,
};
use proptest::prelude::*;
use std::collections::HashSet;

fn product() -> impl Strategy<Value = (Product, String)> {
    prop_oneof![
        Just((Product::Migrate, "12.3".to_string())),
        Just((Product::Migrate, "12.2.2".to_string())),
        Just((Product::Migrate, "2018.11".to_string())),
        Just((Product::Migrate, "2019.5".to_string())),
        Just((Product::Protect, "11.3".to_string())),
        Just((Product::Migrate, "2020.2".to_string())),
        Just((Product::Protect, "11.2.1".to_string())),
        Just((Product::Forge, "2.5".to_string())),
        Just((Product::Forge, "11.3".to_string())),
        Just((Product::PortabilitySuite, "8.1.3".to_string())),
        Just((Product::PortabilitySuite, "8.0".to_string())),
    ]
}

fn workload(i: usize) -> impl Strategy<Value = Workload> {
    (
        proptest::bool::weighted(0.8),
        proptest::sample::select(vec![None, Some("2003"), Some("2016"), Some("xp")]),
        proptest::collection::btree_set(0u8..26, 0..5),
        prop_oneof![6 => Just(Transfer::File), 2 => Just(Transfer::VssBbt), 1 => Just(Transfer::Block), 2 => Just(Transfer::BlockLegacy)],
        proptest::bool::weighted(0.1),
        proptest::bool::weighted(0.9),
        proptest::bool::weighted(0.5),
    )
        .prop_map(move |(windows, gen, drives, transfer, agent, target, container)| Workload {
            name: format!("w{i}"),
            address: format!("10.1.0.{}", i + 1),
            os: if windows { Os::Windows } else { Os::Linux },
            windows: if windows { gen.map(str::to_string) } else { None },
            drives: drives.into_iter().filter_map(|d| DriveLetter::parse(&char::from(b'A' + d).to_string()).ok()).collect(),
            transfer,
            agent,
            outside: None,
            target: target.then(|| Target {
                // Kept only when the scenario has hosts (see `scenario`).
                container: container.then(|| "vh0".to_string()),
                ..Target::new(format!("w{i}-t"), format!("10.2.0.{}", i + 1))
            }),
        })
}

fn scenario() -> impl Strategy<Value = Scenario> {
    (
        product(),
        proptest::collection::vec(proptest::sample::select(Platform::ALL.to_vec()), 0..3),
        (0usize..5).prop_flat_map(|n| (0..n).map(workload).collect::<Vec<_>>()),
        proptest::option::weighted(0.15, proptest::sample::select(Replication::ALL.to_vec())),
    )
        .prop_map(
            |((product, version), platforms, mut workloads, replication)| {
                if platforms.is_empty() {
                    for t in workloads.iter_mut().filter_map(|w| w.target.as_mut()) {
                        t.container = None;
                    }
                }
                Scenario {
                    format: 1,
                    product,
                    version,
                    server: Server::new("ps", "10.0.0.1"),
                    hosts: platforms
                        .into_iter()
                        .enumerate()
                        .map(|(i, platform)| VirtualizationHost {
                            name: format!("vh{i}"),
                            address: format!("10.0.9.{}", i + 1),
                            platform,
                        })
                        .collect(),
                    connectors: vec![],
                    factory: None,
                    admins: vec![],
                    workloads,
                    replication,
                }
            },
        )
}

fn is_legacy(s: &Scenario) -> bool {
    let v = Version::parse(&s.version).expect("version");
    portplan_core::rules::LEGACY_PRODUCTS
        .iter()
        .any(|r| r.product == s.product && r.contains(&v))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn plans_are_well_formed(s in scenario()) {
        let plan = match Plan::build(&s) {
            Ok(p) => p,
            // Refused scenarios must say where; they never plan half.
            Err(e) => { prop_assert!(!e.path().is_empty()); return Ok(()); }
        };
        let names: HashSet<&str> = plan.hosts.iter().map(|h| h.name.as_str()).collect();
        let mut seen = HashSet::new();
        let mut last_phase = 0;
        for f in &plan.flows {
            prop_assert!(names.contains(f.from.as_str()) && names.contains(f.to.as_str()), "{f:?}");
            prop_assert!(seen.insert((f.phase, &f.from, &f.to, f.protocol, f.ports)), "duplicate {f:?}");
            prop_assert_ne!(&f.from, &f.to);
            prop_assert!(f.rule().is_some(), "unknown rule {}", f.rule);
            prop_assert_eq!(f.protocol == Protocol::Icmp, f.ports.is_none());
            let phase = Phase::ALL.iter().position(|p| *p == f.phase).unwrap_or(0);
            prop_assert!(phase >= last_phase, "flows not ordered by phase");
            last_phase = phase;
            if f.phase == Phase::Legacy {
                prop_assert!(is_legacy(&s), "legacy flow on {} {}", s.product, s.version);
            }
            if let Some(r) = f.ports {
                if f.rule == "legacy.drive" {
                    prop_assert!(r.first.get() >= 10000 && r.last.get() <= 10025);
                }
            }
        }
        // Same scenario, same bytes.
        prop_assert_eq!(Plan::build(&s).map(|p| p.to_json()).ok(), Some(plan.to_json()));
        // The JSON round-trips through the public parser.
        prop_assert_eq!(Plan::from_json(&plan.to_json()).ok(), Some(plan.clone()));
        // The replication port always points at the side that listens, server-wide.
        let listens = s.replication_direction().replication;
        for f in plan.flows.iter().filter(|f| f.phase == Phase::Transfer) {
            let to = plan.host(&f.to).map(|h| h.role);
            let want = match listens {
                Replication::SourceListens => Some(portplan_core::Role::Source),
                Replication::TargetListens => Some(portplan_core::Role::Target),
            };
            prop_assert_eq!(to, want, "{:?} with {:?}", f, listens);
        }
        // The head of the plan a page shows at once is the plan's first host pairs:
        // grouped, they are the plan's first groups, whole.
        for n in [1, 5, 20, 400] {
            let head = portplan_core::export::head(&plan, n);
            prop_assert!(head.flows.len() >= n.min(plan.flows.len()));
            prop_assert_eq!(&head.flows[..], &plan.flows[..head.flows.len()]);
            let key = |g: &portplan_core::export::PairGroup| (g.from.to_string(), g.to.to_string(), g.flows.len());
            let shown: Vec<_> = portplan_core::export::grouped(&head).iter().flat_map(|(p, gs)| gs.iter().map(|g| (*p, key(g))).collect::<Vec<_>>()).collect();
            let all: Vec<_> = portplan_core::export::grouped(&plan).iter().flat_map(|(p, gs)| gs.iter().map(|g| (*p, key(g))).collect::<Vec<_>>()).collect();
            prop_assert_eq!(&shown[..], &all[..shown.len()]);
            for f in &head.flows {
                prop_assert!(head.host(&f.from).is_some() && head.host(&f.to).is_some());
            }
        }
        // Every flow carries its rule's notes and inferred mark (issue 24).
        for f in &plan.flows {
            let rule = f.rule().expect("rule");
            prop_assert_eq!(f.inferred, rule.inferred, "{}", f.rule);
            for n in rule.notes {
                prop_assert!(f.notes.iter().any(|x| x == n), "{}: {}", f.rule, n);
            }
        }
        // An agent's source accepts nothing and dials only 443, 3725 (and SSH 22 from
        // Linux): "Only HTTPS (TCP/443) and a replication port (TCP/3725 ...)" (Q6).
        for w in s.workloads.iter().filter(|w| w.agent) {
            prop_assert!(plan.flows.iter().all(|f| f.to != w.name), "inbound on agent {}", w.name);
            for f in plan.flows.iter().filter(|f| f.from == w.name) {
                let port = f.ports.map_or(0, |r| r.first.get());
                let ok = port == 443 || port == 3725 || (port == 22 && w.os == Os::Linux && f.inferred);
                prop_assert!(ok, "agent {} dials {:?}", w.name, f);
            }
            prop_assert!(w.target.as_ref().is_none_or(|t| t.container.is_some()), "agent with an X2P target planned");
        }
        // A cloud's API host name is never pinged.
        for h in s.hosts.iter().filter(|h| h.platform.is_cloud()) {
            prop_assert!(!plan.flows.iter().any(|f| f.to == h.name && f.protocol == Protocol::Icmp), "ping to {}", h.name);
        }
        // One legacy drive flow per mirrored drive.
        for w in &s.workloads {
            if w.transfer == Transfer::BlockLegacy {
                if let Some(t) = &w.target {
                    let n = plan.flows.iter().filter(|f| f.rule == "legacy.drive" && f.from == w.name && f.to == t.name).count();
                    prop_assert_eq!(n, w.drives.len());
                }
            }
        }
    }
}
