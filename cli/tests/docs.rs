//! Every `console` example of the README and of `docs/` runs against this binary, and
//! its output must match what the page shows (`...` stands for elided lines), so the
//! documentation cannot drift from the program. Commands run from the repository root,
//! as a reader types them there.

#[test]
fn documented_commands_print_what_the_docs_say() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    std::env::set_current_dir(&root).expect("repository root");
    trycmd::TestCases::new()
        .register_bin(
            "portplan",
            std::path::Path::new(env!("CARGO_BIN_EXE_portplan")),
        )
        .case("README.md")
        .case("docs/*.md");
}
