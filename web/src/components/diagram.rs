//! The diagram's section: its zoom controls and the figure with the exports module's
//! SVG.
//!
//! Zooming is a `data-zoom` attribute on the figure that style.css turns into the
//! SVG's width (a share of the figure's): the exports module can redraw the SVG after
//! an edit and the zoom stays. Zoomed in, the figure scrolls sideways (and takes the
//! keyboard focus to scroll with the arrow keys), so on a phone the diagram reads at
//! any size without making the page wider. A plain function of the page's zoom state
//! rather than a component of its own: that keeps the main bundle small.

use yew::prelude::*;

/// The zoom steps: the `data-zoom` value (percent of the figure's width) and what the
/// page says of it.
pub const ZOOMS: [(&str, &str); 5] = [
    ("100", "fits the width"),
    ("150", "150 %"),
    ("200", "200 %"),
    ("300", "300 %"),
    ("400", "400 %"),
];

/// The section, at zoom step `step` (an index into [`ZOOMS`]), showing `figure` (the
/// exports module's SVG).
pub fn section(step: &UseStateHandle<usize>, figure: Html) -> Html {
    let to = |next: usize| {
        let step = step.clone();
        Callback::from(move |_: MouseEvent| step.set(next))
    };
    let (i, last) = (**step, ZOOMS.len() - 1);
    let (zoom, level) = ZOOMS[i.min(last)];
    html! {
        <section id="diagram-section" aria-labelledby="diagram-title">
            <h2 id="diagram-title">{ "Diagram" }</h2>
            <div class="zoom no-print" role="group" aria-label="Zoom the diagram">
                <button type="button" id="diagram-zoom-out" aria-label="Zoom out" disabled={i == 0} onclick={to(i.saturating_sub(1))}>{ "−" }</button>
                <button type="button" id="diagram-zoom-fit" disabled={i == 0} onclick={to(0)}>{ "Fit" }</button>
                <button type="button" id="diagram-zoom-in" aria-label="Zoom in" disabled={i >= last} onclick={to((i + 1).min(last))}>{ "+" }</button>
                <span id="diagram-zoom-level" aria-live="polite">{ level }</span>
            </div>
            <figure class="diagram" id="diagram" data-zoom={zoom} tabindex="0"
                aria-label="Network diagram (scroll sideways when zoomed in)">{ figure }</figure>
        </section>
    }
}
