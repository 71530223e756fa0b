//! The firewall change-request CSV: one row per flow, in the columns a change ticket
//! asks for (source, destination, protocol, port range, purpose, phase).
//!
//! Starts with a UTF-8 byte-order mark so spreadsheet programs that guess the encoding
//! (Excel) read non-ASCII names correctly; fields are quoted per RFC 4180 and defused
//! against formula injection by [`super::csv::field`].

use super::csv::row;
use crate::plan::Plan;
use crate::types::Protocol;

const HEADER: [&str; 10] = [
    "source",
    "source_address",
    "destination",
    "destination_address",
    "protocol",
    "port_range",
    "purpose",
    "phase",
    "rule",
    "notes",
];

/// UTF-8 byte-order mark.
pub const BOM: char = '\u{feff}';

pub fn render(plan: &Plan) -> String {
    let mut out = String::new();
    out.push(BOM);
    row(&mut out, HEADER.iter().map(|s| s.to_string()));
    for f in &plan.flows {
        // "Any ICMP" is never what is meant: PlateSpin pings, so only echo requests.
        let ports = match (f.protocol, f.ports) {
            (Protocol::Icmp, _) | (_, None) => "echo-request".to_string(),
            // Written as "135" or "49152-65535"; a leading quote is not needed since
            // ranges never look like formulas, and spreadsheets keep them as text.
            (_, Some(r)) => r.to_string(),
        };
        row(
            &mut out,
            [
                f.from.clone(),
                super::address(plan, &f.from).to_string(),
                f.to.clone(),
                // The perimeter sees the address the source dials (public, before NAT).
                super::dialed(plan, f).to_string(),
                f.protocol.as_str().to_ascii_uppercase(),
                ports,
                f.purpose.clone(),
                f.phase.title().to_string(),
                f.rule.clone(),
                super::flow_remarks(plan, f),
            ],
        );
    }
    out
}
