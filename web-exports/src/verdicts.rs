//! Reports against the page's plan: which files apply, and what they say together.
//!
//! The page refuses a report of another plan when it is loaded ([`refusal`]), but the
//! plan can change afterwards (the wizard is live): the page then [`carry`]s each
//! report over to the new plan with the verdicts of the flows the edit did not change,
//! and every output filters with [`applicable`], so verdicts are only ever drawn over
//! flows they were measured for, as `portplan plan --report` insists.

use portplan_core::diagram::Overlay;
use portplan_core::report::merge::merge;
use portplan_core::report::{FlowReport, Report, Status};
use portplan_core::Plan;
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

/// Why `text` cannot be loaded as a report of `plan`, or `None` when it can.
pub fn refusal(plan: &Plan, text: &str) -> Option<String> {
    if let Some(what) = crate::import::not_a_report(text) {
        return Some(what.to_string());
    }
    match Report::from_json(text) {
        Err(e) => Some(format!("not a portplan report: {e}")),
        Ok(r) if !r.checks(plan) => Some(format!(
            "this report checked another plan ({}), not the one on this page ({}): \
             load the scenario it was made for first",
            r.plan_digest,
            plan.digest()
        )),
        Ok(_) => None,
    }
}

thread_local! {
    /// The plans the page accepted reports for ([`remember`]): a report of one of them
    /// is [`carry`]'d over to the plan on screen after an edit. Empty outside the page,
    /// where a report applies to the plan it checked only.
    static CHECKED: RefCell<Vec<(String, Rc<Plan>)>> = const { RefCell::new(Vec::new()) };
}

/// Remembers a plan the page accepted a report for.
pub fn remember(plan: Rc<Plan>) {
    let digest = plan.digest();
    CHECKED.with(|c| {
        let mut c = c.borrow_mut();
        if !c.iter().any(|(d, _)| *d == digest) {
            c.push((digest, plan));
        }
    });
}

/// Forgets the plans of [`remember`] (the page dropped its reports).
pub fn forget() {
    CHECKED.with(|c| c.borrow_mut().clear());
}

fn checked(digest: &str) -> Option<Rc<Plan>> {
    CHECKED.with(|c| {
        c.borrow()
            .iter()
            .find(|(d, _)| d == digest)
            .map(|(_, p)| p.clone())
    })
}

/// Each report text parsed, with whether it applies to `plan` (`None`: unreadable): it
/// checked `plan`, or a plan [`remember`]ed before an edit, and then it is carried over
/// to `plan` with the verdicts of the flows the edit did not change.
pub fn read(plan: &Plan, reports: &[String]) -> Vec<Option<(Report, bool)>> {
    let digest = plan.digest();
    reports
        .iter()
        .map(|t| {
            Report::from_json(t).ok().map(|r| {
                if r.plan_digest == digest {
                    return (r, true);
                }
                match checked(&r.plan_digest) {
                    Some(old) => (carry(&r, &old, plan, &digest).0, true),
                    None => (r, false),
                }
            })
        })
        .collect()
}

/// How many entries of `reports` no longer apply to `plan` because an edit changed
/// their flow since they were loaded (0 while the plan is the one they checked).
pub fn changed(plan: &Plan, reports: &[String]) -> usize {
    let digest = plan.digest();
    reports
        .iter()
        .filter_map(|t| Report::from_json(t).ok())
        .filter(|r| r.plan_digest != digest)
        .filter_map(|r| checked(&r.plan_digest).map(|old| carry(&r, &old, plan, &digest).1))
        .sum()
}

/// The readable reports that checked `plan`.
pub fn applicable(plan: &Plan, reports: &[String]) -> Vec<Report> {
    read(plan, reports)
        .into_iter()
        .flatten()
        .filter_map(|(r, applies)| applies.then_some(r))
        .collect()
}

