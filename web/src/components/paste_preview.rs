//! The preview of a paste: how it was read, each row with its problems, and the choice
//! to append, replace or cancel. Nothing is added before that choice.

use super::labels;
use crate::paste::Pasted;
use std::rc::Rc;
use yew::prelude::*;

/// Rows listed (those with problems first, then a few ready ones); the counts cover all.
const SHOWN: usize = 50;

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
    html! {
        <section id="paste-preview" aria-labelledby="paste-preview-title" class="preview">
            <h3 id="paste-preview-title">{ "Preview" }</h3>
            <p id="paste-summary">{ how }{ " " }{ status }</p>
            <ul class="pasted">
                { for rows.iter().filter(|r| !r.errors.is_empty()).chain(rows.iter().filter(|r| r.errors.is_empty()).take(3)).take(SHOWN).map(|r| {
                    let w = &r.workload;
                    let text = format!("line {}: {} {} {} {} {} {} → {} {}", r.line, w.name, w.address,
                        labels::os(w.os), w.windows, w.drives, labels::transfer(w.transfer), w.target.name, w.target.address);
                    html! {
                        <li class={classes!("pasted", (!r.errors.is_empty()).then_some("invalid"))} data-line={r.line.to_string()}>
                            { text }{ " — " }<span class="row-errors">{ if r.errors.is_empty() { "ready".to_string() } else { r.errors.join(" ") } }</span>
                        </li>
                    }
                }) }
            </ul>
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
