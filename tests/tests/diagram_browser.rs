//! The SVG in a real browser (headless Chromium): every text the browser lays out is
//! no wider than the width the layout reserved for it, and the picture renders. The
//! screenshots land in `target/diagram-screenshots/` for a human to look at.

use portplan_core::diagram;
use portplan_core::export::svg;
use portplan_core::{Plan, Scenario};
use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

fn plan(name: &str) -> Plan {
    let text = std::fs::read_to_string(portplan_tests::example(name)).expect("example");
    Plan::build(&Scenario::from_json(&text).expect("scenario")).expect("plan")
}

fn chromium() -> &'static str {
    ["chromium", "chromium-browser", "google-chrome"]
        .into_iter()
        .find(|c| {
            Command::new(c)
                .arg("--version")
                .output()
                .is_ok_and(|o| o.status.success())
        })
        .expect("headless Chromium (Debian package `chromium`)")
}

/// Runs headless Chromium with a hard time limit; returns stdout.
fn run_chromium(args: &[String]) -> String {
    let mut child = Command::new(chromium())
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
        ])
        .args(["--no-first-run", "--hide-scrollbars"])
        .arg(format!(
            "--user-data-dir={}",
            out_dir()
                .join(format!("profile-{}", std::process::id()))
                .display()
        ))
        .args(args)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("start chromium");
    let started = std::time::Instant::now();
    loop {
        if child.try_wait().expect("wait").is_some() {
            break;
        }
        if started.elapsed() > Duration::from_secs(90) {
            let _ = child.kill();
            panic!("chromium did not finish within 90 s");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let out = child.wait_with_output().expect("chromium output");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn out_dir() -> PathBuf {
    let d = portplan_tests::workspace_root()
        .join("target")
        .join("diagram-screenshots");
    std::fs::create_dir_all(&d).expect("screenshot dir");
    d
}

/// Page that measures every SVG text with the browser's own font metrics and writes
/// `size<TAB>width<TAB>text` lines into a <pre> for `--dump-dom`.
fn measuring_page(svg: &str) -> String {
    format!(
        r#"<!doctype html><html><body>{svg}<pre id="out"></pre><script>
const rows = [];
for (const t of document.querySelectorAll('svg text')) {{
  rows.push(t.getAttribute('font-size') + '\t' + t.getComputedTextLength().toFixed(2) + '\t' + t.textContent);
}}
document.getElementById('out').textContent = 'MEASURED\n' + rows.join('\n') + '\nEND';
</script></body></html>"#
    )
}

#[test]
fn chromium_lays_out_every_text_within_the_reserved_width_and_renders_it() {
    for name in ["windows-file", "wave-5", "wave-50", "migrate-2020"] {
        let p = plan(&format!("{name}.json"));
        let d = diagram::layout(&p, None);
        let out = svg::render(&p, None);
        let dir = out_dir();
        let page = dir.join(format!("{name}.html"));
        std::fs::write(&page, measuring_page(&out)).expect("write page");
        let dom = run_chromium(&["--dump-dom".into(), format!("file://{}", page.display())]);
        let block = dom
            .split("MEASURED\n")
            .nth(1)
            .and_then(|rest| rest.split("\nEND").next())
            .unwrap_or_else(|| panic!("{name}: no measurements in the DOM:\n{dom}"));
        let mut n = 0;
        for row in block.lines() {
            let mut cols = row.splitn(3, '\t');
            let size: i32 = cols.next().and_then(|s| s.parse().ok()).expect("font-size");
            let width: f64 = cols.next().and_then(|s| s.parse().ok()).expect("width");
            let text = cols.next().unwrap_or("").replace("&amp;", "&");
            let reserved = f64::from(diagram::text_width(&text, size));
            assert!(
                width <= reserved,
                "{name}: {text:?} is {width}px in Chromium, {reserved}px reserved"
            );
            assert!(
                width > 0.0 || text.is_empty(),
                "{name}: {text:?} not rendered"
            );
            n += 1;
        }
        let expected = d.texts.len()
            + d.legend.len()
            + d.boxes.iter().map(|b| b.texts.len()).sum::<usize>()
            + d.arrows.iter().map(|a| a.label.lines.len()).sum::<usize>();
        assert_eq!(n, expected, "{name}: every text measured");

        let svg_path = dir.join(format!("{name}.svg"));
        let png = dir.join(format!("{name}.png"));
        std::fs::write(&svg_path, &out).expect("write svg");
        let _ = std::fs::remove_file(&png);
        run_chromium(&[
            format!("--screenshot={}", png.display()),
            format!("--window-size={},{}", d.width, d.height),
            format!("file://{}", svg_path.display()),
        ]);
        let bytes = std::fs::read(&png).unwrap_or_else(|e| panic!("{name}: no screenshot: {e}"));
        assert!(
            bytes.starts_with(b"\x89PNG") && bytes.len() > 10_000,
            "{name}: empty screenshot"
        );
    }
    let _ = std::fs::remove_dir_all(out_dir().join(format!("profile-{}", std::process::id())));
}
