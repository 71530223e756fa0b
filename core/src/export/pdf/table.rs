//! Tables that break across pages: the caller's heading and the column header are
//! drawn again at the top of every continuation page. A row is kept whole unless it is
//! taller than a third of a page (a consolidated rule with a long list of purposes):
//! then it starts where it is and goes on at the top of the next page, so a tall row
//! never leaves most of a page empty. Its tick box is on its first part.
//!
//! A wave repeats the same cells (purposes, sources, ports) on thousands of rows, so
//! each table wraps and encodes a distinct cell text once ([`Table`] keeps them).

use super::layout::{frame, hline, shade, Flow, Rect, MARGIN_X};
use super::metrics::{encode, wrap, Font};
use pdf_writer::{Name, Str};
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

/// A column: its header text and width in points.
#[derive(Debug, Clone, Copy)]
pub struct Column {
    pub title: &'static str,
    pub width: f32,
}

/// A cell's lines, wrapped to its column and encoded for the page.
type Lines = Rc<[Vec<u8>]>;

/// Layout of one table.
pub struct Table<'a> {
    pub columns: &'a [Column],
    /// Whether the first column holds an empty tick box instead of text.
    pub tick: bool,
    pub size: f32,
    /// Per column, each distinct body cell text's lines.
    cache: RefCell<Vec<HashMap<String, Lines>>>,
}

const PAD: f32 = 3.0;
const TICK: f32 = 8.0;
/// A row at least this tall may split across pages (a third of the page's body).
const TALL: f32 = (super::PAGE_H - super::layout::MARGIN_TOP - super::layout::MARGIN_BOTTOM) / 3.0;
/// A split row leaves at least this many lines on the page it starts on.
const MIN_SPLIT_LINES: usize = 4;

