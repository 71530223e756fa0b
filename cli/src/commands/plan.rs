use crate::cli::PlanArgs;
use portplan_core::diagram::Overlay;
use portplan_core::export::registry;
use portplan_core::report::Report;
use portplan_core::Plan;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

pub fn run(a: PlanArgs) -> anyhow::Result<ExitCode> {
    if matches!(a.format.as_str(), "pdf" | "xlsx")
        && a.output.is_none()
        && std::io::stdout().is_terminal()
    {
        anyhow::bail!(
            "a {} is binary: write it to a file with -o FILE (or redirect stdout)",
            a.format.to_ascii_uppercase()
        );
    }
    let plan = super::input::plan_scenario(&a.scenario)?;
    let overlay = load_overlay(&a.report, &plan)?;
    // Every format comes from the core's one registry (the page offers the same list).
    let name = a.format.clone();
    if name == "aerleon" {
        return write_aerleon(&plan, a.output.as_deref());
    }
    let date = a.date.clone().unwrap_or_else(crate::clock::today);
    let options = registry::Options {
        date: &date,
        overlay: overlay.as_ref(),
    };
    let bytes = registry::render(&name, &plan, &options)
        .ok_or_else(|| anyhow::anyhow!("no format named {name:?}"))?;
    crate::io::write_output(a.output.as_deref(), &bytes)?;
    Ok(ExitCode::SUCCESS)
}

/// `--format aerleon -o DIR`: the policy tree as files under DIR (each written
/// atomically), and a line on standard error per host left out (a DNS name).
fn write_aerleon(plan: &Plan, dir: Option<&std::path::Path>) -> anyhow::Result<ExitCode> {
    let Some(dir) = dir else {
        anyhow::bail!("--format aerleon writes a directory: give it with -o DIR");
    };
    let tree = portplan_core::export::aerleon::tree(plan);
    for line in &tree.left_out {
        eprintln!("{line}");
    }
    if tree.empty {
        anyhow::bail!(
            "--format aerleon: no rule has IP addresses on both sides (DNS names cannot be network objects): nothing written"
        );
    }
    for (path, text) in &tree.files {
        let file = dir.join(path);
        if let Some(parent) = file.parent() {
            std::fs::create_dir_all(parent).map_err(|source| crate::io::WriteFailed {
                path: parent.display().to_string(),
                source,
            })?;
        }
        crate::io::write_output(Some(&file), text.as_bytes())?;
    }
    Ok(ExitCode::SUCCESS)
}

/// The verdicts of `--report` files, refusing reports of another plan.
fn load_overlay(paths: &[PathBuf], plan: &Plan) -> anyhow::Result<Option<Overlay>> {
    if paths.is_empty() {
        return Ok(None);
    }
    let digest = plan.digest();
    let mut overlay = Overlay::new();
    for path in paths {
        let text = crate::io::read_input(path)?;
        let report =
            Report::from_json(&text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
        if report.plan_digest != digest {
            anyhow::bail!(
                "{}: the report checked another plan ({}), not this one ({digest})",
                path.display(),
                report.plan_digest
            );
        }
        overlay.add_report(&report);
    }
    Ok(Some(overlay))
}
