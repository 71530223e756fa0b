//! What makes the picture self-explaining: title, legend, column headings, notes.

use super::geometry::{text_width, Point, MARGIN};
use super::overlay::Signal;
use super::shapes::{LegendEntry, Style, Swatch, Text};
use crate::plan::Plan;
use crate::types::{Phase, Role};

/// Title and legend rows at the top, and where the content may start.
pub(super) struct Header {
    pub texts: Vec<Text>,
    pub legend: Vec<LegendEntry>,
    pub bottom: i32,
}

/// The title, then the phase colors and, with an overlay, the verdict colors; entries
/// wrap at `avail` pixels.
pub(super) fn header(plan: &Plan, verdicts: bool, avail: i32) -> Header {
    let mut texts = Vec::new();
    let title = format!(
        "PlateSpin {} {} · network flows ({} flows between {} hosts)",
        plan.product.title(),
        plan.version,
        plan.flows.len(),
        plan.hosts.len()
    );
    texts.push(Text::plain(
        MARGIN,
        MARGIN + 14,
        false,
        Style::Title,
        &title,
    ));
    let phases = Phase::ALL
        .iter()
        .filter(|p| plan.flows.iter().any(|f| f.phase == **p))
        .map(|p| (Swatch::Phase(*p), p.title()))
        .collect();
    let mut rows: Vec<(&str, Vec<(Swatch, &str)>)> = vec![("Phases:", phases)];
    if verdicts {
        let statuses = Signal::ALL.iter().map(|s| (Swatch::Signal(*s), s.legend()));
        rows.push(("Verdicts:", statuses.collect()));
    }
    let lead_w = text_width("Verdicts:", Style::Note.size()) + 10;
    let mut legend = Vec::new();
    let mut y = MARGIN + 42;
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
    Header {
        texts,
        legend,
        bottom: y,
    }
}

/// Headings of the four columns; the first names what it holds.
pub(super) fn headings(plan: &Plan, left: &[usize]) -> [&'static str; 4] {
    let has = |pred: fn(Role) -> bool| left.iter().any(|&i| pred(plan.hosts[i].role));
    let management = |r: Role| {
        matches!(
            r,
            Role::Connector | Role::Admin | Role::Factory | Role::Database
        )
    };
    let others = has(|r| matches!(r, Role::Admin | Role::Factory | Role::Database));
    let first = match (
        has(|r| r == Role::VirtualizationHost),
        has(management),
        others,
    ) {
        (true, true, false) => "Virt. hosts & connectors",
        (false, true, false) => "Connectors",
        (true, true, true) => "Virt. hosts & management",
        (false, true, true) => "Management hosts",
        _ => "Virtualization hosts",
    };
    [first, "PlateSpin Server", "Sources", "Targets"]
}

/// The notes under the picture from `y` on; returns them and the y after them.
pub(super) fn notes(collapsed: bool, verdicts: bool, mut y: i32) -> (Vec<Text>, i32) {
    let mut notes = vec![
        "Arrows run from the host that opens the connection to the host that accepts it.",
        "A label lists the ports of all phases; its dots name the phases (colors above).",
    ];
    if collapsed {
        notes
            .push("A box with a count stands for identical workloads; the tables list every host.");
    }
    if verdicts {
        notes.push("Each port is colored by its verdict; an arrow by the worst of its ports.");
    }
    let mut texts = Vec::new();
    for n in notes {
        texts.push(Text::plain(MARGIN, y, false, Style::Note, n));
        y += 16;
    }
    (texts, y)
}
