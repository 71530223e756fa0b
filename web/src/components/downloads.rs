//! Downloads, generated in the browser from the same core functions the CLI calls, so
//! a file saved here is byte-identical to `portplan plan --format …`.
//!
//! Adding a format (PDF, SVG…) is one line in [`PLAN_EXPORTS`].

use portplan_core::{export, Plan, Scenario};
use std::cell::RefCell;
use std::rc::Rc;
use yew::prelude::*;

/// A file made from the plan.
pub struct PlanExport {
    /// Button text.
    pub label: &'static str,
    /// Suffix after the scenario's server name: `ps01-plan.csv`.
    pub file: &'static str,
    pub mime: &'static str,
    pub render: fn(&Plan) -> Vec<u8>,
}

/// Every plan export the page offers, in button order.
pub const PLAN_EXPORTS: &[PlanExport] = &[
    PlanExport {
        label: "Plan JSON",
        file: "plan.json",
        mime: "application/json",
        render: |p| p.to_json().into_bytes(),
    },
    PlanExport {
        label: "CSV",
        file: "plan.csv",
        mime: "text/csv",
        render: |p| export::csv::render(p).into_bytes(),
    },
    PlanExport {
        label: "Markdown",
        file: "plan.md",
        mime: "text/markdown",
        render: |p| export::markdown::render(p).into_bytes(),
    },
];

/// The file name: `<server>-<suffix>`, the server name being a checked host name.
pub fn file_name(s: &Scenario, suffix: &str) -> String {
    format!("{}-{suffix}", s.server.name)
}

#[derive(Properties, PartialEq)]
pub struct DownloadsProps {
    pub scenario: Rc<Scenario>,
    pub plan: Rc<Plan>,
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

#[function_component]
pub fn Downloads(p: &DownloadsProps) -> Html {
    let last = use_mut_ref(|| None::<gloo_file::ObjectUrl>);
    let button = |id: String,
                  label: &'static str,
                  name: String,
                  mime: &'static str,
                  bytes: Rc<dyn Fn() -> Vec<u8>>| {
        let last = last.clone();
        let onclick = Callback::from(move |_| save(&last, &name, mime, &bytes()));
        html! { <li><button type="button" id={id} {onclick}>{ label }</button></li> }
    };
    let s = p.scenario.clone();
    let scenario = button(
        "download-scenario".into(),
        "Scenario JSON",
        file_name(&s, "scenario.json"),
        "application/json",
        Rc::new(move || s.to_json().into_bytes()),
    );
    html! {
        <section id="downloads" class="no-print" aria-labelledby="downloads-title">
            <h2 id="downloads-title">{ "Downloads" }</h2>
            <ul class="downloads">
                { scenario }
                { for PLAN_EXPORTS.iter().map(|e| {
                    let plan = p.plan.clone();
                    let id = format!("download-{}", e.file.replace('.', "-"));
                    button(id, e.label, file_name(&p.scenario, e.file), e.mime, Rc::new(move || (e.render)(&plan)))
                }) }
            </ul>
        </section>
    }
}
