//! The second wasm module (`portplan-web-exports`): plan view lines, diagram, PDF,
//! reports, and every reader of JSON the page needs.
//!
//! It is fetched with a dynamic `import()` by `main.js`'s `portplanExports()` (same
//! origin, so the page's strict CSP allows it) as soon as the first plan is on screen,
//! and it stays loaded: the page works offline afterwards. This is its loader side, the
//! one typed interface between the two modules: text in (a plan's JSON, a file's text),
//! markup or a typed answer out ([`PlanView`], [`ImportKind`], a scenario handed over
//! as `portplan_core::handover` lines). The diagram, the firewall view and the
//! Verification section are still drawn by the exports module into the empty
//! containers [`containers`] renders; the plan view is drawn by [`crate::plan_view`].
//! All of it stays out of the first load (see BENCHMARKS.md, "Web bundle").

use crate::plan_view::PlanView;
use portplan_core::{InputError, Plan, Scenario};
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use yew::prelude::*;

#[wasm_bindgen]
extern "C" {
    /// The module's namespace object once initialised (see `web/static/main.js`).
    #[derive(Clone)]
    type ExportsModule;

    /// `main.js`: imports and initialises the module once; later calls reuse it.
    #[wasm_bindgen(js_name = portplanExports, catch)]
    fn load_module() -> Result<js_sys::Promise, JsValue>;

    #[wasm_bindgen(method, catch)]
    fn update(this: &ExportsModule, plan: &str) -> Result<PlanView, JsValue>;

    #[wasm_bindgen(method)]
    fn reference(this: &ExportsModule, spec: &str);

    #[wasm_bindgen(method, catch, js_name = showPlan)]
    fn show_plan(this: &ExportsModule, head: &str, total: usize) -> Result<PlanView, JsValue>;

    #[wasm_bindgen(method, js_name = packLink)]
    fn pack_link(this: &ExportsModule, scenario_json: &str) -> String;

    #[wasm_bindgen(method, catch, js_name = unpackLink)]
    fn unpack_link(this: &ExportsModule, data: &str) -> Result<String, JsValue>;

    #[wasm_bindgen(method, catch, js_name = readPaste)]
    fn read_paste(this: &ExportsModule, text: &str, room: usize) -> Result<js_sys::Array, JsValue>;

    #[wasm_bindgen(method, catch, js_name = readImport)]
    fn read_import(this: &ExportsModule, text: &str) -> Result<String, JsValue>;

    #[wasm_bindgen(method, js_name = addReport)]
    fn add_report_js(this: &ExportsModule, name: String, text: String) -> js_sys::Array;

    #[wasm_bindgen(method, catch, js_name = readScenario)]
    fn read_scenario(this: &ExportsModule, text: &str) -> Result<String, JsValue>;

    #[wasm_bindgen(method, catch, js_name = exportFile)]
    fn export_file(
        this: &ExportsModule,
        plan: &str,
        kind: &str,
        date: &str,
    ) -> Result<Vec<u8>, JsValue>;
}

#[wasm_bindgen]
extern "C" {
    /// The XLSX module's namespace object once initialised (`web-xlsx/`).
    type XlsxModule;

    /// `main.js`: imports and initialises the XLSX module on first use.
    #[wasm_bindgen(js_name = portplanXlsx, catch)]
    fn load_xlsx() -> Result<js_sys::Promise, JsValue>;

    #[wasm_bindgen(method, catch)]
    fn xlsx(this: &XlsxModule, plan: &str, date: &str) -> Result<Vec<u8>, JsValue>;
}

/// The XLSX change request of `plan`, from the module fetched on the first click.
async fn xlsx(plan: &str) -> Result<Vec<u8>, String> {
    let promise = load_xlsx().map_err(message)?;
    let m: XlsxModule = wasm_bindgen_futures::JsFuture::from(promise)
        .await
        .map_err(message)?
        .unchecked_into();
    m.xlsx(plan, &today()).map_err(message)
}

fn message(e: JsValue) -> String {
    e.dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| e.as_string())
        .unwrap_or_else(|| "the exports module failed".into())
}

thread_local! {
    /// The module once loaded, for what must follow an edit in the same frame.
    static LOADED: std::cell::RefCell<Option<ExportsModule>> = const { std::cell::RefCell::new(None) };
}

async fn module() -> Result<ExportsModule, String> {
    let promise = load_module().map_err(message)?;
    let m: ExportsModule = wasm_bindgen_futures::JsFuture::from(promise)
        .await
        .map_err(message)?
        .unchecked_into();
    LOADED.with(|l| *l.borrow_mut() = Some(m.clone()));
    Ok(m)
}

/// Shows an error where the diagram goes (the module could not be loaded).
fn failed(e: &str) {
    if let Some(fig) = gloo_utils::document().get_element_by_id("diagram") {
        fig.set_text_content(Some(&format!("The diagram could not be loaded: {e}")));
    }
}

thread_local! {
    static GENERATION: std::cell::RefCell<[u32; 2]> = const { std::cell::RefCell::new([0; 2]) };
}

