//! Wizard step 3: source workloads, one row each, with their targets.
//!
//! Rows stay compact (one line per workload) so a wave of fifty is still one screen of
//! scrolling; duplicate copies a row with fresh names, paste and import live in
//! [`super::import`].

use super::field::{CheckField, SelectField, TextField};
use super::labels;
use crate::state::{Action, HostField, WorkloadDraft, WorkloadEdit};
use portplan_core::{Os, Transfer};
use yew::prelude::*;

const WINDOWS_VERSIONS: &[&str] = &[
    "2003", "2003 R2", "xp", "2008", "2008 R2", "2012", "2012 R2", "2016", "2019", "2022", "2025",
    "10", "11",
];

#[derive(Properties, PartialEq)]
pub struct WorkloadsProps {
    pub workloads: Vec<WorkloadDraft>,
    pub ondispatch: Callback<Action>,
}

#[derive(Properties, PartialEq)]
struct RowProps {
    index: usize,
    workload: WorkloadDraft,
    ondispatch: Callback<Action>,
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
    let duplicate = p.ondispatch.reform(move |_| Action::DuplicateWorkload(i));
    let remove = p.ondispatch.reform(move |_| Action::RemoveWorkload(i));
    html! {
        <tr class="workload">
            <td><TextField label={format!("Name of workload {n}")} hide_label=true path={format!("{at}.name")}
                value={w.name.clone()} oninput={edit(WorkloadEdit::Name)} /></td>
            <td><TextField label={format!("Address of workload {n}")} hide_label=true path={format!("{at}.address")}
                value={w.address.clone()} placeholder="IP or DNS" oninput={edit(WorkloadEdit::Address)} /></td>
            <td><SelectField label={format!("OS of workload {n}")} hide_label=true path={format!("{at}.os")}
                value={w.os.as_str()} options={labels::options(Os::ALL, labels::os)} onchange={on_os} /></td>
            <td class="narrow"><TextField label={format!("Windows version of workload {n}")} hide_label=true
                path={format!("{at}.windows")} value={w.windows.clone()} list="windows-versions"
                placeholder={(w.os == Os::Windows).then_some(AttrValue::from("e.g. 2016"))}
                oninput={edit(WorkloadEdit::Windows)} /></td>
            <td class="narrow"><TextField label={format!("Drives to mirror of workload {n}")} hide_label=true
                path={format!("{at}.drives")} value={w.drives.clone()} placeholder="C, E"
                oninput={edit(WorkloadEdit::Drives)} /></td>
            <td><SelectField label={format!("Transfer method of workload {n}")} hide_label=true
                path={format!("{at}.transfer")} value={w.transfer.as_str()}
                options={labels::options(Transfer::ALL, labels::transfer)} onchange={on_transfer} /></td>
            <td><CheckField label={format!("Workload {n} uses the Migrate Agent")} hide_label=true path={format!("{at}.agent")} checked={w.agent} onchange={on_agent} /></td>
            <td><TextField label={format!("Target name of workload {n}")} hide_label=true path={format!("{at}.target.name")}
                value={w.target.name.clone()} oninput={edit(|v| WorkloadEdit::Target(HostField::Name, v))} /></td>
            <td><TextField label={format!("Target address of workload {n}")} hide_label=true path={format!("{at}.target.address")}
                value={w.target.address.clone()} placeholder="IP or DNS"
                oninput={edit(|v| WorkloadEdit::Target(HostField::Address, v))} /></td>
            <td class="actions">
                <button type="button" class="icon" aria-label={format!("Duplicate workload {n}")} title="Duplicate" onclick={duplicate}>{ "Copy" }</button>
                <button type="button" class="icon" aria-label={format!("Remove workload {n}")} title="Remove" onclick={remove}>{ "✕" }</button>
            </td>
        </tr>
    }
}

#[function_component]
pub fn Workloads(p: &WorkloadsProps) -> Html {
    let add = p.ondispatch.reform(|_| Action::AddWorkload);
    html! {
        <fieldset class="step" id="f-workloads">
            <legend>{ format!("3. Source workloads and targets ({})", p.workloads.len()) }</legend>
            <datalist id="windows-versions">
                { for WINDOWS_VERSIONS.iter().map(|v| html! { <option value={*v} /> }) }
            </datalist>
            <div class="scroll">
                <table class="rows workloads">
                    <thead><tr>
                        <th>{ "Name" }</th><th>{ "Address" }</th><th>{ "OS" }</th><th>{ "Windows" }</th>
                        <th>{ "Drives" }</th><th>{ "Transfer" }</th><th>{ "Agent" }</th>
                        <th>{ "Target name" }</th><th>{ "Target address" }</th><th><span class="sr-only">{ "Row actions" }</span></th>
                    </tr></thead>
                    <tbody>
                        { for p.workloads.iter().enumerate().map(|(i, w)| html! {
                            <WorkloadRow key={i} index={i} workload={w.clone()} ondispatch={p.ondispatch.clone()} />
                        }) }
                    </tbody>
                </table>
            </div>
            <button type="button" id="add-workload" onclick={add}>{ "Add workload" }</button>
        </fieldset>
    }
}
