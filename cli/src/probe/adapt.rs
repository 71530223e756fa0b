//! Per-host adaptive timing, in the spirit of nmap's timing engine: a congestion window
//! that starts small and grows while answers come, RTT-based timeouts (RFC 6298:
//! smoothed RTT + 4 × variance, `--timeout` as the ceiling and the value before any
//! sample), and a send pacing that appears only when the host shows loss.
//!
//! Loss is what silence-then-answer proves: an attempt got no answer, and the retry of
//! the same port did. That is how SYN-flood protection (`limit rate over 2000/second
//! drop`) looks from outside, and how a genuinely filtered port never looks (it stays
//! silent). On loss the window halves and sends are paced below the rate at which the
//! host delivered answers; the pace then creeps up again. An attempt sent while the host
//! was losing (a lost attempt sent within [`suspect`](Timing::suspect)'s reach) does not
//! count as proof of a firewall: the scheduler tries it again.
//!
//! Pure state, no sockets, no clock of its own: every call takes `now`.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::time::Instant;

/// Attempts in flight towards a host before any answer came back.
pub const INITIAL_WINDOW: f64 = 16.0;
/// Before any answer, the window doubles each time it sat full this long.
pub const IDLE_GROWTH: Duration = Duration::from_millis(100);
/// The window never shrinks below this.
const MIN_WINDOW: f64 = 4.0;
/// An RTT-based timeout is never shorter (nmap's `--min-rtt-timeout` default).
pub const MIN_TIMEOUT: Duration = Duration::from_millis(100);
/// Slowest pace after loss, probes per second.
const MIN_RATE: f64 = 50.0;
/// How much each answer raises the pace after loss, probes per second.
const RATE_STEP: f64 = 1.0;
/// Once the pace is this far above what the host delivered at the last loss, drop it.
const UNPACE_FACTOR: f64 = 8.0;
/// Window over which the delivery rate (answers per second) is measured.
const DELIVERY_WINDOW: Duration = Duration::from_millis(250);
/// How far from a lost attempt another attempt counts as sent in the same loss.
const SUSPECT_REACH: Duration = Duration::from_millis(250);
/// Losses (since the last cut) it takes to call a host lossy …
const LOSS_MIN: usize = 8;
/// … and they must be at least 1 in this many answers.
const LOSS_SHARE: usize = 50;
/// Lossy stretches of time kept (the oldest are forgotten).
const MAX_LOSSY: usize = 1024;

/// Loss seen by any host of a run. A limiter in the path (a perimeter firewall's SYN
/// flood protection) drops for several hosts at once, and each host alone may see too
/// little of it to call it loss: so every host's lossy stretches count for all (a silent
/// port sent then is tried again), and a host's pace cut makes the others that are being
/// answered fast pace down too.
#[derive(Debug, Default)]
pub struct PathLoss {
    lossy: VecDeque<(Instant, Instant)>,
    cuts: u64,
}

/// The run's [`PathLoss`], shared by its hosts' [`Timing`]s.
pub type Path = Arc<std::sync::Mutex<PathLoss>>;

/// Merges `(from, to)` into a list of stretches kept in time order, bounded.
fn add_stretch(lossy: &mut VecDeque<(Instant, Instant)>, from: Instant, to: Instant) {
    if let Some(last) = lossy.back_mut() {
        if from <= last.1 && to >= last.0 {
            *last = (last.0.min(from), last.1.max(to));
            return;
        }
    }
    lossy.push_back((from, to));
    if lossy.len() > MAX_LOSSY {
        lossy.pop_front();
    }
}

