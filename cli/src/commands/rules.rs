use crate::cli::{RulesArgs, RulesFormat};
use portplan_core::catalog::{self, conditions, ports};
use portplan_core::rules::Rule;
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
    let rules = catalog::listed(a.product, version.as_ref());
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
            r.phase.as_str(),
            r.from,
            r.to,
            r.protocol.as_str().to_uppercase(),
            ports
        );
        let _ = writeln!(out, "    {}", r.purpose);
        if let Some(c) = conditions(r) {
            let _ = writeln!(out, "    when: {c}");
        }
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
    let u = catalog::upgrade(product, &from, &to);
    let mut out = String::new();
    let _ = writeln!(out, "{}", u.title);
    for w in &u.notes {
        let _ = writeln!(out, "note: {w}");
    }
    let mut section = |title: &str, rules: &[&Rule]| {
        let _ = writeln!(out, "\n{title} ({})", rules.len());
        for r in rules {
            let _ = writeln!(out, "  {}", line(r));
        }
    };
    section(catalog::DIFF_ADDED, &u.diff.added);
    section(catalog::DIFF_REMOVED, &u.diff.removed);
    let _ = writeln!(
        out,
        "\n{} ({})",
        catalog::DIFF_DOCUMENTATION,
        u.diff.documentation.len()
    );
    for (r, old, new) in &u.diff.documentation {
        let _ = writeln!(out, "  {}", line(r));
        let _ = writeln!(out, "    {}", catalog::documentation_note(old, new));
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
