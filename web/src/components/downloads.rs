//! Downloads, generated in the browser from the same core functions the CLI calls, so
//! a file saved here is byte-identical to `portplan plan --format …`.
//!
//! The list is the core's format registry ([`registry::FORMATS`]), the one the CLI's
//! `--format` uses too. Every file comes from the exports module (see `crate::exports`),
//! which keeps their code, and the rules' words, out of the main bundle.

use crate::exports;
use portplan_core::export::registry::{self, Audience, Format};
use portplan_core::{Plan, Scenario};
use std::cell::RefCell;
use std::rc::Rc;
use yew::prelude::*;

/// The file name: `<server>-<suffix>`, the server name being a checked host name.
pub fn file_name(s: &Scenario, suffix: &str) -> String {
    format!("{}-{suffix}", s.server.name)
}

#[derive(Properties, PartialEq)]
pub struct DownloadsProps {
    pub scenario: Rc<Scenario>,
    pub plan: Rc<Plan>,
    /// The loaded reports: their verdicts color the diagram and the PDF.
    pub reports: exports::Reports,
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

fn button(
    id: String,
    label: &'static str,
    about: &'static str,
    onclick: Callback<MouseEvent>,
) -> Html {
    html! { <li><button type="button" id={id} title={about} {onclick}>{ label }</button></li> }
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
            "the scenario, to edit or plan with the CLI",
            Callback::from(move |_| save(&last, &name, "application/json", s.to_json().as_bytes())),
        )
    };
    let format_button = |e: &'static Format| {
        let (last, error, plan, reports) = (
            last.clone(),
            error.clone(),
            p.plan.clone(),
            p.reports.clone(),
        );
        let name = file_name(&p.scenario, e.file);
        let onclick = Callback::from(move |_| {
            // Every file, the plan JSON too, comes from the exports module: the main
            // module plans without the rules' words (`rules::prose` in the core).
            let json = plan.to_json();
            let (last, error, name) = (last.clone(), error.clone(), name.clone());
            exports::make(e.name, Rc::from(json), reports.clone(), move |r| match r {
                Ok(bytes) => save(&last, &name, e.mime, &bytes),
                Err(m) => error.set(Some(m)),
            });
        });
        button(
            format!("download-{}", e.file.replace('.', "-")),
            e.label,
            e.about,
            onclick,
        )
    };
    let of = |a: Audience| {
        registry::FORMATS
            .iter()
            .filter(move |f| f.audience == a && f.on_page())
            .map(format_button)
            .collect::<Html>()
    };
    html! {
        <section id="downloads" class="no-print" tabindex="-1" aria-labelledby="downloads-title">
            <h2 id="downloads-title">{ "Downloads" }</h2>
            <h3 class="downloads-group">{ "Plan documents" }</h3>
            <ul class="downloads">
                { scenario }
                { of(Audience::Document) }
            </ul>
            <h3 class="downloads-group" id="downloads-firewall">{ "For the firewall team" }</h3>
            <ul class="downloads">{ of(Audience::Firewall) }</ul>
            if let Some(e) = &*error {
                <p class="field-error" role="alert">{ e }</p>
            }
        </section>
    }
}
