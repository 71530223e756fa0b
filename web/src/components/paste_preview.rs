//! The preview of a paste: how it was read, each row with its problems (drawn by the
//! exports module, which reads the paste: `web-exports/src/paste.rs`), and the choice
//! to append, replace or cancel. Nothing is added before that choice.

use crate::state::{HostDraft, WorkloadDraft};
use portplan_core::{Os, Transfer};
use yew::prelude::*;

/// A paste as the exports module read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pasted {
    /// The preview (summary and rows), escaped by the exports module.
    pub html: AttrValue,
    pub rows: Vec<WorkloadDraft>,
}

/// Between the fields of a row (`web-exports/src/paste.rs`, `FIELD_SEPARATOR`).
const FIELD_SEPARATOR: char = '\u{1f}';

fn one_of<T: Copy>(all: &[T], name: &str, as_str: fn(T) -> &'static str, default: T) -> T {
    all.iter()
        .copied()
        .find(|v| as_str(*v) == name)
        .unwrap_or(default)
}

/// One row's fields as the exports module encodes them: name, address, os, windows,
/// drives, transfer, agent, target name, target address, target container, target
/// public address, outside (`1`, `0`, empty), an OS it could not read.
pub fn row(line: &str) -> WorkloadDraft {
    let f: Vec<&str> = line.split(FIELD_SEPARATOR).collect();
    let at = |i: usize| f.get(i).copied().unwrap_or("").to_string();
    let mut w = WorkloadDraft::new(at(0));
    w.address = at(1);
    w.os = one_of(Os::ALL, &at(2), Os::as_str, Os::Windows);
    w.windows = at(3);
    w.drives = at(4);
    w.transfer = one_of(Transfer::ALL, &at(5), Transfer::as_str, Transfer::File);
    w.agent = at(6) == "1";
    w.target = HostDraft {
        name: at(7),
        address: at(8),
    };
    w.target_container = at(9);
    w.target_public_address = at(10);
    w.outside = match at(11).as_str() {
        "1" => Some(true),
        "0" => Some(false),
        _ => None,
    };
    w.os_unknown = Some(at(12)).filter(|t| !t.is_empty());
    w
}

impl Pasted {
    /// What `readPaste` returns: the preview's HTML, then one line per row.
    pub fn read(lines: Vec<String>) -> Pasted {
        let mut it = lines.into_iter();
        let html = AttrValue::from(it.next().unwrap_or_default());
        Pasted {
            html,
            rows: it.map(|l| row(&l)).collect(),
        }
    }
}

#[derive(Properties, PartialEq)]
pub struct PastePreviewProps {
    pub pasted: std::rc::Rc<Pasted>,
    /// Workloads already in the scenario.
    pub existing: usize,
    /// `Some(false)` append, `Some(true)` replace, `None` cancel.
    pub ondecide: Callback<Option<bool>>,
}

#[function_component]
pub fn PastePreview(p: &PastePreviewProps) -> Html {
    let n = p.pasted.rows.len();
    html! {
        <section id="paste-preview" aria-labelledby="paste-preview-title" class="preview">
            <h3 id="paste-preview-title">{ "Preview" }</h3>
            { Html::from_html_unchecked(p.pasted.html.clone()) }
            <button type="button" id="paste-append" onclick={p.ondecide.reform(|_| Some(false))}>
                { format!("Add {n} rows to the {} workloads", p.existing) }</button>
            { " " }
            <button type="button" id="paste-replace" onclick={p.ondecide.reform(|_| Some(true))}>
                { format!("Replace the workloads with these {n} rows") }</button>
            { " " }
            <button type="button" id="paste-cancel" onclick={p.ondecide.reform(|_| None)}>{ "Cancel" }</button>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_come_back_as_wizard_rows() {
        let w = row("db01\u{1f}10.0.1.11\u{1f}linux\u{1f}\u{1f}\u{1f}vss-bbt\u{1f}1\u{1f}db01-t\u{1f}10.0.2.11");
        assert_eq!(w.name, "db01");
        assert_eq!(w.os, Os::Linux);
        assert_eq!(w.transfer, Transfer::VssBbt);
        assert!(w.agent);
        assert_eq!(w.target.address, "10.0.2.11");
        assert!(!w.draft);
        let w = row("sol01\u{1f}10.0.1.5\u{1f}windows\u{1f}\u{1f}\u{1f}file\u{1f}\u{1f}sol01-t\u{1f}10.0.2.5\u{1f}vc01\u{1f}203.0.113.5\u{1f}1\u{1f}solaris");
        assert_eq!(
            (
                w.target_container.as_str(),
                w.target_public_address.as_str()
            ),
            ("vc01", "203.0.113.5")
        );
        assert_eq!(w.outside, Some(true));
        assert_eq!(w.os_unknown.as_deref(), Some("solaris"));
        // A short line is a row with the defaults.
        let w = row("x");
        assert_eq!(
            (w.os, w.transfer, w.agent),
            (Os::Windows, Transfer::File, false)
        );
    }
}
