//! One host's probing as a synchronous state machine: events in (an attempt's outcome —
//! an answer, silence, an ICMP error —, the settling attempt's outcome, a window that sat
//! full before any answer), decisions out (which attempt goes next and how long it may
//! wait, whether the host's pace holds it back, retries of silent and dropped ports,
//! results final or held until the host is decided). No sockets, no tasks, no clock of
//! its own: every call takes `now`, so the scheduling is tested as a table of events
//! without tokio, and [`super::schedule`] is the thin async shell that does the waiting.

use super::adapt::{Path, Timing, Wait};
use super::deep::{self, FollowUp};
use super::liveness::{Hearing, Held};
use super::verdict::{latency_ms, retryable, verdict};
use super::{FailKind, Outcome};
use portplan_core::probe::jobs::Job;
use portplan_core::report::status::never_answers;
use portplan_core::report::ProbeResult;
use std::collections::VecDeque;
use std::net::IpAddr;
use std::sync::atomic::AtomicU64;
use std::sync::Arc;
use std::time::Duration;
use tokio::time::Instant;

/// Extra attempts a silent port gets when its last attempt went out while its host was
/// losing attempts (SYN-flood protection): silence then proves nothing.
pub const MAX_EXTRA: u32 = 4;
/// How early a paced send may go (timer granularity).
const PACE_SLACK: Duration = Duration::from_millis(2);

/// One job of a host: its index in the run, the job, and whether it only serves sweeps.
pub type HostJob = (usize, Job, bool);

/// What an attempt asks of the prober: the job's own probe, or a follow-up of an open
/// port whose confirmation asked for more connections (parked in slot `parent`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Door {
    Probe,
    /// The `portplan listen` token on a fresh connection to the job's port.
    Token {
        parent: usize,
    },
    /// A handshake to `port`, a dynamic port the endpoint mapper listed.
    Connect {
        parent: usize,
        port: u16,
    },
}

/// A port on its way: what its attempts so far found.
#[derive(Debug)]
pub struct Pending {
    pub index: usize,
    pub job: Job,
    pub door: Door,
    pub attempts: u32,
    pub backoffs: u32,
    extra: u32,
    /// Its silent attempts, when each went out and how long it waited: each is a loss
    /// if a later attempt is answered well within that wait (an answer that takes as
    /// long is a slow host, not a lost probe).
    silent: Vec<(Instant, Duration)>,
}

impl Pending {
    fn new(index: usize, job: Job, door: Door) -> Pending {
        Pending {
            index,
            job,
            door,
            attempts: 0,
            backoffs: 0,
            extra: 0,
            silent: Vec::new(),
        }
    }
}

/// An open port waiting for its follow-ups: what opened it and what came back so far.
struct Parked {
    p: Pending,
    opened: Outcome,
    follow: FollowUp,
    found: Vec<(u16, Outcome)>,
}

/// What the machine asks of its shell.
#[derive(Debug)]
pub enum Order {
    /// A result for job `index`; `last` is false for a provisional one (an open port
    /// whose follow-ups are still out, a silent port held until the host is decided),
    /// which a cut-short run reports as it stands.
    Result {
        index: usize,
        result: ProbeResult,
        last: bool,
    },
    /// Start the settling attempt: `job`'s port once more, with a wait the neighbour
    /// table outlasts (the first result held for a host nothing answered from).
    Settle(Job),
}

/// What the host does next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// A probe may go: take a descriptor, then [`Host::launch`].
    Send,
    /// A probe waits for the host's pace until then.
    PaceUntil(Instant),
    /// Wait for an attempt in flight; `blind`: the window sits full before any answer,
    /// so it grows after [`super::adapt::IDLE_GROWTH`] ([`Host::on_idle`]).
    Wait { blind: bool },
    /// Nothing queued or in flight: [`Host::wind_up`].
    Drained,
}

/// How a drained host ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WindUp {
    /// Silent ports sent while the path was losing go again: back to [`Host::step`].
    Again,
    /// The host is decided: [`Host::finish`]; `settle` says to wait for the settling
    /// attempt's outcome first ([`Host::on_settled`]).
    Finish { settle: bool },
}

/// One host's probing state.
pub struct Host {
    timeout: Duration,
    retries: u32,
    ip: IpAddr,
    timing: Timing,
    shared: Arc<AtomicU64>,
    queue: VecDeque<Pending>,
    flying: usize,
    /// The settling attempt, once started, counts towards the window until the end.
    settling: usize,
    settle_job: Option<Job>,
    parked: Vec<Option<Parked>>,
    /// Silent ports not yet known to be lost, with their last attempt's send time.
    late: Vec<(Pending, Instant)>,
    /// Silent results wait here until something about the host answers, or the end
    /// decides them together (a dead host is not a firewall).
    hearing: Hearing,
    orders: Vec<Order>,
}

