//! Running the probes: one driver per host with its own adaptive window, RTT timeout
//! and pace ([`super::adapt`]), all within the descriptor budget; retries on silence
//! only, after the host's other ports; back-off on EMFILE; and a global deadline that
//! no run outlives.

use super::adapt::{Path, Wait, IDLE_GROWTH};
use super::host::{Door, Host, HostJob, Order, Pending, Step, WindUp, MAX_EXTRA};
use super::liveness::SETTLE_WAIT;
use super::{FailKind, Outcome, Prober};
use portplan_core::probe::jobs::{Job, Work};
use portplan_core::report::{ProbeResult, Reason, Verdict};
use portplan_core::{services, Protocol};
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{mpsc, Semaphore};
use tokio::time::Instant;

/// How often a probe waits for descriptors before it reports `emfile`.
const MAX_BACKOFFS: u32 = 20;
/// Longest single wait for a descriptor; all waits together (~1.8 s) fit in [`SLACK`].
const MAX_WAIT: Duration = Duration::from_millis(100);
/// Fixed part of the deadline: runtime start, DNS, writing the report.
const SLACK: Duration = Duration::from_secs(2);
/// Extra allowance when some destination is a DNS name (lookups come first).
const DNS_ALLOWANCE: Duration = Duration::from_secs(5);
/// The slowest pace the deadline allows for, probes per second per host.
const BUDGET_RATE: u32 = 500;

/// How probes are run.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Per attempt: the ceiling of the RTT-based timeout, and its value before any
    /// answer; the last attempt of a port always waits this long.
    pub timeout: Duration,
    /// Extra attempts after no response (TCP silence, UDP silence, no echo reply).
    pub retries: u32,
    /// Probes in flight at once (each holds one socket).
    pub concurrency: usize,
    /// Ceiling of the adaptive window towards one host.
    pub per_host: usize,
    /// A cap on the whole run below the computed budget.
    pub max_time: Option<Duration>,
}

/// Default for [`Settings::per_host`]: a ceiling; the adaptive window decides.
pub const PER_HOST: usize = 4096;

/// The most jobs any one target has (what `per_host` makes wait).
pub fn busiest_target(work: &Work) -> usize {
    let mut counts = vec![0usize; work.targets.len()];
    for j in &work.jobs {
        if let Some(c) = counts.get_mut(j.target) {
            *c += 1;
        }
    }
    counts.into_iter().max().unwrap_or(0)
}

/// Attempts one port may get at most.
fn max_attempts(s: &Settings) -> u32 {
    let extra = if s.retries > 0 { MAX_EXTRA } else { 0 };
    s.retries.saturating_add(1).saturating_add(extra)
}

/// The longest a run of `jobs` probes (`busiest` of them to one host) may take: every
/// wave of probes waiting out every attempt, the busiest host paced down to
/// [`BUDGET_RATE`], plus slack, capped by `max_time`.
pub fn budget(jobs: usize, busiest: usize, needs_dns: bool, s: &Settings) -> Duration {
    let waves = jobs
        .div_ceil(s.concurrency.max(1))
        .max(busiest.div_ceil(s.per_host.max(1)))
        .max(1) as u32;
    let per_probe = s.timeout.saturating_mul(max_attempts(s));
    let sends = u32::try_from(busiest)
        .unwrap_or(u32::MAX)
        .saturating_mul(s.retries.saturating_add(1));
    let paced = Duration::from_millis(u64::from(sends) * 1000 / u64::from(BUDGET_RATE));
    let dns = if needs_dns {
        DNS_ALLOWANCE
    } else {
        Duration::ZERO
    };
    // A host nothing answered for gets one attempt that outlasts the neighbour table.
    let settle = SETTLE_WAIT.max(s.timeout);
    let computed = per_probe.saturating_mul(waves) + paced + settle + SLACK + dns;
    s.max_time.map_or(computed, |m| m.min(computed))
}

/// The datagram that makes a UDP port answer: NBSTAT for 137, empty otherwise.
pub fn udp_payload(port: u16, id: u16) -> Vec<u8> {
    if services::confirmation(Protocol::Udp, port) == Some(services::Confirmation::NbStat) {
        crate::proto::nbstat::nbstat_request(id)
    } else {
        Vec::new()
    }
}

/// One attempt, waiting out EMFILE: the outcome and how often it waited.
/// The future of one attempt, to measure its size.
#[cfg(test)]
pub fn attempt_size<P: Prober>(
    prober: &P,
    job: Job,
    ip: IpAddr,
    wait: Wait,
) -> impl std::future::Future + '_ {
    attempt(prober, job, Door::Probe, ip, wait, 1)
}

async fn attempt<P: Prober>(
    prober: &P,
    job: Job,
    door: Door,
    ip: IpAddr,
    wait: Wait,
    number: u32,
) -> (Outcome, u32) {
    let port = job.port.map_or(0, |p| p.get());
    let addr = SocketAddr::new(ip, port);
    let mut backoffs = 0u32;
    let mut nap = Duration::from_millis(10);
    loop {
        let o = match (door, job.protocol) {
            // Boxed like UDP: follow-ups are rare, their futures large.
            (Door::Token { .. }, protocol) => {
                Box::pin(prober.token(protocol, addr, wait.clone())).await
            }
            (Door::Connect { port, .. }, _) => {
                Box::pin(prober.connect(SocketAddr::new(ip, port), wait.clone())).await
            }
            (Door::Probe, Protocol::Tcp) => prober.tcp(addr, wait.clone()).await,
            // Boxed: the ICMP and UDP futures are 1-3 KB, the TCP one under 1 KB; inline,
            // every one of thousands of TCP attempts in flight would be as large.
            (Door::Probe, Protocol::Udp) => {
                let id = (port ^ (number as u16).wrapping_mul(0x9e37)) | 1;
                Box::pin(prober.udp(addr, udp_payload(port, id), wait.clone())).await
            }
            (Door::Probe, Protocol::Icmp) => Box::pin(prober.icmp(ip, wait.clone())).await,
        };
        let out_of_fds = matches!(
            o,
            Outcome::Failed {
                kind: FailKind::TooManyFiles,
                ..
            }
        );
        if out_of_fds && backoffs < MAX_BACKOFFS {
            backoffs += 1;
            tokio::time::sleep(nap).await;
            nap = (nap * 2).min(MAX_WAIT);
            continue;
        }
        return (o, backoffs);
    }
}

