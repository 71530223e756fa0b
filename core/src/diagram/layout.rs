//! Geometry: columns left to right, one horizontal lane per arrow, labels in the gaps.
//!
//! Columns: virtualization hosts and connectors | PlateSpin Server | sources | targets.
//! The server is one tall box, so every arrow to it is a straight horizontal line. A
//! workload is a band: server↔source lanes, then source↔target lanes (both boxes span
//! them), then target↔server lanes, which pass below the source box. Each lane holds
//! exactly one arrow and its label, so no label can meet another label or a box.

use super::chrome;
use super::geometry::{text_width, Rect, MARGIN};
use super::model::Model;
use super::overlay::Overlay;
use super::parts::{
    arrow, box_text, box_w, host_box, members, server_box, BoxText, Measured, Placement,
};
use super::shapes::{Arrow, Diagram, HostBox, Style, Text};
use crate::plan::Plan;
use crate::types::Role;
use std::collections::BTreeMap;

const BOX_MIN_H: i32 = 46;
const MIN_COL_W: i32 = 120;
const GAP_MARGIN: i32 = 18;
const MIN_GAP: i32 = 96;
const BAND_GAP: i32 = 18;

type Key = (usize, usize);

/// Horizontal geometry: what each column holds, its x and width, and the gaps.
struct Columns {
    boxes: [Vec<(Vec<usize>, BoxText)>; 4],
    x: [i32; 4],
    w: [i32; 4],
    gap_w: [i32; 3],
    headings: [&'static str; 4],
}

impl Columns {
    fn new(plan: &Plan, m: &Model, measured: &BTreeMap<Key, Measured>) -> Columns {
        let mut boxes: [Vec<(Vec<usize>, BoxText)>; 4] = Default::default();
        for &l in &m.left {
            boxes[0].push((vec![l], box_text(plan, &[l])));
        }
        if let Some(s) = m.server {
            boxes[1].push((vec![s], box_text(plan, &[s])));
        }
        for u in &m.units {
            let (srcs, tgts) = members(u);
            for (c, hosts) in [(2, srcs), (3, tgts)] {
                if !hosts.is_empty() {
                    let t = box_text(plan, &hosts);
                    boxes[c].push((hosts, t));
                }
            }
        }
        let headings = chrome::headings(plan, &m.left);
        let mut w = [0i32; 4];
        for c in 0..4 {
            if let Some(widest) = boxes[c].iter().map(|(_, t)| box_w(t)).max() {
                let heading = text_width(headings[c], Style::Heading.size()) + 8;
                w[c] = widest.max(MIN_COL_W).max(heading);
            }
        }
        // Each gap is as wide as its widest label.
        let mut label_w = [0i32; 3];
        for (k, me) in measured {
            if let Some(g) = gap_of(plan, m.server, *k).filter(|_| !m.odd.contains(k)) {
                label_w[g] = label_w[g].max(me.w);
            }
        }
        let mut gap_w = [0i32; 3];
        for g in 0..3 {
            if w[..=g].iter().any(|w| *w > 0) && w[g + 1..].iter().any(|w| *w > 0) {
                gap_w[g] = (label_w[g] + 2 * GAP_MARGIN).max(MIN_GAP);
            }
        }
        let mut x = [MARGIN; 4];
        for c in 1..4 {
            x[c] = x[c - 1] + w[c - 1] + gap_w[c - 1];
        }
        Columns {
            boxes,
            x,
            w,
            gap_w,
            headings,
        }
    }

    fn right(&self) -> i32 {
        self.x[3] + self.w[3]
    }

    fn rect(&self, c: usize, y: i32, h: i32) -> Rect {
        Rect {
            x: self.x[c],
            y,
            w: self.w[c],
            h,
        }
    }