impl Host {
    /// A host's `jobs`, resolved to `ip`: single ports and small runs first, in plan
    /// order; then the sweeps, spread ([`spread`]). `per_host` caps the window; `path`
    /// is the run's shared loss.
    pub fn new(
        jobs: &[HostJob],
        (timeout, retries, per_host): (Duration, u32, usize),
        path: Path,
        ip: IpAddr,
        now: Instant,
    ) -> Host {
        let timing = Timing::new(timeout, per_host.max(1), now).on_path(path);
        let shared = timing.shared_timeout();
        let (singles, sweeps): (Vec<&HostJob>, Vec<&HostJob>) = jobs.iter().partition(|j| !j.2);
        let queue = singles
            .iter()
            .chain(
                spread(sweeps.len())
                    .into_iter()
                    .filter_map(|k| sweeps.get(k)),
            )
            .map(|&&(index, job, _)| Pending::new(index, job, Door::Probe))
            .collect();
        // A TCP handshake where there is one: only connect() hears the neighbour table
        // give up (an echo or a datagram just stays silent).
        let settle_job = jobs
            .iter()
            .map(|&(_, j, _)| j)
            .find(|j| j.protocol == portplan_core::Protocol::Tcp)
            .or(jobs.first().map(|&(_, j, _)| j));
        Host {
            timeout,
            retries,
            ip,
            timing,
            shared,
            queue,
            flying: 0,
            settling: 0,
            settle_job,
            parked: Vec::new(),
            late: Vec::new(),
            hearing: Hearing::default(),
            orders: Vec::new(),
        }
    }

    /// The orders given since the last call.
    pub fn orders(&mut self) -> Vec<Order> {
        std::mem::take(&mut self.orders)
    }

    /// The window: attempts (and the settling one) allowed in flight.
    #[cfg(test)]
    pub fn window(&self) -> usize {
        self.timing.window()
    }

    /// What to do next, at `now`.
    pub fn step(&self, now: Instant) -> Step {
        if self.queue.is_empty() && self.flying == 0 {
            return Step::Drained;
        }
        let room = !self.queue.is_empty() && self.flying + self.settling < self.timing.window();
        if !room {
            let blind = !self.timing.has_sample()
                && !self.queue.is_empty()
                && self.flying >= self.timing.window();
            return Step::Wait { blind };
        }
        // Timers tick in milliseconds: a pace finer than that goes out in small bursts.
        let at = self.timing.send_at();
        let paced_until = at.checked_sub(PACE_SLACK).unwrap_or(at);
        if now >= paced_until {
            Step::Send
        } else {
            Step::PaceUntil(paced_until)
        }
    }

    /// The next attempt, sent at `now`: what to send and how long it may wait.
    pub fn launch(&mut self, now: Instant) -> Option<(Pending, Wait)> {
        let mut p = self.queue.pop_front()?;
        p.attempts += 1;
        // Each retry waits twice as long as the attempt before (nmap does the same).
        let wait = Wait::adaptive(
            self.timeout,
            self.shared.clone(),
            1 << (p.attempts - 1).min(4),
        );
        self.timing.on_send(now);
        self.flying += 1;
        Some((p, wait))
    }

    /// The window sat full for [`super::adapt::IDLE_GROWTH`] before any answer.
    pub fn on_idle(&mut self) {
        self.timing.on_idle();
    }

    /// An attempt in flight was lost without an outcome (its task panicked): its job
    /// stays unfinished.
    pub fn on_lost(&mut self) {
        self.flying = self.flying.saturating_sub(1);
    }