/// The diagram overlay of the reports that checked `plan`; `None` without any, so the
/// outputs equal the CLI's without `--report`.
pub fn overlay(plan: &Plan, reports: &[String]) -> Option<Overlay> {
    let applicable = applicable(plan, reports);
    if applicable.is_empty() {
        return None;
    }
    let mut o = Overlay::new();
    for r in &applicable {
        o.add_report(r);
    }
    Some(o)
}

/// The reports that checked `plan` as one fleet report, exactly as `portplan merge
/// --plan` makes it (a flow checked twice keeps the run that finished last); `None`
/// without any. `names` label the files in merge errors.
pub fn fleet(plan: &Plan, reports: &[String], names: &[String]) -> Option<Result<Report, String>> {
    let read = read(plan, reports);
    let inputs: Vec<(&str, &Report)> = read
        .iter()
        .enumerate()
        .filter_map(|(i, r)| match r {
            Some((r, true)) => Some((names.get(i).map_or("report", String::as_str), r)),
            _ => None,
        })
        .collect();
    if inputs.is_empty() {
        return None;
    }
    Some(
        merge(&inputs, Some(plan))
            .map(|m| m.report)
            .map_err(|e| e.to_string()),
    )
}

/// A flow by what identifies it in a plan (phase, hosts, protocol, ports), as
/// `portplan merge` keys it (the same map type, so the page's wasm has one copy of it).
type FlowKey = (
    portplan_core::Phase,
    String,
    String,
    portplan_core::Protocol,
    Option<portplan_core::PortRange>,
);

fn key(fr: &FlowReport) -> FlowKey {
    (
        fr.phase,
        fr.from.to_ascii_lowercase(),
        fr.to.to_ascii_lowercase(),
        fr.protocol,
        fr.ports,
    )
}

/// Each host's index by its name in lower case.
fn hosts(plan: &Plan) -> HashMap<String, usize> {
    (plan.hosts.iter().enumerate())
        .map(|(i, h)| (h.name.to_ascii_lowercase(), i))
        .collect()
}

/// `report`, which checked `old`, as a report of `new` (whose digest is `new_digest`)
/// after an edit: it keeps the entries of the flows `new` still has unchanged (same
/// phase, hosts, protocol, ports and rule, both hosts at the same addresses, the same
/// address dialed) and drops the others, so only the flows the edit changed read "not
/// checked". Returns the carried report and how many entries were dropped.
pub fn carry(report: &Report, old: &Plan, new: &Plan, new_digest: &str) -> (Report, usize) {
    let (old_hosts, new_hosts) = (hosts(old), hosts(new));
    let flows: HashMap<FlowKey, usize> = (new.flows.iter().enumerate())
        .map(|(i, f)| {
            let entry = FlowReport::new(f, Status::Pass, String::new(), Vec::new());
            (key(&entry), i)
        })
        .collect();
    let same_host = |name: &str| {
        let name = name.to_ascii_lowercase();
        match (old_hosts.get(&name), new_hosts.get(&name)) {
            (Some(&a), Some(&b)) => {
                let (a, b) = (&old.hosts[a], &new.hosts[b]);
                a.address == b.address && a.public_address == b.public_address
            }
            _ => false,
        }
    };
    let kept: Vec<FlowReport> = (report.flows.iter())
        .filter(|fr| {
            flows.get(&key(fr)).is_some_and(|&i| {
                let f = &new.flows[i];
                f.rule == fr.rule
                    && f.address == fr.address
                    && same_host(&f.from)
                    && same_host(&f.to)
            })
        })
        .cloned()
        .collect();
    let dropped = report.flows.len() - kept.len();
    let carried = Report {
        plan_digest: new_digest.to_string(),
        catalog: new.catalog.clone(),
        flows: kept,
        ..report.clone()
    };
    (carried, dropped)
}

#[cfg(test)]
mod tests {
    use super::*;
    use portplan_core::{Flow, Scenario};

    /// Whether a report entry is about this plan flow.
    pub fn is_about(fr: &FlowReport, f: &Flow) -> bool {
        fr.rule == f.rule
            && fr.phase == f.phase
            && fr.protocol == f.protocol
            && fr.ports == f.ports
            && fr.from.eq_ignore_ascii_case(&f.from)
            && fr.to.eq_ignore_ascii_case(&f.to)
    }

