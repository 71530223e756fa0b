//! The planner page's third wasm module: the XLSX change request
//! (`portplan plan --format xlsx`). The workbook library, its zip writer and the core
//! are 301 KiB gzipped, more than the exports module may still take, so `main.js`'s
//! `portplanXlsx()` imports this module only when the XLSX download is clicked.

use wasm_bindgen::prelude::*;

/// The change request workbook of `plan_json`, dated `date` (`YYYY-MM-DD`). The page's
/// plans come without the rules' words (`rules::prose`): they are put back first, so
/// the bytes are those `portplan plan --format xlsx --date DATE` writes.
#[wasm_bindgen]
pub fn xlsx(plan_json: &str, date: &str) -> Result<Vec<u8>, JsError> {
    let plan = portplan_core::Plan::from_json(plan_json)
        .map_err(|e| JsError::new(&format!("the plan: {e}")))?
        .with_rule_notes();
    Ok(portplan_core::export::xlsx::render(&plan, date))
}

#[cfg(test)]
mod tests {
    use portplan_core::{Plan, Scenario};

    /// The page's plan (its flows without the rules' notes) gives the CLI's bytes.
    #[test]
    fn the_pages_plan_gives_the_clis_workbook() {
        let s = Scenario::from_json(include_str!("../../examples/firewall-wave.json"))
            .expect("scenario");
        let plan = Plan::build(&s).expect("plan");
        let cli = portplan_core::export::xlsx::render(&plan, "2026-12-06");
        let mut bare = plan.clone();
        for f in &mut bare.flows {
            if let Some(rule) = portplan_core::rules::rule(&f.rule) {
                f.notes.retain(|n| !rule.notes.contains(&n.as_str()));
            }
        }
        assert_ne!(bare, plan, "the rules' notes were taken off");
        let page = super::xlsx(&bare.to_json(), "2026-12-06").expect("workbook");
        assert_eq!(page, cli);
    }
}