/// A new generation of `slot`: what was scheduled in it before will not run.
fn bump(slot: usize) -> u32 {
    GENERATION.with(|g| {
        let mut g = g.borrow_mut();
        g[slot] = g[slot].wrapping_add(1);
        g[slot]
    })
}

/// Work that follows an edit but must not hold up its frame (the diagram, the share
/// link): run `f` after `ms`, unless another call with the same `slot` came since.
fn later(slot: usize, ms: i32, f: Box<dyn FnOnce()>) {
    let generation = bump(slot);
    let run = Closure::once_into_js(move || {
        if GENERATION.with(|g| g.borrow()[slot]) == generation {
            f();
        }
    });
    let _ = gloo_utils::window()
        .set_timeout_with_callback_and_timeout_and_arguments_0(run.unchecked_ref(), ms);
}

/// How long after the last edit the diagram and the link follow.
const SETTLE_MS: i32 = 120;

/// Hands the plan on screen to the exports module (loading it the first time): the
/// plan view follows at once, and the diagram, the firewall view and the verification
/// view once edits have settled; the last plan wins even while the module is still
/// loading.
///
/// At once means in the edit's own frame: only the plan's first flows go over
/// (`export::head`), a few hundred, not a wave's thousands; the whole plan's JSON is
/// made once edits settle, and its view then replaces the first flows'
/// ([`crate::plan_view`] draws only the lines on screen, of any number).
pub fn show(plan: Rc<Plan>) {
    // The first plan waits for the module's import.
    // Scrolled farther down, the lines on screen wait for the whole plan (as the
    // firewall view does).
    let head_shows = crate::plan_view::near_top(portplan_core::export::HEAD_FLOWS);
    if let Some(m) = LOADED.with(|l| l.borrow().clone()).filter(|_| head_shows) {
        let head = portplan_core::export::head(&plan, portplan_core::export::HEAD_FLOWS);
        if let Ok(view) = m.show_plan(&head.to_json(), plan.flows.len()) {
            crate::plan_view::show(view, head.flows.len() < plan.flows.len());
        }
    }
    later(
        0,
        SETTLE_MS,
        Box::new(move || {
            wasm_bindgen_futures::spawn_local(async move {
                match module()
                    .await
                    .and_then(|m| m.update(&plan.to_json()).map_err(message))
                {
                    Ok(view) => crate::plan_view::show(view, false),
                    Err(e) => failed(&e),
                }
            })
        }),
    );
}

/// Opens reference mode: the exports module draws the catalog browser into the
/// `#reference-view` container (web-exports/src/reference.rs), first showing what
/// `spec` asks for (`migrate/2019.6`, from a `#reference=` address; empty: the default).
pub fn reference(spec: String) {
    wasm_bindgen_futures::spawn_local(async move {
        if let Ok(m) = module().await {
            m.reference(&spec);
        }
    });
}

/// Makes the file `kind` (`csv`, `md`, `svg`, `pdf`: `portplan plan --format <kind>`,
/// the PDF dated today, the diagram and the PDF with the loaded reports' verdicts) of
/// `plan` and passes the bytes (or why not) to `done`; `xlsx` comes from the XLSX module.
pub fn make(
    kind: &'static str,
    plan: Rc<str>,
    done: impl FnOnce(Result<Vec<u8>, String>) + 'static,
) {
    wasm_bindgen_futures::spawn_local(async move {
        if kind == "xlsx" {
            return done(xlsx(&plan).await);
        }
        done(
            module()
                .await
                .and_then(|m| m.export_file(&plan, kind, &today()).map_err(message)),
        )
    });
}

/// Packs the share link's JSON (`#s=` payload) once edits have settled and passes it
/// to `done`; `json` makes it then (a wave's scenario is not serialised per edit).
pub fn pack(
    json: impl FnOnce() -> String + 'static,
    done: impl FnOnce(Result<String, String>) + 'static,
) {
    later(
        1,
        SETTLE_MS,
        Box::new(move || {
            wasm_bindgen_futures::spawn_local(async move {
                done(module().await.map(|m| m.pack_link(&json())))
            })
        }),
    );
}

/// Drops a [`pack`] still waiting for edits to settle (the draft has problems now).
pub fn cancel_pack() {
    bump(1);
}

/// Unpacks a `#s=` payload into the scenario JSON and passes it to `done`.
pub fn unpack(data: String, done: impl FnOnce(Result<String, String>) + 'static) {
    wasm_bindgen_futures::spawn_local(async move {
        done(
            module()
                .await
                .and_then(|m| m.unpack_link(&data).map_err(message)),
        )
    });
}

/// Reads a pasted workload list (`room`: how many more workloads fit) and passes the
/// preview's HTML and one line of fields per row (`web-exports/src/paste.rs`), or why
/// nothing can be read, to `done`.
pub fn paste(text: String, room: usize, done: impl FnOnce(Result<Vec<String>, String>) + 'static) {
    wasm_bindgen_futures::spawn_local(async move {
        done(module().await.and_then(|m| {
            m.read_paste(&text, room)
                .map(|a| a.iter().filter_map(|v| v.as_string()).collect())
                .map_err(message)
        }))
    });
}

