//! The pieces the layout places: measured labels, host boxes with their text, arrows.

use super::geometry::{text_width, Point, Rect, BOX_PAD, DOT_RADIUS, DOT_STEP, LINE_H};
use super::model::{Edge, Unit};
use super::overlay::Signal;
use super::ports::{label_lines, line_text};
use super::shapes::{Arrow, HostBox, Label, Span, Style, Text};
use crate::plan::Plan;
use crate::types::{Phase, Role};

/// A label measured but not yet placed.
pub(super) struct Measured {
    pub lines: Vec<Vec<Span>>,
    pub phases: Vec<Phase>,
    pub status: Option<Signal>,
    /// Phase dots plus the widest line.
    pub w: i32,
}

impl Measured {
    pub fn of(e: &Edge) -> Measured {
        let lines = label_lines(&e.items);
        let text_w = lines
            .iter()
            .map(|l| text_width(&line_text(l), Style::Label.size()))
            .max()
            .unwrap_or(0);
        Measured {
            lines,
            phases: e.phases.clone(),
            status: e.status(),
            w: dots_width(e.phases.len()) + text_w + 1,
        }
    }

    fn n_lines(&self) -> i32 {
        i32::try_from(self.lines.len()).unwrap_or(1)
    }

    /// Height of the lane holding this label and its arrow.
    pub fn lane_h(&self) -> i32 {
        self.n_lines() * LINE_H + 17
    }
}

fn dots_width(n: usize) -> i32 {
    i32::try_from(n).unwrap_or(0) * DOT_STEP + 4
}

/// Title and detail line of a box.
pub(super) type BoxText = (String, String);

/// Title and detail line of a box standing for `hosts` (plan indexes): the name and
/// address, or for a collapsed group `web01 … web48 (48)` and what they are.
pub(super) fn box_text(plan: &Plan, hosts: &[usize]) -> BoxText {
    let name = |i: usize| plan.hosts[i].name.as_str();
    match hosts {
        [] => (String::new(), String::new()),
        // Behind NAT the box names both addresses: flows from outside dial the public one.
        [one] => {
            let h = &plan.hosts[*one];
            let address = match &h.public_address {
                Some(p) => format!("{}, NAT {p}", h.address),
                None => h.address.clone(),
            };
            (name(*one).to_string(), address)
        }
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

/// Width a box needs for its text.
pub(super) fn box_w(t: &BoxText) -> i32 {
    text_width(&t.0, Style::HostName.size()).max(text_width(&t.1, Style::Detail.size()))
        + 2 * BOX_PAD
}

/// The members of a unit by column: sources and targets.
pub(super) fn members(u: &Unit) -> (Vec<usize>, Vec<usize>) {
    (
        u.members.iter().filter_map(|m| m.0).collect(),
        u.members.iter().filter_map(|m| m.1).collect(),
    )
}

/// A box with its text centered.
pub(super) fn host_box(plan: &Plan, r: Rect, hosts: &[usize], t: &BoxText, alias: bool) -> HostBox {
    let cx = r.x + r.w / 2;
    let mid = r.y + r.h / 2;
    HostBox {
        rect: r,
        role: hosts.first().map_or(Role::Source, |&i| plan.hosts[i].role),
        hosts: hosts
            .iter()
            .map(|&i| plan.hosts[i].name.to_string())
            .collect(),
        alias,
        texts: vec![
            Text::plain(cx, mid - 2, true, Style::HostName, &t.0),
            Text::plain(cx, mid + 14, true, Style::Detail, &t.1),
        ],
    }
}

/// The server is one tall box: its name sits at the top, and again at the bottom when
/// the box is tall enough that the top is out of sight.
pub(super) fn server_box(plan: &Plan, r: Rect, server: usize, t: &BoxText) -> HostBox {
    let mut b = host_box(plan, r, &[server], t, false);
    let cx = r.x + r.w / 2;
    b.texts = vec![
        Text::plain(cx, r.y + 20, true, Style::HostName, &t.0),
        Text::plain(cx, r.y + 36, true, Style::Detail, &t.1),
    ];
    if r.h > 480 {
        b.texts.push(Text::plain(
            cx,
            r.bottom() - 26,
            true,
            Style::HostName,
            &t.0,
        ));
        b.texts
            .push(Text::plain(cx, r.bottom() - 10, true, Style::Detail, &t.1));
    }
    b
}

/// Where an arrow goes: its boxes, its lane, and the gap its label is centered in.
pub(super) struct Placement<'a> {
    pub edge: (usize, usize),
    pub from: &'a Rect,
    pub to: &'a Rect,
    pub lane_top: i32,
    /// Left end and width of the gap that holds the label.
    pub gap: (i32, i32),
}

/// The arrow of one lane: the line at the bottom, the label just above it.
pub(super) fn arrow(plan: &Plan, me: &Measured, p: &Placement<'_>) -> Arrow {
    let (a, b) = (p.from, p.to);
    let y = p.lane_top + 3 + me.n_lines() * LINE_H + 5;
    let (start, end) = if a.x < b.x {
        (Point { x: a.right(), y }, Point { x: b.x, y })
    } else {
        (Point { x: a.x, y }, Point { x: b.right(), y })
    };
    let rect = Rect {
        x: p.gap.0 + (p.gap.1 - me.w) / 2,
        y: p.lane_top + 3,
        w: me.w,
        h: me.n_lines() * LINE_H,
    };
    let dots = (0..)
        .zip(&me.phases)
        .map(|(i, ph)| {
            let at = Point {
                x: rect.x + DOT_RADIUS + i * DOT_STEP,
                y: rect.y + LINE_H / 2,
            };
            (at, *ph)
        })
        .collect();
    let text_x = rect.x + dots_width(me.phases.len());
    let lines = (1..)
        .zip(&me.lines)
        .map(|(i, spans)| Text {
            x: text_x,
            y: rect.y + i * LINE_H - 3,
            centered: false,
            style: Style::Label,
            spans: spans.clone(),
        })
        .collect();
    Arrow {
        from: plan.hosts[p.edge.0].name.to_string(),
        to: plan.hosts[p.edge.1].name.to_string(),
        start,
        end,
        phases: me.phases.clone(),
        status: me.status,
        label: Label { rect, dots, lines },
    }
}
