//! The PDF checklist, read back with poppler (`pdftotext`, `pdfinfo`): it parses, every
//! flow is a row under its host pair (across page breaks), long names wrap inside their
//! column, big plans paginate, and the bytes depend only on the plan and the options.

use portplan_core::export::pdf::{self, PdfOptions, CONTENT_W, PAGE_W};
use portplan_core::export::{grouped, port_label};
use portplan_core::{Plan, Protocol, Scenario};
use std::process::Command;

const EXAMPLES: [&str; 4] = [
    "legacy-block.json",
    "migrate-2020.json",
    "wave-50.json",
    "windows-file.json",
];
const DATE: &str = "2026-11-25";

fn plan_of(json: &str) -> Plan {
    Plan::build(&Scenario::from_json(json).expect("scenario")).expect("plan")
}

fn example(name: &str) -> Plan {
    plan_of(&std::fs::read_to_string(portplan_tests::example(name)).expect("example"))
}

/// Writes `bytes` to a unique temporary file, runs a poppler tool on it, returns stdout.
fn poppler(tool: &str, args: &[&str], bytes: &[u8]) -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static N: AtomicU32 = AtomicU32::new(0);
    let path = std::env::temp_dir().join(format!(
        "portplan-pdf-{}-{}.pdf",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    ));
    std::fs::write(&path, bytes).expect("write pdf");
    let out = Command::new(tool).args(args).arg(&path).arg("-").output();
    let _ = std::fs::remove_file(&path);
    let out = out.unwrap_or_else(|e| panic!("{tool}: {e} (install poppler-utils)"));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{tool} failed: {stderr}");
    assert!(!stderr.contains("Error"), "{tool} complained: {stderr}");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn info(bytes: &[u8]) -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static N: AtomicU32 = AtomicU32::new(0);
    let path = std::env::temp_dir().join(format!(
        "portplan-info-{}-{}.pdf",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    ));
    std::fs::write(&path, bytes).expect("write pdf");
    let out = Command::new("pdfinfo").arg(&path).output();
    let _ = std::fs::remove_file(&path);
    let out = out.expect("pdfinfo (install poppler-utils)");
    assert!(
        out.status.success() && out.stderr.is_empty(),
        "pdfinfo: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn pages(bytes: &[u8]) -> usize {
    info(bytes)
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .and_then(|n| n.trim().parse().ok())
        .expect("page count")
}

/// Walks the `pdftotext -layout` text in plan order: for each host pair, its heading,
/// then exactly its flows as rows (direction, protocol, port), each purpose word
/// present, closed by the "Verified by" line. Rows may continue on later pages.
fn assert_rows_match(plan: &Plan, text: &str) {
    let lines: Vec<&str> = text.lines().collect();
    let mut at = 0;
    for (_, pairs) in grouped(plan) {
        for g in pairs {
            let heading = format!(
                "{} ({}) -> {} ({})",
                g.from,
                portplan_core::export::address(plan, g.from),
                g.to,
                portplan_core::export::address(plan, g.to)
            );
            let start = (at..lines.len())
                .find(|i| lines[*i].trim() == heading)
                .unwrap_or_else(|| panic!("heading {heading:?} not found after line {at}"));
            let end = (start..lines.len())
                .find(|i| lines[*i].trim_start().starts_with("Verified by:"))
                .unwrap_or_else(|| panic!("no 'Verified by' after {heading:?}"));
            let block = &lines[start..end];
            let direction = format!("{} -> {}", g.from, g.to);
            let mut rows: Vec<String> = block
                .iter()
                .filter_map(|l| l.trim().strip_prefix(direction.as_str()))
                .map(|rest| {
                    rest.split_whitespace()
                        .take(2)
                        .collect::<Vec<_>>()
                        .join(" ")
                })
                .collect();
            let mut want: Vec<String> = g
                .flows
                .iter()
                .map(|f| match f.protocol {
                    Protocol::Icmp => "ICMP echo".to_string(),
                    _ => port_label(f),
                })
                .collect();
            rows.sort();
            want.sort();
            assert_eq!(rows, want, "rows under {heading:?}");
            let words: std::collections::HashSet<&str> =
                block.iter().flat_map(|l| l.split_whitespace()).collect();
            for f in &g.flows {
                for w in f.purpose.split_whitespace() {
                    assert!(
                        words.contains(w),
                        "{w:?} of {:?} under {heading:?}",
                        f.purpose
                    );
                }
            }
            at = end + 1;
        }
    }
}