/// What a JSON file dropped on the scenario import is, as the exports module reads it
/// (`web-exports/src/import.rs`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImportKind {
    /// A scenario whose fields read; its rules are checked by the wizard.
    Scenario(Box<Scenario>),
    /// A verification report: it goes to the Verification input.
    Report,
}

/// What the exports module handed over, read back (a failure is a bug of the page).
fn handed_over(lines: &str) -> Result<Scenario, String> {
    portplan_core::handover::decode(lines).map_err(|e| e.to_string())
}

/// Reads an imported JSON file: a scenario that reads, a report, or why it is neither
/// (a plan, broken JSON, a field of the wrong shape, with its line and column).
///
/// JSON is read by the exports module only: the first-load module has no JSON reader
/// (26 KiB gzipped of it, measured), so scenarios come back as `portplan_core::handover`
/// lines.
pub async fn read_import(text: &str) -> Result<ImportKind, String> {
    let m = module().await?;
    match m.read_import(text).map_err(message)?.as_str() {
        "report" => Ok(ImportKind::Report),
        lines => handed_over(lines).map(|s| ImportKind::Scenario(Box::new(s))),
    }
}

/// Loads a report the page was handed elsewhere (a report dropped on the scenario
/// import) as the Verification section does with its own input: `Ok` with the words
/// of a loaded report, `Err` with why it was not.
pub async fn add_report(name: String, text: String) -> Result<String, String> {
    let m = module().await?;
    let out: Vec<String> = m
        .add_report_js(name, text)
        .iter()
        .filter_map(|v| v.as_string())
        .collect();
    match out.as_slice() {
        [ok, line] if ok == "1" => Ok(line.clone()),
        [_, line] => Err(line.clone()),
        _ => Err("the exports module did not answer".into()),
    }
}

/// Reads a link's scenario JSON (its fields, not its rules) with the exports module's
/// strict reader; the error is the reader's line, as `InputError::Json` (what the page
/// showed when it read links itself).
pub async fn read_scenario(text: String) -> Result<Scenario, InputError> {
    use portplan_core::scenario::MAX_INPUT_BYTES;
    if text.len() > MAX_INPUT_BYTES {
        return Err(InputError::TooLarge {
            size: text.len(),
            limit: MAX_INPUT_BYTES,
        });
    }
    let json = |message: String| InputError::Json {
        path: "$".into(),
        message,
    };
    let m = module().await.map_err(json)?;
    let lines = m.read_scenario(&text).map_err(|e| json(message(e)))?;
    handed_over(&lines).map_err(json)
}

/// Today in the browser's time zone as `YYYY-MM-DD` (the PDF's date).
pub fn today() -> String {
    let d = js_sys::Date::new_0();
    format!(
        "{:04}-{:02}-{:02}",
        d.get_full_year(),
        d.get_month() + 1,
        d.get_date()
    )
}

/// The containers the exports module fills: the diagram (above the tables) and the
/// verification section with its report input. Yew renders them empty and never
/// touches their content.
pub fn containers(zoom: &UseStateHandle<usize>) -> (Html, Html, Html, Html) {
    let diagram = crate::components::diagram::section(zoom);
    let verification = html! {
        <section id="verification" aria-labelledby="verification-title">
            <h2 id="verification-title">{ "Verification" }</h2>
            <div class="field no-print">
                <label for="report-file">{ "Load reports of portplan check or portplan merge (JSON, one or more)" }</label>
                <input type="file" id="report-file" multiple=true accept=".json,application/json"
                    aria-describedby="report-message" />
            </div>
            <ul id="report-message" role="status"></ul>
            <div id="verification-view"></div>
        </section>
    };
    // The firewall view: the page renders its search and sort controls; the exports
    // module draws the grouped rules (see web-exports/src/firewall.rs).
    let firewall = html! {
        <section id="firewall" aria-labelledby="firewall-title">
            <p class="hint">{ "Each rule opens inbound on the destination. Hosts with the same needs form an address group (open a group to see its addresses)." }</p>
            <div class="row no-print filters">
                <div class="field">
                    <label for="firewall-search">{ "Search the firewall view (host, address, port, phase, purpose)" }</label>
                    <input type="search" id="firewall-search" placeholder="e.g. 3725 or ps01" autocomplete="off" />
                </div>
                <div class="field">
                    <label for="firewall-sort">{ "Sort the firewall view by" }</label>
                    // `selected`: Yew inserts the options last first, and the first
                    // one inserted (the last) would stay selected otherwise.
                    <select id="firewall-sort">
                        <option value="plan" selected=true>{ "plan order (phase by phase)" }</option>
                        <option value="from">{ "source" }</option>
                        <option value="to">{ "destination" }</option>
                        <option value="ports">{ "ports" }</option>
                        <option value="phase">{ "phase" }</option>
                    </select>
                </div>
            </div>
            <div id="firewall-view"></div>
        </section>
    };
    let warnings = html! { <div id="warnings-view"></div> };
    (diagram, verification, firewall, warnings)
}
