//! Pasting a list of workloads: one per line, `name,address,os,drives`.
//!
//! Spreadsheets and inventories export this shape. Drives may be one field (`C E` or
//! `C;E`) or the trailing fields (`C,E`); a header line starting with `name` is skipped.
//! The core still judges every value once the rows are in the wizard; here we only
//! refuse what has no place in a row, naming the line.

use crate::state::WorkloadDraft;
use portplan_core::Os;

/// Reads pasted text into workload rows, or says which line is wrong.
pub fn parse(text: &str) -> Result<Vec<WorkloadDraft>, String> {
    let mut rows = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || (n == 0 && line.to_ascii_lowercase().starts_with("name")) {
            continue;
        }
        let fields: Vec<&str> = line.split([',', '\t']).map(str::trim).collect();
        let [name, address, rest @ ..] = fields.as_slice() else {
            return Err(format!(
                "line {}: {line:?} needs at least name,address",
                n + 1
            ));
        };
        let (os, drives) = match rest {
            [] => (Os::Windows, &[][..]),
            ["", drives @ ..] => (Os::Windows, drives),
            [os, drives @ ..] => {
                let os = os
                    .to_ascii_lowercase()
                    .parse()
                    .map_err(|e| format!("line {}: os {e}", n + 1))?;
                (os, drives)
            }
        };
        let drives: Vec<&str> = drives
            .iter()
            .flat_map(|d| crate::state::split_drives(d))
            .collect();
        rows.push(WorkloadDraft {
            address: (*address).to_string(),
            os,
            drives: drives.join(", "),
            ..WorkloadDraft::new((*name).to_string())
        });
    }
    if rows.is_empty() {
        return Err("nothing to add: paste lines of name,address,os,drives".into());
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn give(text: &str, expected: &[(&str, &str, Os, &str)]) {
        let rows = parse(text).expect("parses");
        let got: Vec<(&str, &str, Os, &str)> = rows
            .iter()
            .map(|w| (w.name.as_str(), w.address.as_str(), w.os, w.drives.as_str()))
            .collect();
        assert_eq!(got, expected, "{text:?}");
    }

    #[test]
    fn rows() {
        use Os::{Linux, Windows};
        give("a,10.0.0.1,windows,C", &[("a", "10.0.0.1", Windows, "C")]);
        give(
            "name,address,os,drives\nb,h.example,linux,",
            &[("b", "h.example", Linux, "")],
        );
        give(
            "c,10.0.0.3,Windows,C E",
            &[("c", "10.0.0.3", Windows, "C, E")],
        );
        give(
            "d,10.0.0.4,windows,C,D;E",
            &[("d", "10.0.0.4", Windows, "C, D, E")],
        );
        give("e,10.0.0.5", &[("e", "10.0.0.5", Windows, "")]);
        give(
            "f\t10.0.0.6\t\tC\n\n g , 10.0.0.7 , linux",
            &[
                ("f", "10.0.0.6", Windows, "C"),
                ("g", "10.0.0.7", Linux, ""),
            ],
        );
        // The core, not the paste, judges letters: a bad one arrives in the wizard.
        give("h,10.0.0.8,windows,1", &[("h", "10.0.0.8", Windows, "1")]);
    }

    #[test]
    fn refusals_name_the_line() {
        let e = parse("a,10.0.0.1,windows\nb").expect_err("one field");
        assert!(e.starts_with("line 2:"), "{e}");
        let e = parse("a,10.0.0.1,solaris").expect_err("bad os");
        assert!(e.contains("line 1") && e.contains("solaris"), "{e}");
        assert!(parse("\n\n").is_err());
    }
}
