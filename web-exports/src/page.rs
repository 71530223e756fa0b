//! The module's side of the page: what it draws and the report files it keeps.
//!
//! The main module renders empty containers (`#diagram`, `#verification-view`,
//! `#report-message`) and the `#report-file` input, then calls [`update`] with the plan
//! after every render; from there on this module owns those containers' content. The
//! reports live here too, so the diagram, the PDF and the verification view always use
//! the same set.

use crate::view::esc;
use crate::{file, read_plan, verdicts, view};
use portplan_core::Plan;
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Document, HtmlInputElement};

/// A report file as loaded: name and text, accepted for the plan shown at the time
/// (which [`verdicts::remember`] keeps, so the report follows the page's edits).
struct ReportFile {
    name: String,
    text: String,
}

#[derive(Default)]
struct State {
    /// The plan on screen, as `Plan::to_json`.
    plan: String,
    /// `plan` read (once per plan: the search box redraws the firewall view per key).
    parsed: Option<Result<Rc<Plan>, String>>,
    reports: Vec<ReportFile>,
    /// The outcome of the last file load, one line per file (`true`: accepted).
    lines: Vec<(bool, String)>,
}

type Handler = Closure<dyn FnMut(web_sys::Event)>;

thread_local! {
    static STATE: RefCell<State> = RefCell::default();
    /// The input's and the clear button's handlers, made once and kept for the page's life.
    static HANDLERS: (Handler, Handler) = (
        Closure::new(on_files as fn(web_sys::Event)),
        Closure::new(on_clear as fn(web_sys::Event)),
    );
    /// The firewall view's search and sort handler.
    static FILTER: Handler = Closure::new(on_filter as fn(web_sys::Event));
}

impl State {
    fn plan(&mut self) -> Result<Rc<Plan>, String> {
        let plan = &self.plan;
        self.parsed
            .get_or_insert_with(|| read_plan(plan).map(Rc::new))
            .clone()
    }
}

fn value_of(doc: &Document, id: &str) -> String {
    let el = doc.get_element_by_id(id);
    if let Some(i) = el.as_ref().and_then(|e| e.dyn_ref::<HtmlInputElement>()) {
        return i.value();
    }
    el.and_then(|e| e.dyn_into::<web_sys::HtmlSelectElement>().ok())
        .map(|s| s.value())
        .unwrap_or_default()
}

/// Draws the firewall view for the plan, with the page's search text and sort order.
fn render_firewall(doc: &Document, plan: &portplan_core::Plan) {
    let Some(el) = doc.get_element_by_id("firewall-view") else {
        return;
    };
    let rules = portplan_core::export::groups::rules(plan);
    let query = value_of(doc, "firewall-search");
    let sort = crate::firewall::sort_named(&value_of(doc, "firewall-sort"));
    el.set_inner_html(&crate::firewall::render(&rules, &query, sort));
}

fn on_filter(_: web_sys::Event) {
    let Some(doc) = document() else { return };
    STATE.with(|s| {
        if let Ok(plan) = s.borrow_mut().plan() {
            render_firewall(&doc, &plan);
        }
    });
}

fn document() -> Option<Document> {
    web_sys::window().and_then(|w| w.document())
}

fn texts(s: &State) -> Vec<String> {
    s.reports.iter().map(|r| r.text.clone()).collect()
}

/// Above this many hosts the diagram is not drawn on the page (thousands of arrows
/// are unreadable and take the browser seconds to lay out); its SVG download still is.
pub const MAX_DRAWN_HOSTS: usize = 150;

