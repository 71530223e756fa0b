//! What `cargo xtask test` says at its end: the time setup took, and the one kind of
//! step it may skip (TESTING.md, "The one exception"), so a skip is never buried in a log.

use std::sync::Mutex;

static SKIPPED: Mutex<Vec<String>> = Mutex::new(Vec::new());

/// Records a `SKIPPED: …` line, printed once, at the end of the run (its summary); the
/// caller has decided the skip is allowed. Where it happens the log says so in words.
pub fn skipped(line: String) {
    eprintln!("xtask: one check is skipped here (the one allowed); the summary at the end says which and why");
    if let Ok(mut s) = SKIPPED.lock() {
        s.push(line);
    }
}

pub fn skips() -> Vec<String> {
    SKIPPED.lock().map(|s| s.clone()).unwrap_or_default()
}
