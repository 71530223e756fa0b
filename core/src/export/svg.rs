//! The network diagram as SVG: a direct drawing of [`crate::diagram::layout`].
//!
//! Plain SVG 1.1 with presentation attributes (no CSS, no scripts, no external fonts),
//! so it opens the same in browsers, office suites and vector editors. Numbers are
//! integers and elements follow the layout's order, so equal plans give equal bytes.

use super::markup::escape as esc;
use crate::diagram::{self, Diagram, HostBox, Overlay, Text, DOT_RADIUS, FONT_FAMILY};
use crate::plan::Plan;
use std::fmt::Write;

/// The diagram of a plan, with verdict colors when an overlay is given.
pub fn render(plan: &Plan, overlay: Option<&Overlay>) -> String {
    render_diagram(&diagram::layout(plan, overlay))
}

/// Draws an already computed layout.
pub fn render_diagram(d: &Diagram) -> String {
    let mut o = String::with_capacity(4096 + 1200 * (d.boxes.len() + d.arrows.len()));
    let _ = writeln!(
        o,
        r#"<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{w}" height="{h}" viewBox="0 0 {w} {h}" font-family="{f}">"#,
        w = d.width,
        h = d.height,
        f = esc(FONT_FAMILY)
    );
    let title = d.texts.first().map(Text::content).unwrap_or_default();
    let _ = writeln!(o, "<title>{}</title>", esc(&title));
    let _ = writeln!(
        o,
        r##"<rect width="{}" height="{}" fill="#ffffff"/>"##,
        d.width, d.height
    );
    for t in &d.texts {
        text(&mut o, t);
    }
    o.push_str("<g class=\"legend\">\n");
    for e in &d.legend {
        let _ = writeln!(
            o,
            r#"<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="3"/>"#,
            e.from.x,
            e.from.y,
            e.to.x,
            e.to.y,
            e.swatch.color()
        );
        text(&mut o, &e.text);
    }
    o.push_str("</g>\n");
    for b in &d.boxes {
        host(&mut o, b);
    }
    for a in &d.arrows {
        let _ = writeln!(
            o,
            r#"<g class="flow" data-from="{}" data-to="{}">"#,
            esc(&a.from),
            esc(&a.to)
        );
        let c = a.color();
        let s = a.shaft_end();
        let _ = writeln!(
            o,
            r#"<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{c}" stroke-width="2"/>"#,
            a.start.x, a.start.y, s.x, s.y
        );
        let [p, q, r] = a.head();
        let _ = writeln!(
            o,
            r#"<path d="M{} {} L{} {} L{} {} Z" fill="{c}"/>"#,
            p.x, p.y, q.x, q.y, r.x, r.y
        );
        for (pt, phase) in &a.label.dots {
            let _ = writeln!(
                o,
                r#"<circle cx="{}" cy="{}" r="{DOT_RADIUS}" fill="{}"><title>{}</title></circle>"#,
                pt.x,
                pt.y,
                diagram::phase_color(*phase),
                phase.title()
            );
        }
        for t in &a.label.lines {
            text(&mut o, t);
        }
        o.push_str("</g>\n");
    }
    o.push_str("</svg>\n");
    o
}

fn host(o: &mut String, b: &HostBox) {
    let (fill, stroke) = diagram::box_colors(b.role);
    let dash = if b.alias {
        r#" stroke-dasharray="5 3""#
    } else {
        ""
    };
    // A repeat (alias) of a host drawn elsewhere is its own class, so a reader of the SVG
    // finds each host's own box once.
    let _ = writeln!(
        o,
        r#"<g class="{}" data-role="{}" data-hosts="{}">"#,
        if b.alias { "host alias" } else { "host" },
        b.role.as_str(),
        esc(&b.hosts.join(" "))
    );
    if b.hosts.len() > 1 {
        let _ = writeln!(o, "<title>{}</title>", esc(&b.hosts.join(", ")));
    }
    let r = b.rect;
    let _ = writeln!(
        o,
        r#"<rect x="{}" y="{}" width="{}" height="{}" rx="6" fill="{fill}" stroke="{stroke}" stroke-width="1.5"{dash}/>"#,
        r.x, r.y, r.w, r.h
    );
    for t in &b.texts {
        text(o, t);
    }
    o.push_str("</g>\n");
}

fn text(o: &mut String, t: &Text) {
    let anchor = if t.centered {
        r#" text-anchor="middle""#
    } else {
        ""
    };
    let weight = if t.style.bold() {
        r#" font-weight="bold""#
    } else {
        ""
    };
    let _ = write!(
        o,
        r#"<text x="{}" y="{}" font-size="{}" fill="{}"{anchor}{weight} xml:space="preserve">"#,
        t.x,
        t.y,
        t.style.size(),
        t.style.color()
    );
    for s in &t.spans {
        match s.status {
            None => o.push_str(&esc(&s.text)),
            Some(st) => {
                let _ = write!(
                    o,
                    r#"<tspan fill="{}" font-weight="bold">{}</tspan>"#,
                    diagram::status_color(st),
                    esc(&s.text)
                );
            }
        }
    }
    o.push_str("</text>\n");
}

/// Escapes text and attribute values.
/// The SVG as a `data:` URL, for a download link in the page
/// (`<a download="diagram.svg" href=…>`): every byte outside the URL-safe set is
/// percent-encoded, so the URL survives any attribute context.
pub fn data_url(svg: &str) -> String {
    let mut out = String::with_capacity(svg.len() * 3 / 2 + 32);
    out.push_str("data:image/svg+xml;charset=utf-8,");
    for b in svg.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~ ,;:=/()!*".contains(&b) {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_url_escapes_markup_quotes_and_non_ascii() {
        let u = data_url("<svg a=\"1\">…#%</svg>\n");
        assert_eq!(
            u,
            "data:image/svg+xml;charset=utf-8,%3Csvg a=%221%22%3E%E2%80%A6%23%25%3C/svg%3E%0A"
        );
        assert!(!u.contains(['"', '<', '>', '#', '\n', '\'']));
    }
}