/// The attempt that settles a host nothing answered for: the held job's port once more,
/// a bare handshake (or datagram, or echo) with a wait the neighbour table outlasts.
async fn settling<P: Prober>(prober: &P, job: Job, ip: IpAddr, wait: Duration) -> Outcome {
    let port = job.port.map_or(0, |p| p.get());
    let addr = SocketAddr::new(ip, port);
    match job.protocol {
        Protocol::Tcp => prober.connect(addr, Wait::fixed(wait)).await,
        Protocol::Udp => {
            Box::pin(prober.udp(addr, udp_payload(port, 0x5e77), Wait::fixed(wait))).await
        }
        Protocol::Icmp => Box::pin(prober.icmp(ip, Wait::fixed(wait))).await,
    }
}

/// Where a host's probes went: its resolved address and the local source address.
/// Written into the results after the run, so no string is allocated per probe while
/// thousands of attempts are in flight (that fragmented the heap: +10 MiB peak).
#[derive(Debug, Clone, Copy)]
struct Route {
    ip: IpAddr,
    local: Option<IpAddr>,
}

impl Route {
    fn dialed(&self, job: &Job) -> String {
        match job.port {
            Some(p) => SocketAddr::new(self.ip, p.get()).to_string(),
            None => self.ip.to_string(),
        }
    }
}

type Routes = Arc<std::sync::Mutex<Vec<Option<Route>>>>;

fn unfinished(job: &Job, verdict: Verdict, reason: Reason, detail: String) -> ProbeResult {
    ProbeResult {
        attempts: 0,
        detail,
        ..ProbeResult::new(job.protocol, job.port, verdict, reason)
    }
}

/// A result for job `.0`; `.2` is false for a provisional one (an open port whose
/// follow-ups are still out), which a cut-short run reports as it stands.
type Results = mpsc::UnboundedSender<(usize, ProbeResult, bool)>;

/// Probes one host's jobs: resolves its address, then does what its [`Host`] machine
/// decides — launches attempts within the run's descriptor budget, waits out its pace,
/// grows a window that sat full before any answer, runs the settling attempt — and
/// passes the machine's results on.
async fn drive_host<P: Prober>(
    prober: Arc<P>,
    target: usize,
    routes: Routes,
    (address, jobs): (String, Vec<HostJob>),
    s: Settings,
    (global, path): (Arc<Semaphore>, Path),
    out: Results,
) {
    let ip = match prober.resolve(&address).await {
        Ok(ip) => ip,
        Err(e) => {
            for (i, job, _) in jobs {
                let _ = out.send((
                    i,
                    unfinished(&job, Verdict::Unresolved, Reason::DnsFailure, e.clone()),
                    true,
                ));
            }
            return;
        }
    };
    let route = Route {
        ip,
        local: prober.local_address(ip).await,
    };
    if let Some(slot) = routes.lock().ok().as_mut().and_then(|r| r.get_mut(target)) {
        *slot = Some(route);
    }
    let mut host = Host::new(
        &jobs,
        (s.timeout, s.retries, s.per_host),
        path,
        ip,
        Instant::now(),
    );
    let mut flying: tokio::task::JoinSet<(Pending, Instant, Outcome, u32)> =
        tokio::task::JoinSet::new();
    let mut settle: tokio::task::JoinSet<Outcome> = tokio::task::JoinSet::new();
    let settle_wait = SETTLE_WAIT.max(s.timeout);
    let obey = |host: &mut Host, settle: &mut tokio::task::JoinSet<Outcome>| {
        for order in host.orders() {
            match order {
                Order::Result {
                    index,
                    result,
                    last,
                } => {
                    let _ = out.send((index, result, last));
                }
                Order::Settle(job) => {
                    let (prober, global) = (prober.clone(), global.clone());
                    // Within the run's descriptor budget like any attempt.
                    settle.spawn(async move {
                        let _permit = global.acquire_owned().await;
                        settling(&*prober, job, ip, settle_wait).await
                    });
                }
            }
        }
    };
    loop {
        obey(&mut host, &mut settle);
        let step = host.step(Instant::now());
        if step == Step::Drained {
            let end = host.wind_up();
            // What winding up decided (a held result may start the settling attempt).
            obey(&mut host, &mut settle);
            match end {
                WindUp::Again => continue,
                WindUp::Finish { settle: wait } => {
                    if wait {
                        let o = settle.join_next().await.and_then(Result::ok);
                        host.on_settled(o);
                    }
                    host.finish();
                    obey(&mut host, &mut settle);
                    return;
                }
            }
        }
        let send = step == Step::Send;
        let paced_until = match step {
            Step::PaceUntil(t) => Some(t),
            _ => None,
        };
        let blind = step == Step::Wait { blind: true };
        tokio::select! {
            biased;
            Some(done) = flying.join_next(), if !flying.is_empty() => match done {
                Ok((p, sent, outcome, backoffs)) => {
                    host.on_attempt(p, sent, outcome, backoffs, Instant::now());
                }
                // A panicked attempt leaves its job unfinished ("internal").
                Err(_) => host.on_lost(),
            },
            permit = global.clone().acquire_owned(), if send => {
                let now = Instant::now();
                let (Ok(permit), Some((p, wait))) = (permit, host.launch(now)) else { return };
                let prober = prober.clone();
                flying.spawn(async move {
                    let (o, backoffs) = attempt(&*prober, p.job, p.door, ip, wait, p.attempts).await;
                    drop(permit);
                    (p, now, o, backoffs)
                });
            }
            _ = tokio::time::sleep_until(paced_until.unwrap_or_else(Instant::now)), if paced_until.is_some() => {}
            _ = tokio::time::sleep(IDLE_GROWTH), if blind => host.on_idle(),
        }
    }
}

