//! The preview of a paste: how it was read, each row with its problems, and the choice
//! to append, replace or cancel. Nothing is added before that choice.

use super::labels;
use crate::paste::Pasted;
use std::rc::Rc;
use yew::prelude::*;

/// Rows shown in the table; the counts cover all of them.
const SHOWN: usize = 200;

#[derive(Properties, PartialEq)]
pub struct PastePreviewProps {
    pub pasted: Rc<Pasted>,
    /// Workloads already in the scenario.
    pub existing: usize,
    /// `Some(false)` append, `Some(true)` replace, `None` cancel.
    pub ondecide: Callback<Option<bool>>,
}

#[function_component]
pub fn PastePreview(p: &PastePreviewProps) -> Html {
    let rows = &p.pasted.rows;
    let bad = p.pasted.problem_rows();
    let columns: Vec<&str> = p.pasted.columns.iter().map(|c| c.title()).collect();
    let how = format!(
        "Read {} rows ({}-separated, {}: {}).",
        rows.len(),
        p.pasted.separator,
        if p.pasted.header {
            "columns from the header"
        } else {
            "no header, short form"
        },
        columns.join(", ")
    );
    let status = if bad == 0 {
        "Every row is ready.".to_string()
    } else {
        format!("{bad} of {} rows have problems (listed below); they are added as typed so you can fix them in the table.", rows.len())
    };
    let no_target = rows
        .iter()
        .filter(|r| r.workload.target.name.is_empty() && r.workload.target.address.is_empty())
        .count();
    html! {
        <section id="paste-preview" aria-labelledby="paste-preview-title" class="preview">
            <h3 id="paste-preview-title">{ "Preview" }</h3>
            <p id="paste-summary">{ how }{ " " }{ status }</p>
            if !p.pasted.ignored.is_empty() {
                <p class="hint">{ format!("Ignored columns: {}.", p.pasted.ignored.join(", ")) }</p>
            }
            if no_target > 0 {
                <p class="hint warning">{ format!("{no_target} rows have no target: their transfer ports will not be planned.") }</p>
            }
            <div class="scroll">
                <table class="rows preview">
                    <thead><tr><th>{ "Line" }</th><th>{ "Name" }</th><th>{ "Address" }</th><th>{ "OS" }</th><th>{ "Windows" }</th>
                        <th>{ "Drives" }</th><th>{ "Transfer" }</th><th>{ "Target" }</th><th>{ "Problems" }</th></tr></thead>
                    <tbody>
                        { for rows.iter().take(SHOWN).map(|r| {
                            let w = &r.workload;
                            html! {
                                <tr class={classes!("pasted", (!r.errors.is_empty()).then_some("invalid"))} data-line={r.line.to_string()}>
                                    <td>{ r.line }</td><td>{ &w.name }</td><td>{ &w.address }</td><td>{ labels::os(w.os) }</td>
                                    <td>{ &w.windows }</td><td>{ &w.drives }</td><td>{ labels::transfer(w.transfer) }</td>
                                    <td>{ format!("{} {}", w.target.name, w.target.address).trim().to_string() }</td>
                                    <td class="row-errors">{ if r.errors.is_empty() { "ready".to_string() } else { r.errors.join(" ") } }</td>
                                </tr>
                            }
                        }) }
                    </tbody>
                </table>
            </div>
            if rows.len() > SHOWN {
                <p class="hint">{ format!("The first {SHOWN} of {} rows are shown.", rows.len()) }</p>
            }
            <button type="button" id="paste-append" onclick={p.ondecide.reform(|_| Some(false))}>
                { format!("Add {} rows to the {} workloads", rows.len(), p.existing) }</button>
            { " " }
            <button type="button" id="paste-replace" onclick={p.ondecide.reform(|_| Some(true))}>
                { format!("Replace the workloads with these {} rows", rows.len()) }</button>
            { " " }
            <button type="button" id="paste-cancel" onclick={p.ondecide.reform(|_| None)}>{ "Cancel" }</button>
        </section>
    }
}
