//! Bringing many workloads in at once: paste what a spreadsheet copy gives (or import a
//! CSV/TSV file), preview it with each row's problems, then append or replace; or
//! import a whole scenario file. Files are read in the browser; nothing is uploaded.

use super::paste_preview::{PastePreview, Pasted};
use crate::exports::ImportKind;
use crate::state::{Action, Draft};
use portplan_core::scenario::{MAX_PLAN_BYTES, MAX_WORKLOADS};
use portplan_core::InputError;
use std::rc::Rc;
use web_sys::{HtmlInputElement, HtmlTextAreaElement};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct ImportProps {
    /// How many workloads the draft has (the cap is checked against it).
    pub workloads: usize,
    /// The wizard as it is, kept before an import so the import can be undone.
    pub draft: Draft,
    pub ondispatch: Callback<Action>,
    /// Loads a report dropped here (name, text) as the Verification input does; the
    /// outcome in words (`Err`: refused).
    pub onreport: Callback<(String, String), Result<String, String>>,
}

/// Reads an imported scenario. A file that parses but breaks a rule is still loaded:
/// the wizard then shows the core's error beside the field, where it can be fixed.
pub fn read_scenario(text: &str) -> Result<Draft, InputError> {
    crate::state::read_scenario(text).map(|s| Draft::from_scenario(&s))
}