/// One host's timing state.
#[derive(Debug)]
pub struct Timing {
    ceiling: Duration,
    srtt: Option<Duration>,
    rttvar: Duration,
    cwnd: f64,
    ssthresh: f64,
    max_window: usize,
    /// Probes per second; `None` until the host shows loss.
    rate: Option<f64>,
    /// The delivery rate measured at the last cut.
    rate_at_cut: f64,
    next_send: Instant,
    answers: VecDeque<Instant>,
    /// Stretches of time in which attempts were lost: around each lost attempt, and
    /// from a loss to the cut it caused (everything sent then went out too fast).
    lossy: VecDeque<(Instant, Instant)>,
    last_cut: Option<Instant>,
    last_pace_cut: Option<Instant>,
    /// Send times of attempts lost since the last cut, not yet enough to call it loss.
    pending: Vec<Instant>,
    answers_since_cut: usize,
    /// The current RTT timeout in microseconds, read by attempts while they wait.
    shared: Arc<AtomicU64>,
    /// How many times the window was cut (reported in tests and the summary).
    pub cuts: u32,
    /// The run's loss across hosts, and how many of its pace cuts this host has seen.
    path: Option<(Path, u64)>,
}

impl Timing {
    /// `ceiling` is `--timeout`; `max_window` is `--per-host`.
    pub fn new(ceiling: Duration, max_window: usize, now: Instant) -> Timing {
        Timing {
            ceiling,
            srtt: None,
            rttvar: Duration::ZERO,
            cwnd: INITIAL_WINDOW,
            ssthresh: f64::INFINITY,
            max_window: max_window.max(1),
            rate: None,
            rate_at_cut: 0.0,
            next_send: now,
            answers: VecDeque::new(),
            lossy: VecDeque::new(),
            last_cut: None,
            last_pace_cut: None,
            pending: Vec::new(),
            answers_since_cut: 0,
            shared: Arc::new(AtomicU64::new(micros(ceiling))),
            cuts: 0,
            path: None,
        }
    }

    /// Takes part in the run's loss across hosts ([`PathLoss`]).
    pub fn on_path(mut self, path: Path) -> Timing {
        self.path = Some((path, 0));
        self
    }

    /// Attempts that may be in flight now.
    pub fn window(&self) -> usize {
        (self.cwnd as usize).clamp(1, self.max_window)
    }

    /// The RTT-based timeout: srtt + 4 × rttvar within [`MIN_TIMEOUT`, ceiling]; the
    /// ceiling before any sample.
    pub fn timeout(&self) -> Duration {
        match self.srtt {
            None => self.ceiling,
            Some(s) => (s + 4 * self.rttvar).max(MIN_TIMEOUT).min(self.ceiling),
        }
    }

    /// The timeout as attempts in flight see it (updated with every sample).
    pub fn shared_timeout(&self) -> Arc<AtomicU64> {
        self.shared.clone()
    }

    /// The pace in probes per second, when the host is paced.
    #[cfg(test)]
    pub fn rate(&self) -> Option<f64> {
        self.rate
    }

    /// When the next attempt may be sent.
    pub fn send_at(&self) -> Instant {
        self.next_send
    }

    /// Records that an attempt was sent at `now`.
    pub fn on_send(&mut self, now: Instant) {
        // Another host cut its pace for loss: if this one is answered fast, the same
        // limiter may be in its path too.
        let news = self.path.as_mut().and_then(|(path, seen)| {
            let cuts = path.lock().ok()?.cuts;
            (cuts > *seen).then(|| *seen = cuts)
        });
        let recent = self
            .last_pace_cut
            .is_some_and(|t| now.duration_since(t) < DELIVERY_WINDOW);
        if news.is_some() && !recent && self.delivered() >= 4.0 * MIN_RATE {
            self.last_pace_cut = Some(now);
            self.answers_since_cut = 0;
            self.cut(now, true);
        }
        if let Some(r) = self.rate {
            self.next_send = self.next_send.max(now) + Duration::from_secs_f64(1.0 / r);
        }
    }

