//! Escaping for the markup the exports write (SVG here, the report view's HTML in the
//! page): one function, so an untrusted host name can never open a tag anywhere.

/// Escapes the five characters that end text or an attribute in XML and HTML. `'`
/// becomes `&#39;`, which both read (`&apos;` is not HTML 4).
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn escapes_the_five_markup_characters() {
        assert_eq!(
            super::escape(r#"a&b<c>"d'"#),
            "a&amp;b&lt;c&gt;&quot;d&#39;"
        );
    }
}
