//! The module's typed interface to the page (`web/src/exports.rs` is the other side).
//!
//! Every function renders its arguments; the module keeps nothing between calls. What
//! the page keeps, it holds as handles made here: a [`PlanHandle`] (the plan on screen,
//! read once, for the sections redrawn as the search box is typed into), a
//! [`PlanView`] (the plan view's lines) and a [`ReportSet`] (the reports loaded, held
//! by the page's reducer: each load makes a new set). The page frees a handle when it
//! lets go of it. Reference mode still draws into its own container (see [`reference`]).

use crate::verdicts::Loaded;
use crate::{file_with, read_plan, section};
use portplan_core::Plan;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Document, HtmlInputElement};

type Handler = Closure<dyn FnMut(web_sys::Event)>;

fn value_of(doc: &Document, id: &str) -> String {
    let el = doc.get_element_by_id(id);
    if let Some(i) = el.as_ref().and_then(|e| e.dyn_ref::<HtmlInputElement>()) {
        return i.value();
    }
    el.and_then(|e| e.dyn_into::<web_sys::HtmlSelectElement>().ok())
        .map(|s| s.value())
        .unwrap_or_default()
}

fn document() -> Option<Document> {
    web_sys::window().and_then(|w| w.document())
}

/// The plan on screen, read once from its JSON: the sections are drawn from it.
#[wasm_bindgen]
pub struct PlanHandle {
    plan: Rc<Plan>,
}

#[wasm_bindgen]
impl PlanHandle {
    /// The plan view of the whole plan.
    pub fn view(&self) -> PlanView {
        let n = self.plan.flows.len();
        plan_view(self.plan.clone(), n)
    }
    /// The diagram (SVG, or why it is not drawn), colored by `reports`.
    pub fn diagram(&self, reports: &ReportSet) -> String {
        section::diagram(&self.plan, &reports.loaded)
    }
    /// The firewall view for the search text `query` and the sort named `sort`.
    pub fn firewall(&self, query: &str, sort: &str) -> String {
        section::firewall(&self.plan, query, sort)
    }
    /// The core's warnings about the scenario, beside the plan.
    pub fn warnings(&self) -> String {
        crate::warnings::render(&self.plan)
    }
    /// The Verification section's body for `reports`.
    pub fn verification(&self, reports: &ReportSet) -> String {
        section::verification(&self.plan, &reports.loaded)
    }
    /// `reports` with the file `name` loaded for this plan: `text` as read, or `error`
    /// (non-empty) saying why it could not be read. The outcome is the new set's
    /// [`ReportSet::line`].
    pub fn load(&self, reports: &ReportSet, name: &str, text: String, error: String) -> ReportSet {
        let text = if error.is_empty() {
            Ok(text)
        } else {
            Err(error)
        };
        let (loaded, line) = reports.loaded.load(&self.plan, name, text);
        let (ok, line) = match line {
            Ok(l) => (true, l),
            Err(l) => (false, l),
        };
        ReportSet { loaded, ok, line }
    }
}

/// The plan of `plan_json` (the page calls this once edits have settled, with the plan
/// on screen), for the page to keep and draw its sections from.
#[wasm_bindgen]
pub fn open(plan_json: &str) -> Result<PlanHandle, JsError> {
    read_plan(plan_json)
        .map(|p| PlanHandle { plan: Rc::new(p) })
        .map_err(js)
}

/// Reports loaded on the page ([`Loaded`]), with the outcome of the load that made
/// this set.
#[wasm_bindgen]
pub struct ReportSet {
    loaded: Loaded,
    ok: bool,
    line: String,
}

#[wasm_bindgen]
impl ReportSet {
    /// How many report files the set holds.
    pub fn count(&self) -> usize {
        self.loaded.len()
    }
    /// Whether the load that made this set took its file (or had it already).
    pub fn ok(&self) -> bool {
        self.ok
    }
    /// That load's outcome in words: `r.json: loaded`, or why not.
    pub fn line(&self) -> String {
        self.line.clone()
    }
}

