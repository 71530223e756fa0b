//! Geometry: columns left to right, one horizontal lane per arrow, labels in the gaps.
//!
//! Columns: virtualization hosts and connectors | PlateSpin Server | sources | targets.
//! The server is one tall box, so every arrow to it is a straight horizontal line. A
//! workload is a band: server↔source lanes, then source↔target lanes (both boxes span
//! them), then target↔server lanes, which pass below the source box. Each lane holds
//! exactly one arrow and its label, so no label can meet another label or a box.

use super::model::{Edge, Model, Unit};
use super::ports::{label_lines, line_text};
use super::{
    text_width, Arrow, Diagram, HostBox, Label, LegendEntry, Point, Rect, Span, Status, Style,
    Swatch, Text, DOT_RADIUS,
};
use crate::plan::Plan;
use crate::types::{Phase, Product, Role};
use std::collections::BTreeMap;

const MARGIN: i32 = 24;
const LINE_H: i32 = 14;
const BOX_PAD: i32 = 12;
const BOX_MIN_H: i32 = 46;
const MIN_COL_W: i32 = 120;
const GAP_MARGIN: i32 = 18;
const MIN_GAP: i32 = 96;
const BAND_GAP: i32 = 18;
const DOT_STEP: i32 = 10;

/// A label measured but not yet placed.
struct Measured {
    lines: Vec<Vec<Span>>,
    phases: Vec<Phase>,
    status: Option<Status>,
    w: i32,
}

impl Measured {
    fn of(e: &Edge) -> Measured {
        let lines = label_lines(&e.items);
        let dots = dots_width(e.phases.len());
        let text_w = lines
            .iter()
            .map(|l| text_width(&line_text(l), Style::Label.size()))
            .max()
            .unwrap_or(0);
        Measured {
            lines,
            phases: e.phases.clone(),
            status: e.status(),
            w: dots + text_w + 1,
        }
    }
    fn lane_h(&self) -> i32 {
        lane_h(self.lines.len())
    }
}

fn dots_width(n: usize) -> i32 {
    i32::try_from(n).unwrap_or(0) * DOT_STEP + 4
}

fn lane_h(lines: usize) -> i32 {
    i32::try_from(lines).unwrap_or(1) * LINE_H + 17
}

/// Offset of the arrow line from the top of its lane.
fn arrow_dy(lines: usize) -> i32 {
    3 + i32::try_from(lines).unwrap_or(1) * LINE_H + 5
}

/// A box of a column before placement: the hosts it stands for, its title and detail.
type ColumnBox = (Vec<usize>, (String, String));

/// A lane placed vertically: which edge, which gap holds its label, where it starts.
struct Lane {
    edge: (usize, usize),
    gap: usize,
    top: i32,
}

/// Title and detail line of a box standing for `hosts` (plan indexes).
fn box_text(plan: &Plan, hosts: &[usize]) -> (String, String) {
    let name = |i: usize| plan.hosts[i].name.as_str();
    match hosts {
        [] => (String::new(), String::new()),
        [one] => (name(*one).to_string(), plan.hosts[*one].address.clone()),
        [first, .., last] => {
            let n = hosts.len();
            let what = match plan.hosts[*first].role {
                Role::Source => "workloads",
                Role::Target => "targets",
                _ => "hosts",
            };
            (
                format!("{} … {} ({n})", name(*first), name(*last)),
                format!("{n} identical {what}"),
            )
        }
    }
}

fn box_w(t: &(String, String)) -> i32 {
    text_width(&t.0, Style::HostName.size()).max(text_width(&t.1, Style::Detail.size()))
        + 2 * BOX_PAD
}

fn product_title(p: Product) -> &'static str {
    match p {
        Product::Migrate => "PlateSpin Migrate",
        Product::Protect => "PlateSpin Protect",
        Product::Forge => "PlateSpin Forge",
        Product::PortabilitySuite => "PlateSpin Portability Suite",
    }
}

/// The members of a unit by column: sources and targets.
fn members(u: &Unit) -> (Vec<usize>, Vec<usize>) {
    (
        u.members.iter().filter_map(|m| m.0).collect(),
        u.members.iter().filter_map(|m| m.1).collect(),
    )
}

