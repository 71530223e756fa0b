//! The geometry every part of the diagram shares: pixels, rectangles, the text-width
//! estimate and the spacing constants. A leaf: it imports nothing of the diagram, so
//! the layout, its parts and the renderers depend on it and never on each other.

/// Font every text of the diagram is set in. Monospace, so a width estimate per
/// character ([`CHAR_WIDTH_PERMILLE`]) bounds the real width of any glyph run.
pub const FONT_FAMILY: &str = "'DejaVu Sans Mono', Menlo, Consolas, 'Liberation Mono', monospace";

/// Advance of one character in thousandths of the font size. Common monospace fonts
/// use 550–602; 620 leaves a margin so computed boxes always contain their text.
pub const CHAR_WIDTH_PERMILLE: i32 = 620;

/// Estimated width of `text` at `size` pixels, rounded up.
pub fn text_width(text: &str, size: i32) -> i32 {
    let chars = i32::try_from(text.chars().count()).unwrap_or(i32::MAX);
    chars
        .saturating_mul(size)
        .saturating_mul(CHAR_WIDTH_PERMILLE)
        .saturating_add(999)
        / 1000
}

/// A point in pixels, y downwards.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Point {
    pub x: i32,
    pub y: i32,
}

/// An axis-aligned rectangle in pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rect {
    pub x: i32,
    pub y: i32,
    pub w: i32,
    pub h: i32,
}

impl Rect {
    pub fn right(&self) -> i32 {
        self.x + self.w
    }
    pub fn bottom(&self) -> i32 {
        self.y + self.h
    }
    /// Whether the two rectangles share some area (touching edges do not count).
    pub fn overlaps(&self, o: &Rect) -> bool {
        self.x < o.right() && o.x < self.right() && self.y < o.bottom() && o.y < self.bottom()
    }
    /// Whether `o` lies entirely inside.
    pub fn contains(&self, o: &Rect) -> bool {
        self.x <= o.x && self.y <= o.y && o.right() <= self.right() && o.bottom() <= self.bottom()
    }
}

/// Radius of a phase dot in a label.
pub const DOT_RADIUS: i32 = 4;

/// Outer margin of the picture.
pub const MARGIN: i32 = 24;
/// Line height of box and label text.
pub const LINE_H: i32 = 14;
/// Inner padding of a host box.
pub const BOX_PAD: i32 = 12;
/// Distance between the centers of two phase dots.
pub const DOT_STEP: i32 = 10;
