//! What the layout produces and the renderers draw: texts, host boxes, labelled
//! arrows, the legend, and the colors of phases, verdicts and roles.

use super::geometry::{text_width, Point, Rect};
use super::overlay::Signal;
use crate::types::{Phase, Role};

/// A run of text in one color: `None` is the text's own color, `Some` a verdict color.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Span {
    pub text: String,
    pub status: Option<Signal>,
}

/// How a text is set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    Title,
    Heading,
    HostName,
    Detail,
    Label,
    Note,
}

impl Style {
    /// Font size in pixels.
    pub fn size(self) -> i32 {
        match self {
            Style::Title => 16,
            Style::Heading | Style::HostName => 13,
            Style::Detail | Style::Label | Style::Note => 11,
        }
    }
    pub fn bold(self) -> bool {
        matches!(self, Style::Title | Style::Heading | Style::HostName)
    }
    /// Default color of the text.
    pub fn color(self) -> &'static str {
        match self {
            Style::Title | Style::HostName | Style::Label => "#1f2328",
            Style::Heading | Style::Detail | Style::Note => "#57606a",
        }
    }
}

/// One line of text; `x` is the left end, or the center when `centered`; `y` the baseline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Text {
    pub x: i32,
    pub y: i32,
    pub centered: bool,
    pub style: Style,
    pub spans: Vec<Span>,
}

impl Text {
    pub(super) fn plain(x: i32, y: i32, centered: bool, style: Style, text: &str) -> Text {
        Text {
            x,
            y,
            centered,
            style,
            spans: vec![Span {
                text: text.to_string(),
                status: None,
            }],
        }
    }
    /// The whole line without colors.
    pub fn content(&self) -> String {
        line_text(&self.spans)
    }
    /// The estimated extent of the line: ascent 0.8 and descent 0.25 of the size
    /// (DejaVu Sans Mono: 0.76 and 0.24), width from [`text_width`].
    pub fn bounds(&self) -> Rect {
        let size = self.style.size();
        let w = text_width(&self.content(), size);
        let x = if self.centered {
            self.x - (w + 1) / 2
        } else {
            self.x
        };
        let ascent = (size * 4 + 4) / 5;
        let descent = (size + 3) / 4;
        Rect {
            x,
            y: self.y - ascent,
            w: w + 1,
            h: ascent + descent,
        }
    }
}

/// A host, or a group of identical hosts collapsed into one box.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostBox {
    pub rect: Rect,
    pub role: Role,
    /// Hosts the box stands for, in plan order (one unless collapsed).
    pub hosts: Vec<String>,
    /// A repeat of a host drawn elsewhere, for a flow that fits no column pair (dashed).
    pub alias: bool,
    pub texts: Vec<Text>,
}

/// A flow label: phase dots then lines of port text, above its arrow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Label {
    pub rect: Rect,
    /// Centers of the phase dots (radius [`DOT_RADIUS`](super::geometry::DOT_RADIUS)), one per phase of the arrow.
    pub dots: Vec<(Point, Phase)>,
    pub lines: Vec<Text>,
}

/// One host pair and direction: a horizontal arrow from the opener to the acceptor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Arrow {
    /// First host of the opening box.
    pub from: String,
    /// First host of the accepting box.
    pub to: String,
    pub start: Point,
    /// The tip of the arrowhead.
    pub end: Point,
    /// Phases of the merged flows, in phase order (never empty).
    pub phases: Vec<Phase>,
    /// Worst verdict of the arrow's ports when an overlay is drawn.
    pub status: Option<Signal>,
    pub label: Label,
}

impl Arrow {
    /// Stroke color: the verdict when there is one, else the earliest phase.
    pub fn color(&self) -> &'static str {
        match (self.status, self.phases.first()) {
            (Some(s), _) => status_color(s),
            (None, Some(p)) => phase_color(*p),
            (None, None) => Style::Label.color(),
        }
    }
    /// The arrowhead triangle: tip, then the two base corners.
    pub fn head(&self) -> [Point; 3] {
        let dir = if self.end.x >= self.start.x { 1 } else { -1 };
        let bx = self.end.x - dir * 10;
        [
            self.end,
            Point {
                x: bx,
                y: self.end.y - 5,
            },
            Point {
                x: bx,
                y: self.end.y + 5,
            },
        ]
    }
    /// Where the stroke stops, so the line does not poke through the arrowhead.
    pub fn shaft_end(&self) -> Point {
        let dir = if self.end.x >= self.start.x { 1 } else { -1 };
        Point {
            x: self.end.x - dir * 8,
            y: self.end.y,
        }
    }
    /// The label's port text, lines joined by a space.
    pub fn label_text(&self) -> String {
        let lines: Vec<String> = self.label.lines.iter().map(Text::content).collect();
        lines.join(" ")
    }
}

/// What a legend swatch stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Swatch {
    Phase(Phase),
    Signal(Signal),
}

impl Swatch {
    pub fn color(self) -> &'static str {
        match self {
            Swatch::Phase(p) => phase_color(p),
            Swatch::Signal(s) => status_color(s),
        }
    }
}

/// One legend entry: a short colored line from `from` to `to`, then its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LegendEntry {
    pub swatch: Swatch,
    pub from: Point,
    pub to: Point,
    pub text: Text,
}

/// The whole picture.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagram {
    pub width: i32,
    pub height: i32,
    /// Title, column headings and notes.
    pub texts: Vec<Text>,
    pub boxes: Vec<HostBox>,
    pub arrows: Vec<Arrow>,
    pub legend: Vec<LegendEntry>,
}

/// Color of a phase: distinct hues, none of them the verdict green, amber or red.
pub fn phase_color(p: Phase) -> &'static str {
    match p {
        Phase::Discovery => "#0969da",
        Phase::Conversion => "#8250df",
        Phase::Transfer => "#0a7b83",
        Phase::Legacy => "#8c5a2b",
        Phase::Management => "#6e7781",
    }
}

/// Color of a verdict: green, amber, red; grey when not known.
pub fn status_color(s: Signal) -> &'static str {
    match s {
        Signal::Pass => "#1a7f37",
        Signal::Closed => "#bf8700",
        Signal::Filtered => "#cf222e",
        Signal::Unknown => "#8c959f",
    }
}

/// Background and border of a host box: servers blue, sources grey, targets green,
/// virtualization hosts and connectors yellow.
pub fn box_colors(role: Role) -> (&'static str, &'static str) {
    match role {
        Role::Server => ("#ddf4ff", "#0969da"),
        Role::Source => ("#f6f8fa", "#57606a"),
        Role::Target => ("#dafbe1", "#1a7f37"),
        Role::VirtualizationHost | Role::Connector | Role::Factory | Role::Database => {
            ("#fff8c5", "#9a6700")
        }
        Role::Admin => ("#fbefff", "#8250df"),
    }
}

/// The plain text of a line.
pub(crate) fn line_text(line: &[Span]) -> String {
    line.iter().map(|s| s.text.as_str()).collect()
}