    /// Left end and width of gap `g` (between columns `g` and `g + 1`).
    fn gap(&self, g: usize) -> (i32, i32) {
        (self.x[g] + self.w[g], self.gap_w[g])
    }
}

/// Column of a host: connectors, virtualization hosts and further servers left.
fn column(plan: &Plan, server: Option<usize>, h: usize) -> usize {
    match plan.hosts[h].role {
        _ if Some(h) == server => 1,
        Role::Source => 2,
        Role::Target => 3,
        _ => 0,
    }
}

/// The gap holding the label of a regular edge: the one next to its leftmost end.
fn gap_of(plan: &Plan, server: Option<usize>, k: Key) -> Option<usize> {
    let (a, b) = (column(plan, server, k.0), column(plan, server, k.1));
    Some(a.min(b)).filter(|g| *g < 3 && a != b)
}

/// Lanes and boxes as they are stacked down the columns.
struct Stack<'a> {
    measured: &'a BTreeMap<Key, Measured>,
    /// Edge, label gap, top of the lane.
    lanes: Vec<(Key, usize, i32)>,
    rects: BTreeMap<usize, Rect>,
    boxes: Vec<HostBox>,
}

impl Stack<'_> {
    fn lane_h(&self, a: Option<usize>, b: Option<usize>) -> Option<i32> {
        self.measured.get(&(a?, b?)).map(Measured::lane_h)
    }

    /// Stacks a lane for each existing edge from `*y` down; whether there was one.
    fn push(&mut self, keys: &[(Option<usize>, Option<usize>)], gap: usize, y: &mut i32) -> bool {
        let mut any = false;
        for &(a, b) in keys {
            if let (Some(a), Some(b), Some(h)) = (a, b, self.lane_h(a, b)) {
                self.lanes.push(((a, b), gap, *y));
                *y += h;
                any = true;
            }
        }
        any
    }
}

