//! Wizard step 3: source workloads, one row each, with their targets.
//!
//! Rows stay compact (two lines per workload: the source, then its target with its
//! container and NAT address) so a wave of fifty is still a few screens of scrolling;
//! duplicate copies a row with fresh names, paste and import live in [`super::import`].

use super::field::{field_id, CheckField, SelectField, TextField};
use super::labels;
use crate::problems::Problems;
use crate::state::{Action, HostField, WorkloadDraft, WorkloadEdit};
use portplan_core::support::{transfer_reason, Feature};
use portplan_core::types::Version;
use portplan_core::{Os, Product, Transfer};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use yew::prelude::*;

const WINDOWS_VERSIONS: &[&str] = &[
    "2003", "2003 R2", "xp", "2008", "2008 R2", "2012", "2012 R2", "2016", "2019", "2022", "2025",
    "10", "11",
];

/// Above this many rows, rows off screen are not laid out or painted (the `long`
/// class, see style.css): what keeps an edit in a wave of a thousand fast. Shorter
/// lists are drawn whole (a full-page screenshot or a printout shows every row).
const LONG_WAVE: usize = 100;

#[derive(Properties, PartialEq)]
pub struct WorkloadsProps {
    pub workloads: Vec<WorkloadDraft>,
    pub product: Product,
    pub version: AttrValue,
    /// The names of the virtualization hosts and clouds, the containers a target can
    /// land on.
    #[prop_or_default]
    pub containers: Rc<Vec<AttrValue>>,
    pub problems: Rc<Problems>,
    pub ondispatch: Callback<Action>,
}

/// `auto`, outside, inside: the three states of an `outside` field.
fn outside_options(auto: &'static str) -> Vec<(AttrValue, AttrValue)> {
    vec![
        (AttrValue::from(""), AttrValue::from(auto)),
        (AttrValue::from("true"), AttrValue::from("out")),
        (AttrValue::from("false"), AttrValue::from("in")),
    ]
}

fn outside_value(o: Option<bool>) -> AttrValue {
    AttrValue::from(match o {
        None => "",
        Some(true) => "true",
        Some(false) => "false",
    })
}

/// The problems of one row: `(field, message)`, field as in `target.name`.
type RowErrors = Vec<(String, AttrValue)>;

#[derive(Properties, PartialEq)]
struct RowProps {
    index: usize,
    workload: WorkloadDraft,
    errors: RowErrors,
    /// The scenario's product and version, when the version reads.
    release: Option<(Product, Version)>,
    containers: Rc<Vec<AttrValue>>,
    ondispatch: Callback<Action>,
    /// Asks the list to move the focus after a removal.
    onremove: Callback<usize>,
}

/// Moves the keyboard focus to the element with this id, if it is there.
pub fn focus_id(id: &str) {
    let el = gloo_utils::document().get_element_by_id(id);
    if let Some(el) = el.and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok()) {
        let _ = el.focus();
    }
}

