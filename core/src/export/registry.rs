//! The one list of plan formats: `portplan plan --format NAME` and the page's
//! downloads both come from [`FORMATS`] and [`render`], so a format added here is
//! offered everywhere and writes the same bytes everywhere.
//!
//! The table holds only names and words (no function pointers), so a caller that
//! lists the formats — the page's main module — does not link every exporter; the
//! exporters are reached through [`render`] alone.
//!
//! ```
//! use portplan_core::export::registry::{self, Options};
//! let s = portplan_core::Scenario::from_json(include_str!("../../../examples/windows-file.json")).unwrap();
//! let plan = portplan_core::Plan::build(&s).unwrap();
//! let csv = registry::render("change-csv", &plan, &Options::new("2025-01-01")).unwrap();
//! assert!(String::from_utf8(csv).unwrap().contains("source"));
//! ```

use super::{
    aerleon, aws_cfn, azure_nsg, change_csv, csv, firewall, markdown, pdf, rule_list, svg, table,
};
use crate::diagram::Overlay;
use crate::plan::Plan;

/// Who a format is for (the page groups its downloads by it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// Plan documents: JSON, CSV, Markdown, diagram, PDF checklist, table.
    Document,
    /// Firewall teams: the change request and rules in each dialect.
    Firewall,
}

/// One format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Format {
    /// `--format` value.
    pub name: &'static str,
    /// What a button says.
    pub label: &'static str,
    /// File name after the server's name: `ps01-change-request.csv`.
    pub file: &'static str,
    pub mime: &'static str,
    pub audience: Audience,
    /// One line on what it is for.
    pub about: &'static str,
}

const fn f(
    name: &'static str,
    label: &'static str,
    file: &'static str,
    mime: &'static str,
    audience: Audience,
    about: &'static str,
) -> Format {
    Format {
        name,
        label,
        file,
        mime,
        audience,
        about,
    }
}

use Audience::{Document, Firewall};

/// Every format, in the order they are offered.
pub const FORMATS: &[Format] = &[
    f(
        "json",
        "Plan JSON",
        "plan.json",
        "application/json",
        Document,
        "the public plan format (JSON, format 1)",
    ),
    f(
        "csv",
        "CSV",
        "plan.csv",
        "text/csv",
        Document,
        "one row per flow (RFC 4180)",
    ),
    f(
        "md",
        "Markdown",
        "plan.md",
        "text/markdown",
        Document,
        "the plan grouped by phase and host pair",
    ),
    f(
        "table",
        "Text table",
        "plan.txt",
        "text/plain",
        Document,
        "the plan as `portplan plan` prints it",
    ),
    f(
        "svg",
        "Diagram (SVG)",
        "diagram.svg",
        "image/svg+xml",
        Document,
        "hosts in columns by role, one arrow per host pair",
    ),
    f(
        "pdf",
        "PDF checklist",
        "checklist.pdf",
        "application/pdf",
        Document,
        "tick boxes for the firewall team, with the diagram",
    ),
    f(
        "rules",
        "Firewall rules (text)",
        "firewall-rules.txt",
        "text/plain",
        Firewall,
        "the consolidated rules: phases merged, address groups, NAT shown",
    ),
    f(
        "change-csv",
        "Change request (CSV)",
        "change-request.csv",
        "text/csv",
        Firewall,
        "one row per consolidated rule and protocol: sources, destination, ports, phases, purposes",
    ),
    f(
        "xlsx",
        "Change request (XLSX)",
        "change-request.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        Firewall,
        "the change request with an approval column and the vendor's words (binary: use -o)",
    ),
    f(
        "aerleon",
        "Perimeter: aerleon policy (tar)",
        "perimeter-aerleon.tar",
        "application/x-tar",
        Firewall,
        "aerleon policy tree for aclgen (ASA, PAN-OS, SRX, nftables…); the CLI writes it to -o DIR",
    ),
    f(
        "azure-nsg",
        "Azure: NSG (ARM template)",
        "azure-nsg.json",
        "application/json",
        Firewall,
        "securityRules of the NSG in front of the targets in Azure (ARM template)",
    ),
    f(
        "aws-cfn",
        "AWS: security group (CloudFormation)",
        "aws-security-group.json",
        "application/json",
        Firewall,
        "AWS::EC2::SecurityGroupIngress rules for the targets in AWS (CloudFormation)",
    ),
    f(
        "powershell",
        "Windows: PowerShell",
        "firewall.ps1",
        "text/plain",
        Firewall,
        "New-NetFirewallRule with address lists, Windows hosts only",
    ),
    f(
        "netsh",
        "Windows: netsh",
        "firewall-netsh.cmd",
        "text/plain",
        Firewall,
        "netsh advfirewall batch with address lists, Windows hosts only",
    ),
    f(
        "nftables",
        "Linux: nftables",
        "firewall.nft",
        "text/plain",
        Firewall,
        "nft -f fragments with address sets, Linux hosts only",
    ),
    f(
        "iptables",
        "Linux: iptables",
        "firewall.iptables",
        "text/plain",
        Firewall,
        "iptables-restore blocks (--noflush) with address lists, Linux hosts only",
    ),
    f(
        "firewalld",
        "Linux: firewalld",
        "firewall-firewalld.sh",
        "text/plain",
        Firewall,
        "firewall-cmd rich rules with ipsets, Linux hosts only",
    ),
];

