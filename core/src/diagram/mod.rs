//! The network diagram as plain geometry: host boxes, arrows with port labels, a legend.
//!
//! Firewall change requests and pre-sales meetings run on pictures, so a plan is also
//! drawn: one box per host in columns by role (virtualization hosts and connectors |
//! PlateSpin Server | sources | targets), one horizontal arrow per host pair and
//! direction, labelled with its ports merged across phases. Every arrow gets its own
//! horizontal lane, so labels never collide by construction; identical workloads
//! collapse into one box with a count.
//!
//! [`layout`] only computes rectangles, points and text runs (integer pixels, text
//! widths estimated for a monospace font at a known size), so each renderer — SVG for
//! the page and the CLI, vector paths in the PDF — draws the same picture, and the same
//! plan always gives the same bytes.
//!
//! ```
//! use portplan_core::{diagram, Plan, Scenario};
//! let s = Scenario::from_json(r#"{"format":1,"product":"migrate","version":"12.3",
//!   "server":{"name":"ps01","address":"10.0.0.5"},
//!   "workloads":[{"name":"web01","address":"10.0.1.10","os":"linux"}]}"#).unwrap();
//! let d = diagram::layout(&Plan::build(&s).unwrap(), None);
//! assert!(d.arrows.iter().any(|a| a.from == "ps01" && a.to == "web01"
//!     && a.label_text().contains("TCP 22")));
//! ```

mod chrome;
pub mod geometry;
mod layout;
mod model;
pub mod overlay;
mod parts;
mod ports;
pub mod shapes;

pub use geometry::{text_width, Point, Rect, CHAR_WIDTH_PERMILLE, DOT_RADIUS, FONT_FAMILY};
pub use layout::layout;
pub use model::COLLAPSE_THRESHOLD;
pub use overlay::{Overlay, Signal};
pub use shapes::{
    box_colors, phase_color, status_color, Arrow, Diagram, HostBox, Label, LegendEntry, Span,
    Style, Swatch, Text,
};