/// No reports.
#[wasm_bindgen(js_name = noReports)]
pub fn no_reports() -> ReportSet {
    ReportSet {
        loaded: Loaded::default(),
        ok: true,
        line: String::new(),
    }
}

fn js(e: String) -> JsError {
    JsError::new(&e)
}

/// The plan view of one plan, line by line, for the page to draw the lines on screen
/// ([`PlanView::window`]) and print them all ([`PlanView::appendix`]). The page owns
/// it (it is a JavaScript object the main module keeps); this module keeps nothing.
#[wasm_bindgen]
pub struct PlanView {
    heading: String,
    rows: Vec<String>,
    plan: Rc<Plan>,
}

#[wasm_bindgen]
impl PlanView {
    /// The title (with the whole plan's flow count) and the plan's notes.
    pub fn heading(&self) -> String {
        self.heading.clone()
    }
    /// How many lines the view has (phase titles, host pair titles, flows).
    pub fn rows(&self) -> usize {
        self.rows.len()
    }
    /// Lines `first..first + count` (fewer at the end), as `<tr>` markup.
    pub fn window(&self, first: usize, count: usize) -> String {
        let first = first.min(self.rows.len());
        let end = first.saturating_add(count).min(self.rows.len());
        self.rows[first..end].concat()
    }
    /// Every line, for print: the appendix after the consolidated rules.
    pub fn appendix(&self) -> String {
        crate::plan_view::appendix(&self.plan)
    }
}

fn plan_view(plan: Rc<Plan>, total: usize) -> PlanView {
    PlanView {
        heading: crate::plan_view::heading(&plan, total),
        rows: crate::plan_view::rows(&plan),
        plan,
    }
}

/// The plan view of the first flows of a plan of `total` flows (the page calls this in
/// the render of an edit, once the module is loaded, with `export::head`): a few
/// hundred flows to read instead of a wave's thousands. The whole plan's view follows
/// with [`update`].
#[wasm_bindgen(js_name = showPlan)]
pub fn show_plan(head_json: &str, total: usize) -> Result<PlanView, JsError> {
    read_plan(head_json)
        .map(|p| plan_view(Rc::new(p), total))
        .map_err(js)
}

/// The file `kind` of `plan_json`, as `portplan plan --format <kind> [--date DATE]
/// [--report R]…` writes it, with the loaded `reports`: `csv`, `md`, `svg`, `pdf`.
#[wasm_bindgen(js_name = exportFile)]
pub fn export_file(
    plan_json: &str,
    kind: &str,
    date: &str,
    reports: &ReportSet,
) -> Result<Vec<u8>, JsError> {
    file_with(plan_json, kind, &reports.loaded, date).map_err(js)
}

/// The share link's `#s=` payload of a scenario's JSON (the core's DEFLATE + base64url).
#[wasm_bindgen(js_name = packLink)]
pub fn pack_link(scenario_json: &str) -> String {
    portplan_core::share::pack(scenario_json)
}

/// The scenario JSON of a `#s=` payload, or why the link cannot be read.
#[wasm_bindgen(js_name = unpackLink)]
pub fn unpack_link(data: &str) -> Result<String, JsError> {
    portplan_core::share::unpack(data).map_err(|e| JsError::new(&e))
}

/// Reads a pasted (or imported CSV/TSV) workload list for the page's "Bring in many
/// workloads": the preview's HTML first, then one [`crate::paste::Row::encode`] line
/// per row; or the reason nothing can be read (`room`: how many more workloads fit).
#[wasm_bindgen(js_name = readPaste)]
pub fn read_paste(text: &str, room: usize) -> Result<Vec<String>, JsError> {
    let pasted = crate::paste::parse(text, room).map_err(|e| JsError::new(&e))?;
    let mut out = vec![crate::paste::preview_html(&pasted)];
    out.extend(pasted.rows.iter().map(|r| r.workload.encode()));
    Ok(out)
}

