//! The second wasm module (`portplan-web-exports`): diagram, PDF checklist, reports.
//!
//! It is fetched with a dynamic `import()` by `main.js`'s `portplanExports()` (same
//! origin, so the page's strict CSP allows it) as soon as the first plan is on screen,
//! and it stays loaded: the page works offline afterwards. This module only hands it
//! the plan ([`show`]) after each render; the exports module then draws into the empty
//! containers [`containers`] renders and handles report files itself, which keeps all
//! of that out of the main bundle (see BENCHMARKS.md, "Web bundle").

use portplan_core::Plan;
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

    #[wasm_bindgen(method)]
    fn update(this: &ExportsModule, plan: &str);

    #[wasm_bindgen(method)]
    fn reference(this: &ExportsModule, spec: &str);

    #[wasm_bindgen(method, js_name = showPlan)]
    fn show_plan(this: &ExportsModule, head: &str, total: usize);

    #[wasm_bindgen(method, js_name = packLink)]
    fn pack_link(this: &ExportsModule, scenario_json: &str) -> String;

    #[wasm_bindgen(method, catch, js_name = unpackLink)]
    fn unpack_link(this: &ExportsModule, data: &str) -> Result<String, JsValue>;

    #[wasm_bindgen(method, catch, js_name = readPaste)]
    fn read_paste(this: &ExportsModule, text: &str, room: usize) -> Result<js_sys::Array, JsValue>;

    #[wasm_bindgen(method, catch, js_name = readImport)]
    fn read_import(this: &ExportsModule, text: &str) -> Result<String, JsValue>;

    #[wasm_bindgen(method, catch, js_name = exportFile)]
    fn export_file(
        this: &ExportsModule,
        plan: &str,
        kind: &str,
        date: &str,
    ) -> Result<Vec<u8>, JsValue>;
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

/// Hands the plan on screen to the exports module (loading it the first time), which
/// redraws the plan view at once and the diagram, the firewall view and the
/// verification view once edits have settled; the last plan wins even while the module
/// is still loading.
///
/// At once means in the edit's own frame: only the flows the plan view shows go over
/// (`export::head`), a few hundred, not a wave's thousands; the whole plan's JSON is
/// made once edits settle.
pub fn show(plan: Rc<Plan>) {
    // The first plan waits for the module's import.
    if let Some(m) = LOADED.with(|l| l.borrow().clone()) {
        let head = portplan_core::export::head(&plan, portplan_core::export::HEAD_FLOWS);
        m.show_plan(&head.to_json(), plan.flows.len());
    }
    later(
        0,
        SETTLE_MS,
        Box::new(move || {
            wasm_bindgen_futures::spawn_local(async move {
                match module().await {
                    Ok(m) => m.update(&plan.to_json()),
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
/// `plan` and passes the bytes (or why not) to `done`.
pub fn make(
    kind: &'static str,
    plan: Rc<str>,
    done: impl FnOnce(Result<Vec<u8>, String>) + 'static,
) {
    wasm_bindgen_futures::spawn_local(async move {
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
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportKind {
    Scenario,
    /// A verification report: it goes to the Verification input.
    Report,
}

/// Reads an imported JSON file: a scenario that reads, a report, or why it is neither
/// (a plan, broken JSON, a field of the wrong shape, with its line and column).
pub async fn read_import(text: &str) -> Result<ImportKind, String> {
    let m = module().await?;
    match m.read_import(text).map_err(message)?.as_str() {
        "report" => Ok(ImportKind::Report),
        _ => Ok(ImportKind::Scenario),
    }
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