/// Lays out the diagram of a plan, with verdict colors when an overlay is given.
pub fn layout(plan: &Plan, overlay: Option<&Overlay>) -> Diagram {
    let m = Model::build(plan, overlay);
    let srv = m.server;
    // Inserted one by one: `collect` into a map sorts with its own copy of the sort.
    let mut measured: BTreeMap<Key, Measured> = BTreeMap::new();
    for (k, e) in &m.edges {
        measured.insert(*k, Measured::of(e));
    }
    let cols = Columns::new(plan, &m, &measured);
    let header = chrome::header(plan, overlay.is_some(), (cols.right() - MARGIN).max(560));
    let mut texts = header.texts;
    let heading_y = header.bottom + 12;
    for c in 0..4 {
        if cols.w[c] > 0 {
            let cx = cols.x[c] + cols.w[c] / 2;
            texts.push(Text::plain(
                cx,
                heading_y,
                true,
                Style::Heading,
                cols.headings[c],
            ));
        }
    }
    let top = heading_y + 12;

    let mut st = Stack {
        measured: &measured,
        lanes: Vec::new(),
        rects: BTreeMap::new(),
        boxes: Vec::new(),
    };
    // Left column: each host's lanes centered in a box at least BOX_MIN_H tall.
    let mut left_y = top;
    for (hosts, t) in &cols.boxes[0] {
        let l = hosts[0];
        let keys = [(srv, Some(l)), (Some(l), srv)];
        let lanes_h: i32 = keys.iter().filter_map(|&(a, b)| st.lane_h(a, b)).sum();
        let h = lanes_h.max(BOX_MIN_H);
        let mut y = left_y + (h - lanes_h) / 2;
        st.push(&keys, 0, &mut y);
        let r = cols.rect(0, left_y, h);
        st.rects.insert(l, r);
        st.boxes.push(host_box(plan, r, hosts, t, false));
        left_y += h + BAND_GAP;
    }
    // Right columns: one band per unit (source and its target).
    let mut right_y = top;
    let (mut sources, mut targets) = (cols.boxes[2].iter(), cols.boxes[3].iter());
    for u in &m.units {
        let (src, tgt) = (u.source, u.target);
        let y0 = right_y;
        let mut y = y0;
        let mut bottom = y0;
        let mut st_top = None;
        // A column's boxes come in unit order: take one only for a unit that has it.
        if let Some((s, (hosts, t))) = src.and_then(|s| sources.next().map(|b| (s, b))) {
            st.push(&[(srv, src), (src, srv)], 1, &mut y);
            let before = y;
            if st.push(&[(src, tgt), (tgt, src)], 2, &mut y) {
                st_top = Some(before);
            }
            bottom = y.max(y0 + BOX_MIN_H);
            let r = cols.rect(2, y0, bottom - y0);
            st.rects.insert(s, r);
            st.boxes.push(host_box(plan, r, hosts, t, false));
            y = bottom + 4;
        }
        if let Some((tg, (hosts, t))) = tgt.and_then(|t| targets.next().map(|b| (t, b))) {
            let ts_top = y;
            let has_ts = st.push(&[(tgt, srv), (srv, tgt)], 1, &mut y);
            let tgt_top = st_top.unwrap_or(if has_ts || src.is_none() { ts_top } else { y0 });
            let tgt_bottom = y.max(tgt_top + BOX_MIN_H);
            let r = cols.rect(3, tgt_top, tgt_bottom - tgt_top);
            st.rects.insert(tg, r);
            st.boxes.push(host_box(plan, r, hosts, t, false));
            bottom = bottom.max(tgt_bottom);
        }
        right_y = bottom + BAND_GAP;
    }
    let columns_bottom = left_y.max(right_y).max(top + BOX_MIN_H + BAND_GAP) - BAND_GAP;
    if let (Some(s), Some((_, t))) = (srv, cols.boxes[1].first()) {
        let r = cols.rect(1, top, columns_bottom - top);
        st.rects.insert(s, r);
        st.boxes.insert(0, server_box(plan, r, s, t));
    }
    let mut arrows: Vec<Arrow> = Vec::new();
    for &(edge, gap, lane_top) in &st.lanes {
        if let (Some(from), Some(to), Some(me)) = (
            st.rects.get(&edge.0),
            st.rects.get(&edge.1),
            measured.get(&edge),
        ) {
            let p = Placement {
                edge,
                from,
                to,
                lane_top,
                gap: cols.gap(gap),
            };
            arrows.push(arrow(plan, me, &p));
        }
    }
    let mut boxes = st.boxes;

    // Flows that fit no column pair: repeated (dashed) boxes, one row each.
    let mut y = columns_bottom + BAND_GAP;
    let mut right = cols.right();
    if !m.odd.is_empty() {
        y += 10;
        let heading = "Other flows (hosts drawn again, dashed)";
        texts.push(Text::plain(MARGIN, y, false, Style::Heading, heading));
        y += 12;
    }
    for &(a, b) in &m.odd {
        let Some(me) = measured.get(&(a, b)) else {
            continue;
        };
        let (ta, tb) = (box_text(plan, &[a]), box_text(plan, &[b]));
        let (wa, wb) = (box_w(&ta).max(MIN_COL_W), box_w(&tb).max(MIN_COL_W));
        let gw = (me.w + 2 * GAP_MARGIN).max(MIN_GAP);
        let h = me.lane_h().max(BOX_MIN_H);
        let from = Rect {
            x: MARGIN,
            y,
            w: wa,
            h,
        };
        let to = Rect {
            x: MARGIN + wa + gw,
            y,
            w: wb,
            h,
        };
        boxes.push(host_box(plan, from, &[a], &ta, true));
        boxes.push(host_box(plan, to, &[b], &tb, true));
        let lane_top = y + (h - me.lane_h()) / 2;
        let p = Placement {
            edge: (a, b),
            from: &from,
            to: &to,
            lane_top,
            gap: (from.right(), gw),
        };
        arrows.push(arrow(plan, me, &p));
        right = right.max(to.right());
        y += h + BAND_GAP;
    }

    let collapsed = m.units.iter().any(|u| u.members.len() > 1);
    let (notes, y) = chrome::notes(collapsed, overlay.is_some(), y + 6);
    texts.extend(notes);
    let widest_text = texts
        .iter()
        .chain(header.legend.iter().map(|l| &l.text))
        .map(|t| t.bounds().right())
        .max()
        .unwrap_or(0);
    Diagram {
        width: right.max(widest_text) + MARGIN,
        height: y - 12 + MARGIN,
        texts,
        boxes,
        arrows,
        legend: header.legend,
    }
}
