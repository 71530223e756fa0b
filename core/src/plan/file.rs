//! The plan as its JSON file holds it. A flow carries its rule's notes (a paragraph or
//! three of the vendor's words and our reading), and a wave repeats the same notes on
//! thousands of flows: written whole on every flow, a 1,000-workload plan grew from 5 MB
//! to 11.4 MB. So the file lists each distinct list of notes once (`flow_notes`), and a
//! flow names its list by number (`notes_from`). A flow written with its notes inline
//! (`notes`) still reads, so hand-made plans stay simple.

use super::{Flow, Plan, PlanHost};
use crate::address::HostName;
use crate::types::{Phase, PortRange, Product, Protocol};
use serde::{Deserialize, Serialize};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct PlanFile {
    format: u32,
    product: Product,
    version: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    catalog: String,
    hosts: Vec<PlanHost>,
    flows: Vec<FlowFile>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    notes: Vec<String>,
    /// Each distinct list of flow notes, once; flows name theirs by its number.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    flow_notes: Vec<Vec<String>>,
}

/// [`Flow`] in the file: the same fields, with its notes inline or by number.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FlowFile {
    phase: Phase,
    from: HostName,
    to: HostName,
    protocol: Protocol,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    ports: Option<PortRange>,
    purpose: String,
    rule: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    address: Option<String>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    optional: bool,
    /// The number of its list in the plan's `flow_notes`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    notes_from: Option<usize>,
    /// Notes written inline (plans made by hand, or by an earlier build).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    notes: Vec<String>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    inferred: bool,
}

/// The plan as it is written: borrowed from the plan (a wave's plan is not copied to be
/// written), in the field order of [`PlanFile`].
#[derive(Serialize)]
pub(crate) struct PlanOut<'a> {
    format: u32,
    product: Product,
    version: &'a str,
    #[serde(skip_serializing_if = "str::is_empty")]
    catalog: &'a str,
    hosts: &'a [PlanHost],
    flows: Vec<FlowOut<'a>>,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    notes: &'a [String],
    #[serde(skip_serializing_if = "Vec::is_empty")]
    flow_notes: Vec<&'a [String]>,
}

#[derive(Serialize)]
struct FlowOut<'a> {
    phase: Phase,
    from: &'a HostName,
    to: &'a HostName,
    protocol: Protocol,
    #[serde(skip_serializing_if = "Option::is_none")]
    ports: Option<PortRange>,
    purpose: &'a str,
    rule: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    address: Option<&'a str>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    optional: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    notes_from: Option<usize>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    inferred: bool,
}

impl<'a> PlanOut<'a> {
    pub(crate) fn of(p: &'a Plan) -> PlanOut<'a> {
        // A plan has a few distinct lists (one per rule at most, and a planner's note):
        // a search of them is cheaper than hashing every flow's notes, and keeps the
        // page's first-load module free of a hash map of lists.
        let mut lists: Vec<&'a [String]> = Vec::new();
        let flows = p
            .flows
            .iter()
            .map(|f| {
                let notes_from = (!f.notes.is_empty()).then(|| {
                    lists
                        .iter()
                        .position(|l| *l == f.notes.as_slice())
                        .unwrap_or_else(|| {
                            lists.push(&f.notes);
                            lists.len() - 1
                        })
                });
                FlowOut {
                    phase: f.phase,
                    from: &f.from,
                    to: &f.to,
                    protocol: f.protocol,
                    ports: f.ports,
                    purpose: &f.purpose,
                    rule: &f.rule,
                    address: f.address.as_deref(),
                    optional: f.optional,
                    notes_from,
                    inferred: f.inferred,
                }
            })
            .collect();
        PlanOut {
            format: p.format,
            product: p.product,
            version: &p.version,
            catalog: &p.catalog,
            hosts: &p.hosts,
            flows,
            notes: &p.notes,
            flow_notes: lists,
        }
    }
}

impl TryFrom<PlanFile> for Plan {
    type Error = String;

    fn try_from(p: PlanFile) -> Result<Plan, String> {
        let lists = p.flow_notes;
        let flows = p
            .flows
            .into_iter()
            .enumerate()
            .map(|(i, f)| {
                let mut notes = match f.notes_from {
                    None => Vec::new(),
                    Some(n) => lists.get(n).cloned().ok_or_else(|| {
                        format!(
                            "flow {} names notes list {n}, and the plan has {} (flow_notes)",
                            i + 1,
                            lists.len()
                        )
                    })?,
                };
                notes.extend(f.notes);
                Ok(Flow {
                    phase: f.phase,
                    from: f.from,
                    to: f.to,
                    protocol: f.protocol,
                    ports: f.ports,
                    purpose: f.purpose,
                    rule: f.rule,
                    address: f.address,
                    optional: f.optional,
                    notes,
                    inferred: f.inferred,
                })
            })
            .collect::<Result<_, String>>()?;
        Ok(Plan {
            format: p.format,
            product: p.product,
            version: p.version,
            catalog: p.catalog,
            hosts: p.hosts,
            flows,
            notes: p.notes,
        })
    }
}

#[cfg(test)]
mod tests {
    use crate::plan::Plan;

    const HEAD: &str = r#"{"format":1,"product":"migrate","version":"2020.2","hosts":[{"name":"a","address":"10.0.0.1","role":"server"},{"name":"b","address":"10.0.0.2","role":"source"}],"#;
    const FLOW: &str = r#""phase":"discovery","from":"a","to":"b","protocol":"tcp","ports":{"first":135,"last":135},"purpose":"p","rule":"r""#;

    /// One line per case: the flows part of a plan file → the first flow's notes, or the
    /// start of the error.
    #[test]
    fn notes_inline_or_by_number() {
        let cases: [(String, Result<Vec<&str>, &str>); 4] = [
            (
                format!(r#""flows":[{{{FLOW},"notes_from":0}}],"flow_notes":[["x","y"]]}}"#),
                Ok(vec!["x", "y"]),
            ),
            (
                format!(r#""flows":[{{{FLOW},"notes":["inline"]}}]}}"#),
                Ok(vec!["inline"]),
            ),
            (format!(r#""flows":[{{{FLOW}}}]}}"#), Ok(vec![])),
            (
                format!(r#""flows":[{{{FLOW},"notes_from":2}}],"flow_notes":[["x"]]}}"#),
                Err("flow 1 names notes list 2, and the plan has 1"),
            ),
        ];
        for (flows, want) in cases {
            let text = format!("{HEAD}{flows}");
            match (Plan::from_json(&text), want) {
                (Ok(p), Ok(notes)) => assert_eq!(p.flows[0].notes, notes, "{text}"),
                (Err(e), Err(start)) => {
                    assert!(e.to_string().contains(start), "{e} for {text}")
                }
                (got, want) => panic!("{text}: got {got:?}, want {want:?}"),
            }
        }
    }

    #[test]
    fn each_list_of_notes_is_written_once_and_reads_back() {
        let text = format!(
            r#"{HEAD}"flows":[{{{FLOW},"notes":["n1","n2"]}},{{{},"notes":["n1","n2"]}},{{{},"notes":["n3"]}}]}}"#,
            FLOW.replace("135", "139"),
            FLOW.replace("135", "445")
        );
        let plan = Plan::from_json(&text).expect("plan");
        let json = plan.to_json();
        assert_eq!(json.matches("\"n1\"").count(), 1, "{json}");
        assert_eq!(json.matches("\"notes_from\": 0").count(), 2, "{json}");
        assert_eq!(Plan::from_json(&json).expect("reads back"), plan);
    }
}