#[test]
fn examples_parse_and_hold_every_flow() {
    for ex in EXAMPLES {
        let plan = example(ex);
        let bytes = pdf::render(&plan, &PdfOptions::new(DATE));
        assert!(bytes.starts_with(b"%PDF-1.7"), "{ex}");
        let text = poppler("pdftotext", &["-layout"], &bytes);
        assert!(text.contains("Firewall checklist"), "{ex}: title");
        assert!(text.contains(&format!("Date: {DATE}")), "{ex}: date");
        assert!(text.contains(&plan.version), "{ex}: version");
        assert_rows_match(&plan, &text);
        let n = pages(&bytes);
        assert!(
            text.contains(&format!("Page {n} of {n}")),
            "{ex}: page numbers"
        );
        // The notes page: KB references and the whole drive-letter table.
        for kb in ["KB 929851", "KB 154596", "KB 217351", "KB 248809"] {
            assert!(text.contains(kb), "{ex}: {kb}");
        }
        assert!(text.contains("C:") && text.contains("10002") && text.contains("10025"));
    }
}

#[test]
fn a_thousand_workloads_paginate_with_repeated_headers() {
    let plan = plan_of(&portplan_tests::scenarios::wave(1000));
    let bytes = pdf::render(&plan, &PdfOptions::new(DATE));
    let n = pages(&bytes);
    assert!(n > 100, "{n} pages");
    let text = poppler("pdftotext", &["-layout"], &bytes);
    assert_rows_match(&plan, &text);
    assert!(text.contains(&format!("Page {n} of {n}")));
    // Every page that holds table rows starts them under a column header.
    let pages_text: Vec<&str> = text
        .split('\u{c}')
        .filter(|p| !p.trim().is_empty())
        .collect();
    assert_eq!(pages_text.len(), n);
    for (i, p) in pages_text.iter().enumerate() {
        let first_row = p
            .lines()
            .position(|l| l.contains(" -> ") && l.contains("TCP  "));
        let header = p
            .lines()
            .position(|l| l.trim_start().starts_with("Done Direction"));
        if let Some(r) = first_row {
            assert!(
                header.is_some_and(|h| h < r),
                "page {}: rows without header",
                i + 1
            );
        }
    }
}

#[test]
fn long_names_wrap_inside_their_columns() {
    let long = "averyveryverylonghostnamethatkeepsgoing-and-going-until-63chars";
    assert_eq!(long.len(), 63);
    let json = format!(
        r#"{{"format":1,"product":"migrate","version":"2020.2",
        "server":{{"name":"ps01","address":"ps01.a-rather-long-subdomain.datacenter-three.corp.example.com"}},
        "workloads":[{{"name":"{long}","address":"10.0.0.10","os":"windows","windows":"2003",
          "target":{{"name":"{long}-t","address":"fd00:1234:5678:9abc:def0:1234:5678:9abc"}}}}]}}"#
    );
    let json = json.replace(&format!("{long}-t"), &format!("{}-t", &long[..61]));
    let plan = plan_of(&json);
    let bytes = pdf::render(&plan, &PdfOptions::new(DATE));
    let html = poppler("pdftotext", &["-bbox"], &bytes);
    let margin = (PAGE_W - CONTENT_W) / 2.0;
    // Column edges (x of each boundary): the Direction column of the appendix's
    // per-pair tables, the From and To columns of the rules table that leads.
    let direction = (margin + 26.0, margin + 26.0 + 92.0);
    let from = (margin + 52.0, margin + 52.0 + 120.0);
    let to = (from.1, from.1 + 120.0);
    let inside = |(a, b): (f32, f32), x0: f32, x1: f32| x0 >= a && x1 <= b + 0.5;
    let mut seen = 0;
    let mut in_rules = 0;
    for w in html.split("<word ").skip(1) {
        let attr = |k: &str| -> f32 {
            let s = w.split(&format!("{k}=\"")).nth(1).expect("attr");
            s[..s.find('"').expect("quote")].parse().expect("number")
        };
        let (x0, x1, y0, y1) = (attr("xMin"), attr("xMax"), attr("yMin"), attr("yMax"));
        let word = &w[w.find('>').expect(">") + 1..w.find("</word>").expect("end")];
        assert!(
            x0 >= margin - 0.5 && x1 <= PAGE_W - margin + 0.5,
            "{word:?} leaves the text area ({x0}-{x1})"
        );
        // Body text (8 pt) holding the long name is a Direction, From or To cell: it
        // must wrap there.
        if y1 - y0 < 8.0 && word.contains("averyvery") {
            seen += 1;
            if !inside(direction, x0, x1) {
                in_rules += 1;
            }
            assert!(
                inside(direction, x0, x1) || inside(from, x0, x1) || inside(to, x0, x1),
                "{word:?} crosses its column ({x0}-{x1})"
            );
        }
    }
    assert!(in_rules > 0, "the long name must appear in the rules table");
    assert!(seen > 0, "the long name must appear in table rows");
}

