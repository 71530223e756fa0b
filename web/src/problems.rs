//! The core's errors in the words of the page: which row (1-based, with its name),
//! which field (its label), and what is wrong, with no JSON path or Rust name.
//!
//! The core's messages name values in Rust's debug quotes and its enums by their
//! file spelling (`"block-legacy"`, `migrate 12.3`); [`words`] turns those into the
//! labels the page shows, so a person reads the same words in the list of problems
//! as on the controls.

use crate::state::{Draft, FieldError};
pub use portplan_core::words::words;
use yew::AttrValue;

/// One problem, ready to show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Described {
    /// The field's path in the draft without a drive index (`workloads[2].drives`): the
    /// control that shows it.
    pub field: String,
    /// `Workload 3 “db01”`, `PlateSpin server`, or empty for the scenario itself.
    pub row: String,
    /// The control's label: `Drives`, `Target address`.
    pub label: &'static str,
    /// What is wrong, in words.
    pub message: String,
}

impl Described {
    /// `Workload 3 “db01”, Drives: “1” is not a drive letter (A–Z).`
    pub fn sentence(&self) -> String {
        if self.row.is_empty() {
            format!("{}: {}", self.label, self.message)
        } else {
            format!("{}, {}: {}", self.row, self.label, self.message)
        }
    }
}

/// Every problem of the draft, and each one's message by control.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Problems {
    pub list: Vec<Described>,
}

impl Problems {
    pub fn new(draft: &Draft, errors: &[FieldError]) -> Problems {
        Problems {
            list: errors.iter().map(|e| describe(draft, e)).collect(),
        }
    }

    /// The message for the control at `path` (the first, if several).
    pub fn field(&self, path: &str) -> Option<AttrValue> {
        self.list
            .iter()
            .find(|d| d.field == path)
            .map(|d| AttrValue::from(d.message.clone()))
    }

    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// `1 field to fix`, `3 fields to fix`.
    pub fn count_text(&self) -> String {
        match self.list.len() {
            1 => "1 field to fix".into(),
            n => format!("{n} fields to fix"),
        }
    }
}

fn row_label(kind: &str, n: usize, name: &str) -> String {
    if name.trim().is_empty() {
        format!("{kind} {n}")
    } else {
        format!("{kind} {n} “{}”", name.trim())
    }
}

/// The row and label of a draft path, and the control's path.
fn locate(draft: &Draft, path: &str) -> (String, String, &'static str) {
    let top = |label| (String::new(), path.to_string(), label);
    let Some((list, rest)) = path.split_once('[') else {
        return match path {
            "version" => top("Version"),
            "product" => top("Product"),
            "replication" => top("Replication direction"),
            "server.name" => ("PlateSpin server".into(), path.into(), "Name"),
            "server.address" => ("PlateSpin server".into(), path.into(), "Address"),
            "server.public_address" => (
                "PlateSpin server".into(),
                path.into(),
                "Public address (NAT)",
            ),
            "server.marketplace" => (
                "PlateSpin server".into(),
                path.into(),
                "Cloud-marketplace image",
            ),
            "factory" => top("Migration Factory"),
            "factory.name" => ("Transformation Manager".into(), path.into(), "Name"),
            "factory.address" => ("Transformation Manager".into(), path.into(), "Address"),
            "factory.database.name" => (
                "Transformation Manager".into(),
                path.into(),
                "Remote database name",
            ),
            "factory.database.address" => (
                "Transformation Manager".into(),
                path.into(),
                "Remote database address",
            ),
            "connectors" => top("Migrate Connectors"),
            "workloads" => top("Workloads"),
            "format" => top("Scenario format"),
            _ => top("Scenario"),
        };
    };
    let (index, field) = rest.split_once(']').unwrap_or((rest, ""));
    let i: usize = index.parse().unwrap_or(0);
    let field = field.trim_start_matches('.');
    // `drives[1]` is shown by the drives control.
    let field = field.split('[').next().unwrap_or(field);
    let control = format!("{list}[{i}].{field}");
    let label = match field {
        "name" => "Name",
        "address" => "Address",
        "os" => "OS",
        "windows" => "Windows version",
        "drives" => "Drives",
        "transfer" => "Transfer method",
        "agent" => "Migrate Agent",
        "target.name" => "Target name",
        "target.address" => "Target address",
        "target.container" => "Target container",
        "target.public_address" => "Target public address (NAT)",
        "target.outside" => "Target outside",
        "outside" => "Outside",
        "platform" => "Platform",
        _ => "Row",
    };
    let row = match list {
        "workloads" => {
            let name = draft.workloads.get(i).map_or("", |w| w.name.as_str());
            row_label("Workload", i + 1, name)
        }
        "hosts" => {
            let name = draft.hosts.get(i).map_or("", |h| h.name.as_str());
            row_label("Virtualization host", i + 1, name)
        }
        "connectors" => {
            let name = draft.connectors.get(i).map_or("", |h| h.name.as_str());
            row_label("Migrate Connector", i + 1, name)
        }
        "admins" => {
            let name = draft.admins.get(i).map_or("", |h| h.name.as_str());
            row_label("Administrator machine", i + 1, name)
        }
        other => other.to_string(),
    };
    (row, control, label)
}

pub fn describe(draft: &Draft, e: &FieldError) -> Described {
    let (row, field, label) = locate(draft, &e.path);
    Described {
        field,
        row,
        label,
        message: words(&e.message),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::{Action, HostField, WorkloadEdit};
    use portplan_core::types::Replication;
    use portplan_core::Transfer;

    fn sentences(d: &Draft) -> Vec<String> {
        let checked = d.check();
        Problems::new(d, &checked.errors)
            .list
            .iter()
            .map(Described::sentence)
            .collect()
    }

    #[test]
    fn every_problem_is_listed_in_words_with_its_row() {
        let mut d = Draft::default();
        for a in [
            // Migrate 11 has no Migrate Agent, so no documented target-listens direction.
            Action::Version("11".into()),
            Action::AddWorkload,
            Action::Workload(1, WorkloadEdit::Name("db01".into())),
            Action::Workload(1, WorkloadEdit::Address("10.0.0.5:443".into())),
            Action::Workload(0, WorkloadEdit::Drives("#".into())),
            Action::Replication(Some(Replication::TargetListens)),
            Action::AddWorkload,
        ] {
            d.apply(a);
        }
        let got = sentences(&d);
        assert_eq!(
            got,
            [
                "Replication direction: “target listens” (SourceListensForConnection=False) comes with the Migrate Agent, in Migrate 12.2 or later, not Migrate 11.",
                "Workload 1 “web01”, Drives: “#” is not a drive letter (A–Z).",
                "Workload 2 “db01”, Address: “10.0.0.5:443” is not an IP address or DNS name (a port or a ':' does not belong here).",
            ],
            "{got:#?}"
        );
        for s in &got {
            assert!(!s.contains("workloads["), "{s}");
            assert!(!s.contains("TargetListens"), "{s}");
        }
    }

    #[test]
    fn transfer_and_windows_errors_use_the_labels() {
        let mut d = Draft::default();
        d.apply(Action::Workload(
            0,
            WorkloadEdit::Transfer(Transfer::BlockLegacy),
        ));
        d.apply(Action::Server(HostField::Name, String::new()));
        let got = sentences(&d);
        assert_eq!(got.len(), 2, "{got:?}");
        assert_eq!(got[0], "PlateSpin server, Name: The name is empty.");
        assert!(
            got[1].starts_with("Workload 1 “web01”, Transfer method: Legacy block-based transfer exists only in Portability Suite 8.1.3"),
            "{}",
            got[1]
        );
    }
}