    /// The entries of all `reports` about flow `f` (several when several hosts probed it).
    pub fn entries<'a>(reports: &'a [Report], f: &Flow) -> Vec<&'a FlowReport> {
        reports
            .iter()
            .flat_map(|r| r.flows.iter())
            .filter(|fr| is_about(fr, f))
            .collect()
    }

    fn plan(edit: impl FnOnce(&mut Scenario)) -> Plan {
        let mut s = Scenario::from_json(&portplan_core::sample::wave(3)).expect("wave");
        edit(&mut s);
        Plan::build(&s).expect("plan")
    }

    /// A report that passes every flow of `plan`, as `portplan check` would write it.
    fn passing(plan: &Plan) -> Report {
        let flows: Vec<serde_json::Value> = plan
            .flows
            .iter()
            .map(|f| {
                serde_json::json!({
                    "phase": f.phase, "from": f.from, "to": f.to, "protocol": f.protocol,
                    "ports": f.ports, "purpose": f.purpose, "rule": f.rule, "status": "pass",
                    "hint": "", "probes": [{ "protocol": f.protocol, "port": f.ports.map(|p| p.first),
                        "through": f.ports.filter(|p| p.last > p.first).map(|p| p.last),
                        "verdict": "open", "reason": "syn-ack", "latency_ms": 0.5, "attempts": 1,
                        "detail": "" }]
                })
            })
            .collect();
        let text = serde_json::json!({
            "format": 1, "plan_digest": plan.digest(), "probed_from": "ps01", "host": "ps01",
            "started": "2026-01-01T00:00:00Z", "finished": "2026-01-01T00:00:01Z", "flows": flows
        });
        Report::from_json(&text.to_string()).expect("report")
    }

    #[test]
    fn an_edit_keeps_the_verdicts_of_the_flows_it_did_not_change() {
        let old = plan(|_| {});
        let report = passing(&old);
        let new = plan(|s| s.workloads[1].address = "10.9.9.9".into());
        let (carried, dropped) = carry(&report, &old, &new, &new.digest());
        let edited = &new
            .hosts
            .iter()
            .find(|h| h.address == "10.9.9.9")
            .expect("edited")
            .name;
        let about_edited = |f: &Flow| &f.from == edited || &f.to == edited;
        assert_eq!(
            dropped,
            new.flows.iter().filter(|f| about_edited(f)).count()
        );
        assert!(dropped > 0);
        // Once the page remembers the plan a report checked, the report applies to the
        // edited plan too, with the verdicts carried over.
        let text = report.to_json();
        assert!(applicable(&new, std::slice::from_ref(&text)).is_empty());
        remember(Rc::new(old.clone()));
        assert_eq!(
            applicable(&new, std::slice::from_ref(&text)),
            vec![carried.clone()]
        );
        assert_eq!(changed(&new, std::slice::from_ref(&text)), dropped);
        forget();
        assert!(applicable(&new, &[text]).is_empty());
        for f in &new.flows {
            let n = entries(std::slice::from_ref(&carried), f).len();
            assert_eq!(n, usize::from(!about_edited(f)), "{f:?}");
        }
        // Undoing the edit gives every verdict back.
        let (back, dropped) = carry(&report, &old, &old, &old.digest());
        assert_eq!((back.flows.len(), dropped), (report.flows.len(), 0));
    }

    #[test]
    fn a_changed_os_drops_the_flows_it_changed() {
        let old = plan(|_| {});
        let report = passing(&old);
        let new = plan(|s| {
            s.workloads[0].os = portplan_core::Os::Windows;
            s.workloads[0].windows = Some("2019".into());
        });
        let (carried, dropped) = carry(&report, &old, &new, &new.digest());
        assert!(dropped > 0, "the Linux flows of the workload are gone");
        assert!(carried
            .flows
            .iter()
            .all(|fr| new.flows.iter().any(|f| is_about(fr, f))));
    }
}
