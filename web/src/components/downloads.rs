//! Downloads, generated in the browser from the same core functions the CLI calls, so
//! a file saved here is byte-identical to `portplan plan --format …`.
//!
//! Adding a format is one line in [`PLAN_EXPORTS`]. Only the plan JSON (which the page
//! makes anyway for the exports module) is written by the main module; the other files
//! come from the exports module (see `crate::exports`), which keeps their code out of
//! the main bundle.

use crate::exports;
use portplan_core::Scenario;
use std::cell::RefCell;
use std::rc::Rc;
use yew::prelude::*;

/// A file made from the plan.
pub struct PlanExport {
    /// Button text.
    pub label: &'static str,
    /// Suffix after the scenario's server name: `ps01-plan.csv`; the button's id is
    /// `download-` and this with `-` for `.`.
    pub file: &'static str,
    pub mime: &'static str,
    /// The exports module's name of the format (`portplan plan --format <kind>`);
    /// `None`: the plan JSON itself.
    pub kind: Option<&'static str>,
}

/// Every plan export the page offers, in button order.
pub const PLAN_EXPORTS: &[PlanExport] = &[
    PlanExport {
        label: "Plan JSON",
        file: "plan.json",
        mime: "application/json",
        kind: None,
    },
    PlanExport {
        label: "CSV",
        file: "plan.csv",
        mime: "text/csv",
        kind: Some("csv"),
    },
    PlanExport {
        label: "Markdown",
        file: "plan.md",
        mime: "text/markdown",
        kind: Some("md"),
    },
    PlanExport {
        label: "Diagram (SVG)",
        file: "diagram.svg",
        mime: "image/svg+xml",
        kind: Some("svg"),
    },
    PlanExport {
        label: "PDF checklist",
        file: "checklist.pdf",
        mime: "application/pdf",
        kind: Some("pdf"),
    },
];

/// The file name: `<server>-<suffix>`, the server name being a checked host name.
pub fn file_name(s: &Scenario, suffix: &str) -> String {
    format!("{}-{suffix}", s.server.name)
}

#[derive(Properties, PartialEq)]
pub struct DownloadsProps {
    pub scenario: Rc<Scenario>,
    /// The plan as `Plan::to_json`.
    pub plan_json: Rc<str>,
}

/// Saves bytes through a Blob URL; the URL is kept until the next download so the
/// browser has finished reading it.
fn save(last: &RefCell<Option<gloo_file::ObjectUrl>>, name: &str, mime: &str, bytes: &[u8]) {
    use wasm_bindgen::JsCast;
    let blob = gloo_file::Blob::new_with_options(bytes, Some(mime));
    let url = gloo_file::ObjectUrl::from(blob);
    let Ok(a) = gloo_utils::document().create_element("a") else {
        return;
    };
    let Ok(a) = a.dyn_into::<web_sys::HtmlAnchorElement>() else {
        return;
    };
    a.set_href(&url);
    a.set_download(name);
    a.click();
    *last.borrow_mut() = Some(url);
}

type Last = Rc<RefCell<Option<gloo_file::ObjectUrl>>>;

fn button(id: String, label: &'static str, onclick: Callback<MouseEvent>) -> Html {
    html! { <li><button type="button" id={id} {onclick}>{ label }</button></li> }
}

#[function_component]
pub fn Downloads(p: &DownloadsProps) -> Html {
    let last: Last = use_mut_ref(|| None);
    let error = use_state(|| None::<String>);
    let s = p.scenario.clone();
    let scenario = {
        let (last, name) = (last.clone(), file_name(&s, "scenario.json"));
        button(
            "download-scenario".into(),
            "Scenario JSON",
            Callback::from(move |_| save(&last, &name, "application/json", s.to_json().as_bytes())),
        )
    };
    html! {
        <section id="downloads" class="no-print" aria-labelledby="downloads-title">
            <h2 id="downloads-title">{ "Downloads" }</h2>
            <ul class="downloads">
                { scenario }
                { for PLAN_EXPORTS.iter().map(|e| {
                    let (last, error, plan) = (last.clone(), error.clone(), p.plan_json.clone());
                    let name = file_name(&p.scenario, e.file);
                    let onclick = Callback::from(move |_| match e.kind {
                        None => save(&last, &name, e.mime, plan.as_bytes()),
                        Some(kind) => {
                            let (last, error, name) = (last.clone(), error.clone(), name.clone());
                            exports::make(kind, plan.clone(), move |r| match r {
                                Ok(bytes) => save(&last, &name, e.mime, &bytes),
                                Err(m) => error.set(Some(m)),
                            });
                        }
                    });
                    button(format!("download-{}", e.file.replace('.', "-")), e.label, onclick)
                }) }
            </ul>
            if let Some(e) = &*error {
                <p class="field-error" role="alert">{ e }</p>
            }
        </section>
    }
}