/// Probes every job of `work`; one result per job, in job order. `on_result` sees each
/// result as it arrives (the progress bar). Never runs longer than `budget`.
#[allow(dead_code)] // callers without Ctrl-C handling, and the tests below
pub async fn run<P: Prober>(
    prober: Arc<P>,
    work: &Work,
    s: &Settings,
    budget: Duration,
    on_result: &dyn Fn(&ProbeResult),
) -> Vec<ProbeResult> {
    let never = std::future::pending::<String>();
    run_until(prober, work, s, budget, on_result, never).await
}

/// How a run ended before every probe finished.
enum Cut {
    Deadline,
    /// `stop` resolved (Ctrl-C, SIGTERM); the text says why.
    Interrupted(String),
}

/// [`run`], stopped early when `stop` resolves (Ctrl-C): no probe is launched after
/// that, those in flight are cut, and every unfinished job is reported as `error` with
/// reason `interrupted` and `stop`'s text as detail, so the report holds what finished.
pub async fn run_until<P: Prober>(
    prober: Arc<P>,
    work: &Work,
    s: &Settings,
    budget: Duration,
    on_result: &dyn Fn(&ProbeResult),
    stop: impl std::future::Future<Output = String>,
) -> Vec<ProbeResult> {
    let mut results: Vec<Option<ProbeResult>> = vec![None; work.jobs.len()];
    let mut hosts = tokio::task::JoinSet::new();
    let routes: Routes = Arc::new(std::sync::Mutex::new(vec![None; work.targets.len()]));
    let collect = tokio::time::timeout(budget, async {
        // One driver per destination: its lookup, window and pace are its own, so a
        // name that never resolves or a host that drops everything delays no other.
        let sweep = work.sweep_jobs();
        let mut by_target: Vec<Vec<HostJob>> = vec![Vec::new(); work.targets.len()];
        for (i, job) in work.jobs.iter().enumerate() {
            if let Some(v) = by_target.get_mut(job.target) {
                v.push((i, *job, sweep.get(i).copied().unwrap_or(true)));
            }
        }
        let (tx, mut rx) = mpsc::unbounded_channel();
        let global = Arc::new(Semaphore::new(s.concurrency.max(1)));
        // One limiter in the path drops for every host behind it: loss is shared.
        let path = Path::default();
        for (t, (target, jobs)) in work.targets.iter().zip(by_target).enumerate() {
            if jobs.is_empty() {
                continue;
            }
            hosts.spawn(drive_host(
                prober.clone(),
                t,
                routes.clone(),
                (target.address.clone(), jobs),
                s.clone(),
                (global.clone(), path.clone()),
                tx.clone(),
            ));
        }
        drop(tx);
        while let Some((i, r, last)) = rx.recv().await {
            if last {
                on_result(&r);
            }
            if let Some(slot) = results.get_mut(i) {
                *slot = Some(r);
            }
        }
    });
    let cut = tokio::select! {
        done = collect => done.err().map(|_| Cut::Deadline),
        why = stop => Some(Cut::Interrupted(why)),
    };
    hosts.abort_all();
    let routes: Vec<Option<Route>> = routes.lock().map(|r| r.clone()).unwrap_or_default();
    work.jobs
        .iter()
        .zip(results)
        .map(|(job, r)| {
            let mut r = r.unwrap_or_else(|| match &cut {
                Some(Cut::Deadline) => {
                    let why = format!("not finished within the run's deadline of {budget:.1?}");
                    unfinished(job, Verdict::Error, Reason::Deadline, why)
                }
                Some(Cut::Interrupted(why)) => {
                    unfinished(job, Verdict::Error, Reason::Interrupted, why.clone())
                }
                None => {
                    let why = "the probe task ended without a result".to_string();
                    unfinished(job, Verdict::Error, Reason::Internal, why)
                }
            });
            if let Some(route) = routes.get(job.target).copied().flatten() {
                r.dialed = Some(route.dialed(job));
                r.local = route.local.map(|l| l.to_string());
            }
            r
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::probe::deep::FollowUp;
    use portplan_core::probe::jobs::{FlowJobs, Target};
    use portplan_core::Port;
    use std::collections::{HashMap, VecDeque};
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Mutex;

    /// A scripted network: per port, the outcomes of successive attempts (the last
    /// repeats), each after `delay`; counts calls and the peak number in flight.
    #[derive(Default)]
    struct Script {
        outcomes: Mutex<HashMap<u16, VecDeque<Outcome>>>,
        delay: Duration,
        calls: AtomicUsize,
        in_flight: AtomicUsize,
        peak: AtomicUsize,
        unresolvable: Vec<String>,
        /// Names whose lookup never ends.
        hanging: Vec<String>,
        /// Ports whose attempts never end.
        hanging_ports: Vec<u16>,
    }

    impl Script {
        fn new(cases: &[(u16, &[Outcome])]) -> Script {
            let map = cases
                .iter()
                .map(|(p, o)| (*p, o.iter().cloned().collect()))
                .collect();
            Script {
                outcomes: Mutex::new(map),
                ..Script::default()
            }
        }
        async fn next(&self, port: u16) -> Outcome {
            if self.hanging_ports.contains(&port) {
                std::future::pending::<()>().await;
            }
            self.calls.fetch_add(1, Ordering::SeqCst);
            let now = self.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
            self.peak.fetch_max(now, Ordering::SeqCst);
            tokio::time::sleep(self.delay).await;
            self.in_flight.fetch_sub(1, Ordering::SeqCst);
            let mut m = self.outcomes.lock().expect("lock");
            let q = m.entry(port).or_default();
            if q.len() > 1 {
                q.pop_front().expect("front")
            } else {
                q.front().cloned().unwrap_or(Outcome::NoResponse)
            }
        }
    }

    impl Prober for Script {
        async fn resolve(&self, host: &str) -> Result<IpAddr, String> {
            if self.hanging.iter().any(|h| h == host) {
                std::future::pending::<()>().await;
            }
            if self.unresolvable.iter().any(|h| h == host) {
                Err(format!("{host}: no such host"))
            } else {
                Ok("192.0.2.1".parse().expect("ip"))
            }
        }
        async fn tcp(&self, a: SocketAddr, _: Wait) -> Outcome {
            self.next(a.port()).await
        }
        async fn udp(&self, a: SocketAddr, _: Vec<u8>, _: Wait) -> Outcome {
            self.next(a.port()).await
        }
        async fn icmp(&self, _: IpAddr, _: Wait) -> Outcome {
            self.next(0).await
        }
        async fn token(&self, _: Protocol, a: SocketAddr, _: Wait) -> Outcome {
            self.next(a.port()).await
        }
        async fn connect(&self, a: SocketAddr, _: Wait) -> Outcome {
            self.next(a.port()).await
        }
    }

    fn settings(retries: u32, concurrency: usize) -> Settings {
        Settings {
            timeout: Duration::from_secs(1),
            retries,
            concurrency,
            per_host: PER_HOST,
            max_time: None,
        }
    }

    fn work(hosts: &[&str], protocol: Protocol, ports: &[u16]) -> Work {
        let mut w = Work::default();
        for (t, h) in hosts.iter().enumerate() {
            w.targets.push(Target {
                name: (*h).into(),
                address: h.to_string(),
            });
            for p in ports {
                w.jobs.push(Job {
                    target: t,
                    protocol,
                    port: Port::new(*p),
                });
            }
        }
        w.flows = Vec::<FlowJobs>::new();
        w
    }

    async fn go(script: Script, w: &Work, s: &Settings) -> (Vec<ProbeResult>, Arc<Script>) {
        let script = Arc::new(script);
        let b = budget(w.jobs.len(), busiest_target(w), false, s);
        (run(script.clone(), w, s, b, &|_| {}).await, script)
    }

    fn answered() -> Outcome {
        Outcome::Answered {
            rtt: Duration::from_millis(2),
            detail: String::new(),
            verified: false,
        }
    }
    fn emfile() -> Outcome {
        Outcome::Failed {
            kind: FailKind::TooManyFiles,
            message: "Too many open files".into(),
        }
    }

    /// One line per case: the scripted attempts, retries allowed → verdict, reason, attempts.
    #[tokio::test(start_paused = true)]
    async fn retries_happen_on_silence_only() {
        let refused = Outcome::Refused {
            rtt: Duration::from_millis(1),
            blind: false,
        };
        let cases: Vec<(Vec<Outcome>, u32, Verdict, &str, u32)> = vec![
            (
                vec![Outcome::NoResponse, answered()],
                1,
                Verdict::Open,
                "syn-ack",
                2,
            ),
            (
                vec![Outcome::NoResponse, answered()],
                0,
                Verdict::Filtered,
                "no-response",
                1,
            ),
            (
                vec![Outcome::NoResponse],
                2,
                Verdict::Filtered,
                "no-response",
                3,
            ),
            (
                vec![refused, answered()],
                3,
                Verdict::Closed,
                "conn-refused",
                1,
            ),
            (
                vec![emfile(), emfile(), answered()],
                0,
                Verdict::Open,
                "syn-ack",
                1,
            ),
            (vec![emfile()], 1, Verdict::Error, "emfile", 1),
        ];
        for (script, retries, v, reason, attempts) in cases {
            let s = Script::new(&[(80, &script)]);
            let (r, _) = go(
                s,
                &work(&["h"], Protocol::Tcp, &[80]),
                &settings(retries, 10),
            )
            .await;
            assert_eq!(
                (r[0].verdict, r[0].reason.as_str(), r[0].attempts),
                (v, reason, attempts),
                "{script:?}"
            );
        }
    }

    fn continues(follow: FollowUp) -> Outcome {
        Outcome::Continues {
            opened: Box::new(Outcome::Answered {
                rtt: Duration::from_millis(2),
                detail: "ept_lookup: 3 endpoints".into(),
                verified: true,
            }),
            follow,
        }
    }

    /// The endpoint mapper's dynamic ports are probes of the scheduler: each verdict
    /// comes from `verdict.rs` (EMFILE is an error, not `filtered`), they count against
    /// the host's window, and the open port's result waits for them.
    #[tokio::test(start_paused = true)]
    async fn follow_ups_are_scheduled_probes_with_honest_verdicts() {
        let ports = FollowUp::Ports {
            ports: vec![49152, 49153, 49154, 49155],
            more: 2,
        };
        let refused = Outcome::Refused {
            rtt: Duration::from_millis(1),
            blind: false,
        };
        let mut s = Script::new(&[
            (135, &[continues(ports)]),
            (49152, &[answered()]),
            (49153, &[refused]),
            (49154, &[Outcome::NoResponse]),
            (49155, &[emfile()]),
        ]);
        s.delay = Duration::from_millis(10);
        let st = Settings {
            per_host: 2,
            ..settings(3, 100)
        };
        let (r, script) = go(s, &work(&["h"], Protocol::Tcp, &[135]), &st).await;
        assert_eq!(
            r.len(),
            1,
            "follow-ups add to their port, not to the report"
        );
        assert_eq!(
            (r[0].verdict, r[0].reason),
            (Verdict::Verified, Reason::Confirmed)
        );
        assert_eq!(
            r[0].detail,
            "ept_lookup: 3 endpoints; probed: 49152 open, 49153 closed, 49154 filtered, \
             49155 error (+2 not probed)"
        );
        assert_eq!(
            script.peak.load(Ordering::SeqCst),
            2,
            "the host's window holds"
        );
        // One probe, four follow-ups, each once (no retry) but EMFILE's back-offs.
        assert_eq!(
            script.calls.load(Ordering::SeqCst),
            1 + 3 + 1 + MAX_BACKOFFS as usize
        );
    }

    /// A failed protocol confirmation tries the token on a fresh connection, through the
    /// scheduler; what the token says decides (this plan, another plan, nothing).
    #[tokio::test(start_paused = true)]
    async fn a_token_follow_up_decides_the_verdict() {
        let failed = || {
            continues(FollowUp::Token {
                failure: "not an SMB2 answer".into(),
            })
        };
        let foreign = Outcome::Foreign {
            rtt: Duration::from_millis(1),
            detail: "another plan".into(),
        };
        let valid = Outcome::Answered {
            rtt: Duration::from_millis(1),
            detail: "portplan listen answered the token".into(),
            verified: true,
        };
        let cases = [
            (
                valid,
                Verdict::Verified,
                Reason::Confirmed,
                "portplan listen answered the token",
            ),
            (foreign, Verdict::Open, Reason::ForeignToken, "another plan"),
            (
                answered(),
                Verdict::Open,
                Reason::SynAck,
                "open, but no SMB2 answer: not an SMB2 answer",
            ),
        ];
        for (token, v, reason, detail) in cases {
            let s = Script::new(&[(445, &[failed(), token])]);
            let (r, script) = go(s, &work(&["h"], Protocol::Tcp, &[445]), &settings(1, 10)).await;
            assert_eq!(
                (r[0].verdict, r[0].reason, r[0].detail.as_str()),
                (v, reason, detail)
            );
            assert_eq!(script.calls.load(Ordering::SeqCst), 2);
        }
    }

    /// UDP silence asks for the token only after its retries, through the scheduler;
    /// a token answer makes it `verified`, silence stays `open|filtered`.
    #[tokio::test(start_paused = true)]
    async fn udp_silence_asks_for_the_token_after_its_retries() {
        let silent = || Outcome::Continues {
            opened: Box::new(Outcome::NoResponse),
            follow: FollowUp::Token {
                failure: String::new(),
            },
        };
        let valid = Outcome::Answered {
            rtt: Duration::from_millis(1),
            detail: "portplan listen answered the token".into(),
            verified: true,
        };
        // Two attempts and one token; a host that stayed silent throughout gets its
        // settling attempt too (is anything there at all?).
        for (token, v, reason, calls) in [
            (valid, Verdict::Verified, Reason::Confirmed, 3),
            (
                Outcome::NoResponse,
                Verdict::OpenFiltered,
                Reason::NoResponse,
                4,
            ),
        ] {
            let s = Script::new(&[(137, &[silent(), silent(), token])]);
            let (r, script) = go(s, &work(&["h"], Protocol::Udp, &[137]), &settings(1, 10)).await;
            assert_eq!((r[0].verdict, r[0].reason, r[0].attempts), (v, reason, 2));
            assert_eq!(script.calls.load(Ordering::SeqCst), calls, "{v}");
        }
    }

    /// A run cut while follow-ups are out reports the open port as the handshake
    /// proved it, and says why there is no more.
    #[tokio::test(start_paused = true)]
    async fn a_cut_run_keeps_what_the_handshake_proved() {
        let mut s = Script::new(&[(
            135,
            &[continues(FollowUp::Ports {
                ports: vec![50000],
                more: 0,
            })],
        )]);
        s.hanging_ports = vec![50000];
        let w = work(&["h"], Protocol::Tcp, &[135]);
        let r = run(
            Arc::new(s),
            &w,
            &settings(0, 10),
            Duration::from_secs(3),
            &|_| {},
        )
        .await;
        assert_eq!(r[0].verdict, Verdict::Verified);
        assert!(
            r[0].detail.contains("before its follow-up"),
            "{}",
            r[0].detail
        );
    }

    #[tokio::test(start_paused = true)]
    async fn out_of_descriptors_is_never_filtered() {
        let (r, _) = go(
            Script::new(&[(80, &[emfile()])]),
            &work(&["h"], Protocol::Tcp, &[80]),
            &settings(3, 1),
        )
        .await;
        assert_eq!(r[0].verdict, Verdict::Error);
        assert!(
            r[0].detail.contains("lower --concurrency"),
            "{}",
            r[0].detail
        );
    }

    #[tokio::test(start_paused = true)]
    async fn concurrency_is_a_ceiling_and_runs_overlap() {
        let mut s = Script::new(&[]);
        s.delay = Duration::from_millis(500);
        let w = work(&["h"], Protocol::Tcp, &(1..=40).collect::<Vec<_>>());
        let start = tokio::time::Instant::now();
        let (r, script) = go(s, &w, &settings(0, 8)).await;
        assert_eq!(script.peak.load(Ordering::SeqCst), 8);
        assert_eq!(
            start.elapsed(),
            Duration::from_millis(3000),
            "5 waves of 500 ms, not 40, and the silent host's settling attempt"
        );
        assert!(r.iter().all(|p| p.verdict == Verdict::Filtered));
    }

    #[tokio::test(start_paused = true)]
    async fn one_host_never_gets_more_than_its_share() {
        let mut s = Script::new(&[]);
        s.delay = Duration::from_millis(100);
        let ports: Vec<u16> = (1..=30).collect();
        let w = work(&["a", "b"], Protocol::Tcp, &ports);
        let st = Settings {
            per_host: 5,
            ..settings(0, 1000)
        };
        let (_, script) = go(s, &w, &st).await;
        assert_eq!(
            script.peak.load(Ordering::SeqCst),
            10,
            "5 per host, two hosts"
        );
    }

    /// A dead on-link host: some probes time out, some hear "no ARP answer" from this
    /// machine, as the resolution cycle falls. Every one reads `host-down`, one detail;
    /// a host that answered anything keeps its per-port verdicts.
    #[tokio::test(start_paused = true)]
    async fn a_dead_host_is_down_on_every_probe_not_filtered() {
        let gone = || Outcome::Failed {
            kind: FailKind::NoNeighbour,
            message: "this machine got no ARP answer from 192.0.2.1".into(),
        };
        let refused = Outcome::Refused {
            rtt: Duration::from_millis(1),
            blind: false,
        };
        type Attempts = Vec<(u16, Vec<Outcome>)>;
        let cases: Vec<(Attempts, Vec<(Verdict, Reason)>)> = vec![
            // Only the settling attempt hears the neighbour table give up.
            (
                [135, 445, 0]
                    .map(|p| (p, vec![Outcome::NoResponse, Outcome::NoResponse, gone()]))
                    .to_vec(),
                vec![(Verdict::Filtered, Reason::HostDown); 3],
            ),
            (
                vec![(135, vec![gone()]), (445, vec![Outcome::NoResponse])],
                vec![(Verdict::Filtered, Reason::HostDown); 3],
            ),
            // Alive: 445 answers, so 135's silence is a firewall.
            (
                vec![(135, vec![Outcome::NoResponse]), (445, vec![refused])],
                vec![
                    (Verdict::Filtered, Reason::NoResponse),
                    (Verdict::Closed, Reason::ConnRefused),
                    (Verdict::Filtered, Reason::NoResponse),
                ],
            ),
        ];
        for (script, want) in cases {
            let cases: Vec<(u16, &[Outcome])> =
                script.iter().map(|(p, o)| (*p, o.as_slice())).collect();
            let mut w = work(&["h"], Protocol::Tcp, &[135, 445]);
            w.jobs.push(Job {
                target: 0,
                protocol: Protocol::Icmp,
                port: None,
            });
            let (r, _) = go(Script::new(&cases), &w, &settings(1, 10)).await;
            let got: Vec<(Verdict, Reason)> = r.iter().map(|p| (p.verdict, p.reason)).collect();
            assert_eq!(
                got,
                want,
                "{:?}",
                r.iter()
                    .map(|p| (p.port, p.attempts, &p.detail))
                    .collect::<Vec<_>>()
            );
            if want[0].1 == Reason::HostDown {
                assert!(r.iter().all(|p| p.detail == r[0].detail), "{r:#?}");
            }
        }
    }

    /// A single-port flow listed after a 1,000-port sweep: it goes out in the first
    /// window, so a deadline that cuts the sweep never leaves it unprobed.
    #[tokio::test(start_paused = true)]
    async fn single_ports_go_before_the_sweeps() {
        let mut s = Script::new(&[]);
        s.delay = Duration::from_millis(500);
        let mut ports: Vec<u16> = (20000..21000).collect();
        ports.push(445);
        let mut w = work(&["h"], Protocol::Tcp, &ports);
        let flow = |jobs: Vec<usize>, dynamic| FlowJobs {
            flow: portplan_core::Flow {
                phase: portplan_core::Phase::Discovery,
                from: "a".into(),
                to: "h".into(),
                protocol: Protocol::Tcp,
                ports: None,
                purpose: String::new(),
                rule: "r".into(),
                address: None,
                optional: false,
                notes: Vec::new(),
                inferred: false,
            },
            jobs,
            dynamic,
            sampled: None,
        };
        w.flows = vec![flow((0..1000).collect(), true), flow(vec![1000], false)];
        let st = Settings {
            max_time: Some(Duration::from_millis(700)),
            ..settings(0, 10)
        };
        let (r, _) = go(s, &w, &st).await;
        let single = &r[1000];
        assert_eq!(
            (single.verdict, single.reason),
            (Verdict::Filtered, Reason::NoResponse),
            "probed in the first window"
        );
        let swept = r[..1000]
            .iter()
            .filter(|p| p.reason != Reason::Deadline)
            .count();
        assert_eq!(swept, 9, "the rest of the first window");
    }

    #[tokio::test(start_paused = true)]
    async fn unresolved_hosts_are_not_probed() {
        let mut s = Script::new(&[]);
        s.unresolvable = vec!["ghost".into()];
        let (r, script) = go(
            s,
            &work(&["ghost", "ok"], Protocol::Udp, &[137]),
            &settings(0, 4),
        )
        .await;
        assert_eq!(
            (r[0].verdict, r[0].reason.as_str()),
            (Verdict::Unresolved, "dns-failure")
        );
        assert!(r[0].detail.contains("no such host"));
        assert_eq!(r[1].verdict, Verdict::OpenFiltered);
        // The silent host's probe and its settling attempt; none to the unresolved one.
        assert_eq!(script.calls.load(Ordering::SeqCst), 2);
    }

    #[tokio::test(start_paused = true)]
    async fn a_lookup_that_never_ends_delays_no_other_host() {
        let mut s = Script::new(&[]);
        s.hanging = vec!["stuck".into()];
        let w = work(&["stuck", "ok"], Protocol::Tcp, &[80]);
        let st = Settings {
            max_time: Some(Duration::from_secs(3)),
            ..settings(0, 4)
        };
        let (r, _) = go(s, &w, &st).await;
        assert_eq!(
            (r[0].verdict, r[0].reason.as_str()),
            (Verdict::Error, "deadline")
        );
        assert_eq!(
            (r[1].verdict, r[1].reason.as_str()),
            (Verdict::Filtered, "no-response"),
            "probed while the other name was still being looked up"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn icmp_without_privilege_says_so() {
        let np = Outcome::NeedsPrivilege("no raw socket".into());
        let mut w = work(&["h"], Protocol::Icmp, &[]);
        w.jobs.push(Job {
            target: 0,
            protocol: Protocol::Icmp,
            port: None,
        });
        let (r, _) = go(Script::new(&[(0, &[np])]), &w, &settings(2, 4)).await;
        assert_eq!(
            (r[0].verdict, r[0].attempts, r[0].port),
            (Verdict::NeedsPrivilege, 1, None)
        );
    }

    #[tokio::test(start_paused = true)]
    async fn the_deadline_cuts_the_run_and_marks_what_is_left() {
        let mut s = Script::new(&[]);
        s.delay = Duration::from_secs(3600);
        let w = work(&["h"], Protocol::Tcp, &[1, 2, 3]);
        let st = Settings {
            max_time: Some(Duration::from_secs(4)),
            ..settings(1, 2)
        };
        let start = tokio::time::Instant::now();
        let (r, _) = go(s, &w, &st).await;
        assert_eq!(start.elapsed(), Duration::from_secs(4));
        assert!(r
            .iter()
            .all(|p| p.verdict == Verdict::Error && p.reason == Reason::Deadline));
    }

    #[tokio::test(start_paused = true)]
    async fn an_interruption_keeps_what_finished_and_marks_the_rest() {
        let mut s = Script::new(&[]);
        s.delay = Duration::from_secs(1);
        let w = work(&["h"], Protocol::Tcp, &[1, 2, 3, 4, 5]);
        let stop = async {
            tokio::time::sleep(Duration::from_millis(2500)).await;
            "interrupted (SIGINT)".to_string()
        };
        let start = tokio::time::Instant::now();
        let b = budget(w.jobs.len(), 5, false, &settings(0, 1));
        let r = run_until(Arc::new(s), &w, &settings(0, 1), b, &|_| {}, stop).await;
        assert_eq!(start.elapsed(), Duration::from_millis(2500));
        let count = |v, reason: &str| {
            r.iter()
                .filter(|p| p.verdict == v && p.reason.as_str() == reason)
                .count()
        };
        // One at a time, 1 s each: two finished before the interruption at 2.5 s.
        assert_eq!(count(Verdict::Filtered, "no-response"), 2);
        assert_eq!(count(Verdict::Error, "interrupted"), 3);
        assert!(r
            .iter()
            .all(|p| p.reason != Reason::Interrupted || p.detail == "interrupted (SIGINT)"));
    }

    /// A simulated host: `dropped` ports never answer; every other port answers
    /// (closed) after `rtt`, unless a SYN-rate limiter (token bucket: `rate` per second,
    /// `burst`) drops the attempt. Silent attempts wait out the wait they were given.
    struct Lab {
        dropped: std::ops::RangeInclusive<u16>,
        rtt: Duration,
        bucket: Option<Mutex<(f64, tokio::time::Instant)>>,
        rate: f64,
        burst: f64,
        sends: AtomicUsize,
    }

    impl Lab {
        fn new(dropped: std::ops::RangeInclusive<u16>, limit: Option<(f64, f64)>) -> Lab {
            let (rate, burst) = limit.unwrap_or((0.0, 0.0));
            Lab {
                dropped,
                rtt: Duration::from_millis(1),
                bucket: limit.map(|(_, b)| Mutex::new((b, tokio::time::Instant::now()))),
                rate,
                burst,
                sends: AtomicUsize::new(0),
            }
        }
        fn passes(&self) -> bool {
            let Some(b) = &self.bucket else { return true };
            let mut b = b.lock().expect("lock");
            let now = tokio::time::Instant::now();
            b.0 = (b.0 + now.duration_since(b.1).as_secs_f64() * self.rate).min(self.burst);
            b.1 = now;
            if b.0 >= 1.0 {
                b.0 -= 1.0;
                true
            } else {
                false
            }
        }
    }

    impl Prober for Lab {
        async fn resolve(&self, _: &str) -> Result<IpAddr, String> {
            Ok("192.0.2.1".parse().expect("ip"))
        }
        async fn tcp(&self, a: SocketAddr, wait: Wait) -> Outcome {
            self.sends.fetch_add(1, Ordering::SeqCst);
            // The limiter counts every SYN, also those to dropped ports (rule order).
            let passes = self.passes();
            if passes && !self.dropped.contains(&a.port()) {
                tokio::time::sleep(self.rtt).await;
                return Outcome::Refused {
                    rtt: self.rtt,
                    blind: false,
                };
            }
            let _ = wait.run(std::future::pending::<()>()).await;
            Outcome::NoResponse
        }
        async fn udp(&self, _: SocketAddr, _: Vec<u8>, _: Wait) -> Outcome {
            Outcome::NoResponse
        }
        async fn icmp(&self, _: IpAddr, _: Wait) -> Outcome {
            Outcome::NoResponse
        }
        async fn token(&self, _: Protocol, a: SocketAddr, wait: Wait) -> Outcome {
            self.tcp(a, wait).await
        }
        async fn connect(&self, a: SocketAddr, wait: Wait) -> Outcome {
            self.tcp(a, wait).await
        }
    }

    fn wrong(r: &[ProbeResult], dropped: &std::ops::RangeInclusive<u16>) -> usize {
        r.iter()
            .filter(|p| {
                let port = p.port.map_or(0, Port::get);
                let want = if dropped.contains(&port) {
                    Verdict::Filtered
                } else {
                    Verdict::Closed
                };
                p.verdict != want
            })
            .count()
    }

    fn wide(timeout_ms: u64, retries: u32) -> Settings {
        Settings {
            timeout: Duration::from_millis(timeout_ms),
            retries,
            concurrency: 8192,
            per_host: PER_HOST,
            max_time: None,
        }
    }

    /// The 16k-port host with a dropped block of 4,096: the block waits out RTT
    /// timeouts side by side, not one window after another.
    #[tokio::test(start_paused = true)]
    async fn a_dropped_block_costs_about_one_timeout() {
        let (wrong, took, _) = in_lab(50000..=54095, 49152..=65535, wide(1000, 0), None).await;
        assert_eq!(wrong, 0);
        assert!(took < Duration::from_millis(1500), "{took:?}");
    }

    /// A host that drops every port gives no answer to grow the window with: silence
    /// grows it too, so 4,096 ports take a few timeouts, not 4,096 / 16 of them.
    #[tokio::test(start_paused = true)]
    async fn a_host_that_drops_everything_is_not_probed_16_at_a_time() {
        let (wrong, took, _) = in_lab(1..=4096, 1..=4096, wide(1000, 1), None).await;
        assert_eq!(wrong, 0);
        assert!(took < Duration::from_secs(15), "{took:?}");
    }

    /// SYN-flood protection (2,000/s, burst 200) in front of the same host: every
    /// closed port still reads closed, every dropped one filtered, at the defaults.
    #[tokio::test(start_paused = true)]
    async fn a_syn_rate_limit_costs_no_wrong_verdict() {
        let limit = Some((2000.0, 200.0));
        let (wrong, took, sends) = in_lab(50000..=54095, 49152..=65535, wide(1500, 1), limit).await;
        assert_eq!(wrong, 0, "took {took:?}, {sends} sends");
        // 16,384 ports + 4,096 retries at 2,000/s is 10.2 s at best.
        assert!(took < Duration::from_secs(20), "{took:?}, {sends} sends");
    }

    /// Probes `ports` of one simulated host whose `dropped` ports never answer, behind
    /// an optional SYN limiter: wrong verdicts, time taken (virtual), attempts sent.
    async fn in_lab(
        dropped: std::ops::RangeInclusive<u16>,
        ports: std::ops::RangeInclusive<u16>,
        s: Settings,
        limit: Option<(f64, f64)>,
    ) -> (usize, Duration, usize) {
        let w = work(&["win"], Protocol::Tcp, &ports.collect::<Vec<_>>());
        let lab = Arc::new(Lab::new(dropped.clone(), limit));
        let start = tokio::time::Instant::now();
        let b = budget(w.jobs.len(), busiest_target(&w), false, &s);
        let r = run(lab.clone(), &w, &s, b, &|_| {}).await;
        let took = start.elapsed();
        (wrong(&r, &dropped), took, lab.sends.load(Ordering::SeqCst))
    }

    #[test]
    fn budget_is_waves_times_attempts_plus_pacing_and_slack() {
        // retries 1: 2 attempts + MAX_EXTRA per probe.
        let s = settings(1, 100);
        let per = Duration::from_secs(u64::from(2 + MAX_EXTRA));
        let paced = |busiest: u64| Duration::from_millis(busiest * 2 * 1000 / 500);
        let slack = SLACK + SETTLE_WAIT;
        assert_eq!(budget(1000, 10, false, &s), per * 10 + paced(10) + slack);
        assert_eq!(
            budget(1, 1, true, &s),
            per + paced(1) + slack + DNS_ALLOWANCE
        );
        let one_host = Settings {
            per_host: 50,
            ..s.clone()
        };
        assert_eq!(
            budget(1000, 1000, false, &one_host),
            per * 20 + paced(1000) + slack
        );
        let capped = Settings {
            max_time: Some(Duration::from_secs(3)),
            ..s
        };
        assert_eq!(budget(1000, 10, false, &capped), Duration::from_secs(3));
        let no_retries = settings(0, 100);
        assert_eq!(
            budget(100, 100, false, &no_retries),
            Duration::from_secs(1) + Duration::from_millis(200) + slack
        );
    }
}