    /// An answer (open or closed) after `rtt`. `lost` holds the send times of earlier
    /// silent attempts of the same port: each proves a loss.
    pub fn on_answer(&mut self, rtt: Duration, lost: &[Instant], now: Instant) {
        if !rtt.is_zero() {
            self.sample(rtt);
        }
        self.answers.push_back(now);
        while self
            .answers
            .front()
            .is_some_and(|t| now.duration_since(*t) > DELIVERY_WINDOW)
        {
            self.answers.pop_front();
        }
        self.answers_since_cut += 1;
        // Only a loss under the current pace is news: attempts sent before the last
        // cut were lost at the old pace, which is already given up.
        let last = self.last_pace_cut;
        let before = self.pending.len();
        self.pending.extend(
            lost.iter()
                .filter(|t| last.is_none_or(|c| **t > c))
                .copied(),
        );
        if self.pending.len() == before {
            if last.is_some() {
                for t in lost {
                    self.lossy_around(*t);
                }
            }
            self.grow();
            return;
        }
        // One late answer on a busy machine is not SYN-flood protection: it takes
        // several losses, and a share of the answers, to call it loss.
        let n = self.pending.len();
        if n < LOSS_MIN || n * LOSS_SHARE < self.answers_since_cut {
            // A host that was paced before is known to drop: every loss marks its
            // stretch at once, so a port lost beside it is tried again.
            if last.is_some() {
                for t in lost {
                    self.lossy_around(*t);
                }
            }
            self.pending.truncate(MAX_LOSSY);
            self.grow();
            return;
        }
        let pending = std::mem::take(&mut self.pending);
        for t in &pending {
            self.lossy_around(*t);
        }
        if let Some(first) = pending.iter().min() {
            self.lossy_from(*first, now);
        }
        self.answers_since_cut = 0;
        self.last_pace_cut = Some(now);
        self.cut(now, true);
    }

    fn lossy_around(&mut self, t: Instant) {
        self.lossy_from(t.checked_sub(SUSPECT_REACH).unwrap_or(t), t + SUSPECT_REACH);
    }

    fn lossy_from(&mut self, from: Instant, to: Instant) {
        add_stretch(&mut self.lossy, from, to);
        if let Some(Ok(mut p)) = self.path.as_ref().map(|(p, _)| p.lock()) {
            add_stretch(&mut p.lossy, from, to);
        }
    }

    /// An attempt got no answer. Silence alone proves no loss (a firewall that drops a
    /// range drops it at any pace), so it grows the window like an answer: a host that
    /// drops everything is not probed 16 ports at a time.
    pub fn on_silence(&mut self) {
        self.grow_window();
    }

    /// No answer yet, and the window sat full for [`IDLE_GROWTH`]: nothing is known
    /// about the host, so the window doubles rather than wait a whole `--timeout` per
    /// round (a host that drops most ports would otherwise be probed 16 at a time).
    pub fn on_idle(&mut self) {
        if self.srtt.is_none() {
            self.cwnd = (self.cwnd * 2.0).min(self.max_window as f64);
        }
    }

    /// Whether any answer came back yet.
    pub fn has_sample(&self) -> bool {
        self.srtt.is_some()
    }

    /// An ICMP error for the path (host or network unreachable, prohibited): a router
    /// that sends many may be rate limiting us, so the window (not the pace) shrinks.
    pub fn on_error(&mut self, now: Instant) {
        self.cut(now, false);
    }

    /// Whether an attempt sent at `sent` went out while the host was losing attempts.
    pub fn suspect(&self, sent: Instant) -> bool {
        let within = |l: &VecDeque<(Instant, Instant)>| {
            l.iter()
                .rev()
                .any(|(from, to)| *from <= sent && sent <= *to)
        };
        within(&self.lossy)
            || self
                .path
                .as_ref()
                .and_then(|(p, _)| p.lock().ok().map(|p| within(&p.lossy)))
                .unwrap_or(false)
    }

    fn sample(&mut self, rtt: Duration) {
        match self.srtt {
            None => {
                self.srtt = Some(rtt);
                self.rttvar = rtt / 2;
            }
            Some(s) => {
                let diff = s.abs_diff(rtt);
                self.rttvar = (self.rttvar * 3 + diff) / 4;
                self.srtt = Some((s * 7 + rtt) / 8);
            }
        }
        self.shared.store(micros(self.timeout()), Ordering::Relaxed);
    }

