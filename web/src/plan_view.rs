//! The plan view: every flow of the plan, reachable by scrolling, with only the lines
//! on screen in the page.
//!
//! A wave of a thousand workloads is 14,000 flows; as table rows they would take the
//! browser longer to lay out than an edit may take, so the page used to show the first
//! 400 and cut the rest. Now the exports module hands over the plan's lines
//! ([`PlanView`]: phase titles, host pair titles, flows, each a `<tr>`), and this
//! module draws the ones in the scroll box's view, with two spacer rows standing for
//! the lines above and below. Print gets every line (the appendix after the
//! consolidated rules), drawn just before printing.

use std::cell::RefCell;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use yew::prelude::*;

#[wasm_bindgen]
extern "C" {
    /// The exports module's view of one plan, line by line (`PlanView` in
    /// web-exports/src/page.rs); this module draws the lines on screen.
    pub type PlanView;

    /// The title, with the whole plan's flow count, and the plan's notes.
    #[wasm_bindgen(method)]
    pub fn heading(this: &PlanView) -> String;

    /// How many lines (phase titles, host pair titles, flows).
    #[wasm_bindgen(method)]
    pub fn rows(this: &PlanView) -> usize;

    /// Lines `first..first + count` as `<tr>` markup.
    #[wasm_bindgen(method)]
    pub fn window(this: &PlanView, first: usize, count: usize) -> String;

    /// Every line, for print.
    #[wasm_bindgen(method)]
    pub fn appendix(this: &PlanView) -> String;

    /// Gives the view's memory back to the exports module.
    #[wasm_bindgen(method)]
    pub fn free(this: &PlanView);
}

/// Lines drawn beyond each edge of the view, so a scroll of a few lines shows drawn
/// lines at once.
const MARGIN: usize = 30;
/// A plan of at most this many lines is drawn whole (what the page drew before it drew
/// windows): only longer ones are drawn as they scroll into view.
const WHOLE: usize = 400;
/// A line's height before any line has been measured (px).
const LINE_PX: f64 = 34.0;

struct Drawn {
    view: PlanView,
    /// Lines the scroll box stands for: the view's, or the whole plan's before while
    /// only the first flows of an edited plan are in (the box keeps its length).
    extent: usize,
    /// The window drawn (`None`: draw again).
    window: Option<(usize, usize)>,
    /// A line's height as last measured (px).
    line: f64,
}

thread_local! {
    static DRAWN: RefCell<Option<Drawn>> = const { RefCell::new(None) };
    /// The heading and the lines as last written into the page: an edit whose lines
    /// on screen did not change writes nothing (no style or layout to redo).
    static WRITTEN: RefCell<(String, String)> = const { RefCell::new((String::new(), String::new())) };
}

/// Sets `el`'s markup to `html` unless it holds it already (`which`: 0 the heading,
/// 1 the lines).
fn write(el: &web_sys::HtmlElement, which: usize, html: String) {
    WRITTEN.with(|w| {
        let mut w = w.borrow_mut();
        let last = if which == 0 { &mut w.0 } else { &mut w.1 };
        if *last != html || el.child_element_count() == 0 {
            el.set_inner_html(&html);
            *last = html;
        }
    });
}

fn element(id: &str) -> Option<web_sys::HtmlElement> {
    gloo_utils::document()
        .get_element_by_id(id)
        .and_then(|e| e.dyn_into().ok())
}

/// Shows `view` (`partial`: only the plan's first flows, in the frame of an edit). A
/// partial view replaces the one on screen only where the lines in view are among its
/// first flows; farther down the whole plan's view follows once edits settle.
pub fn show(view: PlanView, partial: bool) {
    let keep = DRAWN.with(|d| {
        let d = d.borrow();
        let Some(old) = d.as_ref() else { return false };
        partial && old.window.is_some_and(|(_, end)| end > view.rows())
    });
    if keep {
        view.free();
        return;
    }
    if let Some(head) = element("plan-head") {
        write(&head, 0, view.heading());
    }
    let same_place = DRAWN.with(|d| {
        let mut d = d.borrow_mut();
        let extent = match d.as_ref() {
            Some(old) if partial => old.extent.max(view.rows()),
            _ => view.rows(),
        };
        let (window, line) = d.as_ref().map_or((None, LINE_PX), |o| (o.window, o.line));
        if let Some(old) = d.take() {
            old.view.free();
        }
        *d = Some(Drawn {
            view,
            extent,
            window,
            line,
        });
        window.is_some()
    });
    // The same lines of the new view where the old ones were: no layout is read in the
    // frame of an edit (reading one would lay out the whole page, a thousand wizard
    // rows, before it is painted); scrolling measures again.
    if !same_place || !redraw() {
        draw();
    }
}

/// Draws the window drawn before again, from the view now in place; `false` when there
/// is none to draw again (nothing drawn yet, or the page re-created the section).
fn redraw() -> bool {
    let (Some(rows), Some(above), Some(below)) = (
        element("plan-rows"),
        element("plan-above"),
        element("plan-below"),
    ) else {
        return false;
    };
    if rows.child_element_count() == 0 {
        return false;
    }
    DRAWN.with(|d| {
        let mut d = d.borrow_mut();
        let Some(d) = d.as_mut() else { return false };
        let Some((a, b)) = d.window else { return false };
        let n = d.view.rows();
        let count = if n <= WHOLE { n } else { (b - a).min(n) };
        let first = a.min(n.saturating_sub(count));
        let end = (first + count).min(n);
        write(&rows, 1, d.view.window(first, end - first));
        d.window = Some((first, end));
        spacers(
            &above,
            &below,
            first,
            d.extent.max(n).saturating_sub(end),
            d.line,
        );
        true
    })
}

