//! Every text export of every shipped example, pinned with insta. A change in any
//! rendered byte shows up as a reviewable snapshot diff.

use portplan_core::export::{change_csv, csv, firewall, markdown, rule_list, table};
use portplan_core::{Plan, Scenario};

/// `wave-50` is left out on purpose: 1.7 MB of repetition; the validator tests cover it.
const EXAMPLES: [&str; 8] = [
    "agent-nat",
    "azure-nat",
    "factory-wave",
    "legacy-block",
    "migrate-2020",
    "protect",
    "vmware-wave",
    "windows-file",
];

type Render = fn(&Plan) -> String;

fn azure_nsg(plan: &Plan) -> String {
    portplan_core::export::azure_nsg::render(plan)
}

const FORMATS: [(&str, Render); 12] = [
    ("table", table::render),
    ("azure-nsg", azure_nsg),
    ("rules", rule_list::render),
    ("json", Plan::to_json),
    ("csv", csv::render),
    ("md", markdown::render),
    ("change-csv", change_csv::render),
    ("powershell", firewall::powershell::render),
    ("netsh", firewall::netsh::render),
    ("nftables", firewall::nftables::render),
    ("iptables", firewall::iptables::render),
    ("firewalld", firewall::firewalld::render),
];

#[test]
fn text_exports_of_the_examples() {
    for ex in EXAMPLES {
        let path = portplan_tests::example(&format!("{ex}.json"));
        let text = std::fs::read_to_string(&path).expect("example");
        let plan = Plan::build(&Scenario::from_json(&text).expect("scenario")).expect("plan");
        for (format, render) in FORMATS {
            insta::assert_snapshot!(format!("{ex}.{format}"), render(&plan));
        }
    }
}

/// The firewall team's wave of issue 28: what a team reviews and what it applies.
#[test]
fn firewall_outputs_of_the_wave() {
    let text = std::fs::read_to_string(portplan_tests::example("firewall-wave.json")).expect("ex");
    let plan = Plan::build(&Scenario::from_json(&text).expect("scenario")).expect("plan");
    for (format, render) in FORMATS
        .iter()
        .filter(|(f, _)| ["rules", "change-csv", "powershell", "nftables", "azure-nsg"].contains(f))
    {
        insta::assert_snapshot!(format!("firewall-wave.{format}"), render(&plan));
    }
}

#[test]
fn change_csv_opens_cleanly_in_a_spreadsheet() {
    let text = std::fs::read_to_string(portplan_tests::example("migrate-2020.json")).expect("ex");
    let plan = Plan::build(&Scenario::from_json(&text).expect("scenario")).expect("plan");
    let out = change_csv::render(&plan);
    assert!(
        out.starts_with('\u{feff}'),
        "UTF-8 BOM for spreadsheet programs"
    );
    let records: Vec<&str> = out
        .trim_start_matches('\u{feff}')
        .split_terminator("\r\n")
        .collect();
    let rows = change_csv::rows(&plan);
    assert_eq!(
        records.len(),
        rows.len() + 1,
        "one record per consolidated rule and protocol plus header"
    );
    assert_eq!(records[0], change_csv::HEADER.join(","));
    // No row repeats another's source, destination, protocol and ports.
    let mut keys: Vec<(&str, &str, &str, &str)> = rows
        .iter()
        .map(|r| (r[2].as_str(), r[4].as_str(), r[6].as_str(), r[7].as_str()))
        .collect();
    keys.sort();
    let before = keys.len();
    keys.dedup();
    assert_eq!(keys.len(), before, "duplicate rows");
    // Purposes with commas are quoted, so every record splits into its 13 fields.
    for r in &records {
        let mut fields = 0;
        let mut quoted = false;
        for c in r.chars() {
            match c {
                '"' => quoted = !quoted,
                ',' if !quoted => fields += 1,
                _ => {}
            }
        }
        assert_eq!(fields + 1, change_csv::HEADER.len(), "{r}");
        assert!(!quoted, "{r}");
    }
}
