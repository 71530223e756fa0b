use crate::cli::{PlanArgs, PlanFormat};
use portplan_core::export;
use std::process::ExitCode;

pub fn run(a: PlanArgs) -> anyhow::Result<ExitCode> {
    let plan = super::load_plan(&a.scenario)?;
    let text = match a.format {
        PlanFormat::Table => export::table::render(&plan),
        PlanFormat::Json => plan.to_json(),
        PlanFormat::Csv => export::csv::render(&plan),
        PlanFormat::Md => export::markdown::render(&plan),
        PlanFormat::Svg => export::svg::render(&plan, None),
    };
    crate::io::write_output(a.output.as_deref(), text.as_bytes())?;
    Ok(ExitCode::SUCCESS)
}
