//! Exporters: one module per format, each a pure function of a plan.
//!
//! The web page and the CLI call the same functions, so their files are byte-identical.

pub mod change_csv;
pub mod csv;
pub mod firewall;
pub mod groups;
pub mod markdown;
pub mod pdf;
pub mod registry;
pub mod svg;
pub mod table;

use crate::plan::{Flow, Plan};
use crate::types::{Phase, Protocol};

/// Flows of one host pair within a phase, in plan order.
pub struct PairGroup<'a> {
    pub from: &'a str,
    pub to: &'a str,
    pub flows: Vec<&'a Flow>,
}

/// Flows grouped by phase, then by host pair (first appearance order), as people read them.
pub fn grouped(plan: &Plan) -> Vec<(Phase, Vec<PairGroup<'_>>)> {
    let mut out: Vec<(Phase, Vec<PairGroup<'_>>)> = Vec::new();
    for phase in Phase::ALL {
        let mut pairs: Vec<PairGroup<'_>> = Vec::new();
        for f in plan.flows.iter().filter(|f| f.phase == *phase) {
            match pairs.iter_mut().find(|g| g.from == f.from && g.to == f.to) {
                Some(g) => g.flows.push(f),
                None => pairs.push(PairGroup {
                    from: &f.from,
                    to: &f.to,
                    flows: vec![f],
                }),
            }
        }
        if !pairs.is_empty() {
            out.push((*phase, pairs));
        }
    }
    out
}

/// `TCP 135`, `TCP 49152-65535`, `ICMP echo`.
pub fn port_label(f: &Flow) -> String {
    match (f.protocol, f.ports) {
        (Protocol::Icmp, _) | (_, None) => "ICMP echo".to_string(),
        (p, Some(r)) => format!("{} {}", p.as_str().to_ascii_uppercase(), r),
    }
}

/// The address of a host of the plan, or empty if the plan does not know it.
pub fn address<'a>(plan: &'a Plan, name: &str) -> &'a str {
    plan.host(name).map_or("", |h| h.address.as_str())
}

/// `ps01 (10.0.0.5) -> web01 (10.0.1.10)`: a host pair as the text outputs head it.
pub fn pair_heading(plan: &Plan, from: &str, to: &str) -> String {
    format!(
        "{from} ({}) -> {to} ({})",
        address(plan, from),
        address(plan, to)
    )
}

/// Human title of a phase.
pub fn phase_title(p: Phase) -> &'static str {
    match p {
        Phase::Discovery => "Discovery",
        Phase::Conversion => "Conversion / take control",
        Phase::Transfer => "Transfer",
        Phase::Legacy => "Legacy block-based transfer",
        Phase::Management => "Management",
    }
}