#[function_component]
fn WorkloadRow(p: &RowProps) -> Html {
    let i = p.index;
    let n = i + 1;
    let w = &p.workload;
    let at = format!("workloads[{i}]");
    let edit = |f: fn(String) -> WorkloadEdit| {
        let d = p.ondispatch.clone();
        Callback::from(move |v: String| d.emit(Action::Workload(i, f(v))))
    };
    let d = p.ondispatch.clone();
    let on_os = Callback::from(move |v: String| {
        if let Ok(os) = v.parse::<Os>() {
            d.emit(Action::Workload(i, WorkloadEdit::Os(os)));
        }
    });
    let d = p.ondispatch.clone();
    let on_transfer = Callback::from(move |v: String| {
        if let Ok(t) = v.parse::<Transfer>() {
            d.emit(Action::Workload(i, WorkloadEdit::Transfer(t)));
        }
    });
    let d = p.ondispatch.clone();
    let on_agent =
        Callback::from(move |a: bool| d.emit(Action::Workload(i, WorkloadEdit::Agent(a))));
    let d = p.ondispatch.clone();
    let on_outside = Callback::from(move |v: String| {
        d.emit(Action::Workload(i, WorkloadEdit::Outside(v.parse().ok())))
    });
    let d = p.ondispatch.clone();
    let on_target_outside = Callback::from(move |v: String| {
        d.emit(Action::Workload(
            i,
            WorkloadEdit::TargetOutside(v.parse().ok()),
        ))
    });
    // The hosts of step 2, and the row's own container when it names none of them
    // (a paste): shown as typed, with the core's error beside it.
    let mut containers: Vec<(AttrValue, AttrValue)> = vec![(
        AttrValue::from(""),
        AttrValue::from("none: physical or X2P"),
    )];
    containers.extend(p.containers.iter().map(|c| (c.clone(), c.clone())));
    let typed = w.target_container.trim();
    if !typed.is_empty() && !p.containers.iter().any(|c| c.as_str() == typed) {
        containers.push((
            AttrValue::from(typed.to_string()),
            AttrValue::from(format!("{typed} (not a host of step 2)")),
        ));
    }
    let mut os_options = labels::options(Os::ALL, labels::os);
    let os_value = match &w.os_unknown {
        Some(t) => {
            os_options.insert(
                0,
                (
                    AttrValue::from("?"),
                    AttrValue::from(format!("{t}: unknown")),
                ),
            );
            AttrValue::from("?")
        }
        None => AttrValue::from(w.os.as_str()),
    };
    let duplicate = p.ondispatch.reform(move |_| Action::DuplicateWorkload(i));
    let remove = p.onremove.reform(move |_| i);
    let err = |field: &str| {
        p.errors
            .iter()
            .find(|(f, _)| f == field)
            .map(|(_, m)| m.clone())
    };
    let linux = w.os != Os::Windows;
    let unavailable: Vec<(AttrValue, AttrValue)> = match &p.release {
        Some((product, v)) => Transfer::ALL
            .iter()
            .filter(|t| **t != w.transfer)
            .filter_map(|t| {
                transfer_reason(*t, w.os, *product, v)
                    .map(|r| (AttrValue::from(t.as_str()), AttrValue::from(r)))
            })
            .collect(),
        None => vec![],
    };
    let agent_reason = match &p.release {
        Some((product, v)) if !w.agent => Feature::Agent.reason(*product, v).map(AttrValue::from),
        _ => None,
    };
    // The target's text fields: one control written once (the first-load module grows
    // by each control written out).
    let text_cell = |class: &'static str,
                     what: &str,
                     field: &str,
                     value: &String,
                     placeholder: &'static str,
                     f: fn(String) -> WorkloadEdit| {
        html! {
            <td {class}><TextField label={format!("{what} of workload {n}")} hide_label=true path={format!("{at}.{field}")}
                error={err(field)} value={value.clone()} {placeholder} oninput={edit(f)} /></td>
        }
    };
    html! {
        <tr class={classes!("workload", w.draft.then_some("draft"))}>
            <td><TextField label={format!("Name of workload {n}")} hide_label=true path={format!("{at}.name")} error={err("name")}
                value={w.name.clone()} oninput={edit(WorkloadEdit::Name)} /></td>
            <td><TextField label={format!("Address of workload {n}")} hide_label=true path={format!("{at}.address")} error={err("address")}
                value={w.address.clone()} placeholder="IP or DNS" oninput={edit(WorkloadEdit::Address)} /></td>
            <td><SelectField label={format!("OS of workload {n}")} hide_label=true path={format!("{at}.os")} error={err("os")}
                value={os_value} options={os_options} onchange={on_os} /></td>
            <td class="narrow"><TextField label={format!("Windows version of workload {n}")} hide_label=true
                path={format!("{at}.windows")} error={err("windows")}
                value={if linux { AttrValue::default() } else { AttrValue::from(w.windows.clone()) }}
                list="windows-versions" disabled={linux}
                placeholder={AttrValue::from(if linux { "not for Linux" } else { "e.g. 2016" })}
                oninput={edit(WorkloadEdit::Windows)} /></td>
            <td class="narrow"><TextField label={format!("Drives to mirror of workload {n}")} hide_label=true
                path={format!("{at}.drives")} error={err("drives")} value={w.drives.clone()} placeholder="C, E"
                oninput={edit(WorkloadEdit::Drives)} /></td>
            <td><SelectField label={format!("Transfer method of workload {n}")} hide_label=true
                path={format!("{at}.transfer")} error={err("transfer")} value={w.transfer.as_str()}
                options={labels::options(Transfer::ALL, labels::transfer)} {unavailable} show_reasons=false onchange={on_transfer} /></td>
            <td><CheckField label={format!("Workload {n} uses the Migrate Agent")} hide_label=true path={format!("{at}.agent")} error={err("agent")} checked={w.agent} disabled={agent_reason} onchange={on_agent} /></td>
            <td><SelectField label={format!("Workload {n} outside the server's network")} hide_label=true path={format!("{at}.outside")} error={err("outside")}
                value={outside_value(w.outside)} options={outside_options(if w.agent { "auto: out" } else { "auto: in" })} onchange={on_outside} /></td>
            { text_cell("t-name", "Target name", "target.name", &w.target.name, "target name", |v| WorkloadEdit::Target(HostField::Name, v)) }
            { text_cell("t-address", "Target address", "target.address", &w.target.address, "target IP or DNS", |v| WorkloadEdit::Target(HostField::Address, v)) }
            <td class="t-container"><SelectField label={format!("Target container of workload {n}")} hide_label=true path={format!("{at}.target.container")} error={err("target.container")}
                value={AttrValue::from(typed.to_string())} options={containers}
                onchange={edit(WorkloadEdit::TargetContainer)} /></td>
            { text_cell("t-public", "Target public address (NAT)", "target.public_address", &w.target_public_address, "target NAT address", WorkloadEdit::TargetPublicAddress) }
            <td class="t-outside"><SelectField label={format!("Target of workload {n} outside the server's network")} hide_label=true path={format!("{at}.target.outside")} error={err("target.outside")}
                value={outside_value(w.target_outside)} options={outside_options("auto")} onchange={on_target_outside} /></td>
            <td class="actions">
                <button type="button" class="icon" aria-label={format!("Copy workload {n}")} title="Copy this row with fresh names" onclick={duplicate}>{ "Copy" }</button>
                <button type="button" class="icon" aria-label={format!("Remove workload {n}")} title="Remove" onclick={remove}>{ "✕" }</button>
            </td>
        </tr>
    }
}