/// Lays out the diagram of a plan, with verdict colors when an overlay is given.
pub fn layout(plan: &Plan, overlay: Option<&super::Overlay>) -> Diagram {
    let m = Model::build(plan, overlay);
    let srv = m.server;
    let measured: BTreeMap<(usize, usize), Measured> =
        m.edges.iter().map(|(k, e)| (*k, Measured::of(e))).collect();

    // Texts of every box, by column.
    let mut cols: [Vec<ColumnBox>; 4] = Default::default();
    for &l in &m.left {
        cols[0].push((vec![l], box_text(plan, &[l])));
    }
    if let Some(s) = srv {
        cols[1].push((vec![s], box_text(plan, &[s])));
    }
    for u in &m.units {
        let (srcs, tgts) = members(u);
        if !srcs.is_empty() {
            let t = box_text(plan, &srcs);
            cols[2].push((srcs, t));
        }
        if !tgts.is_empty() {
            let t = box_text(plan, &tgts);
            cols[3].push((tgts, t));
        }
    }
    let has_vhost = m
        .left
        .iter()
        .any(|&i| plan.hosts[i].role != Role::Connector);
    let has_conn = m
        .left
        .iter()
        .any(|&i| plan.hosts[i].role == Role::Connector);
    let headings = [
        match (has_vhost, has_conn) {
            (true, true) => "Virt. hosts & connectors",
            (false, true) => "Connectors",
            _ => "Virtualization hosts",
        },
        "PlateSpin Server",
        "Sources",
        "Targets",
    ];
    let mut col_w = [0i32; 4];
    for c in 0..4 {
        if !cols[c].is_empty() {
            let widest = cols[c].iter().map(|(_, t)| box_w(t)).max().unwrap_or(0);
            col_w[c] = widest
                .max(MIN_COL_W)
                .max(text_width(headings[c], Style::Heading.size()) + 8);
        }
    }

    // Which gap holds each regular edge's label, in drawing order.
    let mut gap_label_w = [0i32; 3];
    let gap_of = |k: (usize, usize)| -> usize {
        let col = |h: usize| match plan.hosts[h].role {
            _ if Some(h) == srv => 1,
            Role::Source => 2,
            Role::Target => 3,
            _ => 0,
        };
        match (col(k.0).min(col(k.1)), col(k.0).max(col(k.1))) {
            (0, _) => 0,
            (1, _) => 1,
            _ => 2,
        }
    };
    for (k, me) in &measured {
        if !m.odd.contains(k) {
            let g = gap_of(*k);
            gap_label_w[g] = gap_label_w[g].max(me.w);
        }
    }
    let present: Vec<bool> = col_w.iter().map(|w| *w > 0).collect();
    let mut gap_w = [0i32; 3];
    for g in 0..3 {
        if present[..=g].iter().any(|p| *p) && present[g + 1..].iter().any(|p| *p) {
            gap_w[g] = (gap_label_w[g] + 2 * GAP_MARGIN).max(MIN_GAP);
        }
    }
    let mut col_x = [MARGIN; 4];
    for c in 1..4 {
        col_x[c] = col_x[c - 1] + col_w[c - 1] + gap_w[c - 1];
    }
    let content_right = col_x[3] + col_w[3];

    // Header: title, legend, column headings.
    let mut texts = Vec::new();
    let n_hosts = plan.hosts.len();
    let title = format!(
        "{} {} · network flows ({} flows between {} hosts)",
        product_title(plan.product),
        plan.version,
        plan.flows.len(),
        n_hosts
    );
    texts.push(Text::plain(
        MARGIN,
        MARGIN + 14,
        false,
        Style::Title,
        &title,
    ));
    let avail = (content_right - MARGIN).max(560);
    let mut y = MARGIN + 42;
    let mut legend = Vec::new();
    let phases: Vec<Phase> = Phase::ALL
        .iter()
        .copied()
        .filter(|p| plan.flows.iter().any(|f| f.phase == *p))
        .collect();
    let mut rows: Vec<(&str, Vec<(Swatch, &str)>)> = vec![(
        "Phases:",
        phases
            .iter()
            .map(|p| (Swatch::Phase(*p), crate::export::phase_title(*p)))
            .collect(),
    )];
    if overlay.is_some() {
        rows.push((
            "Verdicts:",
            Status::ALL
                .iter()
                .map(|s| (Swatch::Status(*s), s.legend()))
                .collect(),
        ));
    }
    let lead_w = text_width("Verdicts:", Style::Note.size()) + 10;
    for (lead, entries) in rows {
        texts.push(Text::plain(MARGIN, y, false, Style::Note, lead));
        let mut x = MARGIN + lead_w;
        for (swatch, text) in entries {
            let adv = 30 + text_width(text, Style::Note.size()) + 18;
            if x > MARGIN + lead_w && x + adv > MARGIN + avail {
                x = MARGIN + lead_w;
                y += 18;
            }
            legend.push(LegendEntry {
                swatch,
                from: Point { x, y: y - 4 },
                to: Point {
                    x: x + 24,
                    y: y - 4,
                },
                text: Text::plain(x + 30, y, false, Style::Note, text),
            });
            x += adv;
        }
        y += 20;
    }
    y += 12;
    for c in 0..4 {
        if present[c] {
            texts.push(Text::plain(
                col_x[c] + col_w[c] / 2,
                y,
                true,
                Style::Heading,
                headings[c],
            ));
        }
    }
    let top = y + 12;

    // Vertical placement: lanes and box rectangles.
    let mut lanes: Vec<Lane> = Vec::new();
    let mut rects: BTreeMap<usize, Rect> = BTreeMap::new();
    let mut boxes: Vec<HostBox> = Vec::new();
    let edge_h = |k: (usize, usize)| measured.get(&k).map(Measured::lane_h);
    let push_lanes = |lanes: &mut Vec<Lane>,
                      keys: &[(Option<usize>, Option<usize>)],
                      gap: usize,
                      cur: &mut i32| {
        let mut any = false;
        for &(a, b) in keys {
            if let (Some(a), Some(b)) = (a, b) {
                if let Some(h) = edge_h((a, b)) {
                    lanes.push(Lane {
                        edge: (a, b),
                        gap,
                        top: *cur,
                    });
                    *cur += h;
                    any = true;
                }
            }
        }
        any
    };
    let mut left_y = top;
    for (hosts, t) in &cols[0] {
        let l = hosts[0];
        let keys = [(srv, Some(l)), (Some(l), srv)];
        let lanes_h: i32 = keys.iter().filter_map(|&(a, b)| edge_h((a?, b?))).sum();
        let h = lanes_h.max(BOX_MIN_H);
        let mut cur = left_y + (h - lanes_h) / 2;
        push_lanes(&mut lanes, &keys, 0, &mut cur);
        let r = Rect {
            x: col_x[0],
            y: left_y,
            w: col_w[0],
            h,
        };
        rects.insert(l, r);
        boxes.push(host_box(plan, r, hosts, t, false));
        left_y += h + BAND_GAP;
    }
    let mut right_y = top;
    let mut i2 = 0;
    let mut i3 = 0;
    for u in &m.units {
        let (src, tgt) = (u.source, u.target);
        let y0 = right_y;
        let mut cur = y0;
        let mut bottom = y0;
        let mut st_top = None;
        if let Some(s) = src {
            push_lanes(&mut lanes, &[(srv, src), (src, srv)], 1, &mut cur);
            let before = cur;
            if push_lanes(&mut lanes, &[(src, tgt), (tgt, src)], 2, &mut cur) {
                st_top = Some(before);
            }
            let src_bottom = cur.max(y0 + BOX_MIN_H);
            let r = Rect {
                x: col_x[2],
                y: y0,
                w: col_w[2],
                h: src_bottom - y0,
            };
            rects.insert(s, r);
            let (hosts, t) = &cols[2][i2];
            i2 += 1;
            boxes.push(host_box(plan, r, hosts, t, false));
            bottom = src_bottom;
            cur = src_bottom + 4;
        }
        if let Some(t) = tgt {
            let ts_top = cur;
            let has_ts = push_lanes(&mut lanes, &[(tgt, srv), (srv, tgt)], 1, &mut cur);
            let tgt_top = st_top.unwrap_or(if has_ts || src.is_none() { ts_top } else { y0 });
            let tgt_bottom = cur.max(tgt_top + BOX_MIN_H);
            let r = Rect {
                x: col_x[3],
                y: tgt_top,
                w: col_w[3],
                h: tgt_bottom - tgt_top,
            };
            rects.insert(t, r);
            let (hosts, text) = &cols[3][i3];
            i3 += 1;
            boxes.push(host_box(plan, r, hosts, text, false));
            bottom = bottom.max(tgt_bottom);
        }
        right_y = bottom + BAND_GAP;
    }
    let columns_bottom = left_y.max(right_y).max(top + BOX_MIN_H + BAND_GAP) - BAND_GAP;
    if let (Some(s), Some((hosts, t))) = (srv, cols[1].first()) {
        let r = Rect {
            x: col_x[1],
            y: top,
            w: col_w[1],
            h: columns_bottom - top,
        };
        rects.insert(s, r);
        let mut b = host_box(plan, r, hosts, t, false);
        // The server is tall: its name sits at the top, and again at the bottom when far.
        b.texts = server_texts(r, t);
        boxes.insert(0, b);
    }
    let mut arrows: Vec<Arrow> = Vec::new();
    for lane in &lanes {
        let (Some(a), Some(b), Some(me)) = (
            rects.get(&lane.edge.0),
            rects.get(&lane.edge.1),
            measured.get(&lane.edge),
        ) else {
            continue;
        };
        let gap_x = col_x[lane.gap] + col_w[lane.gap];
        arrows.push(arrow(
            plan,
            lane.edge,
            a,
            b,
            me,
            lane.top,
            gap_x,
            gap_w[lane.gap],
        ));
    }

    // Flows that fit no column pair: repeated (dashed) boxes, one row each.
    let mut y = columns_bottom + BAND_GAP;
    let mut right = content_right;
    if !m.odd.is_empty() {
        y += 10;
        texts.push(Text::plain(
            MARGIN,
            y,
            false,
            Style::Heading,
            "Other flows (hosts drawn again, dashed)",
        ));
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
        let ra = Rect {
            x: MARGIN,
            y,
            w: wa,
            h,
        };
        let rb = Rect {
            x: MARGIN + wa + gw,
            y,
            w: wb,
            h,
        };
        boxes.push(host_box(plan, ra, &[a], &ta, true));
        boxes.push(host_box(plan, rb, &[b], &tb, true));
        let lane_top = y + (h - me.lane_h()) / 2;
        arrows.push(arrow(plan, (a, b), &ra, &rb, me, lane_top, ra.right(), gw));
        right = right.max(rb.right());
        y += h + BAND_GAP;
    }

    // Notes that make the picture self-explaining.
    let mut notes = vec![
        "Arrows run from the host that opens the connection to the host that accepts it.",
        "A label lists the ports of all phases; its dots name the phases (colors above).",
    ];
    if m.units.iter().any(|u| u.members.len() > 1) {
        notes
            .push("A box with a count stands for identical workloads; the tables list every host.");
    }
    if overlay.is_some() {
        notes.push("Each port is colored by its verdict; an arrow by the worst of its ports.");
    }
    y += 6;
    for n in notes {
        texts.push(Text::plain(MARGIN, y, false, Style::Note, n));
        y += 16;
    }
    let widest_text = texts
        .iter()
        .chain(legend.iter().map(|l| &l.text))
        .map(|t| t.bounds().right())
        .max()
        .unwrap_or(0);
    Diagram {
        width: right.max(widest_text) + MARGIN,
        height: y - 16 + 4 + MARGIN,
        texts,
        boxes,
        arrows,
        legend,
    }
}

