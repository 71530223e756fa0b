//! Provenance of the catalog: every rule's quote is words of the page it names, every
//! vendor quote of `newer-versions.md` ("Verified quotes", Q1-Q17) and of the rules v3
//! audit (`rules-v3-quotes.md`, Q18-Q24) is encoded by a rule or stated in a rule's
//! notes, so a fact the vendor gave cannot be dropped unseen, and every rule's notes
//! reach each output a person reads.

use portplan_core::rules::{pages, RULES};
use std::collections::BTreeMap;

fn norm(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `reference/vendor-pages.md`: page address -> its quoted passages (normalised).
fn vendor_pages() -> BTreeMap<String, String> {
    let text = include_str!("../../reference/vendor-pages.md");
    let mut out = BTreeMap::new();
    let mut page: Option<String> = None;
    for line in text.lines() {
        if let Some(p) = line.strip_prefix("## ") {
            page = Some(p.trim().to_string());
        } else if let Some(p) = &page {
            let e: &mut String = out.entry(p.clone()).or_default();
            e.push(' ');
            e.push_str(line);
        }
    }
    out.into_iter().map(|(k, v)| (k, norm(&v))).collect()
}

#[test]
fn every_quote_is_words_of_the_page_its_rule_names() {
    let article = norm(include_str!(
        "../../reference/tid-7920341-port-requirements.txt"
    ));
    let stored = vendor_pages();
    for r in RULES {
        let words = if r.page == pages::TID {
            &article
        } else {
            stored.get(r.page).unwrap_or_else(|| {
                panic!(
                    "{}: page {} is not stored in reference/vendor-pages.md",
                    r.id, r.page
                )
            })
        };
        assert!(
            words.contains(&norm(r.quote)),
            "{}: {:?} is not on {}",
            r.id,
            r.quote,
            r.page
        );
    }
}

/// The stored passages are the vendor's words as `newer-versions.md` or the rules v3
/// audit (`rules-v3-quotes.md`) gives them.
#[test]
fn stored_passages_are_the_verified_quotes() {
    let notes = norm(include_str!("../../reference/newer-versions.md"));
    let audit = norm(include_str!("../../reference/rules-v3-quotes.md"));
    let verified = format!(
        "{} {}",
        &notes[notes.find("Verified quotes").expect("section")..],
        &audit[audit.find("Verified quotes").expect("section")..]
    );
    for (page, passages) in vendor_pages() {
        for q in passages.split(" Q").skip(1) {
            let Some((_, words)) = q.split_once(": ") else {
                continue;
            };
            // Each passage, up to the next quote mark, appears in the section.
            for piece in words.split(" / ") {
                let piece = piece.trim();
                assert!(
                    verified.contains(piece),
                    "{page}: {piece:?} is not in the Verified quotes of newer-versions.md or rules-v3-quotes.md"
                );
            }
        }
    }
}

/// Each Verified quote is encoded: its page is cited by a rule, or named in notes.
#[test]
fn every_verified_quote_is_encoded() {
    let mentions = |q: &str| {
        RULES.iter().any(|r| {
            r.notes.iter().any(|n| {
                n.contains(&format!("({q})"))
                    || n.contains(&format!("{q},"))
                    || n.contains(&format!("{q})"))
            }) || r.source.contains(q)
        })
    };
    let stored = include_str!("../../reference/vendor-pages.md");
    for n in 1..=24 {
        let q = format!("Q{n}");
        let cited = RULES.iter().any(|r| {
            stored
                .split("\n## ")
                .any(|sec| sec.starts_with(r.page) && sec.contains(&format!("\n{q}: ")))
        });
        assert!(
            cited
                || mentions(&q)
                || portplan_core::releases::RELEASES
                    .iter()
                    .any(|r| r.named_in.contains(&q)),
            "{q} is neither quoted by a rule nor named in a note"
        );
    }
}

/// Every rule's notes reach each output a person reads: whole in the plan's JSON and
/// CSV, numbered once in the table, Markdown and PDF; an inferred flow carries its mark
/// in each of them.
#[test]
fn every_rule_with_notes_shows_them_in_each_output() {
    use portplan_core::export::{csv, markdown, pdf, table, INFERRED};
    use portplan_core::{Plan, Scenario};
    let examples = [
        "factory-wave",
        "agent-nat",
        "azure-nat",
        "legacy-block",
        "protect",
        "migrate-2020",
        "windows-file",
    ];
    let mut seen = std::collections::BTreeSet::new();
    for ex in examples {
        let text = std::fs::read_to_string(portplan_tests::example(&format!("{ex}.json")))
            .expect("example");
        let plan = Plan::build(&Scenario::from_json(&text).expect("scenario")).expect("plan");
        let json = plan.to_json();
        let (tbl, md, csv) = (
            table::render(&plan),
            markdown::render(&plan),
            csv::render(&plan),
        );
        let pdf = norm(&pdf_text(&pdf::render(
            &plan,
            &pdf::PdfOptions::new("2026-12-06"),
        )));
        for f in &plan.flows {
            let rule = f.rule().expect("a rule of this build");
            assert_eq!(f.inferred, rule.inferred, "{ex} {}", rule.id);
            for n in rule.notes {
                assert!(f.notes.iter().any(|x| x == n), "{ex} {}: {n}", rule.id);
                let quoted = serde_json::to_string(n).expect("json");
                assert!(json.contains(&quoted), "{ex} json {}: {n}", rule.id);
                assert!(
                    csv.contains(&n.replace('"', "\"\"")),
                    "{ex} csv {}: {n}",
                    rule.id
                );
                assert!(tbl.contains(n), "{ex} table {}: {n}", rule.id);
                let escaped = n.replace('\\', "\\\\").replace('|', "\\|");
                assert!(md.contains(&escaped), "{ex} md {}: {n}", rule.id);
                // The PDF wraps lines: compare its first words.
                let head: String = norm(&n.replace('`', "")).chars().take(40).collect();
                assert!(pdf.contains(&head), "{ex} pdf {}: {head}", rule.id);
                seen.insert(rule.id);
            }
            if f.inferred {
                assert!(json.contains("\"inferred\": true"), "{ex} json");
                for (format, out) in [("table", &tbl), ("md", &md), ("csv", &csv)] {
                    assert!(out.contains(INFERRED), "{ex} {format}: no inferred mark");
                }
                assert!(pdf.contains("INFERRED"), "{ex} pdf: no inferred mark");
            }
        }
    }
    for id in [
        "transfer.agent.ssh",
        "management.factory.stomp",
        "conversion.wmi.rpc-epmap",
    ] {
        assert!(seen.contains(id), "no example shows the notes of {id}");
    }
}

/// The PDF's text, read back with poppler's `pdftotext`.
fn pdf_text(bytes: &[u8]) -> String {
    let path = std::env::temp_dir().join(format!("portplan-quotes-{}.pdf", std::process::id()));
    std::fs::write(&path, bytes).expect("write pdf");
    let out = std::process::Command::new("pdftotext")
        .arg(&path)
        .arg("-")
        .output();
    let _ = std::fs::remove_file(&path);
    let out = out.unwrap_or_else(|e| panic!("pdftotext: {e} (install poppler-utils)"));
    assert!(out.status.success(), "pdftotext failed");
    String::from_utf8_lossy(&out.stdout).into_owned()
}
