//! The page: the wizard on top, the plan computed live below it.

use crate::components::deployment::Deployment;
use crate::components::downloads::Downloads;
use crate::components::field::field_id;
use crate::components::hosts::Hosts;
use crate::components::import::Import;
use crate::components::labels;
use crate::components::share_link::ShareLink;
use crate::components::workloads::{focus_id, Workloads};
use crate::exports;
use crate::problems::Problems;
use crate::share::{self, Link};
use crate::state::{Action, Change, Checked, Draft, Wizard};
use portplan_core::{Plan, Scenario};
use std::cell::RefCell;
use std::rc::Rc;

use yew::prelude::*;

/// A plan the page can show and the scenario it came from. Its JSON is made only
/// where the whole of it is needed (the exports module once edits settle, a download):
/// a wave of a thousand workloads is megabytes of it.
#[derive(Debug, PartialEq, Eq)]
pub struct Shown {
    pub scenario: Rc<Scenario>,
    pub plan: Rc<Plan>,
}

impl Shown {
    fn of(checked: &Checked) -> Option<Rc<Shown>> {
        let (s, p) = checked.plan.as_ref()?;
        Some(Rc::new(Shown {
            scenario: Rc::new(s.clone()),
            plan: Rc::new(p.clone()),
        }))
    }
}

fn location_hash() -> String {
    gloo_utils::window().location().hash().unwrap_or_default()
}

/// What a `#reference` or `#reference=migrate/2019.6` address asks reference mode for
/// (`""`, `migrate/2019.6`); `None` for any other address.
fn reference_spec(hash: &str) -> Option<&str> {
    let rest = hash.strip_prefix("#reference")?;
    match rest.strip_prefix('=') {
        Some(spec) => Some(spec),
        None => rest.is_empty().then_some(""),
    }
}

/// How the page starts: the draft, a problem with the link, whether it is a review
/// of a shared plan, and a link still to read (with the exports module).
struct Start {
    draft: Draft,
    link_error: Option<String>,
    review: bool,
    packed: Option<Link>,
}

fn initial() -> Start {
    let plain = |draft, link_error, review| Start {
        draft,
        link_error,
        review,
        packed: None,
    };
    match share::parse(&location_hash()) {
        Some(Link::Plain(Err(e))) => plain(Draft::default(), Some(e.to_string()), false),
        Some(link) => Start {
            draft: Draft::default(),
            link_error: None,
            review: true,
            packed: Some(link),
        },
        None => plain(Draft::default(), None, false),
    }
}

/// Opens a link's scenario: a plain one at once, a packed one once the exports module
/// has unpacked it.
fn open_link(
    link: Link,
    dispatcher: UseReducerDispatcher<Wizard>,
    link_error: UseStateHandle<Option<String>>,
    opening: UseStateHandle<bool>,
) {
    let load = move |r: Result<Scenario, String>| {
        match r {
            Ok(s) => {
                link_error.set(None);
                dispatcher.dispatch(Action::Load(Box::new(Draft::from_scenario(&s))).into());
            }
            Err(e) => link_error.set(Some(e)),
        }
        opening.set(false);
    };
    // The exports module reads the JSON (the first-load module has no JSON reader).
    let load = Rc::new(load);
    let later = load.clone();
    let read = move |json: String| {
        wasm_bindgen_futures::spawn_local(async move {
            let load = later;
            let read = exports::read_scenario(json).await;
            load(share::valid(read).map_err(|e| e.to_string()))
        })
    };
    match link {
        Link::Plain(Ok(json)) => read(json),
        Link::Plain(Err(e)) => load(Err(e.to_string())),
        Link::Packed(data) => exports::unpack(data, move |r| match r {
            Ok(json) => read(json),
            Err(e) => load(Err(format!("The link is damaged: {e}."))),
        }),
    }
}

/// Puts `url` (a fragment, or the page without one) in the address bar, in place.
fn set_address(url: &str) {
    let _ = gloo_utils::window()
        .history()
        .and_then(|h| h.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(url)));
}

fn page_base() -> String {
    let loc = gloo_utils::window().location();
    format!(
        "{}{}{}",
        loc.origin().unwrap_or_default(),
        loc.pathname().unwrap_or_default(),
        loc.search().unwrap_or_default()
    )
}