    fn grow(&mut self) {
        self.grow_window();
        if let Some(r) = self.rate {
            // The pace rises only while it binds: never far above what the host delivers.
            let r = (r + RATE_STEP).min((2.0 * self.delivered()).max(r));
            self.rate = (r < self.rate_at_cut.max(MIN_RATE) * UNPACE_FACTOR).then_some(r);
        }
    }

    fn grow_window(&mut self) {
        if self.cwnd < self.ssthresh {
            self.cwnd += 1.0;
        } else {
            self.cwnd += 1.0 / self.cwnd;
        }
        self.cwnd = self.cwnd.min(self.max_window as f64);
    }

    /// Loss (`pace`): the host drops what comes too fast, so sends are paced below
    /// what it delivered; the window stays and keeps growing (it holds the silent ports
    /// of a filtered range too, and shrinking it would serialise them). ICMP errors:
    /// the window halves, at most once per timeout (they come in bursts).
    fn cut(&mut self, now: Instant, pace: bool) {
        if !pace
            && self
                .last_cut
                .is_some_and(|t| now.duration_since(t) < self.timeout())
        {
            return;
        }
        self.last_cut = Some(now);
        self.cuts += 1;
        if pace {
            if let Some((path, seen)) = &mut self.path {
                if let Ok(mut p) = path.lock() {
                    p.cuts += 1;
                    *seen = p.cuts;
                }
            }
            let delivered = self.delivered();
            let r = (delivered * 0.75).max(MIN_RATE);
            self.rate = Some(self.rate.map_or(r, |old| old.min(r).max(MIN_RATE)));
            self.rate_at_cut = delivered;
        } else {
            self.ssthresh = (self.cwnd / 2.0).max(MIN_WINDOW);
            self.cwnd = self.ssthresh;
        }
    }

    /// Answers per second over the last [`DELIVERY_WINDOW`].
    fn delivered(&self) -> f64 {
        self.answers.len() as f64 / DELIVERY_WINDOW.as_secs_f64()
    }
}

fn micros(d: Duration) -> u64 {
    u64::try_from(d.as_micros()).unwrap_or(u64::MAX)
}

/// How long an attempt may wait for its answer. Either fixed (the last attempt waits
/// the whole `--timeout`, so a slow host is never called filtered for being slow), or
/// the host's RTT timeout times a back-off factor, re-read while waiting: an attempt
/// sent before the first sample waits the ceiling only until samples shrink it.
#[derive(Debug, Clone)]
pub struct Wait {
    ceiling: Duration,
    dynamic: Option<(Arc<AtomicU64>, u32)>,
}

/// How often an attempt re-reads a timeout that still equals the ceiling.
const RECHECK: Duration = Duration::from_millis(50);

impl Wait {
    /// Always `d` (a host's settling attempt, and tests).
    pub fn fixed(d: Duration) -> Wait {
        Wait {
            ceiling: d,
            dynamic: None,
        }
    }

    /// The host's current timeout × `factor`, never above `ceiling`.
    pub fn adaptive(ceiling: Duration, shared: Arc<AtomicU64>, factor: u32) -> Wait {
        Wait {
            ceiling,
            dynamic: Some((shared, factor.max(1))),
        }
    }

    /// `--timeout`: what reading a banner or a token after a connect may take.
    pub fn ceiling(&self) -> Duration {
        self.ceiling
    }

    /// The wait in force now.
    pub fn current(&self) -> Duration {
        match &self.dynamic {
            None => self.ceiling,
            Some((shared, factor)) => Duration::from_micros(shared.load(Ordering::Relaxed))
                .saturating_mul(*factor)
                .min(self.ceiling),
        }
    }

