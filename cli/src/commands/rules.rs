use crate::cli::{RulesArgs, RulesFormat};
use portplan_core::rules::{PortSpec, Rule, RULES};
use portplan_core::types::Version;
use std::fmt::Write;
use std::process::ExitCode;

pub fn run(a: RulesArgs) -> anyhow::Result<ExitCode> {
    if let (Some(d), Some(product)) = (&a.diff, a.product) {
        let text = diff(product, d)?;
        crate::io::write_output(None, text.as_bytes())?;
        return Ok(ExitCode::SUCCESS);
    }
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
        let ports = ports(r);
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
        let _ = writeln!(out, "    source: {} ({})", r.source, r.page);
        if r.optional {
            let _ = writeln!(out, "    optional");
        }
        for n in r.notes {
            let _ = writeln!(out, "    note: {n}");
        }
    }
    let _ = writeln!(out, "{} rules", rules.len());
    out
}

/// `--diff OLD..NEW`: the rules that start and stop applying, for upgrade planning.
fn diff(product: portplan_core::Product, spec: &str) -> anyhow::Result<String> {
    let parse = |v: &str| {
        Version::parse(v).ok_or_else(|| {
            anyhow::anyhow!("--diff: {v:?} is not a version (write OLD..NEW, e.g. 2018.11..2020.2)")
        })
    };
    let (a, b) = spec.split_once("..").ok_or_else(|| {
        anyhow::anyhow!("--diff: {spec:?} is not OLD..NEW (e.g. 2018.11..2020.2)")
    })?;
    let (from, to) = (parse(a)?, parse(b)?);
    let d = portplan_core::releases::diff(product, &from, &to);
    let t = product.title();
    let mut out = String::new();
    let _ = writeln!(out, "{t} {from} -> {to}");
    for w in [
        portplan_core::releases::warning(product, &from),
        portplan_core::releases::warning(product, &to),
    ]
    .into_iter()
    .flatten()
    {
        let _ = writeln!(out, "note: {w}");
    }
    let mut section = |title: &str, rules: &[&Rule]| {
        let _ = writeln!(out, "\n{title} ({})", rules.len());
        for r in rules {
            let _ = writeln!(out, "  {}", line(r));
        }
    };
    section("Needed from the new version on", &d.added);
    section("No longer listed", &d.removed);
    let _ = writeln!(
        out,
        "\nStated by a stored guide at one version only ({})",
        d.documentation.len()
    );
    for (r, old, new) in &d.documentation {
        let _ = writeln!(out, "  {}", line(r));
        let _ = writeln!(
            out,
            "    {}",
            old.as_deref().or(new.as_deref()).unwrap_or_default()
        );
    }
    Ok(out)
}

fn line(r: &Rule) -> String {
    format!(
        "{:<40} {} -> {}  {} {}",
        r.id,
        r.from,
        r.to,
        r.protocol.as_str().to_uppercase(),
        ports(r)
    )
}

fn ports(r: &Rule) -> String {
    match r.ports {
        PortSpec::None => "echo".to_string(),
        PortSpec::Fixed(p) => p.to_string(),
        PortSpec::DynamicRpc => "dynamic RPC".to_string(),
        PortSpec::Drives => "10000+drive".to_string(),
    }
}
