//! The `plan`, `rules` and `drive-port` commands as a user runs them.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn portplan(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_portplan"))
        .args(args)
        .current_dir(root())
        .output()
        .expect("run portplan")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}
fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

const EXAMPLES: &[&str] = &["windows-file", "legacy-block", "migrate-2020"];

/// The CLI prints exactly what the core renders (the renders themselves are pinned once,
/// in `tests/tests/snapshots/exports_snapshots__*`).
#[test]
fn plan_formats_of_the_shipped_examples() {
    use portplan_core::export::{csv, markdown, table};
    type Render = fn(&portplan_core::Plan) -> String;
    let formats: [(&str, Render); 4] = [
        ("table", table::render),
        ("json", portplan_core::Plan::to_json),
        ("csv", csv::render),
        ("md", markdown::render),
    ];
    for ex in EXAMPLES {
        let text =
            std::fs::read_to_string(root().join(format!("examples/{ex}.json"))).expect("example");
        let plan = portplan_core::Plan::build(
            &portplan_core::Scenario::from_json(&text).expect("scenario"),
        )
        .expect("plan");
        for (format, render) in formats {
            let o = portplan(&[
                "plan",
                "--scenario",
                &format!("examples/{ex}.json"),
                "--format",
                format,
            ]);
            assert!(o.status.success(), "{ex} {format}: {}", stderr(&o));
            assert_eq!(stdout(&o), render(&plan), "{ex} {format}");
        }
    }
}

