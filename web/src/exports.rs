//! The second wasm module (`portplan-web-exports`): plan view lines, diagram, PDF,
//! reports, and every reader of JSON the page needs.
//!
//! It is fetched with a dynamic `import()` by `main.js`'s `portplanExports()` (same
//! origin, so the page's strict CSP allows it) as soon as the first plan is on screen,
//! and it stays loaded: the page works offline afterwards. This is its loader side, the
//! one typed interface between the two modules: text in (a plan's JSON, a file's text),
//! markup or a typed answer out ([`PlanView`], [`ImportKind`], a scenario handed over
//! as `portplan_core::handover` lines). What the page keeps between calls are handles
//! the module made: the settled plan ([`Opened`], the page's state) and the loaded
//! reports ([`Reports`], the reducer's). The diagram, the firewall view, the warnings
//! and the Verification section are Yew's ([`containers`]), their bodies the module's
//! markup; the plan view is drawn by [`crate::plan_view`]. All of the reading and
//! drawing stays out of the first load (see BENCHMARKS.md, "Web bundle").

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
    fn open(this: &ExportsModule, plan: &str) -> Result<PlanHandle, JsValue>;

    #[wasm_bindgen(method, js_name = noReports)]
    fn no_reports(this: &ExportsModule) -> ReportSet;

    /// The plan on screen as the exports module read it (web-exports/src/page.rs).
    type PlanHandle;

    #[wasm_bindgen(method, js_name = view)]
    fn plan_view(this: &PlanHandle) -> PlanView;

    #[wasm_bindgen(method)]
    fn diagram(this: &PlanHandle, reports: &ReportSet) -> String;

    #[wasm_bindgen(method)]
    fn firewall(this: &PlanHandle, query: &str, sort: &str) -> String;

    #[wasm_bindgen(method)]
    fn warnings(this: &PlanHandle) -> String;

    #[wasm_bindgen(method)]
    fn verification(this: &PlanHandle, reports: &ReportSet) -> String;

    #[wasm_bindgen(method)]
    fn load(
        this: &PlanHandle,
        reports: &ReportSet,
        name: &str,
        text: String,
        error: String,
    ) -> ReportSet;

    #[wasm_bindgen(method, js_name = free)]
    fn free_plan(this: &PlanHandle);

    /// Reports loaded on the page, as the exports module keeps them.
    type ReportSet;

    #[wasm_bindgen(method)]
    fn count(this: &ReportSet) -> usize;

    #[wasm_bindgen(method)]
    fn ok(this: &ReportSet) -> bool;

    #[wasm_bindgen(method)]
    fn line(this: &ReportSet) -> String;

    #[wasm_bindgen(method, js_name = free)]
    fn free_reports(this: &ReportSet);

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

    #[wasm_bindgen(method, catch, js_name = readScenario)]
    fn read_scenario(this: &ExportsModule, text: &str) -> Result<String, JsValue>;

    #[wasm_bindgen(method, catch, js_name = exportFile)]
    fn export_file(
        this: &ExportsModule,
        plan: &str,
        kind: &str,
        date: &str,
        reports: &ReportSet,
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

/// The plan on screen as the exports module read it once edits settled: the page's
/// sections are drawn from it. Freed in the module when the page lets go of it.
pub struct Opened(PlanHandle);

impl Drop for Opened {
    fn drop(&mut self) {
        self.0.free_plan();
    }
}

/// The settled plan, or why the exports module could not take it; `id` tells one
/// settle from the next (the page's memos compare it).
#[derive(Clone)]
pub struct Settled {
    pub id: u32,
    pub plan: Result<Rc<Opened>, String>,
}

impl PartialEq for Settled {
    fn eq(&self, other: &Settled) -> bool {
        self.id == other.id
    }
}

/// Hands the plan on screen to the exports module (loading it the first time): the
/// plan view follows at once, and once edits have settled the whole plan goes over and
/// `settled` gets its handle (the diagram, the firewall view and the verification view
/// are drawn from it); the last plan wins even while the module is still loading.
///
/// At once means in the edit's own frame: only the plan's first flows go over
/// (`export::head`), a few hundred, not a wave's thousands; the whole plan's JSON is
/// made once edits settle, and its view then replaces the first flows'
/// ([`crate::plan_view`] draws only the lines on screen, of any number).
pub fn show(plan: Rc<Plan>, settled: Callback<Result<Rc<Opened>, String>>) {
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
                let opened = module()
                    .await
                    .and_then(|m| m.open(&plan.to_json()).map_err(message));
                if let Ok(handle) = &opened {
                    crate::plan_view::show(handle.plan_view(), false);
                }
                settled.emit(opened.map(|h| Rc::new(Opened(h))));
            })
        }),
    );
}

