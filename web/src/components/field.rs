//! Labelled form controls that show the core's error when it names their field.
//!
//! Every control has a `<label>` (visible, or screen-reader only inside table rows) and
//! a JSON path; when the core's [`InputError`] points at that path (or inside it, as
//! `drives[1]` is inside `drives`) the message appears beside the control and the
//! control is marked `aria-invalid`, so nothing is refused silently.

use portplan_core::InputError;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

/// The current problem of the draft, shared with every field through a context.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Problem(pub Option<InputError>);

impl Problem {
    /// The message for the field at `path`, if the core's error is about it.
    pub fn for_field(&self, path: &str) -> Option<String> {
        let e = self.0.as_ref()?;
        let p = e.path();
        let hit = p == path
            || p.strip_prefix(path)
                .is_some_and(|rest| rest.starts_with('['));
        hit.then(|| match e {
            InputError::Json { message, .. } => without_position(message).to_string(),
            InputError::Invalid { message, .. } => message.clone(),
            other => other.to_string(),
        })
    }
}

/// Drops serde's ` at line 1 column 330`: the position is in JSON the page wrote
/// itself, not in anything the user typed; the field already says where.
fn without_position(message: &str) -> &str {
    match message.rfind(" at line ") {
        Some(i)
            if message[i + 9..]
                .split(" column ")
                .all(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit())) =>
        {
            &message[..i]
        }
        _ => message,
    }
}

/// A DOM id from a JSON path: `workloads[1].drives` → `f-workloads-1-drives`.
pub fn field_id(path: &str) -> String {
    let mut id = String::from("f-");
    for c in path.chars() {
        match c {
            'a'..='z' | 'A'..='Z' | '0'..='9' => id.push(c),
            ']' => {}
            _ => id.push('-'),
        }
    }
    id
}

fn field_error(problem: Option<Problem>, path: &str) -> Option<String> {
    problem.and_then(|p| p.for_field(path))
}

fn error_html(id: &str, error: &Option<String>) -> Html {
    match error {
        Some(m) => {
            html! { <span class="field-error" id={format!("{id}-err")} role="alert">{ m }</span> }
        }
        None => html! {},
    }
}

#[derive(Properties, PartialEq)]
pub struct TextFieldProps {
    pub label: AttrValue,
    /// JSON path of the value in the scenario format (`server.address`).
    pub path: AttrValue,
    pub value: AttrValue,
    pub oninput: Callback<String>,
    #[prop_or_default]
    pub placeholder: Option<AttrValue>,
    /// Id of a `<datalist>` with suggestions.
    #[prop_or_default]
    pub list: Option<AttrValue>,
    /// Label for screen readers only (table rows, where the column header shows it).
    #[prop_or_default]
    pub hide_label: bool,
}

#[function_component]
pub fn TextField(p: &TextFieldProps) -> Html {
    let id = field_id(&p.path);
    let error = field_error(use_context::<Problem>(), &p.path);
    let oninput = p
        .oninput
        .reform(|e: InputEvent| e.target_unchecked_into::<HtmlInputElement>().value());
    html! {
        <div class={classes!("field", error.is_some().then_some("invalid"))}>
            <label for={id.clone()} class={classes!(p.hide_label.then_some("sr-only"))}>{ &p.label }</label>
            <input type="text" id={id.clone()} value={p.value.clone()} {oninput}
                placeholder={p.placeholder.clone()} list={p.list.clone()}
                spellcheck="false" autocomplete="off"
                aria-invalid={error.is_some().then_some("true")}
                aria-describedby={error.is_some().then(|| format!("{id}-err"))} />
            { error_html(&id, &error) }
        </div>
    }
}

#[derive(Properties, PartialEq)]
pub struct SelectFieldProps {
    pub label: AttrValue,
    pub path: AttrValue,
    pub value: AttrValue,
    /// `(value, text)` pairs.
    pub options: Vec<(AttrValue, AttrValue)>,
    pub onchange: Callback<String>,
    #[prop_or_default]
    pub hide_label: bool,
}

#[function_component]
pub fn SelectField(p: &SelectFieldProps) -> Html {
    let id = field_id(&p.path);
    let error = field_error(use_context::<Problem>(), &p.path);
    let onchange = p
        .onchange
        .reform(|e: Event| e.target_unchecked_into::<HtmlSelectElement>().value());
    html! {
        <div class={classes!("field", error.is_some().then_some("invalid"))}>
            <label for={id.clone()} class={classes!(p.hide_label.then_some("sr-only"))}>{ &p.label }</label>
            <select id={id.clone()} {onchange}
                aria-invalid={error.is_some().then_some("true")}
                aria-describedby={error.is_some().then(|| format!("{id}-err"))}>
                { for p.options.iter().map(|(v, t)| html! {
                    <option value={v.clone()} selected={*v == p.value}>{ t }</option>
                }) }
            </select>
            { error_html(&id, &error) }
        </div>
    }
}

#[derive(Properties, PartialEq)]
pub struct CheckFieldProps {
    pub label: AttrValue,
    pub path: AttrValue,
    pub checked: bool,
    pub onchange: Callback<bool>,
    #[prop_or_default]
    pub hide_label: bool,
}

#[function_component]
pub fn CheckField(p: &CheckFieldProps) -> Html {
    let id = field_id(&p.path);
    let error = field_error(use_context::<Problem>(), &p.path);
    let onchange = p
        .onchange
        .reform(|e: Event| e.target_unchecked_into::<HtmlInputElement>().checked());
    html! {
        <div class={classes!("field", "check", error.is_some().then_some("invalid"))}>
            <input type="checkbox" id={id.clone()} checked={p.checked} {onchange}
                aria-invalid={error.is_some().then_some("true")} />
            <label for={id.clone()} class={classes!(p.hide_label.then_some("sr-only"))}>{ &p.label }</label>
            { error_html(&id, &error) }
        </div>
    }
}

/// `(value, text)` options of a core enum, from its `ALL` list.
pub fn enum_options<T: Copy + std::fmt::Display>(all: &[T]) -> Vec<(AttrValue, AttrValue)> {
    all.iter()
        .map(|v| {
            (
                AttrValue::from(v.to_string()),
                AttrValue::from(v.to_string()),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::{Action, Draft, WorkloadEdit};

    #[test]
    fn errors_land_on_the_field_they_name() {
        let mut d = Draft::default();
        d.apply(Action::Workload(0, WorkloadEdit::Drives("C 1".into())));
        let p = Problem(d.evaluate().err());
        assert!(p
            .for_field("workloads[0].drives")
            .is_some_and(|m| m.contains("\"1\"")));
        assert_eq!(p.for_field("workloads[0].name"), None);
        assert_eq!(p.for_field("workloads[0].drive"), None);
        assert_eq!(p.for_field("workloads[1].drives"), None);
        assert_eq!(
            field_id("workloads[0].target.name"),
            "f-workloads-0-target-name"
        );
    }
}
