//! Reports against the page's plan: which files apply, and what they say together.
//!
//! The page refuses a report of another plan when it is loaded ([`refusal`],
//! [`Loaded::load`]), but the plan can change afterwards (the wizard is live): the page
//! then [`carry`]s each report over to the new plan with the verdicts of the flows the edit did not change,
//! and every output filters with [`applicable`], so verdicts are only ever drawn over
//! flows they were measured for, as `portplan plan --report` insists.

use portplan_core::diagram::Overlay;
use portplan_core::report::merge::merge;
use portplan_core::report::{FlowReport, Report, Status};
use portplan_core::Plan;
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

/// The reports loaded on the page, as its reducer holds them (through the module's
/// `ReportSet` handle): each file's name and text, and the plans they were accepted for,
/// by digest, so that a report of one of those plans is [`carry`]'d over to the plan on
/// screen after an edit. Outside the page (the CLI's outputs) no plan is remembered and a
/// report applies to the plan it checked only. A value: loading makes a new one.
#[derive(Clone, Default)]
pub struct Loaded {
    files: Vec<(String, String)>,
    checked: Vec<(String, Rc<Plan>)>,
}

impl Loaded {
    /// Report texts as given on a command line: no names, no plan remembered.
    pub fn texts(texts: &[String]) -> Loaded {
        Loaded {
            files: texts.iter().map(|t| ("report".into(), t.clone())).collect(),
            checked: Vec::new(),
        }
    }

    /// How many files are loaded.
    pub fn len(&self) -> usize {
        self.files.len()
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// The files' names, in load order.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.files.iter().map(|(n, _)| n.as_str())
    }

    /// The files' texts, in load order.
    pub fn reports(&self) -> impl Iterator<Item = &str> + Clone {
        self.files.iter().map(|(_, t)| t.as_str())
    }

    /// The set with the file `name` (`text`, or why it could not be read) loaded for
    /// `plan`, the plan on screen, and the outcome in words (`Ok`: it is in the set).
    pub fn load(
        &self,
        plan: &Rc<Plan>,
        name: &str,
        text: Result<String, String>,
    ) -> (Loaded, Result<String, String>) {
        let verdict = match text {
            Err(why) => Err(why),
            Ok(text) if portplan_core::words::binary(&text) => Err(
                "not a text file (it holds binary data): a report is the JSON file portplan check or portplan merge writes".to_string(),
            ),
            Ok(text) => match refusal(plan, &text) {
                Some(why) => Err(why),
                None if self.files.iter().any(|(_, t)| *t == text) => {
                    Ok(("already loaded", None))
                }
                None => Ok(("loaded", Some(text))),
            },
        };
        let mut next = self.clone();
        let line = match verdict {
            Ok((words, added)) => {
                if let Some(text) = added {
                    let digest = plan.digest();
                    if !next.checked.iter().any(|(d, _)| *d == digest) {
                        next.checked.push((digest, plan.clone()));
                    }
                    next.files.push((name.to_string(), text));
                }
                Ok(format!("{name}: {words}"))
            }
            Err(why) => Err(format!("{name}: {why}")),
        };
        (next, line)
    }

    fn checked(&self, digest: &str) -> Option<&Plan> {
        (self.checked.iter())
            .find(|(d, _)| d == digest)
            .map(|(_, p)| p.as_ref())
    }
}

/// Each report text parsed, with whether it applies to `plan` (`None`: unreadable): it
/// checked `plan`, or a plan the page accepted it for before an edit, and then it is
/// carried over to `plan` with the verdicts of the flows the edit did not change.
pub fn read(plan: &Plan, loaded: &Loaded) -> Vec<Option<(Report, bool)>> {
    let digest = plan.digest();
    loaded
        .reports()
        .map(|t| {
            Report::from_json(t).ok().map(|r| {
                if r.plan_digest == digest {
                    return (r, true);
                }
                match loaded.checked(&r.plan_digest) {
                    Some(old) => (carry(&r, old, plan, &digest).0, true),
                    None => (r, false),
                }
            })
        })
        .collect()
}

/// How many entries of the loaded reports no longer apply to `plan` because an edit
/// changed their flow since they were loaded (0 while the plan is the one they checked).
pub fn changed(plan: &Plan, loaded: &Loaded) -> usize {
    let digest = plan.digest();
    loaded
        .reports()
        .filter_map(|t| Report::from_json(t).ok())
        .filter(|r| r.plan_digest != digest)
        .filter_map(|r| (loaded.checked(&r.plan_digest)).map(|old| carry(&r, old, plan, &digest).1))
        .sum()
}

/// The readable reports that checked `plan`.
pub fn applicable(plan: &Plan, loaded: &Loaded) -> Vec<Report> {
    read(plan, loaded)
        .into_iter()
        .flatten()
        .filter_map(|(r, applies)| applies.then_some(r))
        .collect()
}

/// The diagram overlay of the reports that checked `plan`; `None` without any, so the
/// outputs equal the CLI's without `--report`.
pub fn overlay(plan: &Plan, loaded: &Loaded) -> Option<Overlay> {
    let applicable = applicable(plan, loaded);
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
/// without any. The files' names label them in merge errors.
pub fn fleet(plan: &Plan, loaded: &Loaded) -> Option<Result<Report, String>> {
    let read = read(plan, loaded);
    let inputs: Vec<(&str, &Report)> = (loaded.names().zip(&read))
        .filter_map(|(name, r)| match r {
            Some((r, true)) => Some((name, r)),
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
        // Once the page has loaded the report for the plan it checked, the report
        // applies to the edited plan too, with the verdicts carried over.
        let text = report.to_json();
        let bare = Loaded::texts(std::slice::from_ref(&text));
        assert!(applicable(&new, &bare).is_empty());
        let (loaded, line) =
            Loaded::default().load(&Rc::new(old.clone()), "r.json", Ok(text.clone()));
        assert_eq!(line, Ok("r.json: loaded".to_string()));
        assert_eq!(applicable(&new, &loaded), vec![carried.clone()]);
        assert_eq!(changed(&new, &loaded), dropped);
        // The same file again is in the set once; a report of another plan is refused
        // and leaves the set as it was.
        let (again, line) = loaded.load(&Rc::new(old.clone()), "copy.json", Ok(text.clone()));
        assert_eq!(
            (again.len(), line),
            (1, Ok("copy.json: already loaded".to_string()))
        );
        let (same, line) = loaded.load(&Rc::new(new.clone()), "r.json", Ok(text.clone()));
        assert_eq!(same.len(), 1);
        assert!(line.is_err_and(|l| l.contains("checked another plan")));
        let (same, line) = loaded.load(&Rc::new(old.clone()), "x.png", Ok("\u{89}PNG\0\0".into()));
        assert_eq!(same.len(), 1);
        assert!(line.is_err_and(|l| l.starts_with("x.png: not a text file")));
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