    /// Runs `f` until it ends or the wait (as it stands when checked) runs out since the
    /// call: `None` then.
    pub async fn run<F: std::future::Future>(&self, f: F) -> Option<F::Output> {
        let start = Instant::now();
        tokio::pin!(f);
        loop {
            let cur = self.current();
            let left = cur.checked_sub(start.elapsed()).filter(|d| !d.is_zero())?;
            let nap = if self.dynamic.is_some() && cur >= self.ceiling {
                left.min(RECHECK)
            } else {
                left
            };
            // Biased: an answer that is in when the wait ends still counts.
            tokio::select! {
                biased;
                out = &mut f => return Some(out),
                _ = tokio::time::sleep(nap) => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: Duration = Duration::from_millis(1);

    /// Two hosts behind one limiter: the loss one proves marks the other's attempts of
    /// the same moment as suspect (tried again), and its pace cut paces the other, which
    /// is answered fast, too; a host answered slowly keeps its own pace.
    #[tokio::test(start_paused = true)]
    async fn loss_on_one_host_counts_for_the_others_on_the_path() {
        let t0 = Instant::now();
        let path = Path::default();
        let timing = || Timing::new(Duration::from_secs(1), 4096, t0).on_path(path.clone());
        let (mut a, mut b, mut slow) = (timing(), timing(), timing());
        // b and slow are answered (b fast: 200 answers in 250 ms); nothing lost there.
        for i in 0..200u32 {
            b.on_answer(MS, &[], t0 + MS * i);
        }
        slow.on_answer(MS, &[], t0);
        assert!(!b.suspect(t0 + MS * 100));
        // a proves loss: attempts sent at 100-109 ms were silent, their retries answered.
        let lost: Vec<Instant> = (100..110).map(|i| t0 + MS * i).collect();
        a.on_answer(MS, &lost, t0 + MS * 200);
        assert!(a.rate().is_some(), "a paces");
        assert!(
            b.suspect(t0 + MS * 105),
            "b's attempt beside a's loss is tried again"
        );
        assert!(!b.suspect(t0 + Duration::from_secs(5)));
        assert_eq!(b.rate(), None);
        b.on_send(t0 + MS * 210);
        assert!(b.rate().is_some(), "b, answered fast, paces down too");
        slow.on_send(t0 + MS * 210);
        assert_eq!(
            slow.rate(),
            None,
            "a host answered slowly is not slowed further"
        );
    }

    #[test]
    fn timeouts_follow_the_rtt_within_floor_and_ceiling() {
        let t0 = Instant::now();
        let mut t = Timing::new(Duration::from_secs(1), 1000, t0);
        assert_eq!(
            t.timeout(),
            Duration::from_secs(1),
            "the ceiling before a sample"
        );
        t.on_answer(2 * MS, &[], t0);
        assert_eq!(
            t.timeout(),
            MIN_TIMEOUT,
            "2 ms + 4 × 1 ms is below the floor"
        );
        for _ in 0..50 {
            t.on_answer(300 * MS, &[], t0);
        }
        assert!(
            t.timeout() > 300 * MS && t.timeout() < 400 * MS,
            "{:?}",
            t.timeout()
        );
        for _ in 0..50 {
            t.on_answer(3000 * MS, &[], t0);
        }
        assert_eq!(t.timeout(), Duration::from_secs(1), "never above --timeout");
        assert_eq!(
            Duration::from_micros(t.shared_timeout().load(Ordering::Relaxed)),
            t.timeout()
        );
    }

    #[test]
    fn the_window_starts_small_grows_with_answers_and_halves_on_loss() {
        let t0 = Instant::now();
        let mut t = Timing::new(Duration::from_secs(1), 500, t0);
        assert_eq!(t.window(), 16);
        t.on_idle();
        assert_eq!(t.window(), 32, "no answer yet: doubles while it waits");
        let mut t = Timing::new(Duration::from_secs(1), 500, t0);
        for _ in 0..100 {
            t.on_answer(MS, &[], t0);
        }
        assert_eq!(t.window(), 116);
        t.on_idle();
        assert_eq!(t.window(), 116, "answers came: no growth without them");
        for _ in 0..1000 {
            t.on_answer(MS, &[], t0);
        }
        assert_eq!(t.window(), 500, "--per-host is the ceiling");
        assert_eq!(t.rate(), None, "no pacing without loss");
        for _ in 0..7 {
            t.on_answer(MS, &[t0], t0 + 10 * MS);
        }
        assert_eq!(
            (t.cuts, t.rate()),
            (0, None),
            "7 late answers of 1,100 are no loss"
        );
        t.on_answer(MS, &[t0], t0 + 10 * MS);
        assert_eq!(t.cuts, 0, "8 are fewer than 1 in 50");
        let mut u = Timing::new(Duration::from_secs(1), 500, t0);
        for _ in 0..8 {
            u.on_answer(MS, &[t0], t0 + 10 * MS);
        }
        assert_eq!(
            (u.window(), u.cuts),
            (16 + 7, 1),
            "loss paces, the window stays"
        );
        assert!(u.rate().is_some());
        for _ in 0..8 {
            u.on_answer(MS, &[t0 + 5 * MS], t0 + 20 * MS);
        }
        assert_eq!(u.cuts, 1, "sent before the cut: lost at the old pace");
        for _ in 0..8 {
            u.on_answer(MS, &[t0 + 15 * MS], t0 + 200 * MS);
        }
        assert_eq!(u.cuts, 2);
        t.on_error(t0 + 400 * MS);
        assert_eq!(
            (t.window(), t.cuts),
            (250, 1),
            "ICMP errors halve the window"
        );
        t.on_error(t0 + 410 * MS);
        assert_eq!((t.window(), t.cuts), (250, 1), "at most once per timeout");
    }

    #[test]
    fn the_pace_follows_what_the_host_delivered() {
        let t0 = Instant::now();
        let mut t = Timing::new(Duration::from_secs(1), 4096, t0);
        // 1,000 answers in 250 ms: the host delivers 4,000 per second.
        for i in 0..1000u32 {
            t.on_answer(MS, &[], t0 + i * 250 * MS / 1000);
        }
        let now = t0 + 250 * MS;
        for _ in 0..25 {
            t.on_answer(MS, &[t0], now);
        }
        let r = t.rate().expect("paced");
        assert!((2900.0..3100.0).contains(&r), "{r}");
        t.on_send(now);
        t.on_send(now);
        let gap = t.send_at().duration_since(now).as_secs_f64();
        assert!((gap - 2.0 / r).abs() < 1e-6, "{gap}");
    }

    #[test]
    fn attempts_sent_near_a_loss_are_suspect() {
        let t0 = Instant::now();
        let mut t = Timing::new(Duration::from_secs(1), 100, t0);
        for _ in 0..8 {
            t.on_answer(MS, &[t0 + 500 * MS], t0 + 900 * MS);
        }
        assert!(t.suspect(t0 + 500 * MS));
        assert!(t.suspect(t0 + 410 * MS), "within reach before the loss");
        assert!(
            t.suspect(t0 + 800 * MS),
            "sent between the loss and its cut"
        );
        assert!(!t.suspect(t0 + 950 * MS), "after the cut");
        assert!(!t.suspect(t0 + 200 * MS), "beyond reach");
    }

    #[tokio::test(start_paused = true)]
    async fn an_adaptive_wait_shrinks_while_it_waits() {
        let shared = Arc::new(AtomicU64::new(1_000_000));
        let w = Wait::adaptive(Duration::from_secs(1), shared.clone(), 1);
        let start = Instant::now();
        let s2 = shared.clone();
        tokio::spawn(async move {
            tokio::time::sleep(120 * MS).await;
            s2.store(100_000, Ordering::Relaxed);
        });
        assert_eq!(w.run(std::future::pending::<()>()).await, None);
        assert_eq!(start.elapsed(), 150 * MS, "noticed at the next recheck");
        let fixed = Wait::fixed(300 * MS);
        let start = Instant::now();
        assert_eq!(fixed.run(std::future::pending::<()>()).await, None);
        assert_eq!(start.elapsed(), 300 * MS);
        assert_eq!(fixed.run(async { 7 }).await, Some(7));
        let doubled = Wait::adaptive(Duration::from_secs(1), shared, 2);
        assert_eq!(doubled.current(), 200 * MS);
    }
}