impl<'a> Table<'a> {
    pub fn new(columns: &'a [Column], tick: bool, size: f32) -> Table<'a> {
        Table {
            columns,
            tick,
            size,
            cache: RefCell::new(vec![HashMap::new(); columns.len()]),
        }
    }

    fn lead(&self) -> f32 {
        self.size * 1.25
    }

    fn wrapped(&self, cells: &[String], font: Font) -> Vec<Lines> {
        let mut cache = self.cache.borrow_mut();
        self.columns
            .iter()
            .zip(cells)
            .enumerate()
            .map(|(i, (c, s))| {
                let make = || -> Lines {
                    wrap(s, font, self.size, c.width - 2.0 * PAD)
                        .iter()
                        .map(|l| encode(l))
                        .collect()
                };
                if font == Font::Bold {
                    return make();
                }
                match cache.get_mut(i).map(|m| (m.get(s.as_str()).cloned(), m)) {
                    Some((Some(lines), _)) => lines,
                    Some((None, m)) => {
                        let lines = make();
                        m.insert(s.clone(), lines.clone());
                        lines
                    }
                    None => make(),
                }
            })
            .collect()
    }

    fn height(&self, lines: &[Lines]) -> f32 {
        self.height_of(lines.iter().map(|l| l.len()).max().unwrap_or(1))
    }

    fn height_of(&self, n: usize) -> f32 {
        n.max(1) as f32 * self.lead() + 2.0 * PAD
    }

    /// Height of the header plus the first row: what must fit before starting.
    pub fn start_height(&self, first: Option<&[String]>) -> f32 {
        let header = self.header_cells();
        let mut h = self.height(&self.wrapped(&header, Font::Bold));
        if let Some(row) = first {
            let row = self.height(&self.wrapped(row, Font::Regular));
            // A tall row may start with a part of it.
            h += if row >= TALL {
                self.height_of(MIN_SPLIT_LINES)
            } else {
                row
            };
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
            let mut lines = self.wrapped(row, Font::Regular);
            let mut h = self.height(&lines);
            let mut first = true;
            // A tall row fills the page and goes on at the top of the next one.
            while h >= TALL && h > flow.room() {
                let fit = ((flow.room() - 2.0 * PAD) / self.lead()).floor().max(0.0) as usize;
                if fit >= MIN_SPLIT_LINES {
                    let head: Vec<Lines> =
                        lines.iter().map(|l| l[..fit.min(l.len())].into()).collect();
                    self.row(flow, &head, self.height_of(fit), first);
                    lines = lines.iter().map(|l| l[fit.min(l.len())..].into()).collect();
                    h = self.height(&lines);
                    first = false;
                }
                flow.new_page();
                continued(flow);
                self.header(flow);
            }
            if flow.ensure(h) {
                continued(flow);
                self.header(flow);
            }
            self.row(flow, &lines, h, first);
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
        self.draw_row(flow, &lines, h, None);
    }

    /// A body row; `tick`: whether it gets the tick box (a split row's first part).
    fn row(&self, flow: &mut Flow, lines: &[Lines], h: f32, tick: bool) {
        self.draw_row(flow, lines, h, Some(tick));
    }

    /// `body`: `None` for the header, else whether the row gets its tick box.
    fn draw_row(&self, flow: &mut Flow, lines: &[Lines], h: f32, body: Option<bool>) {
        let (font, size, lead) = (
            if body.is_none() {
                Font::Bold
            } else {
                Font::Regular
            },
            self.size,
            self.lead(),
        );
        let top = flow.y;
        let page = flow.page();
        // The row's text in one text object, each line placed relative to the one
        // before (a thousand-page checklist is mostly these lines).
        let mut text = false;
        let (mut cx, mut cy) = (0.0, 0.0);
        let mut x = MARGIN_X;
        for (i, (col, cell)) in self.columns.iter().zip(lines).enumerate() {
            if !(i == 0 && self.tick && body.is_some()) {
                for (n, line) in cell.iter().enumerate() {
                    if !text {
                        page.begin_text().set_font(Name(font.resource()), size);
                        text = true;
                    }
                    let (lx, ly) = (x + PAD, top - PAD - size * 0.95 - n as f32 * lead);
                    page.next_line(lx - cx, ly - cy).show(Str(line));
                    (cx, cy) = (lx, ly);
                }
            }
            x += col.width;
        }
        if text {
            page.end_text();
        }
        if self.tick && body == Some(true) {
            let col = self.columns[0];
            let r = Rect {
                x: MARGIN_X + (col.width - TICK) / 2.0,
                y: top - PAD - 1.0 - TICK,
                w: TICK,
                h: TICK,
            };
            frame(page, r, 0.7);
        }
        hline(page, MARGIN_X, x, top - h, 0.4, 0.6);
        flow.y -= h;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::pdf::layout::MARGIN_TOP;
    use crate::export::pdf::PAGE_H;

    const COLUMNS: [Column; 2] = [
        Column {
            title: "Done",
            width: 26.0,
        },
        Column {
            title: "Text",
            width: 200.0,
        },
    ];

    /// A row of `n` lines of one short word each.
    fn row(n: usize) -> Vec<String> {
        vec![String::new(), vec!["word"; n].join("\n")]
    }

    /// (row lines, room left on the page before the table) -> pages used, and whether the
    /// row starts on the first page.
    #[test]
    fn tall_rows_split_short_rows_stay_whole() {
        let table = Table::new(&COLUMNS, true, 8.0);
        let lead = table.lead();
        let cases = [
            // A short row that does not fit moves whole to the next page.
            (5, 40.0, 2, false),
            // A tall row fills the rest of the page and goes on on the next.
            (60, 400.0, 2, true),
            // Taller than a page: three pages, started on the first.
            (150, 400.0, 3, true),
            // Too little room for four of its lines: it starts on the next page.
            (60, 40.0, 2, false),
        ];
        for (lines, room, pages, starts_here) in cases {
            let mut flow = Flow::new();
            flow.gap(flow.room() - room);
            table.draw(&mut flow, &[row(lines)], &|_: &mut Flow| {});
            assert_eq!(flow.pages.len(), pages, "{lines} lines in {room} pt");
            // Body lines on the last page, below its header row (one line and padding).
            let on_last =
                ((PAGE_H - MARGIN_TOP - flow.y - lead - 4.0 * PAD) / lead).round() as usize;
            assert_eq!(
                on_last < lines,
                starts_here,
                "{lines} lines in {room} pt: {on_last} on the last page"
            );
        }
    }
}
