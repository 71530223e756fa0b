//! The page: the wizard on top, the plan computed live below it.

use crate::components::deployment::Deployment;
use crate::components::downloads::Downloads;
use crate::components::field::{field_id, Problem};
use crate::components::firewall::FirewallView;
use crate::components::hosts::Hosts;
use crate::components::import::Import;
use crate::components::plan_view::PlanView;
use crate::components::share_link::ShareLink;
use crate::components::workloads::Workloads;
use crate::exports;
use crate::share;
use crate::state::{Action, Draft, Wizard};
use portplan_core::{InputError, Plan, Scenario};
use std::rc::Rc;
use wasm_bindgen::JsCast;
use yew::prelude::*;

type Evaluation = Result<(Rc<Scenario>, Rc<Plan>), InputError>;

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
    let evaluation: Rc<Evaluation> = use_memo(wizard.draft.clone(), |d| {
        d.evaluate().map(|(s, p)| (Rc::new(s), Rc::new(p)))
    });
    let plan_json = use_memo(evaluation.clone(), |e| {
        e.as_ref()
            .as_ref()
            .ok()
            .map(|(_, p)| Rc::<str>::from(p.to_json()))
    });
    // After each render of a new plan, the exports module (imported with the first
    // plan; the page never waits for it) redraws the diagram and the verification view.
    use_effect_with(plan_json.clone(), |json| {
        if let Some(json) = json.as_ref() {
            exports::show(json.clone());
        }
    });
    let fragment = use_memo(evaluation.clone(), |e| {
        e.as_ref().as_ref().ok().map(|(s, _)| share::fragment(s))
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
    let problem = Problem(evaluation.as_ref().as_ref().err().cloned());
    let result = match (evaluation.as_ref(), plan_json.as_ref()) {
        (Ok((s, p)), Some(json)) => {
            let (diagram, verification) = exports::containers();
            html! {
            <>
                <Downloads scenario={s.clone()} plan_json={json.clone()} />
                { diagram }
                { verification }
                <FirewallView plan={p.clone()} />
                <PlanView plan={p.clone()} />
            </>
            }
        }
        (Ok(_), None) => Html::default(),
        (Err(e), _) => {
            let path = e.path().to_string();
            let onclick = Callback::from(move |_| focus(&path));
            html! {
                <section id="problem" role="alert">
                    <h2>{ "The plan waits for one fix" }</h2>
                    <p><code>{ e.path() }</code>{ ": " }{ problem.for_field(e.path()).unwrap_or_else(|| e.to_string()) }</p>
                    <button type="button" {onclick}>{ "Go to the field" }</button>
                </section>
            }
        }
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
                <ContextProvider<Problem> context={problem.clone()}>
                    <form class="wizard" onsubmit={Callback::from(|e: SubmitEvent| e.prevent_default())}>
                        <Deployment draft={d.clone()} ondispatch={ondispatch.clone()} />
                        <Hosts hosts={d.hosts.clone()} connectors={d.connectors.clone()} ondispatch={ondispatch.clone()} />
                        <Workloads workloads={d.workloads.clone()} ondispatch={ondispatch.clone()} />
                        <Import ondispatch={ondispatch} />
                    </form>
                </ContextProvider<Problem>>
                <div class="result">{ result }</div>
            </main>
        </>
    }
}
