//! Reports against the page's plan: which files apply, and what they say together.
//!
//! The page refuses a report of another plan when it is loaded ([`refusal`]), but the
//! plan can change afterwards (the wizard is live), so every output filters again with
//! [`applicable`]: verdicts are only ever drawn over the plan they were measured for,
//! as `portplan plan --report` insists.

use portplan_core::diagram::Overlay;
use portplan_core::merge::merge;
use portplan_core::report::Report;
use portplan_core::Plan;

/// Why `text` cannot be loaded as a report of `plan`, or `None` when it can.
pub fn refusal(plan: &Plan, text: &str) -> Option<String> {
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

/// Each report text parsed, with whether it checked `plan` (`None`: unreadable).
pub fn read(plan: &Plan, reports: &[String]) -> Vec<Option<(Report, bool)>> {
    let digest = plan.digest();
    reports
        .iter()
        .map(|t| {
            Report::from_json(t).ok().map(|r| {
                let applies = r.plan_digest == digest;
                (r, applies)
            })
        })
        .collect()
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
