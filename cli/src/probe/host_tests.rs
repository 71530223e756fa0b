//! The host machine driven by a simulated network on a virtual clock: plain calls, no
//! runtime, no sleeping. Each row states a network and what the scheduling must do
//! with it — the behaviours the netns labs rely on (adaptive window, retries of dropped
//! ports, a shared limiter's pacing, single ports before sweeps, a deadline's cut, a
//! dead host decided once).

use super::*;
use crate::probe::adapt::{PathLoss, IDLE_GROWTH, INITIAL_WINDOW};
use portplan_core::report::{Reason, Verdict};
use portplan_core::{Port, Protocol};
use std::cell::RefCell;
use std::collections::BTreeMap;

/// What the far end does with one attempt.
#[derive(Debug, Clone, Copy)]
enum Reply {
    /// A RST after this long.
    Refused(Duration),
    /// Dropped: silence for the attempt's whole wait.
    Drop,
}

/// A host's network: the reply to attempt `n` (from 1) of `port`, sent at `t`.
type Net<'a> = &'a dyn Fn(u16, u32, Instant) -> Reply;

/// What one simulated run saw of each host.
#[derive(Debug, Default)]
struct Seen {
    /// Final results by job index.
    results: BTreeMap<usize, ProbeResult>,
    /// Job indices in the order their first attempt went out.
    launched: Vec<usize>,
    /// Most attempts in flight at once.
    peak: usize,
    /// Times the host's pace held a ready probe back.
    paced: usize,
    /// Times the window grew while blind (full, nothing answered yet).
    idle: usize,
    window: usize,
}

/// Runs `hosts` (jobs, network) on one path until every host is done or the virtual
/// clock reaches `cut`; the settling attempt hears `settle`.
fn simulate(
    hosts: &[(Vec<HostJob>, Net)],
    retries: u32,
    per_host: usize,
    cut: Option<Duration>,
    settle: &Outcome,
) -> Vec<Seen> {
    let t0 = Instant::now();
    let ip: IpAddr = "192.0.2.9".parse().expect("ip");
    let path: Path = Arc::new(std::sync::Mutex::new(PathLoss::default()));
    let timeout = Duration::from_millis(1000);
    let mut machines: Vec<Host> = hosts
        .iter()
        .map(|(jobs, _)| Host::new(jobs, (timeout, retries, per_host), path.clone(), ip, t0))
        .collect();
    let mut seen: Vec<Seen> = hosts.iter().map(|_| Seen::default()).collect();
    let mut done = vec![false; hosts.len()];
    let mut flying: Vec<(Instant, usize, Pending, Instant, Outcome)> = Vec::new();
    let mut now = t0;
    for _ in 0..2_000_000 {
        if cut.is_some_and(|c| now >= t0 + c) {
            break;
        }
        let mut acted = false;
        let mut wake: Vec<Instant> = Vec::new();
        for (h, m) in machines.iter_mut().enumerate() {
            if done[h] {
                continue;
            }
            match m.step(now) {
                Step::Send => {
                    let Some((p, wait)) = m.launch(now) else {
                        panic!("Send without a probe")
                    };
                    if p.attempts == 1 && p.door == Door::Probe {
                        seen[h].launched.push(p.index);
                    }
                    let port = p.job.port.map_or(0, |q| q.get());
                    let (o, after) = match (hosts[h].1)(port, p.attempts, now) {
                        Reply::Refused(rtt) => (Outcome::Refused { rtt, blind: false }, rtt),
                        Reply::Drop => (Outcome::NoResponse, wait.current()),
                    };
                    flying.push((now + after, h, p, now, o));
                    let mine = flying.iter().filter(|f| f.1 == h).count();
                    seen[h].peak = seen[h].peak.max(mine);
                    acted = true;
                }
                Step::PaceUntil(t) => {
                    seen[h].paced += 1;
                    wake.push(t);
                }
                Step::Wait { blind: true } => wake.push(now + IDLE_GROWTH),
                Step::Wait { blind: false } => {}
                Step::Drained => {
                    if let WindUp::Finish { settle: wait } = m.wind_up() {
                        if wait {
                            m.on_settled(Some(settle.clone()));
                        }
                        m.finish();
                        done[h] = true;
                        seen[h].window = m.window();
                    }
                    acted = true;
                }
            }
            for order in m.orders() {
                if let Order::Result {
                    index,
                    result,
                    last: true,
                } = order
                {
                    seen[h].results.insert(index, result);
                }
            }
        }
        if acted {
            continue;
        }
        let next_answer = flying.iter().map(|f| f.0).min();
        let Some(next) = next_answer.into_iter().chain(wake).min() else {
            break; // every host is done
        };
        now = next.max(now);
        if next_answer.is_none_or(|a| a > now) {
            // Nothing came back before the wake-up: a blind host grows its window.
            for (h, m) in machines.iter_mut().enumerate() {
                if !done[h] && m.step(now) == (Step::Wait { blind: true }) {
                    m.on_idle();
                    seen[h].idle += 1;
                }
            }
        }
        flying.sort_by_key(|f| f.0);
        while flying.first().is_some_and(|f| f.0 <= now) {
            let (at, h, p, sent, o) = flying.remove(0);
            machines[h].on_attempt(p, sent, o, 0, at);
        }
    }
    seen
}