/// The sections drawn from the settled plan, as markup the page inserts as it is.
impl Opened {
    pub fn diagram(&self, reports: &Reports) -> String {
        with_set(reports, |set| self.0.diagram(set))
    }
    pub fn firewall(&self, query: &str, sort: &str) -> String {
        self.0.firewall(query, sort)
    }
    pub fn warnings(&self) -> String {
        self.0.warnings()
    }
    pub fn verification(&self, reports: &Reports) -> String {
        with_set(reports, |set| self.0.verification(set))
    }
}

/// Calls `f` with the exports module's set of `reports` (an empty one made for the
/// call when none is loaded; the module is loaded, a plan was opened).
fn with_set(reports: &Reports, f: impl FnOnce(&ReportSet) -> String) -> String {
    match &reports.set {
        Some(held) => f(&held.0),
        None => match LOADED.with(|l| l.borrow().clone()) {
            Some(m) => {
                let empty = Held(m.no_reports());
                f(&empty.0)
            }
            None => String::new(),
        },
    }
}

/// A report set of the exports module, freed there when the page lets go of it.
struct Held(ReportSet);

impl Drop for Held {
    fn drop(&mut self) {
        self.0.free_reports();
    }
}

/// The verification reports loaded on the page, held by the page's reducer
/// (`Wizard` in `state.rs`): the exports module's set (none until a file is loaded)
/// and the outcome of the last load, one line per file (`true`: taken).
#[derive(Clone, Default)]
pub struct Reports {
    set: Option<Rc<Held>>,
    pub lines: Rc<Vec<(bool, String)>>,
    generation: u32,
}

impl PartialEq for Reports {
    fn eq(&self, other: &Reports) -> bool {
        self.generation == other.generation && self.lines == other.lines
    }
}

impl Eq for Reports {}

impl std::fmt::Debug for Reports {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Reports")
            .field("count", &self.count())
            .field("lines", &self.lines)
            .finish()
    }
}

impl Reports {
    /// How many report files are loaded.
    pub fn count(&self) -> usize {
        self.set.as_ref().map_or(0, |s| s.0.count())
    }

    /// These reports with `files` (name, text or why it could not be read) loaded for
    /// the settled `plan`; the new value's `lines` say what became of each file.
    pub fn load(&self, plan: &Opened, files: Vec<(String, Result<String, String>)>) -> Reports {
        let Some(m) = LOADED.with(|l| l.borrow().clone()) else {
            return self.clone();
        };
        let mut set: Option<Rc<Held>> = self.set.clone();
        let mut lines = Vec::new();
        for (name, text) in files {
            let (text, error) = match text {
                Ok(t) => (t, String::new()),
                Err(e) => (String::new(), e),
            };
            let next = match &set {
                Some(held) => plan.0.load(&held.0, &name, text, error),
                None => plan.0.load(&Held(m.no_reports()).0, &name, text, error),
            };
            lines.push((next.ok(), next.line()));
            set = Some(Rc::new(Held(next)));
        }
        Reports {
            set,
            lines: Rc::new(lines),
            generation: self.generation.wrapping_add(1),
        }
    }