    /// Attempt `p`, sent at `sent`, came back at `now` with `outcome` after waiting
    /// `backoffs` times for a descriptor.
    pub fn on_attempt(
        &mut self,
        mut p: Pending,
        sent: Instant,
        outcome: Outcome,
        backoffs: u32,
        now: Instant,
    ) {
        self.flying = self.flying.saturating_sub(1);
        p.backoffs += backoffs;
        let was_heard = self.hearing.heard;
        self.hearing.note(&outcome);
        if self.hearing.heard && !was_heard {
            // The host answered: what was held speaks for its ports as it is.
            let held = self.hearing.decide(self.ip);
            self.release(held);
        }
        if let Door::Token { parent } | Door::Connect { parent, .. } = p.door {
            self.on_follow_up(p, parent, outcome, now);
            return;
        }
        // Any answer (an open port that asks for follow-ups too) is a sample.
        match (&outcome, answer_rtt(&outcome)) {
            (_, Some(rtt)) => {
                let lost: Vec<Instant> = p
                    .silent
                    .iter()
                    .filter(|(_, waited)| rtt.saturating_mul(2) < *waited)
                    .map(|(t, _)| *t)
                    .collect();
                self.timing.on_answer(rtt, &lost, now);
            }
            // Silence that asks for a follow-up (the UDP token) is silence first: the
            // retries come before the follow-up.
            (o, None) if silent(o) => {
                p.silent.push((sent, now.duration_since(sent)));
                self.timing.on_silence();
                // UDP 138 never answers: a retry would only wait again.
                let retries = if never_answers(p.job.protocol, p.job.port) {
                    0
                } else {
                    self.retries
                };
                let suspect = retries > 0 && p.extra < MAX_EXTRA && self.timing.suspect(sent);
                if p.attempts <= retries || suspect {
                    if p.attempts > retries {
                        p.extra += 1;
                    }
                    // First in line: a retry is what tells loss from a firewall, and the
                    // sooner loss shows, the fewer attempts it costs.
                    self.queue.push_front(p);
                    return;
                }
                if retries > 0 && p.extra < MAX_EXTRA && matches!(outcome, Outcome::NoResponse) {
                    // The loss around it may be proven only later, when the retries sent
                    // beside it come back: decided at the end.
                    let result = finished(&p.job, &outcome, p.attempts, p.backoffs);
                    self.orders.push(Order::Result {
                        index: p.index,
                        result,
                        last: false,
                    });
                    self.late.push((p, sent));
                    return;
                }
            }
            (
                Outcome::Failed {
                    kind:
                        FailKind::HostUnreachable
                        | FailKind::NetUnreachable
                        | FailKind::AdminProhibited
                        | FailKind::PortUnreachable
                        | FailKind::NoNeighbour
                        | FailKind::RemoteUnreachable,
                    ..
                },
                None,
            ) => self.timing.on_error(now),
            _ => {}
        }
        if let Outcome::Continues { opened, follow } = outcome {
            // Provisional: what the handshake proved stands if the run is cut before the
            // follow-ups are back.
            let mut result = finished(&p.job, &opened, p.attempts, p.backoffs);
            result.detail = "the run ended before its follow-up connections were back".into();
            self.orders.push(Order::Result {
                index: p.index,
                result,
                last: false,
            });
            let slot = self.parked.len();
            for f in follow_ups(&p, slot, &follow).into_iter().rev() {
                self.queue.push_front(f);
            }
            self.parked.push(Some(Parked {
                p,
                opened: *opened,
                follow,
                found: Vec::new(),
            }));
            return;
        }
        self.deliver(p.index, &p.job, &outcome, p.attempts, p.backoffs);
    }

    /// A follow-up teaches the host's timing like any probe, but is never retried: the
    /// open port is proven, the follow-up only adds to it.
    fn on_follow_up(&mut self, p: Pending, parent: usize, outcome: Outcome, now: Instant) {
        match answer_rtt(&outcome) {
            Some(rtt) => self.timing.on_answer(rtt, &[], now),
            // A silent UDP token says nothing of the path (UDP is often silent).
            None if retryable(&outcome) && matches!(p.door, Door::Connect { .. }) => {
                self.timing.on_silence()
            }
            None => {}
        }
        let port = match p.door {
            Door::Connect { port, .. } => port,
            _ => p.job.port.map_or(0, |q| q.get()),
        };
        let Some(slot) = self.parked.get_mut(parent) else {
            return;
        };
        let complete = slot.as_mut().is_some_and(|k| {
            k.found.push((port, outcome));
            k.found.len() >= k.follow.len()
        });
        if let Some(k) = slot.take_if(|_| complete) {
            let port = k.p.job.port.map_or(0, |q| q.get());
            let o = deep::conclude(port, k.opened, &k.follow, &k.found);
            self.deliver(k.p.index, &k.p.job, &o, k.p.attempts, k.p.backoffs);
        }
    }

