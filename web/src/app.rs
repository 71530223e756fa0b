//! The page: the wizard on top, the plan computed live below it.

use crate::components::deployment::Deployment;
use crate::components::downloads::Downloads;
use crate::components::field::field_id;
use crate::components::firewall::FirewallView;
use crate::components::hosts::Hosts;
use crate::components::import::Import;
use crate::components::plan_view::PlanView;
use crate::components::share_link::ShareLink;
use crate::components::workloads::Workloads;
use crate::exports;
use crate::problems::Problems;
use crate::share;
use crate::state::{Action, Checked, Draft, Wizard};
use portplan_core::{Plan, Scenario};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use yew::prelude::*;

/// A plan the page can show: the scenario it came from, and its JSON for the exports
/// module and the download.
#[derive(Debug, PartialEq)]
pub struct Shown {
    pub scenario: Rc<Scenario>,
    pub plan: Rc<Plan>,
    pub json: Rc<str>,
}

impl Shown {
    fn of(checked: &Checked) -> Option<Rc<Shown>> {
        let (s, p) = checked.plan.as_ref()?;
        Some(Rc::new(Shown {
            json: Rc::from(p.to_json()),
            scenario: Rc::new(s.clone()),
            plan: Rc::new(p.clone()),
        }))
    }
}

fn location_hash() -> String {
    gloo_utils::window().location().hash().unwrap_or_default()
}

/// The starting draft: the link's scenario if the page was opened from one.
fn initial() -> (Draft, Option<String>) {
    match share::parse(&location_hash()) {
        Some(Ok(s)) => (Draft::from_scenario(&s), None),
        Some(Err(e)) => (Draft::default(), Some(e.to_string())),
        None => (Draft::default(), None),
    }
}

fn focus(path: &str) {
    let el = gloo_utils::document().get_element_by_id(&field_id(path));
    if let Some(el) = el.and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok()) {
        let _ = el.focus();
    }
}

#[function_component]
pub fn App() -> Html {
    let start = use_memo((), |_| initial());
    let link_error = use_state(|| start.1.clone());
    let wizard = {
        let draft = start.0.clone();
        use_reducer_eq(move || Wizard { draft })
    };
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
    // plan; the page never waits for it) redraws the diagram and the verification view.
    let plan_json = shown.as_ref().map(|s| s.json.clone());
    use_effect_with(plan_json.clone(), |json| {
        if let Some(json) = json.as_ref() {
            exports::show(json.clone());
        }
    });
    let fragment = use_memo(plan_json.clone(), |_| {
        shown.as_ref().map(|s| share::fragment(&s.scenario))
    });
    // Keep the address bar's fragment equal to the valid scenario (no history entry).
    use_effect_with(fragment.clone(), |f| {
        if let Some(f) = f.as_ref() {
            if location_hash() != *f {
                let _ = gloo_utils::window().history().and_then(|h| {
                    h.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(f))
                });
            }
        }
    });
    // A link pasted into the address bar of an open page changes only the fragment.
    {
        let (dispatcher, link_error) = (wizard.dispatcher(), link_error.clone());
        use_effect_with((), move |_| {
            let listener =
                gloo_events::EventListener::new(&gloo_utils::window(), "hashchange", move |_| {
                    match share::parse(&location_hash()) {
                        Some(Ok(s)) => {
                            link_error.set(None);
                            dispatcher.dispatch(Action::Load(Draft::from_scenario(&s)));
                        }
                        Some(Err(e)) => link_error.set(Some(e.to_string())),
                        None => {}
                    }
                });
            move || drop(listener)
        });
    }
    let share_url = fragment.as_ref().as_ref().map(|f| {
        let loc = gloo_utils::window().location();
        let base = format!(
            "{}{}{}",
            loc.origin().unwrap_or_default(),
            loc.pathname().unwrap_or_default(),
            loc.search().unwrap_or_default()
        );
        AttrValue::from(format!("{base}{f}"))
    });
    let ondispatch = {
        let w = wizard.clone();
        Callback::from(move |a: Action| w.dispatch(a))
    };
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
                        let onclick = Callback::from(move |_| focus(&id));
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
    let warnings = shown
        .as_ref()
        .map(|s| crate::warnings::of(&s.scenario))
        .unwrap_or_default();
    let result = match &shown {
        Some(s) => {
            let (diagram, verification) = exports::containers();
            html! {
            <>
                if stale {
                    <p id="stale-note" class="stale-note" role="status">
                        { format!("Out of date: this is the last valid plan. {} above.", problems.count_text()) }
                    </p>
                }
                if !warnings.is_empty() {
                    <section id="warnings" aria-labelledby="warnings-title">
                        <h2 id="warnings-title">{ "Worth a look" }</h2>
                        <ul>{ for warnings.iter().map(|w| html! { <li class="warning">{ w }</li> }) }</ul>
                    </section>
                }
                <Downloads scenario={s.scenario.clone()} plan_json={s.json.clone()} />
                { diagram }
                { verification }
                <FirewallView plan={s.plan.clone()} />
                <PlanView plan={s.plan.clone()} />
            </>
            }
        }
        None => Html::default(),
    };
    html! {
        <>
            <header>
                <h1>{ "portplan" }<span>{ " — PlateSpin network port planner" }</span></h1>
                <ShareLink url={share_url} />
                if let Some(e) = &*link_error {
                    <p class="field-error" role="alert" id="link-error">{ e }</p>
                }
            </header>
            <main>
                { problem_list }
                <form class="wizard" onsubmit={Callback::from(|e: SubmitEvent| e.prevent_default())}>
                    <Deployment draft={d.clone()} problems={problems.clone()} ondispatch={ondispatch.clone()} />
                    <Hosts hosts={d.hosts.clone()} connectors={d.connectors.clone()} problems={problems.clone()} ondispatch={ondispatch.clone()} />
                    <Workloads workloads={d.workloads.clone()} problems={problems.clone()} ondispatch={ondispatch.clone()} />
                    <Import workloads={d.workloads.len()} ondispatch={ondispatch} />
                </form>
                <div class={classes!("result", stale.then_some("stale"))}>{ result }</div>
            </main>
        </>
    }
}
