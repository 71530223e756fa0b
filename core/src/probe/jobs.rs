//! Which probes a plan asks for, from one host: flow selection, range expansion and
//! sampling, and de-duplication (TCP 135 needed in two phases is probed once).

use crate::address::HostName;
use crate::rules::PortSpec;
use crate::{Flow, Phase, Plan, Port, PortRange, Protocol};
use std::collections::HashMap;

/// Ports probed in a dynamic RPC range unless `--full-ranges`.
pub const DYNAMIC_SAMPLE: u32 = 16;

/// A destination host, resolved once for all its probes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub name: HostName,
    pub address: String,
}

/// One probe to run: a protocol and port (none for ICMP) towards a target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Job {
    pub target: usize,
    pub protocol: Protocol,
    pub port: Option<Port>,
}

/// A selected flow and the jobs that answer it.
#[derive(Debug, Clone)]
pub struct FlowJobs {
    pub flow: Flow,
    pub jobs: Vec<usize>,
    /// The flow is a dynamic RPC range (closed ports there prove the path).
    pub dynamic: bool,
    /// Set when the range was sampled: says how many ports of how many, and how.
    pub sampled: Option<String>,
}

/// Everything one `check` run probes.
#[derive(Debug, Clone, Default)]
pub struct Work {
    pub targets: Vec<Target>,
    pub jobs: Vec<Job>,
    pub flows: Vec<FlowJobs>,
}

/// A flow of more jobs than this is a sweep (a port range), probed after the flows of
/// a few ports.
pub const SWEEP: usize = 64;

impl Work {
    /// Per job: whether it only serves sweeps (a dynamic RPC range, sampled or not, or a
    /// range of more than [`SWEEP`] ports). The others — single ports and small runs such
    /// as 137-139 or the drive ports — matter most and go out first, so a deadline never
    /// leaves them unprobed while a range's ports got answers.
    pub fn sweep_jobs(&self) -> Vec<bool> {
        let mut sweep = vec![true; self.jobs.len()];
        for fj in &self.flows {
            if !fj.dynamic && fj.jobs.len() <= SWEEP {
                for &j in &fj.jobs {
                    if let Some(s) = sweep.get_mut(j) {
                        *s = false;
                    }
                }
            }
        }
        sweep
    }
}

/// Which flows to probe.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    pub from: HostName,
    /// Only flows towards these hosts (empty: all).
    pub to: Vec<HostName>,
    /// Only flows of these phases (empty: all).
    pub phases: Vec<Phase>,
    /// Probe every port of dynamic RPC ranges instead of a sample.
    pub full_ranges: bool,
}

fn known_host(plan: &Plan, flag: &str, name: &str) -> Result<(), String> {
    if plan.host(name).is_some() {
        return Ok(());
    }
    let names: Vec<&str> = plan.hosts.iter().map(|h| h.name.as_str()).collect();
    Err(format!(
        "{flag} {name:?}: not a host of the plan (hosts: {})",
        names.join(", ")
    ))
}

/// `count` ports spread evenly over `r`, first and last included.
pub fn sample(r: PortRange, count: u32) -> Vec<Port> {
    let (first, len, count) = (u32::from(r.first.get()), r.len(), count.max(2));
    if len <= count {
        return r.ports().collect();
    }
    (0..count)
        .filter_map(|i| {
            let p = first + (u64::from(i) * u64::from(len - 1) / u64::from(count - 1)) as u32;
            u16::try_from(p).ok().and_then(Port::new)
        })
        .collect()
}