    /// A final result: out at once, or held while nothing about the host answered; the
    /// first held result starts the settling attempt.
    fn deliver(&mut self, index: usize, job: &Job, o: &Outcome, attempts: u32, backoffs: u32) {
        let result = finished(job, o, attempts, backoffs);
        if !self.hearing.holds(o) {
            self.orders.push(Order::Result {
                index,
                result,
                last: true,
            });
            return;
        }
        self.orders.push(Order::Result {
            index,
            result: result.clone(),
            last: false,
        });
        self.hearing.held.push(Held { index, result });
        if self.settling == 0 && !self.hearing.gone && self.hearing.held.len() == 1 {
            self.settling = 1;
            self.orders
                .push(Order::Settle(self.settle_job.unwrap_or(*job)));
        }
    }

    fn release(&mut self, held: Vec<Held>) {
        self.orders.extend(held.into_iter().map(|h| Order::Result {
            index: h.index,
            result: h.result,
            last: true,
        }));
    }

    /// Nothing queued or in flight: silent ports whose attempt turned out to go out while
    /// the path was losing (this host's loss or another's behind the same limiter) are
    /// tried again; the others are final.
    pub fn wind_up(&mut self) -> WindUp {
        let mut again = false;
        for (mut p, sent) in std::mem::take(&mut self.late) {
            if self.timing.suspect(sent) {
                p.extra += 1;
                self.queue.push_back(p);
                again = true;
            } else {
                self.deliver(
                    p.index,
                    &p.job,
                    &Outcome::NoResponse,
                    p.attempts,
                    p.backoffs,
                );
            }
        }
        if again {
            return WindUp::Again;
        }
        WindUp::Finish {
            settle: self.hearing.undecided() && self.settling > 0,
        }
    }

    /// The settling attempt's outcome (`None`: it was lost).
    pub fn on_settled(&mut self, o: Option<Outcome>) {
        if let Some(o) = o {
            self.hearing.note(&o);
        }
    }

    /// Decides the host: its held results go out, `filtered (host-down)` when nothing
    /// about it answered and the neighbour table gave up on it.
    pub fn finish(&mut self) {
        let held = self.hearing.decide(self.ip);
        self.release(held);
    }
}

/// The order in which a host's `n` ports are probed: a stride coprime with `n` near
/// n / φ, so neighbours go out far apart and a dropped block of ports (a firewall rule
/// for a range) does not fill the window at once while open ports wait behind it.
pub fn spread(n: usize) -> Vec<usize> {
    if n < 3 {
        return (0..n).collect();
    }
    let gcd = |mut a: usize, mut b: usize| {
        while b != 0 {
            (a, b) = (b, a % b);
        }
        a
    };
    let mut stride = (n as f64 * 0.618_034) as usize;
    while gcd(stride, n) != 1 {
        stride += 1;
    }
    (0..n).map(|i| (i * stride) % n).collect()
}

/// The result of a job whose attempts are over.
pub fn finished(job: &Job, outcome: &Outcome, attempts: u32, backoffs: u32) -> ProbeResult {
    let (verdict, reason, mut detail) = verdict(job.protocol, job.port, outcome);
    if backoffs > 0 && !detail.is_empty() {
        detail.push_str("; ");
    }
    if backoffs > 0 {
        detail.push_str(&format!(
            "waited {backoffs} times for a free file descriptor"
        ));
    }
    ProbeResult {
        latency_ms: latency_ms(outcome),
        attempts,
        detail,
        ..ProbeResult::new(job.protocol, job.port, verdict, reason)
    }
}

/// Whether an outcome is silence worth a retry, also when it asks for a follow-up.
fn silent(o: &Outcome) -> bool {
    match o {
        Outcome::Continues { opened, .. } => retryable(opened),
        o => retryable(o),
    }
}

/// The round trip of an answer (any answer, RST included).
fn answer_rtt(o: &Outcome) -> Option<Duration> {
    match o {
        Outcome::Answered { rtt, .. }
        | Outcome::Foreign { rtt, .. }
        | Outcome::Refused { rtt, .. } => Some(*rtt),
        Outcome::Continues { opened, .. } => answer_rtt(opened),
        _ => None,
    }
}

/// The follow-up attempts `follow` asks for, for the open port parked in `slot`.
fn follow_ups(parent: &Pending, slot: usize, follow: &FollowUp) -> Vec<Pending> {
    let doors: Vec<Door> = match follow {
        FollowUp::None => Vec::new(),
        FollowUp::Token { .. } => vec![Door::Token { parent: slot }],
        FollowUp::Ports { ports, .. } => ports
            .iter()
            .map(|&port| Door::Connect { parent: slot, port })
            .collect(),
    };
    doors
        .into_iter()
        .map(|door| Pending::new(parent.index, parent.job, door))
        .collect()
}

#[cfg(test)]
#[path = "host_tests.rs"]
mod tests;
