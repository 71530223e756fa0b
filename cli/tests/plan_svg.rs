//! `portplan plan --format svg`: the CLI prints exactly the core's diagram.

use portplan_core::{export::svg, Plan, Scenario};
use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

#[test]
fn plan_format_svg_prints_the_diagram_of_every_example() {
    for ex in [
        "windows-file",
        "legacy-block",
        "migrate-2020",
        "wave-5",
        "wave-50",
    ] {
        let path = format!("examples/{ex}.json");
        let o = Command::new(env!("CARGO_BIN_EXE_portplan"))
            .args(["plan", "--scenario", &path, "--format", "svg"])
            .current_dir(root())
            .output()
            .expect("run portplan");
        assert!(
            o.status.success(),
            "{ex}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        let text = std::fs::read_to_string(root().join(&path)).expect("example");
        let plan = Plan::build(&Scenario::from_json(&text).expect("scenario")).expect("plan");
        let out = String::from_utf8(o.stdout).expect("utf-8");
        assert!(
            out.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""),
            "{ex}"
        );
        assert_eq!(out, svg::render(&plan, None), "{ex}");
    }
}
