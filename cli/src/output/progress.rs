//! The progress bar on stderr: shown only when stderr is a terminal, so logs and pipes
//! stay clean.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use portplan_core::report::{ProbeResult, Verdict};
use std::sync::atomic::{AtomicU64, Ordering};

pub struct Progress {
    bar: ProgressBar,
    open: AtomicU64,
    closed: AtomicU64,
    filtered: AtomicU64,
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
            "{spinner} probing [{bar:30}] {pos}/{len} {msg} ({elapsed})",
        ) {
            bar.set_style(style.progress_chars("=> "));
        }
        bar.enable_steady_tick(std::time::Duration::from_millis(120));
        Progress {
            bar,
            open: AtomicU64::new(0),
            closed: AtomicU64::new(0),
            filtered: AtomicU64::new(0),
        }
    }

    /// Counts one finished probe.
    pub fn done(&self, r: &ProbeResult) {
        let counter = match r.verdict {
            Verdict::Open | Verdict::Verified => &self.open,
            Verdict::Closed => &self.closed,
            _ => &self.filtered,
        };
        counter.fetch_add(1, Ordering::Relaxed);
        self.bar.set_message(format!(
            "{} open, {} closed, {} other",
            self.open.load(Ordering::Relaxed),
            self.closed.load(Ordering::Relaxed),
            self.filtered.load(Ordering::Relaxed)
        ));
        self.bar.inc(1);
    }

    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}