#[test]
fn bytes_depend_only_on_plan_and_options() {
    let plan = example("migrate-2020.json");
    let a = pdf::render(&plan, &PdfOptions::new(DATE));
    assert_eq!(a, pdf::render(&plan, &PdfOptions::new(DATE)));
    let b = pdf::render(&plan, &PdfOptions::new("2027-01-01"));
    assert_ne!(a, b);
    let text = String::from_utf8_lossy(&a);
    assert!(!text.contains("CreationDate") && !text.contains("ModDate"));
    // The same plan through JSON and back renders the same document.
    let again = Plan::from_json(&plan.to_json()).expect("plan json");
    assert_eq!(a, pdf::render(&again, &PdfOptions::new(DATE)));
}

/// A stand-in for the plan diagram: proves the page-1 hook gets a clear area.
struct Boxed;
impl pdf::FirstPageExtras for Boxed {
    fn height(&self, _width: f32) -> f32 {
        120.0
    }
    fn draw(&self, page: &mut pdf::Content, area: pdf::Rect) {
        page.rect(area.x, area.y, area.w, area.h).stroke();
        page.begin_text()
            .set_font(pdf_writer_name(), 12.0)
            .next_line(area.x + 10.0, area.y + 10.0)
            .show(pdf_writer::Str(b"DIAGRAM-AREA"))
            .end_text();
    }
}
fn pdf_writer_name() -> pdf_writer::Name<'static> {
    pdf_writer::Name(b"F1")
}

#[test]
fn first_page_extras_are_drawn_on_page_one() {
    let plan = example("windows-file.json");
    let opts = PdfOptions {
        extras: Some(&Boxed),
        ..PdfOptions::new(DATE)
    };
    let bytes = pdf::render(&plan, &opts);
    let page1 = poppler("pdftotext", &["-f", "1", "-l", "1", "-layout"], &bytes);
    assert!(page1.contains("DIAGRAM-AREA"), "{page1}");
    let text = poppler("pdftotext", &["-layout"], &bytes);
    assert_rows_match(&plan, &text);
}

/// The checklist leads with the rules a team applies: page 2 is "Rules to apply", one
/// row (tick box and sign-off) per consolidated rule, in the rules' numbering, grouped
/// addresses with host names; every flow by host pair follows as the appendix.
#[test]
fn the_consolidated_rules_lead_and_the_pairs_are_an_appendix() {
    let plan = example("firewall-wave.json");
    let rules = portplan_core::firewall::rules(&plan);
    let bytes = pdf::render(&plan, &PdfOptions::new(DATE));
    let page2 = poppler("pdftotext", &["-f", "2", "-l", "2", "-layout"], &bytes);
    assert!(
        page2
            .trim_start()
            .starts_with(&format!("Rules to apply ({})", rules.len())),
        "{page2}"
    );
    let all = poppler("pdftotext", &["-layout"], &bytes);
    let appendix = all
        .find("Appendix: every flow, by phase and host pair")
        .expect("appendix");
    let start = all.find("Rules to apply (").expect("rules");
    let section = &all[start..appendix];
    for n in 1..=rules.len() {
        let tag = format!(" R{n} ");
        assert_eq!(section.matches(&tag).count(), 1, "{tag}:\n{section}");
    }
    assert_eq!(section.matches("Applied").count(), rules.len());
    assert!(
        section.contains("36 sources: 10.1.0.1-10.1.0.36"),
        "{section}"
    );
    assert!(section.contains("(win01, win02,"), "{section}");
    assert!(section.contains("dialed 198.51.100.5, NAT"), "{section}");
    assert!(all[appendix..].contains("ps01 (10.20.0.5) -> win01 (10.1.0.1)"));
    // The flows' notes are numbers in the rules (the notes are listed at the end).
    assert!(section.contains("(notes 1, 13)"), "{section}");
    // Pagination: the tall R3 (24 Windows sources' discovery) no longer leaves page 2
    // mostly empty; the eleven rules fill pages 2 and 3, the appendix starts on page 4.
    let tags = |page: &str| -> Vec<usize> {
        (1..=rules.len())
            .filter(|n| page.contains(&format!(" R{n} ")))
            .collect()
    };
    assert_eq!(tags(&page2), (1..=7).collect::<Vec<_>>(), "{page2}");
    let page3 = poppler("pdftotext", &["-f", "3", "-l", "3", "-layout"], &bytes);
    assert_eq!(
        tags(&page3),
        (8..=rules.len()).collect::<Vec<_>>(),
        "{page3}"
    );
    let page4 = poppler("pdftotext", &["-f", "4", "-l", "4", "-layout"], &bytes);
    assert!(
        page4
            .trim_start()
            .starts_with("Appendix: every flow, by phase and host pair"),
        "{page4}"
    );
}
