//! Compact port labels: `TCP 135, 139, 445, 49152-65535 · UDP 137-138 · ICMP`.
//!
//! Ports of every phase of one arrow are merged per protocol (overlapping ranges
//! always, adjacent ones only when their verdicts agree, so a failing port never hides
//! inside a passing range), then wrapped at separators so a label stays narrow.

use super::overlay::Signal;
use super::shapes::Span;
use crate::types::{PortRange, Protocol};

/// One flow of an arrow, as the label sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Item {
    pub protocol: Protocol,
    pub ports: Option<PortRange>,
    pub status: Option<Signal>,
}

/// Longest label line, in characters, before wrapping.
pub(crate) const MAX_LINE_CHARS: usize = 56;

/// A token that is never split: separator, optional protocol name, ports.
struct Piece {
    lead: &'static str,
    head: &'static str,
    token: String,
    status: Option<Signal>,
}

/// Merged ranges of one protocol: (first, last, status), sorted.
fn merge(mut items: Vec<(u16, u16, Option<Signal>)>) -> Vec<(u16, u16, Option<Signal>)> {
    crate::order::sort(&mut items);
    let mut out: Vec<(u16, u16, Option<Signal>)> = Vec::new();
    for (a, b, s) in items {
        match out.last_mut() {
            Some(last) if a <= last.1 => {
                last.1 = last.1.max(b);
                last.2 = last.2.max(s);
            }
            Some(last) if u32::from(a) == u32::from(last.1) + 1 && last.2 == s => last.1 = b,
            _ => out.push((a, b, s)),
        }
    }
    out
}

fn pieces(items: &[Item]) -> Vec<Piece> {
    let mut out = Vec::new();
    for proto in Protocol::ALL {
        let mine: Vec<&Item> = items.iter().filter(|i| i.protocol == *proto).collect();
        if mine.is_empty() {
            continue;
        }
        let lead = if out.is_empty() { "" } else { " · " };
        let ranges: Vec<(u16, u16, Option<Signal>)> = mine
            .iter()
            .filter_map(|i| i.ports.map(|r| (r.first.get(), r.last.get(), i.status)))
            .collect();
        if ranges.is_empty() {
            let status = mine.iter().map(|i| i.status).max().flatten();
            out.push(Piece {
                lead,
                head: "",
                token: "ICMP".into(),
                status,
            });
            continue;
        }
        let head = match proto {
            Protocol::Tcp => "TCP ",
            Protocol::Udp => "UDP ",
            Protocol::Icmp => "ICMP ",
        };
        for (n, (a, b, s)) in merge(ranges).into_iter().enumerate() {
            let token = if a == b {
                a.to_string()
            } else {
                format!("{a}-{b}")
            };
            let (lead, head) = if n == 0 { (lead, head) } else { (", ", "") };
            out.push(Piece {
                lead,
                head,
                token,
                status: s,
            });
        }
    }
    out
}

/// The label of an arrow as lines of colored spans, each line at most
/// [`MAX_LINE_CHARS`] long unless a single token is longer.
pub(crate) fn label_lines(items: &[Item]) -> Vec<Vec<Span>> {
    let mut lines: Vec<Vec<Span>> = Vec::new();
    let mut cur: Vec<Span> = Vec::new();
    let mut len = 0usize;
    for p in pieces(items) {
        let add = p.lead.chars().count() + p.head.chars().count() + p.token.chars().count();
        let (lead, head) = if len > 0 && len + add > MAX_LINE_CHARS {
            // Break: a comma stays at the end of the line, a " · " disappears.
            if p.lead == ", " {
                push(&mut cur, ",", None);
            }
            lines.push(std::mem::take(&mut cur));
            len = 0;
            ("", p.head)
        } else {
            (p.lead, p.head)
        };
        push(&mut cur, lead, None);
        push(&mut cur, head, None);
        push(&mut cur, &p.token, p.status);
        len += lead.chars().count() + head.chars().count() + p.token.chars().count();
    }
    if !cur.is_empty() {
        lines.push(cur);
    }
    lines
}

/// Appends text, joining it to the previous span when the color is the same.
fn push(line: &mut Vec<Span>, text: &str, status: Option<Signal>) {
    if text.is_empty() {
        return;
    }
    match line.last_mut() {
        Some(last) if last.status == status => last.text.push_str(text),
        _ => line.push(Span {
            text: text.to_string(),
            status,
        }),
    }
}

pub(crate) use super::shapes::line_text;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::Port;

    fn it(protocol: Protocol, a: u16, b: u16, status: Option<Signal>) -> Item {
        let ports = Port::new(a)
            .zip(Port::new(b))
            .and_then(|(a, b)| PortRange::new(a, b));
        Item {
            protocol,
            ports,
            status,
        }
    }
    fn icmp(status: Option<Signal>) -> Item {
        Item {
            protocol: Protocol::Icmp,
            ports: None,
            status,
        }
    }
    fn text(items: &[Item]) -> Vec<String> {
        label_lines(items).iter().map(|l| line_text(l)).collect()
    }

    #[test]
    fn merges_per_protocol_across_phases() {
        use Protocol::{Tcp, Udp};
        let items = [
            it(Tcp, 445, 445, None),
            it(Tcp, 135, 135, None),
            it(Udp, 137, 137, None),
            it(Tcp, 49152, 65535, None),
            it(Udp, 138, 138, None),
            it(Tcp, 139, 139, None),
            it(Tcp, 135, 135, None),
            icmp(None),
            it(Tcp, 50000, 50010, None),
        ];
        assert_eq!(
            text(&items),
            ["TCP 135, 139, 445, 49152-65535 · UDP 137-138 · ICMP"]
        );
    }

    #[test]
    fn adjacent_ports_with_different_verdicts_stay_apart() {
        let items = [
            it(Protocol::Tcp, 10000, 10000, Some(Signal::Pass)),
            it(Protocol::Tcp, 10001, 10001, Some(Signal::Filtered)),
            it(Protocol::Tcp, 10002, 10002, Some(Signal::Filtered)),
        ];
        let lines = label_lines(&items);
        assert_eq!(line_text(&lines[0]), "TCP 10000, 10001-10002");
        let colored: Vec<(&str, Option<Signal>)> = lines[0]
            .iter()
            .map(|s| (s.text.as_str(), s.status))
            .collect();
        assert_eq!(
            colored,
            [
                ("TCP ", None),
                ("10000", Some(Signal::Pass)),
                (", ", None),
                ("10001-10002", Some(Signal::Filtered))
            ]
        );
    }

    #[test]
    fn long_labels_wrap_at_separators() {
        let items: Vec<Item> = (0..20)
            .map(|i| it(Protocol::Tcp, 10000 + 2 * i, 10000 + 2 * i, None))
            .chain([it(Protocol::Udp, 137, 138, None)])
            .collect();
        let lines = text(&items);
        assert!(lines.len() > 1, "{lines:?}");
        for l in &lines {
            assert!(l.chars().count() <= MAX_LINE_CHARS, "{l:?}");
            assert!(!l.starts_with(' ') && !l.starts_with(','), "{l:?}");
        }
        assert!(lines[0].starts_with("TCP 10000, 10002,"));
        assert!(lines[0].ends_with(','));
        let all = lines.join(" ");
        assert!(
            all.contains("10038") && all.contains("UDP 137-138"),
            "{all}"
        );
    }
}
