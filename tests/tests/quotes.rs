//! Provenance of the catalog: every rule's quote is words of the page it names, and
//! every vendor quote of `newer-versions.md` ("Verified quotes", Q1-Q17) is encoded by a
//! rule or stated in a rule's notes, so a fact the vendor gave cannot be dropped unseen.

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

/// The stored passages are the vendor's words as `newer-versions.md` gives them.
#[test]
fn stored_passages_are_the_verified_quotes() {
    let notes = norm(include_str!("../../reference/newer-versions.md"));
    let verified = &notes[notes.find("Verified quotes").expect("section")..];
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
                    "{page}: {piece:?} is not in the Verified quotes of newer-versions.md"
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
    for n in 1..=17 {
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