/// Files as read: each one's name and text, or why it could not be read.
type ReadFiles = Vec<(String, Result<String, String>)>;

/// Reads the chosen report files (a file larger than any report is refused unread).
async fn read_files(files: Vec<web_sys::File>) -> ReadFiles {
    let mut read = Vec::new();
    let limit = portplan_core::scenario::MAX_PLAN_BYTES;
    for f in files {
        if f.size() > limit as f64 {
            read.push((
                f.name(),
                // Whole bytes: formatting the f64 would bring the float printer in.
                Err(format!(
                    "{} bytes, larger than the {limit}-byte limit",
                    f.size() as u64
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
    read
}

#[function_component]
pub fn App() -> Html {
    let start = use_memo((), |_| initial());
    let link_error = use_state(|| start.link_error.clone());
    let review = use_state(|| start.review);
    // Reference mode: the catalog by release, no hosts (drawn by the exports module).
    // A `#reference` address opens it directly.
    let reference = use_state_eq(|| reference_spec(&location_hash()).is_some());
    use_effect_with(*reference, |on| {
        if *on {
            let hash = location_hash();
            exports::reference(reference_spec(&hash).unwrap_or_default().to_string());
            focus_id("reference-title");
        }
    });
    let opening = use_state(|| start.packed.is_some());
    // The address bar changes only once the scenario has been edited here.
    let edited = use_state_eq(|| false);
    let share_url = use_state(|| None::<AttrValue>);
    let wizard = {
        let draft = start.draft.clone();
        use_reducer_eq(move || Wizard {
            draft,
            reports: Default::default(),
        })
    };
    {
        let (dispatcher, link_error, opening) =
            (wizard.dispatcher(), link_error.clone(), opening.clone());
        let packed = start.packed.clone();
        use_effect_with((), move |_| {
            if let Some(link) = packed {
                open_link(link, dispatcher, link_error, opening);
            }
        });
    }
    let checked: Rc<Checked> = use_memo(wizard.draft.clone(), |d| d.check());
    let problems = use_memo(checked.clone(), |c| Problems::new(&wizard.draft, &c.errors));
    let current = use_memo(checked.clone(), |c| Shown::of(c));
    // The last valid plan stays on screen while fields are being fixed.
    let last: Rc<RefCell<Option<Rc<Shown>>>> = use_mut_ref(|| None);
    if let Some(c) = current.as_ref() {
        *last.borrow_mut() = Some(c.clone());
    }
    let shown: Option<Rc<Shown>> = current.as_ref().clone().or_else(|| last.borrow().clone());
    let stale = current.is_none() && shown.is_some();
    // After each render of a new plan, the exports module (imported with the first
    // plan; the page never waits for it) reads it once edits have settled; the
    // sections below are drawn from what it read.
    let settled = use_state(|| None::<exports::Settled>);
    let settles = use_mut_ref(|| 0u32);
    let plan = shown.as_ref().map(|s| s.plan.clone());
    {
        let settled = settled.clone();
        use_effect_with(plan, move |plan| {
            if let Some(plan) = plan {
                exports::show(
                    plan.clone(),
                    Callback::from(move |plan| {
                        let id = {
                            let mut n = settles.borrow_mut();
                            *n = n.wrapping_add(1);
                            *n
                        };
                        settled.set(Some(exports::Settled { id, plan }))
                    }),
                );
            }
        });
    }
    let reports = wizard.reports.clone();
    let opened = (*settled).clone().and_then(|s| s.plan.ok());
    // The firewall view's search text and sort order.
    let query = use_state_eq(String::new);
    let sort = use_state_eq(|| String::from("plan"));
    // The sections follow the settled plan and the reports; the firewall view its
    // search box and sort order too (typing redraws it alone).
    let drawn = use_memo(((*settled).clone(), reports.clone()), |(s, r)| {
        exports::Drawn::of(s.as_ref(), r)
    });
    let firewall = use_memo(
        ((*settled).clone(), (*query).clone(), (*sort).clone()),
        |(s, q, o)| match s.as_ref().map(|s| &s.plan) {
            Some(Ok(p)) => AttrValue::from(p.firewall(q, o)),
            _ => AttrValue::default(),
        },
    );
    // Reports load against the latest settled plan and reports, whenever the file is
    // read (an import's report arrives after its own reading).
    let latest = use_mut_ref(|| (None::<Rc<exports::Opened>>, exports::Reports::default()));
    *latest.borrow_mut() = (opened.clone(), reports.clone());
    let load_reports: Callback<ReadFiles, Vec<(bool, String)>> = {
        let (dispatcher, latest) = (wizard.dispatcher(), latest.clone());
        (*use_memo((), move |_| {
            Callback::from(move |files: ReadFiles| {
                let (plan, reports) = latest.borrow().clone();
                let Some(plan) = plan else {
                    return files
                        .into_iter()
                        .map(|(name, _)| (false, format!("{name}: the plan is still being prepared; load the file again in a moment")))
                        .collect();
                };
                let next = reports.load(&plan, files);
                let lines = (*next.lines).clone();
                latest.borrow_mut().1 = next.clone();
                dispatcher.dispatch(Change::Reports(next));
                lines
            })
        }))
        .clone()
    };
    let controls = exports::Controls {
        on_files: {
            let load = load_reports.clone();
            Callback::from(move |e: Event| {
                let input: web_sys::HtmlInputElement = e.target_unchecked_into();
                let files: Vec<web_sys::File> = input
                    .files()
                    .map(|l| (0..l.length()).filter_map(|i| l.get(i)).collect())
                    .unwrap_or_default();
                input.set_value("");
                let load = load.clone();
                wasm_bindgen_futures::spawn_local(async move {
                    load.emit(read_files(files).await);
                });
            })
        },
        on_forget: {
            let (dispatcher, reports) = (wizard.dispatcher(), reports.clone());
            Callback::from(move |_| dispatcher.dispatch(Change::Reports(reports.forget())))
        },
        on_search: {
            let query = query.clone();
            Callback::from(move |e: InputEvent| {
                query.set(
                    e.target_unchecked_into::<web_sys::HtmlInputElement>()
                        .value(),
                )
            })
        },
        on_sort: {
            let sort = sort.clone();
            Callback::from(move |e: Event| {
                sort.set(
                    e.target_unchecked_into::<web_sys::HtmlSelectElement>()
                        .value(),
                )
            })
        },
    };
    let on_report: Callback<(String, String), Result<String, String>> = {
        let load = load_reports.clone();
        Callback::from(move |(name, text): (String, String)| {
            match load.emit(vec![(name, Ok(text))]).pop() {
                Some((true, line)) => Ok(line),
                Some((false, line)) => Err(line),
                None => Err("no answer".into()),
            }
        })
    };
    // The share link is the scenario on screen: it follows the scenario itself (two
    // scenarios can make the same plan: drives of a file-based workload), and there is
    // none while the draft has problems (the plan shown is then an older scenario's).
    let on_screen: Option<Rc<Scenario>> = current.as_ref().as_ref().map(|s| s.scenario.clone());
    // The share link is packed by the exports module; the address bar follows it only
    // after an edit here (a link being reviewed stays as it was opened), an import or
    // a paste included, so a reload gives what is on screen.
    {
        let share_url = share_url.clone();
        let waiting = *opening;
        use_effect_with(
            (on_screen, *edited, waiting),
            move |(scenario, edited, waiting)| {
                let edited = *edited;
                match (scenario.clone(), *waiting) {
                    (_, true) => {}
                    (Some(scenario), false) => exports::pack(
                        move || share::json(&scenario),
                        move |r| {
                            let Ok(packed) = r else { return };
                            let f = share::fragment(&packed);
                            share_url.set(Some(AttrValue::from(format!("{}{f}", page_base()))));
                            if edited && location_hash() != f {
                                set_address(&f);
                            }
                        },
                    ),
                    (None, false) => {
                        // No link for a draft with problems; a pack still pending (of
                        // the scenario before) must not bring the old link back.
                        exports::cancel_pack();
                        share_url.set(None);
                        if edited && !location_hash().is_empty() {
                            set_address(&page_base());
                        }
                    }
                }
            },
        );
    }
    // A link pasted into the address bar of an open page changes only the fragment.
    {
        let (dispatcher, link_error, opening) =
            (wizard.dispatcher(), link_error.clone(), opening.clone());
        let reference = reference.setter();
        use_effect_with((), move |_| {
            let listener =
                gloo_events::EventListener::new(&gloo_utils::window(), "hashchange", move |_| {
                    if reference_spec(&location_hash()).is_some() {
                        reference.set(true);
                    }
                    if let Some(link) = share::parse(&location_hash()) {
                        open_link(
                            link,
                            dispatcher.clone(),
                            link_error.clone(),
                            opening.clone(),
                        );
                    }
                });
            move || drop(listener)
        });
    }
    // One callback for the page's life: a new one per render would re-render every
    // field on any background update (the link being packed), and a re-rendered input
    // takes back the draft's value, wiping what is being typed.
    let ondispatch: Callback<Action> = {
        let (dispatcher, edited) = (wizard.dispatcher(), edited.setter());
        (*use_memo((), move |_| {
            Callback::from(move |a: Action| {
                edited.set(true);
                dispatcher.dispatch(a.into())
            })
        }))
        .clone()
    };
    // The core's notes about the server's public address, beside that field.
    let server_notes = use_memo(current.clone(), |c| {
        c.as_ref()
            .as_ref()
            .map(|s| portplan_core::plan::alternate_server_address(&s.scenario))
            .unwrap_or_default()
    });
    // The containers a target can land on: the hosts of step 2, by name.
    let containers: Rc<Vec<AttrValue>> = use_memo(wizard.draft.hosts.clone(), |hosts| {
        hosts
            .iter()
            .map(|h| AttrValue::from(h.name.clone()))
            .collect()
    });
    // The plan view draws the lines scrolled into view, and all of them for print.
    use_effect_with((), |_| {
        let listeners = crate::plan_view::listen();
        move || drop(listeners)
    });
    // The diagram's zoom step (components/diagram.rs).
    let zoom = use_state_eq(|| 0usize);
    let d = &wizard.draft;
    let problem_list = if problems.is_empty() {
        Html::default()
    } else {
        let title = if stale {
            format!("The plan below is out of date: {}", problems.count_text())
        } else {
            format!("No plan yet: {}", problems.count_text())
        };
        html! {
            <section id="problems" role="alert" aria-labelledby="problems-title">
                <h2 id="problems-title">{ title }</h2>
                <ul>
                    { for problems.list.iter().map(|p| {
                        let id = field_id(&p.field);
                        let onclick = Callback::from(move |_| focus_id(&id));
                        html! {
                            <li class="problem" data-field={p.field.clone()}>
                                <button type="button" class="link" {onclick}>{ p.sentence() }</button>
                            </li>
                        }
                    }) }
                </ul>
                if checked.errors.len() >= crate::state::MAX_ERRORS {
                    <p>{ format!("The first {} are listed; fixing them shows the rest.", crate::state::MAX_ERRORS) }</p>
                }
            </section>
        }
    };
    let result = match &shown {
        Some(s) => {
            let (diagram, verification, firewall, warnings) =
                exports::containers(&zoom, &drawn, &firewall, &reports, &controls);
            html! {
            <>
                if stale {
                    <p id="stale-note" class="stale-note" role="status">
                        { format!("Out of date: this is the last valid plan. {} above.", problems.count_text()) }
                    </p>
                }
                { warnings }
                <p class="print-only" id="print-summary">
                    { format!("Plan for {} {}: server {} ({}), {} workloads, {} flows.",
                        labels::product(s.scenario.product), s.scenario.version, s.scenario.server.name,
                        s.scenario.server.address, s.scenario.workloads.len(), s.plan.flows.len()) }
                </p>
                // What a firewall team asks for first, then the files, the picture
                // and the verification.
                { firewall }
                <Downloads scenario={s.scenario.clone()} plan={s.plan.clone()} reports={reports.clone()} />
                { diagram }
                { verification }
                // The plan itself, every flow, drawn line by line as it scrolls into view
                // (web/src/plan_view.rs) from the exports module's lines.
                { crate::plan_view::section() }
            </>
            }
        }
        None => Html::default(),
    };
    html! {
        <>
            <header>
                <nav class="skip-links no-print" aria-label="Skip links">
                    <button type="button" id="skip-results" onclick={Callback::from(|_| focus_id("results"))}>{ "Skip to results" }</button>
                    <button type="button" id="skip-downloads" onclick={Callback::from(|_| focus_id("downloads"))}>{ "Skip to downloads" }</button>
                </nav>
                <h1>{ "portplan" }<span>{ " — PlateSpin network port planner" }</span></h1>
                <button type="button" id="reference-toggle" class="no-print" aria-pressed={if *reference { "true" } else { "false" }}
                    onclick={let r = reference.clone(); Callback::from(move |_| r.set(!*r))}>
                    { if *reference { "Back to the planner" } else { "Reference: rules by release" } }
                </button>
                // A damaged link has no plan, so no link to share either.
                if link_error.is_none() {
                    <ShareLink url={(*share_url).clone()} />
                }
                <p class="print-only" id="print-link">
                    { "Share link: " }{ (*share_url).clone().unwrap_or_else(|| AttrValue::from("none (the scenario has problems to fix)")) }
                </p>
                if let Some(e) = &*link_error {
                    <p class="field-error" role="alert" id="link-error">{ e }</p>
                }
            </header>
            <main>
                <section id="reference" aria-labelledby="reference-title" hidden={!*reference}>
                    <h2 id="reference-title" tabindex="-1">{ "Reference: the port rules of a release" }</h2>
                    <p class="hint">{ "The catalog by product and release, without entering any hosts." }</p>
                    <div id="reference-view"></div>
                </section>
                <div id="planner" hidden={*reference}>
                if *opening {
                    <p id="opening" class="loading" role="status">{ "Opening the shared plan…" }</p>
                } else if link_error.is_some() {
                    // A damaged link shows no plan: not the sample's, not an older one.
                    <section id="link-broken" class="review-bar" aria-labelledby="link-broken-title">
                        <h2 id="link-broken-title">{ "This link holds no plan to show" }</h2>
                        <p>{ "Ask for the link again, or start a new plan here." }</p>
                        <button type="button" id="start-new" onclick={
                            let (link_error, review) = (link_error.clone(), review.clone());
                            Callback::from(move |_| {
                                set_address(&page_base());
                                review.set(false);
                                link_error.set(None);
                            })
                        }>{ "Start a new plan" }</button>
                    </section>
                } else if *review {
                    <section id="review" class="review-bar" aria-labelledby="review-title">
                        <h2 id="review-title">{ format!("Review of a shared plan: {} {}, {} workloads", labels::product(d.product), d.version, d.workloads.len()) }</h2>
                        <p>{ "Read-only: nothing here changes the link. Edit opens the wizard; the link then follows your changes." }</p>
                        <button type="button" id="edit-plan" onclick={let r = review.clone(); Callback::from(move |_| r.set(false))}>{ "Edit" }</button>
                    </section>
                    <div class="result" id="results" tabindex="-1">{ result }</div>
                } else {
                    { problem_list }
                    <form class="wizard" onsubmit={Callback::from(|e: SubmitEvent| e.prevent_default())}>
                        <Deployment draft={d.clone()} problems={problems.clone()} {server_notes} ondispatch={ondispatch.clone()} />
                        <Hosts hosts={d.hosts.clone()} connectors={d.connectors.clone()} admins={d.admins.clone()} factory={d.factory.clone()} product={d.product} version={AttrValue::from(d.version.clone())} problems={problems.clone()} ondispatch={ondispatch.clone()} />
                        <Workloads workloads={d.workloads.clone()} product={d.product} version={AttrValue::from(d.version.clone())} {containers} problems={problems.clone()} ondispatch={ondispatch.clone()} />
                        <Import workloads={d.workloads.len()} draft={d.clone()} ondispatch={ondispatch} onreport={on_report} />
                    </form>
                    <div class={classes!("result", stale.then_some("stale"))} id="results" tabindex="-1">{ result }</div>
                }
                </div>
            </main>
        </>
    }
}
