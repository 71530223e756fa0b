//! Tables that break across pages: rows are never split, and the caller's heading
//! and the column header are drawn again at the top of every continuation page.

use super::layout::{frame, hline, shade, text_at, Flow, Rect, MARGIN_X};
use super::metrics::{wrap, Font};

/// A column: its header text and width in points.
#[derive(Debug, Clone, Copy)]
pub struct Column {
    pub title: &'static str,
    pub width: f32,
}

/// Layout of one table.
pub struct Table<'a> {
    pub columns: &'a [Column],
    /// Whether the first column holds an empty tick box instead of text.
    pub tick: bool,
    pub size: f32,
}

const PAD: f32 = 3.0;
const TICK: f32 = 8.0;

impl Table<'_> {
    fn lead(&self) -> f32 {
        self.size * 1.25
    }

    fn wrapped(&self, cells: &[String], font: Font) -> Vec<Vec<String>> {
        self.columns
            .iter()
            .zip(cells)
            .map(|(c, s)| wrap(s, font, self.size, c.width - 2.0 * PAD))
            .collect()
    }

    fn height(&self, lines: &[Vec<String>]) -> f32 {
        let n = lines.iter().map(Vec::len).max().unwrap_or(1).max(1);
        n as f32 * self.lead() + 2.0 * PAD
    }

    /// Height of the header plus the first row: what must fit before starting.
    pub fn start_height(&self, first: Option<&[String]>) -> f32 {
        let header = self.header_cells();
        let mut h = self.height(&self.wrapped(&header, Font::Bold));
        if let Some(row) = first {
            h += self.height(&self.wrapped(row, Font::Regular));
        }
        h
    }

    fn header_cells(&self) -> Vec<String> {
        self.columns.iter().map(|c| c.title.to_string()).collect()
    }

    /// Draws the header and `rows`; `continued` redraws the caller's heading after
    /// each page break (before the header is repeated).
    pub fn draw(&self, flow: &mut Flow, rows: &[Vec<String>], continued: &dyn Fn(&mut Flow)) {
        self.header(flow);
        for row in rows {
            let lines = self.wrapped(row, Font::Regular);
            let h = self.height(&lines);
            if flow.ensure(h) {
                continued(flow);
                self.header(flow);
            }
            self.row(flow, &lines, h, false);
        }
    }

    fn header(&self, flow: &mut Flow) {
        let lines = self.wrapped(&self.header_cells(), Font::Bold);
        let h = self.height(&lines);
        let w: f32 = self.columns.iter().map(|c| c.width).sum();
        let y = flow.y;
        shade(
            flow.page(),
            Rect {
                x: MARGIN_X,
                y: y - h,
                w,
                h,
            },
            0.88,
        );
        self.row(flow, &lines, h, true);
    }

    fn row(&self, flow: &mut Flow, lines: &[Vec<String>], h: f32, header: bool) {
        let (font, size, lead) = (
            if header { Font::Bold } else { Font::Regular },
            self.size,
            self.lead(),
        );
        let top = flow.y;
        let mut x = MARGIN_X;
        let page = flow.page();
        for (i, (col, cell)) in self.columns.iter().zip(lines).enumerate() {
            if i == 0 && self.tick && !header {
                let r = Rect {
                    x: x + (col.width - TICK) / 2.0,
                    y: top - PAD - 1.0 - TICK,
                    w: TICK,
                    h: TICK,
                };
                frame(page, r, 0.7);
            } else {
                for (n, line) in cell.iter().enumerate() {
                    let baseline = top - PAD - size * 0.95 - n as f32 * lead;
                    text_at(page, x + PAD, baseline, font, size, line);
                }
            }
            x += col.width;
        }
        hline(page, MARGIN_X, x, top - h, 0.4, 0.6);
        flow.y -= h;
    }
}
