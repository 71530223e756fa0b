//! The words the planner page uses for the core's values and messages, shared by its
//! two wasm modules (the wizard and the lazily loaded exports module, which reads
//! pasted workload lists): labels for the enums, and [`words`] for the core's
//! messages, so a person reads the same words in every list as on the controls.

use crate::types::Replication;
use crate::{Os, Product, Transfer};

pub fn product(p: Product) -> &'static str {
    match p {
        Product::Migrate => "PlateSpin Migrate",
        Product::Protect => "PlateSpin Protect",
        Product::Forge => "PlateSpin Forge",
        Product::PortabilitySuite => "PlateSpin Portability Suite",
    }
}

pub fn os(o: Os) -> &'static str {
    match o {
        Os::Windows => "Windows",
        Os::Linux => "Linux",
    }
}

pub fn transfer(t: Transfer) -> &'static str {
    match t {
        Transfer::File => "file-based",
        Transfer::VssBbt => "VSS block-based",
        Transfer::Block => "block-based",
        Transfer::BlockLegacy => "legacy block-based",
    }
}

pub fn replication(r: Replication) -> &'static str {
    match r {
        Replication::SourceListens => "source listens",
        Replication::TargetListens => "target listens",
    }
}

/// The core's message in the page's words: enum names as Rust prints them
/// (`TargetListens`) and as files spell them (`"block-legacy"`, `migrate 12.3`) become
/// the labels above, quotes become curly, and the sentence starts with a capital and
/// ends with a full stop.
pub fn words(message: &str) -> String {
    let mut m = message.to_string();
    for r in Replication::ALL {
        let label = format!("“{}”", replication(*r));
        m = m.replace(&format!("\"{}\"", r.as_str()), &label);
        m = replace_word(&m, &format!("{r:?}"), &label);
    }
    for t in Transfer::ALL {
        m = m.replace(
            &format!("\"{}\"", t.as_str()),
            &format!("{} transfer", transfer(*t)),
        );
    }
    m = m.replace("block-legacy transfer", "legacy block-based transfer");
    for p in Product::ALL {
        m = m.replace(&format!("{} ", p.as_str()), &format!("{} ", product(*p)));
    }
    m = m
        .replace("a windows workload", "a Windows workload")
        .replace("a linux workload", "a Linux workload")
        .replace("(A-Z)", "(A–Z)")
        .replace("empty name", "the name is empty")
        .replace(
            "is not a valid IPv6 address",
            "is not an IP address or DNS name (a port or a ':' does not belong here)",
        );
    let mut out = curly(&m);
    if !out.ends_with('.') {
        out.push('.');
    }
    let mut chars = out.chars();
    match chars.next() {
        Some(c) if c.is_ascii_lowercase() => std::iter::once(c.to_ascii_uppercase())
            .chain(chars)
            .collect(),
        _ => out,
    }
}

/// Replaces `from` where it is a whole word (`SourceListens`, not the start of
/// `SourceListensForConnection`, the vendor's setting named in a message).
fn replace_word(text: &str, from: &str, to: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find(from) {
        let after = &rest[i + from.len()..];
        out.push_str(&rest[..i]);
        if after.starts_with(|c: char| c.is_ascii_alphanumeric()) {
            out.push_str(from);
        } else {
            out.push_str(to);
        }
        rest = after;
    }
    out.push_str(rest);
    out
}

/// `"x"` → `“x”`.
fn curly(text: &str) -> String {
    let mut open = true;
    text.chars()
        .map(|c| match c {
            '"' => {
                let q = if open { '“' } else { '”' };
                open = !open;
                q
            }
            c => c,
        })
        .collect()
}

/// Splits typed drive letters (`C, E`, `C E`, `C;E`) into the strings the core reads.
pub fn split_drives(text: &str) -> Vec<&str> {
    text.split(|c: char| c == ',' || c == ';' || c.is_whitespace())
        .filter(|s| !s.is_empty())
        .collect()
}

/// Whether a file read as text is binary (an image, an archive, a spreadsheet's XLSX):
/// it holds a NUL, bytes that are not UTF-8 (read as U+FFFD), or more control
/// characters than a text file has. The page refuses such a file with "not a text
/// file" rather than reading its bytes as workloads or JSON.
pub fn binary(text: &str) -> bool {
    let mut control = 0usize;
    let mut all = 0usize;
    for c in text.chars() {
        all += 1;
        match c {
            '\0' | '\u{FFFD}' => return true,
            '\t' | '\n' | '\r' | '\u{0C}' => {}
            c if c.is_control() => control += 1,
            _ => {}
        }
    }
    control > 0 && control * 100 >= all
}

#[cfg(test)]
mod binary_tests {
    use super::binary;

    #[test]
    fn binary_files_are_told_from_text() {
        for (text, is_binary) in [
            ("Hostname\tIP\nweb01\t10.0.0.1\n", false),
            ("{\"format\": 1}\r\n", false),
            ("Zürich;Škoda;日本\n", false),
            ("", false),
            // What File.text() gives for a PNG's first bytes.
            ("\u{FFFD}PNG\r\n\u{1a}\n\0\0\0\rIHDR", true),
            ("a\0b", true),
            ("\u{1}\u{2}\u{3}abc", true),
        ] {
            assert_eq!(binary(text), is_binary, "{text:?}");
        }
    }
}