/// Which file a JSON text dropped on the scenario import is: `report`, or a scenario
/// that reads, handed over as `portplan_core::handover` lines (the page's first-load
/// module has no JSON reader); or, in words with its line and column, why it is not a
/// scenario.
#[wasm_bindgen(js_name = readImport)]
pub fn read_import(text: &str) -> Result<String, JsError> {
    match crate::import::read_import(text) {
        Ok(crate::import::Imported::Report) => Ok("report".into()),
        Ok(crate::import::Imported::Scenario(s)) => Ok(portplan_core::handover::encode(&s)),
        Err(e) => Err(JsError::new(&e)),
    }
}

/// A share link's scenario JSON read strictly and handed over as
/// `portplan_core::handover` lines, or serde's line saying why it does not read.
#[wasm_bindgen(js_name = readScenario)]
pub fn read_scenario(text: &str) -> Result<String, JsError> {
    crate::import::read_scenario(text)
        .map(|s| portplan_core::handover::encode(&s))
        .map_err(|e| JsError::new(&e))
}

thread_local! {
    /// Reference mode's handler for its selects and search box.
    static REFERENCE: Handler = Closure::new(on_reference as fn(web_sys::Event));
}

/// Redraws reference mode's two lists from its controls.
fn render_reference(doc: &Document) {
    use crate::reference::{diff_html, product_named, rules_html, OTHER};
    let product = product_named(&value_of(doc, "ref-product"));
    // "Another version…": the typed version, its field shown.
    let mut version = value_of(doc, "ref-version");
    let other = version == OTHER;
    if let Some(field) = doc
        .get_element_by_id("ref-version-other")
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
    {
        field.set_hidden(!other);
    }
    if other {
        version = value_of(doc, "ref-version-text");
    }
    if let Some(el) = doc.get_element_by_id("ref-rules-view") {
        el.set_inner_html(&rules_html(product, &version, &value_of(doc, "ref-search")));
    }
    if let Some(el) = doc.get_element_by_id("ref-diff-view") {
        el.set_inner_html(&diff_html(
            product,
            &value_of(doc, "ref-from"),
            &value_of(doc, "ref-to"),
        ));
    }
}

fn on_reference(e: web_sys::Event) {
    let Some(doc) = document() else { return };
    let id = e
        .target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        .map(|t| t.id())
        .unwrap_or_default();
    if id == "ref-product" {
        // Another product: its releases, keeping the chosen ones where it has them.
        let product = crate::reference::product_named(&value_of(&doc, "ref-product"));
        for sel in ["ref-version", "ref-from", "ref-to"] {
            let old = value_of(&doc, sel);
            if let Some(el) = doc.get_element_by_id(sel) {
                let other = sel == "ref-version";
                el.set_inner_html(&crate::reference::version_options(product, &old, other));
            }
        }
    }
    render_reference(&doc);
}

/// Opens reference mode: draws its controls into `#reference-view` the first time
/// (later openings keep what was chosen) and the lists for them. `spec` is what a
/// `#reference=` address asks for (`migrate/2019.6`; empty: the newest Migrate).
#[wasm_bindgen]
pub fn reference(spec: &str) {
    let Some(doc) = document() else { return };
    let Some(view) = doc.get_element_by_id("reference-view") else {
        return;
    };
    if view.child_element_count() > 0 {
        return;
    }
    let (product, version) = crate::reference::asked(spec);
    view.set_inner_html(&crate::reference::controls(product, version));
    REFERENCE.with(|h| {
        for id in [
            "ref-product",
            "ref-version",
            "ref-version-text",
            "ref-search",
            "ref-from",
            "ref-to",
        ] {
            if let Some(el) = doc
                .get_element_by_id(id)
                .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
            {
                if id == "ref-search" || id == "ref-version-text" {
                    el.set_oninput(Some(h.as_ref().unchecked_ref()));
                } else {
                    el.set_onchange(Some(h.as_ref().unchecked_ref()));
                }
            }
        }
    });
    render_reference(&doc);
}