/// Redraws the diagram and the verification view for the current state.
fn render() {
    let Some(doc) = document() else { return };
    STATE.with(|s| {
        let mut s = s.borrow_mut();
        let texts = texts(&s);
        let plan = s.plan();
        let plan = plan.as_deref();
        if let Some(fig) = doc.get_element_by_id("diagram") {
            // The SVG has presentation attributes only (no style, no script), so it
            // fits the page's CSP inline; its texts are escaped by the core's writer.
            let html = match &plan {
                Ok(p) if p.hosts.len() > MAX_DRAWN_HOSTS => format!(
                    "<p class=\"hint\">{} hosts are too many to draw here (up to {MAX_DRAWN_HOSTS}); the Diagram (SVG) download has them all.</p>",
                    p.hosts.len()
                ),
                Ok(p) => {
                    let overlay = verdicts::overlay(p, &texts);
                    portplan_core::export::svg::render(p, overlay.as_ref())
                }
                Err(e) => format!("<p class=\"field-error\" role=\"alert\">{}</p>", esc(e)),
            };
            fig.set_inner_html(&html);
        }
        if let Ok(p) = &plan {
            render_firewall(&doc, p);
            if let Some(el) = doc.get_element_by_id("warnings-view") {
                el.set_inner_html(&crate::warnings::render(p));
            }
        }
        if let Some(el) = doc.get_element_by_id("report-message") {
            let lines: String = s
                .lines
                .iter()
                .map(|(ok, l)| {
                    let class = if *ok { "" } else { " class=\"field-error\"" };
                    format!("<li{class}>{}</li>", esc(l))
                })
                .collect();
            el.set_inner_html(&lines);
        }
        if let Some(el) = doc.get_element_by_id("verification-view") {
            let html = match plan {
                Ok(_) if s.reports.is_empty() => String::new(),
                Ok(plan) => {
                    let names: Vec<String> = s.reports.iter().map(|r| r.name.clone()).collect();
                    let dropped = verdicts::changed(plan, &texts);
                    let carried = if dropped > 0 {
                        format!(
                            "<p class=\"warning\" id=\"reports-carried\" role=\"status\">The plan changed since the reports were loaded: the verdicts of the flows it did not change are kept; {dropped} checked {} changed and {} “not checked” until checked again.</p>",
                            if dropped == 1 { "flow" } else { "flows" },
                            if dropped == 1 { "reads" } else { "read" },
                        )
                    } else {
                        String::new()
                    };
                    format!(
                        "<button type=\"button\" id=\"report-clear\" class=\"no-print\">Forget the reports</button>{carried}{}",
                        view::render(plan, &texts, &names)
                    )
                }
                Err(e) => format!("<p class=\"field-error\" role=\"alert\">{}</p>", esc(e)),
            };
            el.set_inner_html(&html);
        }
    });
    attach(&doc);
}

/// (Re)attaches the handlers: the page re-creates these elements when the plan comes
/// back after an error, and setting the `on…` property again never doubles a handler.
fn attach(doc: &Document) {
    FILTER.with(|filter| {
        for (id, event) in [("firewall-search", "input"), ("firewall-sort", "change")] {
            if let Some(el) = doc.get_element_by_id(id) {
                if let Ok(el) = el.dyn_into::<web_sys::HtmlElement>() {
                    match event {
                        "input" => el.set_oninput(Some(filter.as_ref().unchecked_ref())),
                        _ => el.set_onchange(Some(filter.as_ref().unchecked_ref())),
                    }
                }
            }
        }
    });
    HANDLERS.with(|(files, clear)| {
        if let Some(input) = doc.get_element_by_id("report-file") {
            if let Ok(input) = input.dyn_into::<web_sys::HtmlElement>() {
                input.set_onchange(Some(files.as_ref().unchecked_ref()));
            }
        }
        if let Some(button) = doc.get_element_by_id("report-clear") {
            if let Ok(button) = button.dyn_into::<web_sys::HtmlElement>() {
                button.set_onclick(Some(clear.as_ref().unchecked_ref()));
            }
        }
    });
}

fn on_clear(_: web_sys::Event) {
    STATE.with(|s| {
        let mut s = s.borrow_mut();
        s.reports.clear();
        s.lines.clear();
        verdicts::forget();
    });
    render();
}