/// Formats the page does not offer. Every format is on the page: the XLSX change request
/// comes from a third module (`web-xlsx/`, 301.1 KiB gz: rust_xlsxwriter, zip and the core) that
/// the page fetches when its download is clicked.
pub const NOT_ON_PAGE: &[&str] = &[];

impl Format {
    /// Whether the page offers this format for download.
    pub fn on_page(&self) -> bool {
        !NOT_ON_PAGE.contains(&self.name)
    }
}

/// The format named `name`.
pub fn find(name: &str) -> Option<&'static Format> {
    FORMATS.iter().find(|f| f.name == name)
}

/// What some formats need beyond the plan.
#[derive(Debug, Clone, Copy)]
pub struct Options<'a> {
    /// The PDF's date (`YYYY-MM-DD`): the caller reads the clock, the core does not.
    pub date: &'a str,
    /// Verdicts of reports, for the diagram and the PDF.
    pub overlay: Option<&'a Overlay>,
}

impl<'a> Options<'a> {
    pub fn new(date: &'a str) -> Options<'a> {
        Options {
            date,
            overlay: None,
        }
    }
}

/// The file `name` of the plan, or `None` for a name not in [`FORMATS`].
pub fn render(name: &str, plan: &Plan, o: &Options<'_>) -> Option<Vec<u8>> {
    Some(match name {
        "json" => plan.to_json().into_bytes(),
        "csv" => csv::render(plan).into_bytes(),
        "md" => markdown::render(plan).into_bytes(),
        "table" => table::render(plan).into_bytes(),
        "svg" => svg::render(plan, o.overlay).into_bytes(),
        "pdf" => {
            crate::export::pdf::figure::checklist(plan, o.overlay, &pdf::PdfOptions::new(o.date))
        }
        "rules" => rule_list::render(plan).into_bytes(),
        "change-csv" => change_csv::render(plan).into_bytes(),
        #[cfg(feature = "xlsx")]
        "xlsx" => super::xlsx::render(plan, o.date),
        "aerleon" => aerleon::render(plan),
        "azure-nsg" => azure_nsg::render(plan).into_bytes(),
        "aws-cfn" => aws_cfn::render(plan).into_bytes(),
        "powershell" => firewall::powershell::render(plan).into_bytes(),
        "netsh" => firewall::netsh::render(plan).into_bytes(),
        "nftables" => firewall::nftables::render(plan).into_bytes(),
        "iptables" => firewall::iptables::render(plan).into_bytes(),
        "firewalld" => firewall::firewalld::render(plan).into_bytes(),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::Scenario;

    #[test]
    fn every_listed_format_renders_and_names_are_unique() {
        let s = Scenario::from_json(include_str!("../../../examples/legacy-block.json"))
            .expect("example");
        let plan = Plan::build(&s).expect("plan");
        for f in FORMATS {
            let bytes = render(f.name, &plan, &Options::new("2025-01-01"));
            assert!(bytes.is_some_and(|b| !b.is_empty()), "{}", f.name);
            assert_eq!(find(f.name), Some(f));
            assert_eq!(FORMATS.iter().filter(|g| g.file == f.file).count(), 1);
        }
        assert_eq!(render("nope", &plan, &Options::new("2025-01-01")), None);
        assert_eq!(
            render("change-csv", &plan, &Options::new("x")),
            Some(change_csv::render(&plan).into_bytes())
        );
    }
}