#[test]
fn plan_json_is_the_documented_format() {
    let o = portplan(&["plan", "-s", "examples/windows-file.json", "-f", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    assert_eq!(v["format"], 1);
    let flow = v["flows"]
        .as_array()
        .and_then(|f| {
            f.iter()
                .find(|f| f["rule"] == "discovery.windows.rpc-epmap")
        })
        .expect("epmap flow");
    assert_eq!(flow["phase"], "discovery");
    assert_eq!(flow["from"], "ps01");
    assert_eq!(flow["to"], "web01");
    assert_eq!(flow["protocol"], "tcp");
    assert_eq!(
        flow["ports"],
        serde_json::json!({"first": 135, "last": 135})
    );
    assert!(v["flows"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|f| f["protocol"] == "icmp")
        .all(|f| f.get("ports").is_none()));
}

#[test]
fn drive_port_prints_ports_and_refuses_bad_letters() {
    let o = portplan(&["drive-port", "c", "z"]);
    assert!(o.status.success());
    assert_eq!(stdout(&o), "10002\n10025\n");
    for bad in ["#", "CD", "", "1", "ä"] {
        let o = portplan(&["drive-port", "c", bad]);
        assert_eq!(o.status.code(), Some(2), "{bad:?}");
        assert_eq!(stdout(&o), "", "nothing is printed when a letter is bad");
        let err = stderr(&o);
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(
            err.contains(&format!("{bad:?} is not a drive letter")),
            "{err}"
        );
    }
}

/// Bad scenarios: one line naming the JSON path and value, exit 2, no output file.
#[test]
fn bad_scenarios_get_one_line_errors() {
    let dir = std::env::temp_dir().join(format!("portplan-bad-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("tmp");
    let base = std::fs::read_to_string(root().join("examples/windows-file.json")).expect("example");
    let cases: &[(&str, &str, &str)] = &[
        ("empty", "", "$: empty input"),
        ("not-json", "hello", "$: expected a JSON object"),
        (
            "format-2",
            &base.replace("\"format\": 1", "\"format\": 2"),
            "format: 2 is not supported",
        ),
        (
            "bad-drive",
            &base.replace("[\"C\", \"D\"]", "[\"C\", \"#\"]"),
            "workloads[0].drives[1]: \"#\" is not a drive letter",
        ),
        (
            "drive-cc",
            &base.replace("[\"C\", \"D\"]", "[\"CC\"]"),
            "workloads[0].drives[0]: \"CC\" is not a drive letter",
        ),
        (
            "unknown-field",
            &base.replace("\"os\": \"windows\"", "\"os\": \"windows\", \"colour\": 1"),
            "workloads[0].colour: unknown field `colour`",
        ),
        (
            "dup-name",
            &base.replace("web01-t", "web01"),
            "workloads[0].target.name: \"web01\" is already used by workloads[0]",
        ),
        (
            "bad-ip",
            &base.replace("10.0.1.10", "999.1.1.1"),
            "workloads[0].address: \"999.1.1.1\" is not a valid IPv4 address",
        ),
        (
            "space-name",
            &base.replace("\"esx01\"", "\"esx 01\""),
            "hosts[0].name: \"esx 01\" is not a host name",
        ),
        (
            "legacy-on-migrate",
            &base.replace("\"file\"", "\"block-legacy\""),
            "workloads[0].transfer: \"block-legacy\" exists only in Portability Suite 8.1.3",
        ),
        (
            "bad-platform",
            &base.replace("esxi", "vmware"),
            "hosts[0].platform: unknown variant `vmware`",
        ),
    ];
    for (name, text, want) in cases {
        let input = dir.join(format!("{name}.json"));
        let out = dir.join(format!("{name}.out"));
        std::fs::write(&input, text).expect("write");
        let o = portplan(&[
            "plan",
            "-s",
            input.to_str().expect("utf8"),
            "-f",
            "json",
            "-o",
            out.to_str().expect("utf8"),
        ]);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{name}: {err}");
        assert_eq!(err.lines().count(), 1, "{name}: {err}");
        assert!(err.contains(want), "{name}: {err:?} lacks {want:?}");
        assert!(!out.exists(), "{name}: output written despite the error");
    }
    let o = portplan(&["plan", "-s", "does/not/exist.json"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("does/not/exist.json"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn output_file_is_written_whole() {
    let dir = std::env::temp_dir().join(format!("portplan-out-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("tmp");
    let out = dir.join("plan.json");
    let o = portplan(&[
        "plan",
        "-s",
        "examples/legacy-block.json",
        "-f",
        "json",
        "-o",
        out.to_str().expect("utf8"),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let written = std::fs::read_to_string(&out).expect("plan written");
    let again = stdout(&portplan(&[
        "plan",
        "-s",
        "examples/legacy-block.json",
        "-f",
        "json",
    ]));
    assert_eq!(written, again);
    assert_eq!(
        std::fs::read_dir(&dir).expect("dir").count(),
        1,
        "no temp file left behind"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn rules_filter_by_product_and_version() {
    let all = stdout(&portplan(&["rules"]));
    assert!(all.contains("legacy.drive") && all.contains("management.connector"));
    let o = portplan(&[
        "rules",
        "--product",
        "migrate",
        "--version",
        "12.3",
        "--format",
        "json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    let ids: Vec<&str> = v
        .as_array()
        .expect("array")
        .iter()
        .filter_map(|r| r["id"].as_str())
        .collect();
    assert!(ids.contains(&"conversion.https.source"));
    assert!(!ids.iter().any(|i| i.starts_with("legacy.")), "{ids:?}");
    // Connectors from 12.2.1 (PTM 1.1 SP1); PTM 1.1's own reading stays at 12.2.1.
    assert!(ids.contains(&"management.connector"));
    assert!(!ids.contains(&"management.factory.stomp-connector"));
    let o = portplan(&["rules", "--product", "migrate", "--version", "x.y"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn rules_diff_lists_what_an_upgrade_changes() {
    let o = portplan(&["rules", "--product", "migrate", "--diff", "2018.11..2020.2"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    let removed = out
        .split("No longer listed")
        .nth(1)
        .expect("removed section");
    assert!(removed.contains("discovery.hyperv.rpc-epmap"), "{out}");
    // XenServer stays, planned as 2018.11 documents it (2019.2 still documents it).
    let documentation = out
        .split("Stated by a stored guide at one version only")
        .nth(1)
        .expect("documentation section");
    let removed_only = removed.split("Stated by").next().unwrap_or_default();
    assert!(!removed_only.contains("discovery.xen.ssh"), "{out}");
    assert!(documentation.contains("discovery.xen.ssh"), "{out}");
    assert!(out.contains("Needed from the new version on (0)"), "{out}");
    let o = portplan(&["rules", "--product", "migrate", "--diff", "12.3..2019.5"]);
    let out = stdout(&o);
    assert!(out.contains("note: Migrate 12.3 is not a release"), "{out}");
    let o = portplan(&["rules", "--product", "migrate", "--diff", "12.2.1..2019.5"]);
    let out = stdout(&o);
    let removed = out.split("No longer listed").nth(1).expect("removed");
    assert!(removed.contains("management.factory.stomp-server"), "{out}");
    let o = portplan(&["rules", "--product", "migrate", "--diff", "12.1..2019.5"]);
    let out = stdout(&o);
    let added = out
        .split("Needed from the new version on")
        .nth(1)
        .expect("added");
    assert!(added.contains("management.connector"), "{out}");
    for bad in ["2018.11", "2018.11..x", "..2020.2"] {
        let o = portplan(&["rules", "--product", "migrate", "--diff", bad]);
        assert_eq!(o.status.code(), Some(2), "{bad}");
        assert_eq!(stderr(&o).lines().count(), 1, "{bad}: {}", stderr(&o));
        assert!(stderr(&o).contains("--diff"), "{bad}");
    }
}

/// `--format aerleon -o DIR` writes the policy tree the core renders, names on stderr
/// the host it left out (a DNS name cannot be a network object), and without `-o`
/// refuses with one line and exit 2, writing nothing.
#[test]
fn aerleon_writes_a_policy_tree() {
    let dir = std::env::temp_dir().join(format!("portplan-aerleon-cli-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let out = portplan(&[
        "plan",
        "--scenario",
        "examples/azure-nat.json",
        "--format",
        "aerleon",
        "-o",
        &dir.display().to_string(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        stderr(&out).trim(),
        "aerleon: azure (management.azure.com) is a DNS name, not a network object: left out of rule R1\n\
         aerleon: azure (management.azure.com) is a DNS name, not a network object: left out of rule R8"
    );
    let text = std::fs::read_to_string(root().join("examples/azure-nat.json")).expect("ex");
    let plan = portplan_core::Plan::build(&portplan_core::Scenario::from_json(&text).expect("s"))
        .expect("plan");
    for (path, text) in portplan_core::export::aerleon::tree(&plan).files {
        assert_eq!(
            std::fs::read_to_string(dir.join(&path)).expect("file"),
            text,
            "{path}"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
    let out = portplan(&[
        "plan",
        "--scenario",
        "examples/azure-nat.json",
        "--format",
        "aerleon",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out).trim(),
        "portplan: --format aerleon writes a directory: give it with -o DIR"
    );
    assert!(stdout(&out).is_empty());
    // A plan whose hosts are all DNS names has nothing aclgen could take: refused,
    // nothing written.
    let scenario = dir.with_extension("json");
    std::fs::write(
        &scenario,
        r#"{"format":1,"product":"migrate","version":"2020.2","server":{"name":"ps01","address":"ps01.corp"},"workloads":[{"name":"a","address":"a.corp","os":"linux"}]}"#,
    )
    .expect("scenario");
    let out = portplan(&[
        "plan",
        "--scenario",
        &scenario.display().to_string(),
        "--format",
        "aerleon",
        "-o",
        &dir.display().to_string(),
    ]);
    let _ = std::fs::remove_file(&scenario);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).trim_end().ends_with("nothing written"),
        "{}",
        stderr(&out)
    );
    assert!(!dir.exists());
}
