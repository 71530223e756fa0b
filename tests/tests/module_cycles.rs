//! Module dependencies run one way: no crate of the workspace has an import circle
//! among its modules (`tests/tools/module_cycles.py` reads the `use` and `crate::`
//! paths; see docs/architecture.md).

use std::process::Command;

#[test]
fn no_crate_has_an_import_circle() {
    let root = portplan_tests::workspace_root();
    let tool = root.join("tests/tools/module_cycles.py");
    for krate in ["core", "cli", "web", "web-exports", "xtask", "tests"] {
        let out = Command::new("python3")
            .arg(&tool)
            .arg(root.join(krate))
            .output()
            .expect("python3 runs the module-cycle tool");
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "{krate}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            text.trim_end()
                .ends_with(&format!("0 cycles in {}", root.join(krate).display())),
            "{krate}: {text}"
        );
    }
}
