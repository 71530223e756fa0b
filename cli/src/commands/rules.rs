use crate::cli::{RulesArgs, RulesFormat};
use portplan_core::rules::{PortSpec, Rule, RULES};
use portplan_core::types::Version;
use std::fmt::Write;
use std::process::ExitCode;

pub fn run(a: RulesArgs) -> anyhow::Result<ExitCode> {
    let version =
        match &a.version {
            Some(v) => Some(Version::parse(v).ok_or_else(|| {
                anyhow::anyhow!("--version: {v:?} is not a version (e.g. \"12.3\")")
            })?),
            None => None,
        };
    let rules: Vec<&Rule> = RULES
        .iter()
        .filter(|r| match (a.product, &version) {
            (Some(p), Some(v)) => r.when.matches_product(p, v),
            (Some(p), None) => {
                r.when.products.is_empty() || r.when.products.iter().any(|pr| pr.product == p)
            }
            _ => true,
        })
        .collect();
    let text = match a.format {
        RulesFormat::Json => format!("{}\n", serde_json::to_string_pretty(&rules)?),
        RulesFormat::Table => table(&rules),
    };
    crate::io::write_output(None, text.as_bytes())?;
    Ok(ExitCode::SUCCESS)
}

fn table(rules: &[&Rule]) -> String {
    let mut out = String::new();
    for r in rules {
        let ports = match r.ports {
            PortSpec::None => "echo".to_string(),
            PortSpec::Fixed(p) => p.to_string(),
            PortSpec::DynamicRpc => "dynamic RPC".to_string(),
            PortSpec::Drives => "10000+drive".to_string(),
        };
        let _ = writeln!(
            out,
            "{:<40} {:<18} {} -> {}  {} {}",
            r.id,
            r.phase,
            r.from,
            r.to,
            r.protocol.as_str().to_uppercase(),
            ports
        );
        let _ = writeln!(out, "    {}", r.purpose);
        let _ = writeln!(out, "    source: {}", r.source);
        for n in r.notes {
            let _ = writeln!(out, "    note: {n}");
        }
    }
    let _ = writeln!(out, "{} rules", rules.len());
    out
}