/// Selects the flows starting at `sel.from` and lists their probes.
pub fn plan_work(plan: &Plan, sel: &Selection) -> Result<Work, String> {
    known_host(plan, "--from", &sel.from)?;
    for t in &sel.to {
        known_host(plan, "--to", t)?;
    }
    let mut work = Work::default();
    // Hosts by name, once: a lookup per flow would be hosts × flows for the server of
    // a 10,000-workload wave.
    let hosts: HashMap<&HostName, &crate::plan::PlanHost> =
        plan.hosts.iter().map(|h| (&h.name, h)).collect();
    let mut seen: HashMap<Job, usize> = HashMap::new();
    let mut targets: HashMap<(&HostName, &str), usize> = HashMap::new();
    for flow in &plan.flows {
        let wanted = flow.from == sel.from
            && (sel.to.is_empty() || sel.to.contains(&flow.to))
            && (sel.phases.is_empty() || sel.phases.contains(&flow.phase));
        if !wanted {
            continue;
        }
        let Some(host) = hosts.get(&flow.to).copied() else {
            return Err(format!("flow to {:?}: not a host of the plan", flow.to));
        };
        // Through NAT the initiator dials the host's public address (`flow.address`).
        let address = flow.address.as_deref().unwrap_or(&host.address);
        let target = *targets.entry((&host.name, address)).or_insert_with(|| {
            work.targets.push(Target {
                name: host.name.clone(),
                address: address.to_string(),
            });
            work.targets.len() - 1
        });
        let dynamic = flow.rule().is_some_and(|r| r.ports == PortSpec::DynamicRpc);
        let (ports, sampled): (Vec<Option<Port>>, Option<String>) = match flow.ports {
            None => (vec![None], None),
            Some(r) if dynamic && !sel.full_ranges && r.len() > DYNAMIC_SAMPLE => {
                let ports = sample(r, DYNAMIC_SAMPLE);
                let note = format!(
                    "sampled {} of the {} ports of the dynamic RPC range {r}, evenly spaced \
                     (first and last included); --full-ranges probes them all",
                    ports.len(),
                    r.len()
                );
                (ports.into_iter().map(Some).collect(), Some(note))
            }
            Some(r) => (r.ports().map(Some).collect(), None),
        };
        let mut ids = Vec::with_capacity(ports.len());
        for port in ports {
            let job = Job {
                target,
                protocol: flow.protocol,
                port,
            };
            let id = *seen.entry(job).or_insert_with(|| {
                work.jobs.push(job);
                work.jobs.len() - 1
            });
            ids.push(id);
        }
        work.flows.push(FlowJobs {
            flow: flow.clone(),
            jobs: ids,
            dynamic,
            sampled,
        });
    }
    if work.flows.is_empty() {
        return Err(format!(
            "--from {:?}: no flow of the plan starts there{}",
            sel.from,
            if sel.to.is_empty() && sel.phases.is_empty() {
                ""
            } else {
                " with these --to/--only-phase filters"
            }
        ));
    }
    Ok(work)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(file: &str) -> Plan {
        let text =
            std::fs::read_to_string(format!("{}/../examples/{file}", env!("CARGO_MANIFEST_DIR")))
                .expect("example");
        Plan::build(&crate::Scenario::from_json(&text).expect("scenario")).expect("plan")
    }

    fn sel(from: &str) -> Selection {
        Selection {
            from: from.into(),
            ..Selection::default()
        }
    }

    #[test]
    fn samples_are_spread_and_bounded() {
        let r =
            |a, b| PortRange::new(Port::new(a).expect("p"), Port::new(b).expect("p")).expect("r");
        let s = sample(r(49152, 65535), 16);
        assert_eq!(s.len(), 16);
        assert_eq!((s[0].get(), s[15].get()), (49152, 65535));
        assert!(s.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(sample(r(137, 139), 16).len(), 3);
    }

    proptest::proptest! {
        /// Samples stay inside the range, strictly increase, and include both ends.
        #[test]
        fn samples_cover_the_range(a in 1u16.., len in 0u16..20000, count in 0u32..64) {
            let first = Port::new(a).expect("port");
            let last = Port::new(a.saturating_add(len)).expect("port");
            let r = PortRange::new(first, last).expect("range");
            let s = sample(r, count);
            proptest::prop_assert_eq!(s.len() as u32, r.len().min(count.max(2)));
            proptest::prop_assert!(s.windows(2).all(|w| w[0] < w[1]));
            proptest::prop_assert_eq!((s[0], s[s.len() - 1]), (first, last));
        }
    }

    #[test]
    fn dynamic_ranges_are_sampled_and_duplicates_probed_once() {
        let p = plan("legacy-block.json");
        let w = plan_work(&p, &sel("ps01")).expect("work");
        let dynamic: Vec<&FlowJobs> = w.flows.iter().filter(|f| f.dynamic).collect();
        assert_eq!(dynamic.len(), 2, "discovery and conversion 1025-5000");
        assert!(dynamic
            .iter()
            .all(|f| f.jobs.len() == 16 && f.sampled.is_some()));
        assert_eq!(dynamic[0].jobs, dynamic[1].jobs, "same ports, same jobs");
        let full = plan_work(
            &p,
            &Selection {
                full_ranges: true,
                ..sel("ps01")
            },
        )
        .expect("work");
        assert!(full
            .flows
            .iter()
            .filter(|f| f.dynamic)
            .all(|f| f.jobs.len() == 3976));
        assert_eq!(w.targets.len(), 2, "esx25 and db01");
    }

    /// The dynamic range's jobs are sweeps; every job of a flow of a few ports is not,
    /// also where a sweep shares it.
    #[test]
    fn single_ports_are_told_from_sweeps() {
        let p = plan("legacy-block.json");
        let w = plan_work(&p, &sel("ps01")).expect("work");
        let sweep = w.sweep_jobs();
        for fj in &w.flows {
            for &j in &fj.jobs {
                let shared = w.flows.iter().any(|o| !o.dynamic && o.jobs.contains(&j));
                assert_eq!(sweep[j], !shared, "{} job {j}", fj.flow.rule);
            }
        }
        assert!(w
            .flows
            .iter()
            .any(|f| f.dynamic && f.jobs.iter().all(|&j| sweep[j])));
        assert!(sweep.iter().any(|s| !s), "single ports exist");
    }

    #[test]
    fn legacy_source_probes_drive_ports_and_icmp() {
        let p = plan("legacy-block.json");
        let w = plan_work(
            &p,
            &Selection {
                to: vec!["db01-t".into()],
                ..sel("db01")
            },
        )
        .expect("work");
        let ports: Vec<Option<u16>> = w.jobs.iter().map(|j| j.port.map(Port::get)).collect();
        assert!(
            ports.contains(&Some(10004)) && ports.contains(&Some(10002)) && ports.contains(&None)
        );
        assert_eq!(
            w.targets,
            vec![Target {
                name: "db01-t".into(),
                address: "192.168.30.11".into()
            }]
        );
    }

    #[test]
    fn bad_selections_name_the_flag() {
        let p = plan("legacy-block.json");
        assert!(plan_work(&p, &sel("nobody"))
            .expect_err("from")
            .starts_with("--from \"nobody\": not a host"));
        let e = plan_work(
            &p,
            &Selection {
                to: vec!["x".into()],
                ..sel("db01")
            },
        )
        .expect_err("to");
        assert!(e.starts_with("--to \"x\""), "{e}");
        let e = plan_work(
            &p,
            &Selection {
                phases: vec![Phase::Transfer],
                ..sel("db01")
            },
        )
        .expect_err("none");
        assert!(e.contains("no flow"), "{e}");
    }
}
