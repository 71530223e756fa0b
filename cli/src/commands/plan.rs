use crate::cli::{PlanArgs, PlanFormat};
use portplan_core::diagram::Overlay;
use portplan_core::export::registry;
use portplan_core::report::Report;
use portplan_core::Plan;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{SystemTime, UNIX_EPOCH};

pub fn run(a: PlanArgs) -> anyhow::Result<ExitCode> {
    if a.format == PlanFormat::Pdf && a.output.is_none() && std::io::stdout().is_terminal() {
        anyhow::bail!("a PDF is binary: write it to a file with -o FILE (or redirect stdout)");
    }
    let plan = super::input::plan_scenario(&a.scenario)?;
    let overlay = load_overlay(&a.report, &plan)?;
    // Every format comes from the core's one registry (the page offers the same list).
    let name = clap::ValueEnum::to_possible_value(&a.format)
        .map(|v| v.get_name().to_string())
        .unwrap_or_default();
    let date = a.date.clone().unwrap_or_else(today_utc);
    let options = registry::Options {
        date: &date,
        overlay: overlay.as_ref(),
    };
    let bytes = registry::render(&name, &plan, &options)
        .ok_or_else(|| anyhow::anyhow!("no format named {name:?}"))?;
    crate::io::write_output(a.output.as_deref(), &bytes)?;
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

/// Today's date in UTC as `YYYY-MM-DD`; the only clock read, kept at the CLI edge so
/// the core stays reproducible.
fn today_utc() -> String {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let (y, m, d) = civil_from_days((secs / 86_400) as i64);
    format!("{y:04}-{m:02}-{d:02}")
}

/// Days since 1970-01-01 to a proleptic Gregorian date (H. Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    #[test]
    fn civil_dates() {
        assert_eq!(super::civil_from_days(0), (1970, 1, 1));
        assert_eq!(super::civil_from_days(19_782), (2024, 2, 29));
        assert_eq!(super::civil_from_days(20_417), (2025, 11, 25));
    }
}
