//! The diagram on page 1 of the PDF checklist, read back with poppler: vector text and
//! paths (no image), every box title and every port label on page 1, same bytes for the
//! same plan.

use portplan_core::export::pdf::{FirstPageExtras, PdfOptions, CONTENT_W};
use portplan_core::{diagram, export::pdf::figure::Figure};
use portplan_core::{Plan, Scenario};
use std::process::Command;

const DATE: &str = "2026-11-25";

fn plan(name: &str) -> Plan {
    let text = std::fs::read_to_string(portplan_tests::example(name)).expect("example");
    Plan::build(&Scenario::from_json(&text).expect("scenario")).expect("plan")
}

/// Runs a poppler tool on the PDF (through a unique temporary file) and returns stdout.
fn poppler(tool: &str, args: &[&str], bytes: &[u8], out_dash: bool) -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static N: AtomicU32 = AtomicU32::new(0);
    let path = std::env::temp_dir().join(format!(
        "portplan-diagram-{}-{}.pdf",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    ));
    std::fs::write(&path, bytes).expect("write pdf");
    let mut cmd = Command::new(tool);
    cmd.args(args).arg(&path);
    if out_dash {
        cmd.arg("-");
    }
    let out = cmd.output();
    let _ = std::fs::remove_file(&path);
    let out = out.unwrap_or_else(|e| panic!("{tool}: {e} (install poppler-utils)"));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() && !stderr.contains("Error"),
        "{tool}: {stderr}"
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The checklist as the CLI and the page make it: the diagram on page 1.
fn checklist(p: &Plan) -> Vec<u8> {
    portplan_core::export::pdf::figure::checklist(p, None, &PdfOptions::new(DATE))
}

#[test]
fn page_one_carries_the_diagram_as_vector_text_and_paths() {
    for name in [
        "windows-file.json",
        "wave-5.json",
        "wave-50.json",
        "migrate-2020.json",
    ] {
        let p = plan(name);
        let bytes = checklist(&p);
        assert_eq!(bytes, checklist(&p), "{name}: same plan, same bytes");
        let images = poppler("pdfimages", &["-list"], &bytes, false);
        assert_eq!(
            images.lines().count(),
            2,
            "{name}: only the header, no bitmap: {images}"
        );
        // pdftotext without -layout keeps each drawn line whole.
        let page1 = poppler("pdftotext", &["-f", "1", "-l", "1"], &bytes, true);
        let page2 = poppler("pdftotext", &["-f", "2", "-l", "2"], &bytes, true);
        let d = diagram::layout(&p, None);
        for b in &d.boxes {
            let title = b.texts[0].content();
            assert!(
                page1.contains(&title),
                "{name}: page 1 lacks box {title:?}:\n{page1}"
            );
        }
        for a in &d.arrows {
            for line in &a.label.lines {
                let t = line.content();
                assert!(page1.contains(&t), "{name}: page 1 lacks label {t:?}");
            }
        }
        assert!(
            !page2.contains("network flows ("),
            "{name}: the diagram spilled to page 2"
        );
    }
}

#[test]
fn the_figure_keeps_the_diagrams_proportions() {
    let p = plan("migrate-2020.json");
    let d = diagram::layout(&p, None);
    let h = Figure::new(&p, None).height(CONTENT_W);
    let want = CONTENT_W * d.height as f32 / d.width as f32;
    assert!((h - want).abs() < 0.01 && h > 100.0, "{h} vs {want}");
}
