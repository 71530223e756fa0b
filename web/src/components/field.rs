//! Labelled form controls that show the core's error about their field.
//!
//! Every control has a `<label>` (visible, or screen-reader only inside table rows) and
//! a JSON path that gives its id; when the page's [`crate::problems::Problems`] has a
//! message for that path, it appears beside the control and the control is marked
//! `aria-invalid`, so nothing is refused silently.
//!
//! Text is committed when the field is left or Enter is pressed (the `change` event),
//! not on every keystroke: a half-typed address is not an error yet, and a wave of a
//! thousand workloads is planned once per edit.

use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

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

fn error_html(id: &str, error: &Option<AttrValue>) -> Html {
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
    /// Called with the text when it is committed (blur or Enter) and changed.
    pub oninput: Callback<String>,
    /// The problem to show beside the control.
    #[prop_or_default]
    pub error: Option<AttrValue>,
    #[prop_or_default]
    pub disabled: bool,
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
    let error = p.error.clone();
    let onchange = p
        .oninput
        .reform(|e: Event| e.target_unchecked_into::<HtmlInputElement>().value());
    let onkeydown = {
        let commit = p.oninput.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Enter" {
                e.prevent_default();
                commit.emit(e.target_unchecked_into::<HtmlInputElement>().value());
            }
        })
    };
    html! {
        <div class={classes!("field", error.is_some().then_some("invalid"))}>
            <label for={id.clone()} class={classes!(p.hide_label.then_some("sr-only"))}>{ &p.label }</label>
            <input type="text" id={id.clone()} value={p.value.clone()} {onchange} {onkeydown} disabled={p.disabled}
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
    pub error: Option<AttrValue>,
    #[prop_or_default]
    pub hide_label: bool,
    /// `(value, reason)` of options that do not apply: disabled, with the reason shown
    /// under the control (once per reason).
    #[prop_or_default]
    pub unavailable: Vec<(AttrValue, AttrValue)>,
    /// Show the reasons under the control (rows show them once for the table instead).
    #[prop_or(true)]
    pub show_reasons: bool,
}

#[function_component]
pub fn SelectField(p: &SelectFieldProps) -> Html {
    let id = field_id(&p.path);
    let error = p.error.clone();
    let onchange = p
        .onchange
        .reform(|e: Event| e.target_unchecked_into::<HtmlSelectElement>().value());
    // Once a person has picked an option, the `selected` attribute no longer moves the
    // selection: a value changed by the page (an import, undo) is set on the element.
    let node = use_node_ref();
    {
        let node = node.clone();
        use_effect_with(p.value.clone(), move |v| {
            if let Some(select) = node.cast::<HtmlSelectElement>() {
                if select.value() != v.as_str() {
                    select.set_value(v);
                }
            }
        });
    }
    html! {
        <div class={classes!("field", error.is_some().then_some("invalid"))}>
            <label for={id.clone()} class={classes!(p.hide_label.then_some("sr-only"))}>{ &p.label }</label>
            <select id={id.clone()} ref={node} {onchange}
                aria-invalid={error.is_some().then_some("true")}
                aria-describedby={error.is_some().then(|| format!("{id}-err"))}>
                { for p.options.iter().map(|(v, t)| {
                    let reason = p.unavailable.iter().find(|(u, _)| u == v).map(|(_, r)| r.clone());
                    let off = reason.is_some();
                    let text = if off { format!("{t} (not available)") } else { t.to_string() };
                    html! {
                        <option value={v.clone()} selected={*v == p.value} disabled={off} title={reason}>{ text }</option>
                    }
                }) }
            </select>
            if p.show_reasons {
                { for p.unavailable.iter().map(|(_, r)| html! { <span class="field-note">{ r }</span> }) }
            }
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
    pub error: Option<AttrValue>,
    /// Why the option does not apply, when it does not (the control is disabled).
    #[prop_or_default]
    pub disabled: Option<AttrValue>,
    #[prop_or_default]
    pub hide_label: bool,
}

#[function_component]
pub fn CheckField(p: &CheckFieldProps) -> Html {
    let id = field_id(&p.path);
    let error = p.error.clone();
    let onchange = p
        .onchange
        .reform(|e: Event| e.target_unchecked_into::<HtmlInputElement>().checked());
    html! {
        <div class={classes!("field", "check", error.is_some().then_some("invalid"))}>
            <input type="checkbox" id={id.clone()} checked={p.checked} {onchange}
                disabled={p.disabled.is_some()} title={p.disabled.clone()}
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

    #[test]
    fn ids_from_paths() {
        assert_eq!(
            field_id("workloads[0].target.name"),
            "f-workloads-0-target-name"
        );
        assert_eq!(field_id("server.address"), "f-server-address");
    }
}