/// Reads the chosen files and keeps those that are reports of the plan on screen.
fn on_files(e: web_sys::Event) {
    let Some(input) = e
        .target()
        .and_then(|t| t.dyn_into::<HtmlInputElement>().ok())
    else {
        return;
    };
    let files: Vec<web_sys::File> = input
        .files()
        .map(|l| (0..l.length()).filter_map(|i| l.get(i)).collect())
        .unwrap_or_default();
    input.set_value("");
    wasm_bindgen_futures::spawn_local(async move {
        let mut read = Vec::new();
        let limit = portplan_core::scenario::MAX_PLAN_BYTES;
        for f in files {
            // The size first: a file larger than any report is refused unread.
            if f.size() > limit as f64 {
                read.push((
                    f.name(),
                    Err(format!(
                        "{} bytes, larger than the {limit}-byte limit",
                        f.size()
                    )),
                ));
                continue;
            }
            let text = wasm_bindgen_futures::JsFuture::from(f.text()).await;
            let text = text.ok().and_then(|t| t.as_string());
            read.push((
                f.name(),
                text.ok_or_else(|| "the file could not be read as text".to_string()),
            ));
        }
        load(read);
        render();
    });
}

/// Keeps the files of `read` that are reports of the plan on screen; the outcome of
/// each, as one line, becomes the Verification section's message.
fn load(read: Vec<(String, Result<String, String>)>) -> Vec<(bool, String)> {
    STATE.with(|s| {
        let mut s = s.borrow_mut();
        let plan = s.plan();
        let mut lines = Vec::new();
        for (name, text) in read {
            let verdict = match (&plan, text) {
                (Err(e), _) => Err(e.clone()),
                (_, Err(why)) => Err(why),
                (_, Ok(text)) if portplan_core::words::binary(&text) => Err(
                    "not a text file (it holds binary data): a report is the JSON file portplan check or portplan merge writes".to_string(),
                ),
                (Ok(plan), Ok(text)) => match verdicts::refusal(plan, &text) {
                    Some(why) => Err(why),
                    None if s.reports.iter().any(|r| r.text == text) => {
                        Ok("already loaded".to_string())
                    }
                    None => {
                        verdicts::remember(plan.clone());
                        s.reports.push(ReportFile {
                            name: name.clone(),
                            text,
                        });
                        Ok("loaded".to_string())
                    }
                },
            };
            lines.push(match verdict {
                Ok(m) => (true, format!("{name}: {m}")),
                Err(m) => (false, format!("{name}: {m}")),
            });
        }
        s.lines = lines.clone();
        lines
    })
}

/// Loads a report the page was handed elsewhere (dropped on the scenario import): the
/// same as choosing it in the Verification section. Returns `ok` (`1` or `0`) and the
/// outcome in words.
#[wasm_bindgen(js_name = addReport)]
pub fn add_report(name: String, text: String) -> Vec<String> {
    let lines = load(vec![(name, Ok(text))]);
    render();
    let (ok, line) = lines.into_iter().next().unwrap_or_default();
    vec![if ok { "1" } else { "0" }.to_string(), line]
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

/// Shows `plan_json` (the page calls this once edits have settled, with the plan on
/// screen): the diagram, the firewall view and the verification; returns the plan view
/// for the page to draw.
#[wasm_bindgen]
pub fn update(plan_json: &str) -> Result<PlanView, JsError> {
    let view = STATE.with(|s| {
        let mut s = s.borrow_mut();
        if s.plan != plan_json {
            s.plan = plan_json.to_string();
            s.parsed = None;
        }
        s.plan().map(|p| {
            let n = p.flows.len();
            plan_view(p, n)
        })
    });
    render();
    view.map_err(js)
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
/// [--report R]…` writes it, with the loaded reports: `csv`, `md`, `svg`, `pdf`.
#[wasm_bindgen(js_name = exportFile)]
pub fn export_file(plan_json: &str, kind: &str, date: &str) -> Result<Vec<u8>, JsError> {
    STATE
        .with(|s| file(plan_json, kind, &texts(&s.borrow()), date))
        .map_err(js)
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