fn tcp(ports: impl IntoIterator<Item = u16>, sweep: bool, first: usize) -> Vec<HostJob> {
    ports
        .into_iter()
        .enumerate()
        .map(|(i, p)| {
            let job = Job {
                target: 0,
                protocol: Protocol::Tcp,
                port: Port::new(p),
            };
            (first + i, job, sweep)
        })
        .collect()
}

fn verdicts(s: &Seen) -> BTreeMap<(Verdict, Reason), usize> {
    let mut m = BTreeMap::new();
    for r in s.results.values() {
        *m.entry((r.verdict, r.reason)).or_insert(0) += 1;
    }
    m
}

const MS: Duration = Duration::from_millis(1);

/// A SYN limiter (`limit rate over 2000/second burst 200 packets drop`, as a perimeter
/// firewall's flood protection): a token bucket every attempt through it draws from,
/// whichever host it is for; what passes is answered with a RST.
struct Limiter(RefCell<(f64, Option<Instant>)>);

impl Limiter {
    const RATE: f64 = 2000.0;
    const BURST: f64 = 200.0;

    fn new() -> Limiter {
        Limiter(RefCell::new((Self::BURST, None)))
    }

    fn reply(&self, t: Instant) -> Reply {
        let mut b = self.0.borrow_mut();
        let last = b.1.unwrap_or(t);
        b.0 = (b.0 + t.duration_since(last).as_secs_f64() * Self::RATE).min(Self::BURST);
        b.1 = Some(t);
        if b.0 >= 1.0 {
            b.0 -= 1.0;
            Reply::Refused(MS)
        } else {
            Reply::Drop
        }
    }
}

#[test]
fn the_window_follows_what_the_host_does() {
    let fast = |_, _, _| Reply::Refused(MS);
    let dropping = |_, _, _| Reply::Drop;
    let bucket = Limiter::new();
    let limited = |_, _, t| bucket.reply(t);
    type Expect = fn(&Seen) -> bool;
    let cases: [(&str, Net, u32, Expect); 3] = [
        // Answers grow the window past its start; nothing paces a host that loses nothing.
        ("answers", &fast, 1, |s| {
            s.window > INITIAL_WINDOW as usize && s.peak > INITIAL_WINDOW as usize && s.paced == 0
        }),
        // A host that drops everything is not probed 16 at a time: the blind window grows.
        ("drops everything", &dropping, 0, |s| {
            s.idle > 0 && s.peak > INITIAL_WINDOW as usize
        }),
        // A SYN limiter: loss is proven (silence, then the retry answered), the window is
        // cut and sends are paced; every dropped port is tried until it answers.
        ("SYN limiter", &limited, 1, |s| s.paced > 0),
    ];
    for (name, net, retries, expect) in cases {
        let seen = simulate(
            &[(tcp(1..=600, true, 0), net)],
            retries,
            4096,
            None,
            &Outcome::NoResponse,
        );
        let s = &seen[0];
        assert_eq!(s.results.len(), 600, "{name}: every port decided");
        assert!(
            expect(s),
            "{name}: {:?}",
            (s.window, s.peak, s.paced, s.idle, verdicts(s))
        );
        if name == "SYN limiter" {
            assert_eq!(
                verdicts(s),
                BTreeMap::from([((Verdict::Closed, Reason::ConnRefused), 600)]),
                "{name}: no port the limiter dropped reads filtered"
            );
        }
    }
}