#[function_component]
pub fn Workloads(p: &WorkloadsProps) -> Html {
    // Where the focus goes after the next render: into a new row, or to the
    // neighbour of a removed one.
    let pending: Rc<RefCell<Option<String>>> = use_mut_ref(|| None);
    {
        let pending = pending.clone();
        use_effect_with(p.workloads.len(), move |_| {
            if let Some(id) = pending.borrow_mut().take() {
                focus_id(&id);
            }
        });
    }
    let add = {
        let (d, pending, n) = (p.ondispatch.clone(), pending.clone(), p.workloads.len());
        Callback::from(move |_| {
            *pending.borrow_mut() = Some(field_id(&format!("workloads[{n}].name")));
            d.emit(Action::AddWorkload)
        })
    };
    // The same callback from render to render (while the row count stays), so a row
    // whose props did not change is not rendered again: an edit of one row of a wave of
    // a thousand renders that row only.
    let onremove = {
        let (d, pending) = (p.ondispatch.clone(), pending.clone());
        use_callback(p.workloads.len(), move |i: usize, n: &usize| {
            let n = *n;
            // The row that takes its place, else the one before, else "Add workload".
            let next = if i + 1 < n {
                field_id(&format!("workloads[{i}].name"))
            } else if i > 0 {
                field_id(&format!("workloads[{}].name", i - 1))
            } else {
                "add-workload".to_string()
            };
            *pending.borrow_mut() = Some(next);
            d.emit(Action::RemoveWorkload(i))
        })
    };
    let clear = p.ondispatch.reform(|_| Action::ClearWorkloads);
    let mut errors: Vec<RowErrors> = vec![Vec::new(); p.workloads.len()];
    for d in &p.problems.list {
        let Some(rest) = d.field.strip_prefix("workloads[") else {
            continue;
        };
        let Some((i, field)) = rest.split_once("].") else {
            continue;
        };
        if let Some(row) = i.parse::<usize>().ok().and_then(|i| errors.get_mut(i)) {
            row.push((field.to_string(), AttrValue::from(d.message.clone())));
        }
    }
    let release = Version::parse(p.version.trim()).map(|v| (p.product, v));
    // What this release does not offer, said once for the table.
    let mut not_offered: Vec<String> = match &release {
        Some((product, v)) => [Feature::Agent, Feature::Block, Feature::BlockLegacy]
            .iter()
            .filter_map(|f| f.reason(*product, v))
            .collect(),
        None => vec![],
    };
    if p.workloads.iter().any(|w| w.os == Os::Linux) {
        not_offered.push(
            "Linux workloads: VSS and legacy block-based transfer are for Windows only, and the Windows version does not apply.".into(),
        );
    }
    html! {
        <fieldset class="step" id="f-workloads">
            <legend>{ format!("3. Source workloads and targets ({})", p.workloads.len()) }</legend>
            <datalist id="windows-versions">
                { for WINDOWS_VERSIONS.iter().map(|v| html! { <option value={*v} /> }) }
            </datalist>
            if !not_offered.is_empty() {
                <div class="not-offered" id="not-offered">
                    <p>{ "Not offered for this release (disabled in the rows):" }</p>
                    <ul>{ for not_offered.iter().map(|r| html! { <li>{ r }</li> }) }</ul>
                </div>
            }
            <p class="field-note" id="outside-note">{ "Each row: the source, then its target. Outside: dials public (NAT) addresses; auto: agent workloads and targets in a cloud are outside." }</p>
            <div class="scroll">
                <table class={classes!("rows", "workloads", (p.workloads.len() > LONG_WAVE).then_some("long"))}>
                    <thead><tr>
                        <th>{ "Name" }</th><th>{ "Address" }</th><th>{ "OS" }</th><th>{ "Windows" }</th>
                        <th>{ "Drives" }</th><th>{ "Transfer" }</th><th>{ "Agent" }</th><th>{ "Outside" }</th>
                        <th class="t-name">{ "→ Target name" }</th><th class="t-address">{ "Target address" }</th>
                        <th class="t-container">{ "Container" }</th><th class="t-public">{ "Target public address (NAT)" }</th>
                        <th class="t-outside">{ "Target outside" }</th><th class="actions"><span class="sr-only">{ "Row actions" }</span></th>
                    </tr></thead>
                    <tbody>
                        { for p.workloads.iter().zip(errors).enumerate().map(|(i, (w, errors))| html! {
                            <WorkloadRow key={i} index={i} workload={w.clone()} {errors} release={release.clone()} containers={p.containers.clone()}
                                ondispatch={p.ondispatch.clone()} onremove={onremove.clone()} />
                        }) }
                    </tbody>
                </table>
            </div>
            <button type="button" id="add-workload" onclick={add}>{ "Add workload" }</button>
            if !p.workloads.is_empty() {
                <button type="button" id="clear-workloads" onclick={clear}>{ format!("Remove all {} workloads", p.workloads.len()) }</button>
            }
        </fieldset>
    }
}
