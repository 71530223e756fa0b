//! The progress bar on stderr: shown only when stderr is a terminal, so logs and pipes
//! stay clean.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use portplan_core::report::{ProbeResult, Verdict};
use std::sync::atomic::{AtomicU64, Ordering};

/// What the bar counts, in the words of the verdicts (never a vague "other").
const KINDS: [&str; 5] = ["open", "closed", "filtered", "open|filtered", "not probed"];

pub struct Progress {
    bar: ProgressBar,
    counts: [AtomicU64; 5],
}

/// Which of [`KINDS`] a result counts as.
fn kind(v: Verdict) -> usize {
    match v {
        Verdict::Open | Verdict::Verified => 0,
        Verdict::Closed => 1,
        Verdict::Filtered => 2,
        Verdict::OpenFiltered => 3,
        Verdict::Unresolved | Verdict::Error | Verdict::NeedsPrivilege => 4,
    }
}

/// `3 open, 1 closed, 2 filtered`: the kinds seen so far, in order.
fn words(counts: &[u64; 5]) -> String {
    KINDS
        .iter()
        .zip(counts)
        .filter(|(_, n)| **n > 0)
        .map(|(k, n)| format!("{n} {k}"))
        .collect::<Vec<_>>()
        .join(", ")
}

impl Progress {
    pub fn new(total: usize, visible: bool) -> Progress {
        let target = if visible {
            ProgressDrawTarget::stderr()
        } else {
            ProgressDrawTarget::hidden()
        };
        let bar = ProgressBar::with_draw_target(Some(total as u64), target);
        if let Ok(style) = ProgressStyle::with_template(
            "{spinner} probing [{bar:30}] {pos}/{len} probes: {msg} ({elapsed}, about {eta} left)",
        ) {
            bar.set_style(style.progress_chars("=> "));
        }
        bar.enable_steady_tick(std::time::Duration::from_millis(120));
        Progress {
            bar,
            counts: Default::default(),
        }
    }

    /// Counts one finished probe.
    pub fn done(&self, r: &ProbeResult) {
        if let Some(c) = self.counts.get(kind(r.verdict)) {
            c.fetch_add(1, Ordering::Relaxed);
        }
        let now = self.counts.each_ref().map(|c| c.load(Ordering::Relaxed));
        self.bar.set_message(words(&now));
        self.bar.inc(1);
    }

    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bar_names_what_it_counts() {
        assert_eq!(words(&[3, 1, 2, 0, 0]), "3 open, 1 closed, 2 filtered");
        assert_eq!(words(&[0, 0, 0, 1, 4]), "1 open|filtered, 4 not probed");
        for v in Verdict::ALL {
            assert!(kind(*v) < KINDS.len());
        }
        assert_eq!(KINDS[kind(Verdict::Verified)], "open");
    }
}
