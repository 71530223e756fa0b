//! The diagram as vector drawing on the first page of the PDF checklist.
//!
//! [`Figure`] plugs into [`crate::export::pdf::FirstPageExtras`]: the layout is drawn in
//! its own pixel coordinates under one transform that scales it to the area and flips
//! y, so boxes, arrows and labels are the same geometry as in the SVG. The PDF has only
//! the standard Helvetica fonts: each text is measured with their real metrics and
//! narrowed (`Tz`) in the rare case it would be wider than the room the layout gave it.

use super::metrics::{encode, width, Font};
use super::{Content, FirstPageExtras, PdfOptions, Rect};
use crate::diagram::{self, layout, Diagram, Overlay, Point, Text, DOT_RADIUS};
use crate::plan::Plan;
use pdf_writer::{Name, Str};

/// The diagram of a plan, ready to be drawn on page 1.
pub struct Figure {
    diagram: Diagram,
}

impl Figure {
    pub fn new(plan: &Plan, overlay: Option<&Overlay>) -> Figure {
        Figure {
            diagram: layout(plan, overlay),
        }
    }
}

impl FirstPageExtras for Figure {
    fn height(&self, width: f32) -> f32 {
        let d = &self.diagram;
        width * d.height as f32 / d.width.max(1) as f32
    }

    fn draw(&self, page: &mut Content, area: Rect) {
        draw(page, &self.diagram, area);
    }
}

/// The PDF checklist with the diagram on page 1: what the CLI's `--format pdf` and the
/// page's PDF download both produce, so their bytes agree.
pub fn checklist(plan: &Plan, overlay: Option<&Overlay>, opts: &PdfOptions<'_>) -> Vec<u8> {
    let figure = Figure::new(plan, overlay);
    let opts = PdfOptions {
        extras: Some(&figure),
        ..*opts
    };
    crate::export::pdf::render(plan, &opts)
}

/// `#rrggbb` as PDF RGB components.
fn rgb(hex: &str) -> (f32, f32, f32) {
    let c = |i: usize| {
        hex.get(i..i + 2)
            .and_then(|h| u8::from_str_radix(h, 16).ok())
            .map_or(0.0, |v| f32::from(v) / 255.0)
    };
    (c(1), c(3), c(5))
}

fn fill(c: &mut Content, hex: &str) {
    let (r, g, b) = rgb(hex);
    c.set_fill_rgb(r, g, b);
}

fn stroke(c: &mut Content, hex: &str) {
    let (r, g, b) = rgb(hex);
    c.set_stroke_rgb(r, g, b);
}

fn px(v: i32) -> f32 {
    v as f32
}

/// Draws a laid-out diagram scaled to fit `area`, centered horizontally.
pub fn draw(c: &mut Content, d: &Diagram, area: Rect) {
    let s = (area.w / px(d.width.max(1))).min(area.h / px(d.height.max(1)));
    let dx = area.x + (area.w - s * px(d.width)) / 2.0;
    c.save_state();
    // Pixel space: origin top-left of the figure, y down.
    c.transform([s, 0.0, 0.0, -s, dx, area.y + area.h]);
    for t in &d.texts {
        text(c, t);
    }
    for e in &d.legend {
        line(c, e.swatch.color(), 3.0, e.from, e.to);
        text(c, &e.text);
    }
    for b in &d.boxes {
        let (bg, fg) = diagram::box_colors(b.role);
        c.save_state();
        fill(c, bg);
        stroke(c, fg);
        c.set_line_width(1.5);
        if b.alias {
            c.set_dash_pattern([5.0, 3.0], 0.0);
        }
        let r = b.rect;
        c.rect(px(r.x), px(r.y), px(r.w), px(r.h));
        c.fill_nonzero_and_stroke();
        c.restore_state();
        for t in &b.texts {
            text(c, t);
        }
    }
    for a in &d.arrows {
        let color = a.color();
        line(c, color, 2.0, a.start, a.shaft_end());
        let [p, q, r] = a.head();
        c.save_state();
        fill(c, color);
        c.move_to(px(p.x), px(p.y));
        c.line_to(px(q.x), px(q.y));
        c.line_to(px(r.x), px(r.y));
        c.close_path();
        c.fill_nonzero();
        c.restore_state();
        for (pt, phase) in &a.label.dots {
            dot(c, *pt, diagram::phase_color(*phase));
        }
        for t in &a.label.lines {
            text(c, t);
        }
    }
    c.restore_state();
}

fn line(c: &mut Content, color: &str, w: f32, a: Point, b: Point) {
    c.save_state();
    stroke(c, color);
    c.set_line_width(w);
    c.move_to(px(a.x), px(a.y));
    c.line_to(px(b.x), px(b.y));
    c.stroke();
    c.restore_state();
}

/// A filled circle from four Bézier quarter arcs.
fn dot(c: &mut Content, p: Point, color: &str) {
    let (x, y, r) = (px(p.x), px(p.y), px(DOT_RADIUS));
    let k = 0.552_284_8 * r;
    c.save_state();
    fill(c, color);
    c.move_to(x + r, y);
    c.cubic_to(x + r, y + k, x + k, y + r, x, y + r);
    c.cubic_to(x - k, y + r, x - r, y + k, x - r, y);
    c.cubic_to(x - r, y - k, x - k, y - r, x, y - r);
    c.cubic_to(x + k, y - r, x + r, y - k, x + r, y);
    c.fill_nonzero();
    c.restore_state();
}

/// One text line in Helvetica, never wider than the layout's estimate for it.
fn text(c: &mut Content, t: &Text) {
    let font = if t.style.bold() {
        Font::Bold
    } else {
        Font::Regular
    };
    let size = px(t.style.size());
    let content = t.content();
    let room = px(diagram::text_width(&content, t.style.size()));
    let real = width(&content, font, size);
    let squeeze = if real > room && real > 0.0 {
        room / real
    } else {
        1.0
    };
    let drawn = real * squeeze;
    let x = if t.centered {
        px(t.x) - drawn / 2.0
    } else {
        px(t.x)
    };
    c.begin_text();
    c.set_font(Name(font.resource()), size);
    c.set_horizontal_scaling(100.0 * squeeze);
    // Flip the text back upright inside the y-down pixel space.
    c.set_text_matrix([1.0, 0.0, 0.0, -1.0, x, px(t.y)]);
    for span in &t.spans {
        match span.status {
            Some(s) => fill(c, diagram::status_color(s)),
            None => fill(c, t.style.color()),
        }
        c.show(Str(&encode(&span.text)));
    }
    c.end_text();
}
