//! The plan as CSV (RFC 4180: CRLF, every field quoted when needed, UTF-8).

use crate::plan::Plan;

const HEADER: [&str; 12] = [
    "phase",
    "from",
    "from_address",
    "to",
    "to_address",
    "protocol",
    "first_port",
    "last_port",
    "purpose",
    "rule",
    "dialed_address",
    "notes",
];

/// One row per flow, in plan order.
pub fn render(plan: &Plan) -> String {
    let mut out = String::new();
    row(&mut out, HEADER.iter().map(|s| s.to_string()));
    let hosts = super::Hosts::new(plan);
    for f in &plan.flows {
        let (a, b) = f.ports.map_or((String::new(), String::new()), |r| {
            (r.first.to_string(), r.last.to_string())
        });
        row(
            &mut out,
            [
                f.phase.to_string(),
                f.from.to_string(),
                hosts.address(&f.from).to_string(),
                f.to.to_string(),
                hosts.address(&f.to).to_string(),
                f.protocol.to_string(),
                a,
                b,
                f.purpose.clone(),
                f.rule.clone(),
                f.address.clone().unwrap_or_default(),
                hosts.flow_remarks(f),
            ],
        );
    }
    out
}

/// Appends one CSV record.
pub fn row(out: &mut String, fields: impl IntoIterator<Item = String>) {
    let mut first = true;
    for f in fields {
        if !first {
            out.push(',');
        }
        first = false;
        out.push_str(&field(&f));
    }
    out.push_str("\r\n");
}

/// Quotes a field when it holds a separator, quote or line break; a leading `=`, `+`,
/// `-`, `@`, tab or carriage return (OWASP's CSV injection list) is defused with a `'`
/// so spreadsheets never run it as a formula.
pub fn field(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_string()
    };
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn quoting() {
        assert_eq!(super::field("a,b"), "\"a,b\"");
        assert_eq!(super::field("say \"hi\""), "\"say \"\"hi\"\"\"");
        for (input, want) in [
            ("=cmd()", "'=cmd()"),
            ("+1", "'+1"),
            ("-1", "'-1"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\t=1", "'\t=1"),
            ("\r=1", "\"'\r=1\""),
        ] {
            assert_eq!(super::field(input), want, "{input:?}");
        }
        assert_eq!(super::field("plain"), "plain");
    }
}
