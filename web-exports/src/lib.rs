//! # portplan-web-exports
//!
//! The planner page's second wasm module, loaded with a dynamic `import()` once the
//! first plan is on screen: everything heavy the page offers beyond the plan itself.
//! The diagram (SVG), the PDF checklist (PDF writer, deflate, font metrics) and the
//! verification reports (their strict parser, the plan digest's SHA-256) would push the
//! main bundle over its 200 KiB budget; here they cost nothing until the page has
//! shown its plan.
//!
//! The interface is text in, markup (or bytes) out: the page hands over the plan as its
//! public JSON (`Plan::to_json`, which it already makes for the download) and the report
//! files as read, so neither module shares Rust types across the wasm boundary and
//! every output is what the CLI writes for the same input. What the page keeps between
//! calls it holds itself, as opaque handles this module made: the plan read once
//! (`PlanHandle`) and the loaded reports (`ReportSet`, in the page's reducer). The
//! module keeps no state of its own and writes nothing into the page (reference mode
//! aside): every function is a renderer of its arguments.
//!
//! - [`verdicts`]: reports against a plan (which ones apply, the overlay, the fleet
//!   report) and the set the page loaded ([`verdicts::Loaded`]),
//! - [`section`]: the diagram, firewall, warnings and Verification sections as markup,
//! - [`view`]: the verification section's body,
//! - [`plan_view`]: the plan, grouped by phase and host pair, as HTML for the page,
//! - [`reference`]: reference mode, the catalog by release and the diff of two releases,
//! - [`paste`], [`import`]: pasted workload lists and imported files, read for the
//!   page's "Bring in many workloads" (none of it is needed for the first plan),
//! - `page` (wasm only): the typed interface the page's loader (`web/src/exports.rs`)
//!   calls, its handles and renderers.

pub mod firewall;
pub mod import;
#[cfg(target_arch = "wasm32")]
mod page;
pub mod paste;
pub mod plan_view;
pub mod reference;
pub mod section;
pub mod verdicts;
pub mod view;
pub mod warnings;

use portplan_core::export::pdf::figure::checklist;
use portplan_core::export::{pdf::PdfOptions, registry, svg};
use portplan_core::Plan;

/// Reads the plan the page sent; the page sends `Plan::to_json`, so an error here is a
/// bug, reported as such rather than as a user mistake.
pub fn read_plan(plan_json: &str) -> Result<Plan, String> {
    // The page's first-load module plans without the rules' words (`rules::prose`).
    Plan::from_json(plan_json)
        .map(Plan::with_rule_notes)
        .map_err(|e| format!("the page sent an unreadable plan: {e}"))
}

/// The diagram, colored by the reports that checked this plan: `portplan plan
/// --format svg [--report R]…`.
pub fn diagram(plan_json: &str, reports: &[String]) -> Result<String, String> {
    let plan = read_plan(plan_json)?;
    let overlay = verdicts::overlay(&plan, &verdicts::Loaded::texts(reports));
    Ok(svg::render(&plan, overlay.as_ref()))
}

/// The PDF checklist with the diagram and the reports' verdicts: the same bytes as
/// `portplan plan --format pdf --date DATE [--report R]…`.
pub fn pdf(plan_json: &str, reports: &[String], date: &str) -> Result<Vec<u8>, String> {
    let plan = read_plan(plan_json)?;
    let overlay = verdicts::overlay(&plan, &verdicts::Loaded::texts(reports));
    Ok(checklist(&plan, overlay.as_ref(), &PdfOptions::new(date)))
}

/// The file `kind` of the plan (any name of the core's format registry), as the CLI's
/// `portplan plan --format <kind>` writes it, with the verdicts of `reports` in the
/// diagram and PDF.
pub fn file(
    plan_json: &str,
    kind: &str,
    reports: &[String],
    date: &str,
) -> Result<Vec<u8>, String> {
    file_with(plan_json, kind, &verdicts::Loaded::texts(reports), date)
}

/// [`file`] with the reports the page loaded (carried over its edits).
pub fn file_with(
    plan_json: &str,
    kind: &str,
    loaded: &verdicts::Loaded,
    date: &str,
) -> Result<Vec<u8>, String> {
    let plan = read_plan(plan_json)?;
    let overlay = verdicts::overlay(&plan, loaded);
    let options = registry::Options {
        date,
        overlay: overlay.as_ref(),
    };
    registry::render(kind, &plan, &options).ok_or_else(|| format!("no export named {kind:?}"))
}