#[test]
fn retries_go_to_silent_ports_only_and_decide_them() {
    // Port 7 behaves as the row says; port 8 answers, so the host is heard and port 7's
    // silence is its own.
    type Row = (&'static str, fn(u32) -> Reply, u32, (Verdict, Reason, u32));
    let rows: [Row; 4] = [
        (
            "dropped once, then answered",
            |n| {
                if n == 1 {
                    Reply::Drop
                } else {
                    Reply::Refused(MS)
                }
            },
            1,
            (Verdict::Closed, Reason::ConnRefused, 2),
        ),
        (
            "always silent",
            |_| Reply::Drop,
            1,
            (Verdict::Filtered, Reason::NoResponse, 2),
        ),
        (
            "always silent, no retries",
            |_| Reply::Drop,
            0,
            (Verdict::Filtered, Reason::NoResponse, 1),
        ),
        (
            "answered at once",
            |_| Reply::Refused(MS),
            3,
            (Verdict::Closed, Reason::ConnRefused, 1),
        ),
    ];
    for (name, port7, retries, (verdict, reason, attempts)) in rows {
        let net =
            move |p: u16, n: u32, _: Instant| if p == 7 { port7(n) } else { Reply::Refused(MS) };
        let seen = simulate(
            &[(tcp([7, 8], false, 0), &net)],
            retries,
            4096,
            None,
            &Outcome::NoResponse,
        );
        let r = &seen[0].results[&0];
        assert_eq!(
            (r.verdict, r.reason, r.attempts),
            (verdict, reason, attempts),
            "{name}"
        );
    }
}

#[test]
fn a_limiter_shared_by_two_hosts_paces_both_and_misleads_neither() {
    // One limiter in front of both hosts: each sees only part of the loss, the run's
    // path sees it all; both are paced and no dropped port reads filtered.
    let bucket = Limiter::new();
    let limited = |_, _, t| bucket.reply(t);
    let seen = simulate(
        &[
            (tcp(1..=800, true, 0), &limited),
            (tcp(1..=800, true, 800), &limited),
        ],
        1,
        4096,
        None,
        &Outcome::NoResponse,
    );
    for (h, s) in seen.iter().enumerate() {
        assert_eq!(
            verdicts(s),
            BTreeMap::from([((Verdict::Closed, Reason::ConnRefused), 800)]),
            "host {h}"
        );
    }
    assert!(seen.iter().all(|s| s.paced > 0), "both hosts are paced");
}

#[test]
fn single_ports_go_first_so_a_cut_leaves_none_of_them_unprobed() {
    // 100 sweep ports listed before 3 single ports; one probe at a time, 10 ms each.
    let mut jobs = tcp(1000..1100, true, 0);
    jobs.extend(tcp([135, 445, 3725], false, 100));
    let slow = |_, _, _| Reply::Refused(10 * MS);
    for (cut, singles_done) in [(Some(45 * MS), 3), (Some(25 * MS), 2), (None, 3)] {
        let seen = simulate(&[(jobs.clone(), &slow)], 1, 1, cut, &Outcome::NoResponse);
        let s = &seen[0];
        assert_eq!(&s.launched[..3], &[100, 101, 102], "{cut:?}: singles first");
        let singles = (100..103).filter(|i| s.results.contains_key(i)).count();
        assert_eq!(singles, singles_done, "{cut:?}");
        if cut.is_some() {
            assert!(s.results.len() < 10, "{cut:?}: the sweep was cut");
        } else {
            assert_eq!(s.results.len(), 103);
        }
    }
}

#[test]
fn a_host_nothing_answered_is_decided_once_by_the_settling_attempt() {
    let gone = Outcome::Failed {
        kind: FailKind::NoNeighbour,
        message: "this machine got no ARP answer from 192.0.2.9".into(),
    };
    let dropping = |_, _, _| Reply::Drop;
    let rows = [
        // The neighbour table gave up: a dead host, every port one verdict.
        (&gone, (Verdict::Filtered, Reason::HostDown)),
        // Still silent: a firewall that drops everything, per port.
        (
            &Outcome::NoResponse,
            (Verdict::Filtered, Reason::NoResponse),
        ),
    ];
    for (settle, want) in rows {
        let seen = simulate(
            &[(tcp([135, 445, 3725], false, 0), &dropping)],
            1,
            4096,
            None,
            settle,
        );
        let got = verdicts(&seen[0]);
        assert_eq!(got, BTreeMap::from([(want, 3)]), "{settle:?}");
    }
}

#[test]
fn spread_visits_every_port_once_and_breaks_up_blocks() {
    for n in [0usize, 1, 2, 3, 10, 16384, 16385] {
        let mut order = spread(n);
        let first_quarter: Vec<usize> = order.iter().take(n / 4).copied().collect();
        order.sort_unstable();
        assert_eq!(order, (0..n).collect::<Vec<_>>(), "n = {n}");
        if n >= 1000 {
            // The first quarter of the sends touches every quarter of the range.
            for q in 0..4 {
                let hits = first_quarter.iter().filter(|&&k| k * 4 / n == q).count();
                assert!(hits > n / 32, "n = {n}, quarter {q}: {hits}");
            }
        }
    }
}