/// Sets the spacers' heights for `above` and `below` lines of `line` px.
fn spacers(
    above: &web_sys::HtmlElement,
    below: &web_sys::HtmlElement,
    lines_above: usize,
    lines_below: usize,
    line: f64,
) {
    // Whole pixels, written as an integer (no float formatting in the first load).
    let px = |lines: usize| format!("{}px", (lines as f64 * line).round() as u64);
    let _ = above.style().set_property("height", &px(lines_above));
    let _ = below.style().set_property("height", &px(lines_below));
}

/// Whether the lines drawn are among a plan's first `flows` flows (or none are drawn):
/// only then does the frame of an edit redraw them from the plan's head.
pub fn near_top(flows: usize) -> bool {
    DRAWN.with(|d| {
        d.borrow()
            .as_ref()
            .and_then(|d| d.window)
            .is_none_or(|(_, end)| end <= flows)
    })
}

/// The average height of the lines drawn, or [`LINE_PX`] before any.
fn line_height(rows: &web_sys::HtmlElement, drawn: usize) -> f64 {
    let h = f64::from(rows.offset_height());
    if drawn > 0 && h > 0.0 {
        h / drawn as f64
    } else {
        LINE_PX
    }
}

/// Draws the lines in the scroll box's view (again when it scrolled out of the window
/// drawn, or the view changed).
pub fn draw() {
    let (Some(scroll), Some(rows), Some(above), Some(below)) = (
        element("plan-scroll"),
        element("plan-rows"),
        element("plan-above"),
        element("plan-below"),
    ) else {
        return;
    };
    DRAWN.with(|d| {
        let mut d = d.borrow_mut();
        let Some(d) = d.as_mut() else { return };
        // The page re-created the section (the results came back after an error).
        if rows.child_element_count() == 0 {
            d.window = None;
            if let Some(head) = element("plan-head") {
                write(&head, 0, d.view.heading());
            }
        }
        let n = d.view.rows();
        let drawn = d.window.map_or(0, |(a, b)| b - a);
        let line = line_height(&rows, drawn);
        let top = f64::from(scroll.scroll_top());
        let height = f64::from(scroll.client_height()).max(line);
        let in_view = (height / line).ceil() as usize + 1;
        let at_end = top + height >= f64::from(scroll.scroll_height()) - 2.0;
        let count = in_view + 2 * MARGIN;
        let count = if n <= WHOLE { n } else { count };
        let mut first = ((top / line) as usize).saturating_sub(MARGIN);
        if at_end || first + count > n {
            first = n.saturating_sub(count);
        }
        let end = (first + count).min(n);
        // Within the window drawn, with a margin left on the side scrolled to.
        if let Some((a, b)) = d.window {
            let view_first = (top / line) as usize;
            let inside = a <= view_first.saturating_sub(MARGIN / 2)
                && (view_first + in_view + MARGIN / 2).min(n) <= b
                && !(at_end && b < n);
            if inside {
                return;
            }
        }
        write(&rows, 1, d.view.window(first, end - first));
        d.window = Some((first, end));
        let line = line_height(&rows, end - first);
        d.line = line;
        spacers(
            &above,
            &below,
            first,
            d.extent.max(n).saturating_sub(end),
            line,
        );
    });
}

/// Before printing: every line of the plan into the print-only appendix (the scroll
/// box is not printed).
pub fn before_print() {
    let Some(out) = element("plan-print") else {
        return;
    };
    DRAWN.with(|d| {
        if let Some(d) = d.borrow().as_ref() {
            out.set_inner_html(&d.view.appendix());
        }
    });
}

/// After printing: the appendix goes (thousands of rows the screen does not show).
pub fn after_print() {
    if let Some(out) = element("plan-print") {
        out.set_inner_html("");
    }
}

/// Draws on scrolling the plan's box and around printing, for the page's life.
pub fn listen() -> [gloo_events::EventListener; 3] {
    use gloo_events::{EventListener, EventListenerOptions};
    let window = gloo_utils::window();
    // Scrolling does not bubble: one listener that captures it for the whole document.
    let scroll = EventListener::new_with_options(
        &gloo_utils::document(),
        "scroll",
        EventListenerOptions::run_in_capture_phase(),
        |e| {
            let target = e
                .target()
                .and_then(|t| t.dyn_into::<web_sys::Element>().ok());
            if target.is_some_and(|t| t.id() == "plan-scroll") {
                draw();
            }
        },
    );
    [
        scroll,
        EventListener::new(&window, "beforeprint", |_| before_print()),
        EventListener::new(&window, "afterprint", |_| after_print()),
    ]
}

/// The plan section the lines are drawn into; Yew renders it and never touches what
/// is drawn in it.
pub fn section() -> Html {
    html! {
        <section id="plan" aria-labelledby="plan-title">
            <div id="plan-head"></div>
            <div id="plan-scroll" class="plan-scroll no-print" tabindex="0" aria-label="The plan's flows (scroll for all)">
                <table class="flows">
                    <thead><tr><th>{ "Protocol" }</th><th>{ "Port(s)" }</th><th>{ "Direction" }</th><th>{ "Purpose" }</th><th>{ "Rule, source, notes" }</th></tr></thead>
                    <tbody class="spacer"><tr id="plan-above" aria-hidden="true"><td colspan="5"></td></tr></tbody>
                    <tbody id="plan-rows"></tbody>
                    <tbody class="spacer"><tr id="plan-below" aria-hidden="true"><td colspan="5"></td></tr></tbody>
                </table>
            </div>
            <div id="plan-print" class="print-only"></div>
        </section>
    }
}