#[function_component]
pub fn Import(p: &ImportProps) -> Html {
    let paste = use_state(String::new);
    let message = use_state(|| None::<Result<String, String>>);
    let preview = use_state(|| None::<Rc<Pasted>>);
    // The wizard before the last import or paste, and what that import was.
    let undo = use_state(|| None::<(Rc<Draft>, String)>);
    let room = MAX_WORKLOADS.saturating_sub(p.workloads);

    let on_paste_input = {
        let paste = paste.clone();
        Callback::from(move |e: InputEvent| {
            paste.set(e.target_unchecked_into::<HtmlTextAreaElement>().value())
        })
    };
    let read = {
        let (message, preview) = (message.clone(), preview.clone());
        // The exports module reads the paste (it is not needed for the first plan).
        Callback::from(move |text: String| {
            let (message, preview) = (message.clone(), preview.clone());
            crate::exports::paste(text, room, move |r| match r {
                Ok(lines) => {
                    message.set(None);
                    preview.set(Some(Rc::new(Pasted::read(lines))));
                }
                Err(e) => {
                    preview.set(None);
                    message.set(Some(Err(e)));
                }
            })
        })
    };
    let on_preview = {
        let (paste, read) = (paste.clone(), read.clone());
        Callback::from(move |_| read.emit((*paste).clone()))
    };
    let on_decide = {
        let (paste, message, preview, d, undo, before) = (
            paste.clone(),
            message.clone(),
            preview.clone(),
            p.ondispatch.clone(),
            undo.clone(),
            p.draft.clone(),
        );
        Callback::from(move |replace: Option<bool>| {
            if let (Some(replace), Some(rows)) = (replace, preview.as_ref()) {
                undo.set(Some((Rc::new(before.clone()), "paste".into())));
                let n = rows.rows.len();
                let drafts = rows.rows.clone();
                d.emit(if replace {
                    Action::ReplaceWorkloads(drafts)
                } else {
                    Action::AppendWorkloads(drafts)
                });
                message.set(Some(Ok(if replace {
                    format!("replaced the workloads with {n} pasted rows")
                } else {
                    format!("added {n} workloads")
                })));
                paste.set(String::new());
            }
            preview.set(None);
        })
    };
    let on_file = {
        let (message, d, read, undo, before, onreport) = (
            message.clone(),
            p.ondispatch.clone(),
            read.clone(),
            undo.clone(),
            p.draft.clone(),
            p.onreport.clone(),
        );
        Callback::from(move |e: Event| {
            let input = e.target_unchecked_into::<HtmlInputElement>();
            let Some(file) = input.files().and_then(|l| l.get(0)) else {
                return;
            };
            input.set_value("");
            let file = gloo_file::File::from(file);
            let (message, d, read, undo, before, onreport) = (
                message.clone(),
                d.clone(),
                read.clone(),
                undo.clone(),
                Rc::new(before.clone()),
                onreport.clone(),
            );
            wasm_bindgen_futures::spawn_local(async move {
                let name = file.name();
                // The size first: a file larger than any input the page reads (a plan or
                // report of the most workloads) is refused before a byte is read.
                if file.size() > MAX_PLAN_BYTES as u64 {
                    message.set(Some(Err(format!(
                        "{name}: {} bytes, larger than the {MAX_PLAN_BYTES}-byte limit",
                        file.size()
                    ))));
                    return;
                }
                match gloo_file::futures::read_as_text(&file).await {
                    // An image or an archive: its bytes are no workloads.
                    Ok(text) if portplan_core::words::binary(&text) => {
                        message.set(Some(Err(format!(
                            "{name}: not a text file (it holds binary data): import a scenario JSON file or a CSV/TSV list of workloads"
                        ))))
                    }
                    // A spreadsheet export goes to the preview, like a paste.
                    Ok(text) if !text.trim_start().starts_with('{') => read.emit(text),
                    // The exports module tells a scenario from a plan or a report, and
                    // words what does not read.
                    Ok(text) => match crate::exports::read_import(&text).await {
                        // The reducer's Verification section loads it, as from its own input.
                        Ok(ImportKind::Report) => {
                            match onreport.emit((name.clone(), text)) {
                                Ok(line) => message.set(Some(Ok(format!(
                                    "{name} is a verification report, not a scenario: it was loaded under Verification, with the results ({line})"
                                )))),
                                Err(line) => message.set(Some(Err(format!(
                                    "{name} looks like a verification report, not a scenario: under Verification it was not loaded ({line})"
                                )))),
                            }
                        }
                        Ok(ImportKind::Scenario(s)) => {
                            d.emit(Action::Load(Box::new(Draft::from_scenario(&s))));
                            undo.set(Some((before, name.clone())));
                            message.set(Some(Ok(format!("imported {name}"))));
                        }
                        Err(e) => message.set(Some(Err(format!("{name}: {e}")))),
                    },
                    Err(e) => message.set(Some(Err(format!("{name}: {e}")))),
                }
            });
        })
    };
    html! {
        <fieldset class="step no-print">
            <legend>{ "Bring in many workloads" }</legend>
            <div class="field">
                <label for="paste">{ "Paste rows from a spreadsheet or CSV (a header row such as Hostname, IP, OS, Drives, Target name, Target IP is recognised; tab, ; or , between fields)" }</label>
                <textarea id="paste" rows="3" value={(*paste).clone()} oninput={on_paste_input}
                    placeholder={"Hostname\tIP\tOS\tTarget name\tTarget IP\ndb02\t10.0.1.12\tWindows Server 2016\tdb02-t\t10.0.2.12"} spellcheck="false"
                    aria-describedby="import-message"></textarea>
            </div>
            <button type="button" id="paste-add" onclick={on_preview}>{ "Preview pasted rows" }</button>
            if let Some(rows) = preview.as_ref() {
                <PastePreview pasted={rows.clone()} existing={p.workloads} ondecide={on_decide} />
            }
            <div class="field">
                <label for="import-file">{ "Import a scenario JSON file, or a CSV/TSV list of workloads" }</label>
                <input type="file" id="import-file" accept=".json,application/json,.csv,.tsv,.txt,text/csv" onchange={on_file}
                    aria-describedby="import-message" />
            </div>
            <p id="import-message" role="status" class={classes!(matches!(*message, Some(Err(_))).then_some("field-error"))}>
                { match &*message { Some(Ok(m)) | Some(Err(m)) => m.clone(), None => String::new() } }
            </p>
            if let Some((before, what)) = (*undo).clone() {
                <button type="button" id="import-undo" onclick={
                    let (d, undo, message) = (p.ondispatch.clone(), undo.clone(), message.clone());
                    Callback::from(move |_| {
                        d.emit(Action::Load(Box::new((*before).clone())));
                        undo.set(None);
                        message.set(Some(Ok("undone: the wizard is back as it was before".into())));
                    })
                }>{ format!("Undo the {what} import") }</button>
            }
        </fieldset>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_that_breaks_a_rule_is_loaded_and_the_error_shown() {
        let text = include_str!("../../../examples/legacy-block.json").replace("8.1.3", "12.3");
        let draft = read_scenario(&text).expect("loads");
        let e = draft.evaluate().expect_err("refused");
        assert_eq!(e.path(), "workloads[0].transfer");
    }

    #[test]
    fn a_file_that_is_not_a_scenario_is_refused_with_its_path() {
        let e = read_scenario(r#"{"format":1,"product":"migrate","version":"12.3","server":{"name":"a","address":"1.2.3.4"},"workloads":[{"name":"w","address":"1.2.3.5","os":"windows","drives":["1"]}]}"#)
            .expect_err("bad letter");
        assert!(
            e.to_string()
                .contains("\"1\" is not a drive letter (A-Z) at line 1"),
            "{e}"
        );
        assert!(read_scenario("not json").is_err());
    }
}
