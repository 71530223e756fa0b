//! Files dropped on the page's scenario import: which portplan file a JSON text is
//! (scenario, plan, report) and, for a scenario that does not read, why, in words with
//! its line and column. In the exports module: none of it is needed for the first plan.

use portplan_core::scenario::MAX_INPUT_BYTES;
use portplan_core::{InputError, Scenario};
use serde::de::IgnoredAny;
use serde::Deserialize;

/// What a JSON file is, by its top-level fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Scenario,
    /// A plan (`portplan plan --format json`): it has a catalog digest.
    Plan,
    /// A verification report (`portplan check`, `portplan merge`): it names its plan.
    Report,
}

#[derive(Deserialize)]
struct Fields {
    plan_digest: Option<IgnoredAny>,
    catalog: Option<IgnoredAny>,
    workloads: Option<IgnoredAny>,
    server: Option<IgnoredAny>,
}

/// What a file loaded where a report belongs is instead, in words: a plan or a
/// scenario (a person picked the wrong file of a folder), never the report reader's
/// complaint about a field it does not know.
pub fn not_a_report(text: &str) -> Option<&'static str> {
    match serde_json::from_str::<Fields>(text) {
        Ok(f) if f.plan_digest.is_some() => None,
        Ok(f) if f.catalog.is_some() && f.workloads.is_none() => Some(
            "this is a plan (from portplan plan), not a report: load the report that portplan check or portplan merge wrote for it",
        ),
        Ok(f) if f.server.is_some() => Some(
            "this is a scenario, not a report: import it under “Bring in many workloads”; reports are what portplan check or portplan merge write",
        ),
        _ => None,
    }
}

/// Which kind of portplan file `text` is (a scenario when it cannot tell).
pub fn kind(text: &str) -> Kind {
    match serde_json::from_str::<Fields>(text) {
        Ok(f) if f.plan_digest.is_some() => Kind::Report,
        Ok(f) if f.catalog.is_some() && f.workloads.is_none() => Kind::Plan,
        _ => Kind::Scenario,
    }
}

/// A JSON error in words, with its line and column.
pub fn worded(e: &serde_json::Error) -> String {
    let (l, c) = (e.line(), e.column());
    let full = e.to_string();
    let what = full
        .strip_suffix(&format!(" at line {l} column {c}"))
        .unwrap_or(&full);
    match e.classify() {
        serde_json::error::Category::Eof => format!(
            "the file ends too early, at line {l}, column {c}: it looks cut off (a closing bracket or quote is missing)"
        ),
        serde_json::error::Category::Syntax => {
            format!("this is not valid JSON at line {l}, column {c}: {what}")
        }
        _ => format!("line {l}, column {c}: {what}"),
    }
}

/// A file dropped on the scenario import, read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Imported {
    /// A scenario whose fields read (the page then checks its rules, beside the fields).
    Scenario(Box<Scenario>),
    /// A verification report: the page loads it under Verification.
    Report,
}

/// Reads a file dropped on the scenario import: a scenario or a report (which the page
/// routes to Verification), or what to tell.
pub fn read_import(text: &str) -> Result<Imported, String> {
    if text.len() > MAX_INPUT_BYTES {
        return Err(InputError::TooLarge {
            size: text.len(),
            limit: MAX_INPUT_BYTES,
        }
        .to_string());
    }
    match kind(text) {
        Kind::Report => Ok(Imported::Report),
        Kind::Plan => Err("this is a plan (from portplan plan), not a scenario: the planner makes the plan itself; import the scenario file the plan was made from".into()),
        Kind::Scenario => serde_json::from_str::<Scenario>(text)
            .map(|s| Imported::Scenario(Box::new(s)))
            .map_err(|e| worded(&e)),
    }
}

/// Reads a share link's scenario JSON with the strict reader, as the CLI reads a
/// scenario file; the error is serde's own line (the page words it, see
/// `web/src/problems.rs`). The rules are checked by the page, beside the fields.
pub fn read_scenario(text: &str) -> Result<Scenario, String> {
    serde_json::from_str::<Scenario>(text).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plan_or_scenario_where_a_report_belongs_is_named() {
        let scenario = include_str!("../../examples/windows-file.json");
        let plan = portplan_core::Plan::build(&Scenario::from_json(scenario).expect("example"))
            .expect("plan")
            .to_json();
        for (text, starts) in [
            (
                plan.as_str(),
                Some("this is a plan (from portplan plan), not a report"),
            ),
            (scenario, Some("this is a scenario, not a report")),
            (r#"{"format":1,"plan_digest":"x","flows":[]}"#, None),
            ("not json", None),
        ] {
            let got = not_a_report(text);
            assert_eq!(
                got.map(|g| &g[..starts.map_or(0, str::len)]),
                starts,
                "{got:?}"
            );
        }
    }

    #[test]
    fn plans_and_reports_are_recognised_and_errors_are_worded() {
        assert_eq!(
            kind(r#"{"format":1,"plan_digest":"x","flows":[]}"#),
            Kind::Report
        );
        assert_eq!(
            kind(r#"{"format":1,"catalog":"x","hosts":[{"role":"server"}],"flows":[]}"#),
            Kind::Plan
        );
        assert_eq!(kind(r#"{"format":1,"workloads":[]}"#), Kind::Scenario);
        assert_eq!(
            read_import(r#"{"format":1,"plan_digest":"x","flows":[]}"#),
            Ok(Imported::Report)
        );
        let e = read_import(r#"{"format":1,"catalog":"x","flows":[]}"#).expect_err("plan");
        assert!(e.contains("this is a plan"), "{e}");
        let e = read_import("{\n  \"format\": 1,\n").expect_err("cut off");
        assert!(
            e.starts_with("the file ends too early, at line 3, column 0"),
            "{e}"
        );
        assert!(!e.contains('$'), "{e}");
        let e = read_import("{\"format\": 1, \"product\": \"solaris\"}").expect_err("variant");
        assert!(e.starts_with("line 1, column 34: unknown variant"), "{e}");
    }
}