fn host_box(plan: &Plan, r: Rect, hosts: &[usize], t: &(String, String), alias: bool) -> HostBox {
    let cx = r.x + r.w / 2;
    let mid = r.y + r.h / 2;
    HostBox {
        rect: r,
        role: hosts.first().map_or(Role::Source, |&i| plan.hosts[i].role),
        hosts: hosts.iter().map(|&i| plan.hosts[i].name.clone()).collect(),
        alias,
        texts: vec![
            Text::plain(cx, mid - 2, true, Style::HostName, &t.0),
            Text::plain(cx, mid + 14, true, Style::Detail, &t.1),
        ],
    }
}

fn server_texts(r: Rect, t: &(String, String)) -> Vec<Text> {
    let cx = r.x + r.w / 2;
    let mut v = vec![
        Text::plain(cx, r.y + 20, true, Style::HostName, &t.0),
        Text::plain(cx, r.y + 36, true, Style::Detail, &t.1),
    ];
    if r.h > 480 {
        v.push(Text::plain(
            cx,
            r.bottom() - 26,
            true,
            Style::HostName,
            &t.0,
        ));
        v.push(Text::plain(cx, r.bottom() - 10, true, Style::Detail, &t.1));
    }
    v
}

#[allow(clippy::too_many_arguments)]
fn arrow(
    plan: &Plan,
    edge: (usize, usize),
    a: &Rect,
    b: &Rect,
    me: &Measured,
    lane_top: i32,
    gap_x: i32,
    gap_w: i32,
) -> Arrow {
    let y = lane_top + arrow_dy(me.lines.len());
    let (start, end) = if a.x < b.x {
        (Point { x: a.right(), y }, Point { x: b.x, y })
    } else {
        (Point { x: a.x, y }, Point { x: b.right(), y })
    };
    let rect = Rect {
        x: gap_x + (gap_w - me.w) / 2,
        y: lane_top + 3,
        w: me.w,
        h: i32::try_from(me.lines.len()).unwrap_or(1) * LINE_H,
    };
    let dots = me
        .phases
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let i = i32::try_from(i).unwrap_or(0);
            (
                Point {
                    x: rect.x + DOT_RADIUS + i * DOT_STEP,
                    y: rect.y + LINE_H / 2,
                },
                *p,
            )
        })
        .collect();
    let text_x = rect.x + dots_width(me.phases.len());
    let lines = me
        .lines
        .iter()
        .enumerate()
        .map(|(i, spans)| Text {
            x: text_x,
            y: rect.y + (i32::try_from(i).unwrap_or(0) + 1) * LINE_H - 3,
            centered: false,
            style: Style::Label,
            spans: spans.clone(),
        })
        .collect();
    Arrow {
        from: plan.hosts[edge.0].name.clone(),
        to: plan.hosts[edge.1].name.clone(),
        start,
        end,
        phases: me.phases.clone(),
        status: me.status,
        label: Label { rect, dots, lines },
    }
}
