//! The catalog digest, computed once at build time from the rule table's source, so
//! every plan can carry it without the page's first load hashing anything.

use sha2::{Digest, Sha256};

fn main() {
    println!("cargo:rerun-if-changed=src/rules.rs");
    let text = std::fs::read("src/rules.rs").unwrap_or_default();
    let hex: String = Sha256::digest(&text)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    println!("cargo:rustc-env=PORTPLAN_CATALOG_DIGEST=sha256:{hex}");
}