    /// No reports any more (the generation goes on, so the page redraws).
    pub fn forget(&self) -> Reports {
        Reports {
            set: None,
            lines: Rc::default(),
            generation: self.generation.wrapping_add(1),
        }
    }
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
/// the PDF dated today, the diagram and the PDF with the verdicts of `reports`) of
/// `plan` and passes the bytes (or why not) to `done`; `xlsx` comes from the XLSX module.
pub fn make(
    kind: &'static str,
    plan: Rc<str>,
    reports: Reports,
    done: impl FnOnce(Result<Vec<u8>, String>) + 'static,
) {
    wasm_bindgen_futures::spawn_local(async move {
        if kind == "xlsx" {
            return done(xlsx(&plan).await);
        }
        done(module().await.and_then(|m| {
            let empty;
            let set = match &reports.set {
                Some(held) => &held.0,
                None => {
                    empty = Held(m.no_reports());
                    &empty.0
                }
            };
            m.export_file(&plan, kind, &today(), set).map_err(message)
        }))
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

/// The sections drawn from the settled plan and the reports, as the exports module
/// wrote them (the firewall view, which follows its search box too, apart).
#[derive(Clone, PartialEq, Default)]
pub struct Drawn {
    pub diagram: AttrValue,
    /// Why there is no diagram: the module could not take the plan (or be loaded).
    pub failed: Option<String>,
    pub warnings: AttrValue,
    pub verification: AttrValue,
}

impl Drawn {
    pub fn of(settled: Option<&Settled>, reports: &Reports) -> Drawn {
        match settled.map(|s| &s.plan) {
            Some(Ok(p)) => Drawn {
                diagram: p.diagram(reports).into(),
                failed: None,
                warnings: p.warnings().into(),
                verification: p.verification(reports).into(),
            },
            Some(Err(e)) => Drawn {
                failed: Some(format!("The diagram could not be loaded: {e}")),
                ..Drawn::default()
            },
            None => Drawn::default(),
        }
    }
}

/// What the sections' controls do (the page's reducer and state behind them).
pub struct Controls {
    pub on_files: Callback<Event>,
    pub on_forget: Callback<MouseEvent>,
    pub on_search: Callback<InputEvent>,
    pub on_sort: Callback<Event>,
}

/// The sections the exports module draws: the diagram (above the tables), the
/// verification section with its report input, the firewall view and the warnings.
/// Yew owns them; their bodies are the module's markup, inserted as it is.
pub fn containers(
    zoom: &UseStateHandle<usize>,
    drawn: &Drawn,
    firewall: &AttrValue,
    reports: &Reports,
    c: &Controls,
) -> (Html, Html, Html, Html) {
    let figure = match &drawn.failed {
        Some(e) => html! { { e } },
        None => Html::from_html_unchecked(drawn.diagram.clone()),
    };
    let diagram = crate::components::diagram::section(zoom, figure);
    let verification = html! {
        <section id="verification" aria-labelledby="verification-title">
            <h2 id="verification-title">{ "Verification" }</h2>
            <div class="field no-print">
                <label for="report-file">{ "Load reports of portplan check or portplan merge (JSON, one or more)" }</label>
                <input type="file" id="report-file" multiple=true accept=".json,application/json"
                    aria-describedby="report-message" onchange={c.on_files.clone()} />
            </div>
            <ul id="report-message" role="status">
                { for reports.lines.iter().map(|(ok, l)| html! {
                    <li class={classes!((!ok).then_some("field-error"))}>{ l }</li>
                }) }
            </ul>
            <div id="verification-view">
                if reports.count() > 0 {
                    <button type="button" id="report-clear" class="no-print" onclick={c.on_forget.clone()}>{ "Forget the reports" }</button>
                }
                { Html::from_html_unchecked(drawn.verification.clone()) }
            </div>
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
                    <input type="search" id="firewall-search" placeholder="e.g. 3725 or ps01" autocomplete="off" oninput={c.on_search.clone()} />
                </div>
                <div class="field">
                    <label for="firewall-sort">{ "Sort the firewall view by" }</label>
                    // `selected`: Yew inserts the options last first, and the first
                    // one inserted (the last) would stay selected otherwise.
                    <select id="firewall-sort" onchange={c.on_sort.clone()}>
                        <option value="plan" selected=true>{ "plan order (phase by phase)" }</option>
                        <option value="from">{ "source" }</option>
                        <option value="to">{ "destination" }</option>
                        <option value="ports">{ "ports" }</option>
                        <option value="phase">{ "phase" }</option>
                    </select>
                </div>
            </div>
            <div id="firewall-view">{ Html::from_html_unchecked(firewall.clone()) }</div>
        </section>
    };
    let warnings = html! { <div id="warnings-view">{ Html::from_html_unchecked(drawn.warnings.clone()) }</div> };
    (diagram, verification, firewall, warnings)
}
