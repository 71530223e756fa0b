//! The diagram's zoom, in a real browser (Debian's headless Chromium via playwright-core;
//! `tests/browser/zoom.cjs` acts, this test asserts): on a 390 px phone the diagram
//! fits the width with tiny labels; "+" (from the keyboard) makes it twice the width
//! of its box, which then scrolls sideways with the arrow keys while the page stays
//! 390 px wide; an edit's redraw keeps the zoom and "Fit" brings it back. The same at
//! 1440 px. Screenshots land in `target/e2e-zoom/`.
//!
//! Run by `cargo xtask test` (it needs `PORTPLAN_SITE_URL`).
#![cfg(feature = "browser")]

use portplan_tests::browser::{self, required_env};

use serde_json::Value;
use std::path::Path;
use std::time::Duration;

const BROWSER_DEADLINE: Duration = Duration::from_secs(120);

fn run_browser(url: &str, out: &Path) {
    browser::run_script("zoom.cjs", url, out, &[], BROWSER_DEADLINE);
}

fn f(v: &Value, k: &str) -> f64 {
    v[k].as_f64().unwrap_or_else(|| panic!("{k}: {v}"))
}

#[test]
fn the_diagram_zooms_and_scrolls_on_a_phone() {
    let url = required_env("PORTPLAN_SITE_URL");
    let out = browser::artifacts("e2e-zoom");
    run_browser(&url, &out);
    let r: Value = serde_json::from_str(
        &std::fs::read_to_string(out.join("result.json")).expect("result.json"),
    )
    .expect("result.json parses");
    assert_eq!(r["console"], serde_json::json!([]), "console errors");

    for (width, viewport) in [("w390", 390.0), ("w1440", 1440.0)] {
        let r = &r[width];
        let (fit, zoomed, scrolled) = (&r["fit"], &r["zoomed"], &r["scrolled"]);
        // Fit: the diagram is no wider than its box, nothing to scroll.
        assert!(f(fit, "svg") <= f(fit, "figure") + 1.0, "{width}: {fit}");
        assert_eq!(fit["level"], "fits the width");
        assert_eq!(fit["zoom_out_disabled"], true);
        // Two presses of "+" from the keyboard: 200 % of the box, which now scrolls.
        assert_eq!(
            zoomed["focus"], "diagram-zoom-in",
            "{width}: the focus stays on +"
        );
        assert_eq!(zoomed["level"], "200 %");
        let ratio = f(zoomed, "svg") / f(zoomed, "figure");
        assert!((ratio - 2.0).abs() < 0.02, "{width}: {ratio}: {zoomed}");
        assert!(
            f(zoomed, "scroll_width") > f(zoomed, "figure") * 1.9,
            "{zoomed}"
        );
        assert!(
            f(zoomed, "label_px") > f(fit, "label_px") * 1.5,
            "labels grow: {fit} {zoomed}"
        );
        // The arrow keys scroll the focused figure, the page stays as wide as the screen.
        assert_eq!(scrolled["focus"], "diagram");
        assert!(f(scrolled, "scroll_left") > 0.0, "{width}: {scrolled}");
        assert!(
            f(zoomed, "page_width") <= viewport + 1.0,
            "{width}: {zoomed}"
        );
        // An edit redraws the SVG; the zoom stays. Fit brings the fitted diagram back.
        assert_eq!(r["after_edit"]["level"], "200 %");
        let again = f(&r["after_edit"], "svg") / f(&r["after_edit"], "figure");
        assert!((again - 2.0).abs() < 0.02, "{width}: {}", r["after_edit"]);
        assert_eq!(r["back"]["level"], "fits the width");
        assert!(f(&r["back"], "svg") <= f(&r["back"], "figure") + 1.0);
    }
    // On the phone, fitting made labels unreadably small; zoomed in they read.
    assert!(
        f(&r["w390"]["fit"], "label_px") < 8.0,
        "{}",
        r["w390"]["fit"]
    );
    for shot in ["zoom-390.png", "zoom-1440.png"] {
        let len = std::fs::metadata(out.join(shot)).map_or(0, |m| m.len());
        assert!(len > 10_000, "{shot}: {len} bytes");
    }
}
