//! A small page-flow engine: a cursor that moves down A4 pages, starts a new page
//! when the next block does not fit, and draws text, rules and boxes.
//!
//! Pages are kept as open content streams until the end, so footers can say
//! "page 3 of 12" once the page count is known.

use super::metrics::{encode, width, wrap, Font};
use pdf_writer::{Content, Name, Str};

/// A4 portrait, in points.
pub const PAGE_W: f32 = 595.276;
pub const PAGE_H: f32 = 841.89;
pub const MARGIN_X: f32 = 42.0;
pub const MARGIN_TOP: f32 = 48.0;
/// Room kept free at the bottom for the footer.
pub const MARGIN_BOTTOM: f32 = 54.0;
pub const CONTENT_W: f32 = PAGE_W - 2.0 * MARGIN_X;

/// A rectangle in PDF user space (origin bottom-left, y up).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rect {
    pub x: f32,
    pub y: f32,
    pub w: f32,
    pub h: f32,
}

/// The document being laid out.
pub struct Flow {
    pub pages: Vec<Content>,
    /// Baseline-independent cursor: the top of the next block, in user space.
    pub y: f32,
}

impl Flow {
    pub fn new() -> Flow {
        Flow {
            pages: vec![Content::new()],
            y: PAGE_H - MARGIN_TOP,
        }
    }

    /// The page being drawn on.
    pub fn page(&mut self) -> &mut Content {
        // `pages` is never empty: `new` pushes one and nothing pops.
        let last = self.pages.len() - 1;
        &mut self.pages[last]
    }

    pub fn new_page(&mut self) {
        self.pages.push(Content::new());
        self.y = PAGE_H - MARGIN_TOP;
    }

    /// Space left above the bottom margin.
    pub fn room(&self) -> f32 {
        self.y - MARGIN_BOTTOM
    }

    /// Starts a new page unless `h` points still fit; returns whether it broke.
    pub fn ensure(&mut self, h: f32) -> bool {
        if h > self.room() && self.y < PAGE_H - MARGIN_TOP {
            self.new_page();
            true
        } else {
            false
        }
    }

    pub fn gap(&mut self, h: f32) {
        self.y -= h;
    }

    /// Draws wrapped text at the cursor across `w` points and moves below it.
    pub fn paragraph(&mut self, text: &str, font: Font, size: f32, w: f32) {
        let lead = size * 1.3;
        for line in wrap(text, font, size, w) {
            self.ensure(lead);
            let y = self.y - size;
            text_at(self.page(), MARGIN_X, y, font, size, &line);
            self.y -= lead;
        }
    }

    /// Height a wrapped paragraph will take.
    pub fn paragraph_height(text: &str, font: Font, size: f32, w: f32) -> f32 {
        wrap(text, font, size, w).len() as f32 * size * 1.3
    }
}

/// One line of text with its baseline at (`x`, `y`).
pub fn text_at(c: &mut Content, x: f32, y: f32, font: Font, size: f32, s: &str) {
    c.begin_text()
        .set_font(Name(font.resource()), size)
        .next_line(x, y)
        .show(Str(&encode(s)))
        .end_text();
}

/// One line of text right-aligned at `right`.
pub fn text_right(c: &mut Content, right: f32, y: f32, font: Font, size: f32, s: &str) {
    text_at(c, right - width(s, font, size), y, font, size, s);
}

/// A filled light-grey rectangle (table headers).
pub fn shade(c: &mut Content, r: Rect, grey: f32) {
    c.save_state()
        .set_fill_gray(grey)
        .rect(r.x, r.y, r.w, r.h)
        .fill_nonzero()
        .restore_state();
}

/// A stroked rectangle (tick boxes, cell borders).
pub fn frame(c: &mut Content, r: Rect, line: f32) {
    c.save_state()
        .set_line_width(line)
        .rect(r.x, r.y, r.w, r.h)
        .stroke()
        .restore_state();
}

/// A horizontal line.
pub fn hline(c: &mut Content, x1: f32, x2: f32, y: f32, line: f32, grey: f32) {
    c.save_state()
        .set_line_width(line)
        .set_stroke_gray(grey)
        .move_to(x1, y)
        .line_to(x2, y)
        .stroke()
        .restore_state();
}
