//! Running the probes: all at once within the descriptor budget, retries on silence
//! only, back-off on EMFILE, and a global deadline that no run outlives.

use super::jobs::{Job, Work};
use super::verdict::{latency_ms, retryable, verdict};
use super::{FailKind, Outcome, Prober};
use portplan_core::report::{ProbeResult, Verdict};
use portplan_core::Protocol;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{mpsc, Semaphore};

/// How often a probe waits for descriptors before it reports `emfile`.
const MAX_BACKOFFS: u32 = 20;
/// Longest single wait for a descriptor; all waits together (~1.8 s) fit in [`SLACK`].
const MAX_WAIT: Duration = Duration::from_millis(100);
/// Fixed part of the deadline: runtime start, DNS, writing the report.
const SLACK: Duration = Duration::from_secs(2);
/// Extra allowance when some destination is a DNS name (lookups come first).
const DNS_ALLOWANCE: Duration = Duration::from_secs(5);

/// How probes are run.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Per attempt.
    pub timeout: Duration,
    /// Extra attempts after no response (TCP silence, UDP silence, no echo reply).
    pub retries: u32,
    /// Probes in flight at once (each holds one socket).
    pub concurrency: usize,
    /// Probes in flight at once towards one host, so a large range does not look like a
    /// SYN flood to the target (whose protection would then drop SYNs: false `filtered`).
    pub per_host: usize,
    /// A cap on the whole run below the computed budget.
    pub max_time: Option<Duration>,
}

/// Default for [`Settings::per_host`].
pub const PER_HOST: usize = 512;

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

/// The longest a run of `jobs` probes (`busiest` of them to one host) may take: every
/// wave of probes waiting out every attempt, plus slack, capped by `max_time`.
pub fn budget(jobs: usize, busiest: usize, needs_dns: bool, s: &Settings) -> Duration {
    let waves = jobs
        .div_ceil(s.concurrency.max(1))
        .max(busiest.div_ceil(s.per_host.max(1)))
        .max(1) as u32;
    let per_probe = s.timeout.saturating_mul(s.retries.saturating_add(1));
    let dns = if needs_dns {
        DNS_ALLOWANCE
    } else {
        Duration::ZERO
    };
    let computed = per_probe.saturating_mul(waves) + SLACK + dns;
    s.max_time.map_or(computed, |m| m.min(computed))
}

/// The datagram that makes a UDP port answer: NBSTAT for 137, empty otherwise.
pub fn udp_payload(port: u16, id: u16) -> Vec<u8> {
    if port == 137 {
        portplan::proto::nbstat::nbstat_request(id)
    } else {
        Vec::new()
    }
}

/// Runs one job to its final outcome: retries on silence, waits out EMFILE.
pub async fn probe_job<P: Prober>(prober: &P, job: Job, ip: IpAddr, s: &Settings) -> ProbeResult {
    let port = job.port.map_or(0, |p| p.get());
    let addr = SocketAddr::new(ip, port);
    let (mut attempts, mut backoffs) = (0u32, 0u32);
    let mut wait = Duration::from_millis(10);
    let outcome = loop {
        let o = match job.protocol {
            Protocol::Tcp => prober.tcp(addr, s.timeout).await,
            Protocol::Udp => {
                let id = (port ^ (attempts as u16).wrapping_mul(0x9e37)) | 1;
                prober.udp(addr, udp_payload(port, id), s.timeout).await
            }
            Protocol::Icmp => prober.icmp(ip, s.timeout).await,
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
            tokio::time::sleep(wait).await;
            wait = (wait * 2).min(MAX_WAIT);
            continue;
        }
        attempts += 1;
        if retryable(&o) && attempts <= s.retries {
            continue;
        }
        break o;
    };
    let (verdict, reason, mut detail) = verdict(job.protocol, job.port, &outcome);
    if backoffs > 0 && !detail.is_empty() {
        detail.push_str("; ");
    }
    if backoffs > 0 {
        detail.push_str(&format!(
            "waited {backoffs} times for a free file descriptor"
        ));
    }
    ProbeResult {
        protocol: job.protocol,
        port: job.port,
        verdict,
        reason,
        latency_ms: latency_ms(&outcome),
        attempts,
        detail,
    }
}

fn unfinished(job: &Job, verdict: Verdict, reason: &str, detail: String) -> ProbeResult {
    ProbeResult {
        protocol: job.protocol,
        port: job.port,
        verdict,
        reason: reason.into(),
        latency_ms: None,
        attempts: 0,
        detail,
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
    let mut tasks = tokio::task::JoinSet::new();
    let collect = tokio::time::timeout(budget, async {
        // Resolve each destination once, concurrently; a host's probes start as soon as
        // its own lookup ends, so a name that never resolves delays no other host.
        let mut lookups = tokio::task::JoinSet::new();
        let mut by_target: Vec<Vec<usize>> = vec![Vec::new(); work.targets.len()];
        for (i, job) in work.jobs.iter().enumerate() {
            if let Some(v) = by_target.get_mut(job.target) {
                v.push(i);
            }
        }
        for (t, target) in work.targets.iter().enumerate() {
            let (p, address) = (prober.clone(), target.address.clone());
            lookups.spawn(async move { (t, p.resolve(&address).await) });
        }
        let (tx, mut rx) = mpsc::unbounded_channel();
        let mut tx = (!lookups.is_empty()).then_some(tx);
        let sem = Arc::new(Semaphore::new(s.concurrency.max(1)));
        let per_host: Vec<Arc<Semaphore>> = work
            .targets
            .iter()
            .map(|_| Arc::new(Semaphore::new(s.per_host.max(1))))
            .collect();
        loop {
            tokio::select! {
                Some(joined) = lookups.join_next(), if tx.is_some() => {
                    // A lookup task that panicked leaves its jobs unfinished ("internal").
                    if let (Ok((t, addr)), Some(tx)) = (joined, &tx) {
                        for &i in &by_target[t] {
                            let job = work.jobs[i];
                            match &addr {
                                Ok(ip) => {
                                    let (p, sem, host, tx, s, ip) = (
                                        prober.clone(),
                                        sem.clone(),
                                        per_host[t].clone(),
                                        tx.clone(),
                                        s.clone(),
                                        *ip,
                                    );
                                    tasks.spawn(async move {
                                        // Always the host first, then the global budget: no deadlock.
                                        let Ok(_host) = host.acquire_owned().await else {
                                            return;
                                        };
                                        let Ok(_permit) = sem.acquire_owned().await else {
                                            return;
                                        };
                                        let r = probe_job(&*p, job, ip, &s).await;
                                        let _ = tx.send((i, r));
                                    });
                                }
                                Err(e) => {
                                    let r = unfinished(&job, Verdict::Unresolved, "dns-failure", e.clone());
                                    on_result(&r);
                                    results[i] = Some(r);
                                }
                            }
                        }
                    }
                    if lookups.is_empty() {
                        // Every job is launched: the channel closes with the last probe.
                        tx = None;
                    }
                }
                Some((i, r)) = rx.recv() => {
                    on_result(&r);
                    results[i] = Some(r);
                }
                else => break,
            }
        }
    });
    let cut = tokio::select! {
        done = collect => done.err().map(|_| Cut::Deadline),
        why = stop => Some(Cut::Interrupted(why)),
    };
    tasks.abort_all();
    work.jobs
        .iter()
        .zip(results)
        .map(|(job, r)| {
            r.unwrap_or_else(|| match &cut {
                Some(Cut::Deadline) => {
                    let why = format!("not finished within the run's deadline of {budget:.1?}");
                    unfinished(job, Verdict::Error, "deadline", why)
                }
                Some(Cut::Interrupted(why)) => {
                    unfinished(job, Verdict::Error, "interrupted", why.clone())
                }
                None => {
                    let why = "the probe task ended without a result".to_string();
                    unfinished(job, Verdict::Error, "internal", why)
                }
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::probe::jobs::{FlowJobs, Target};
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
        async fn tcp(&self, a: SocketAddr, _: Duration) -> Outcome {
            self.next(a.port()).await
        }
        async fn udp(&self, a: SocketAddr, _: Vec<u8>, _: Duration) -> Outcome {
            self.next(a.port()).await
        }
        async fn icmp(&self, _: IpAddr, _: Duration) -> Outcome {
            self.next(0).await
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
                name: h.to_string(),
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
            Duration::from_millis(2500),
            "5 waves of 500 ms, not 40"
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
        assert_eq!(script.calls.load(Ordering::SeqCst), 1);
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
            .all(|p| p.verdict == Verdict::Error && p.reason == "deadline"));
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
                .filter(|p| p.verdict == v && p.reason == reason)
                .count()
        };
        // One at a time, 1 s each: two finished before the interruption at 2.5 s.
        assert_eq!(count(Verdict::Filtered, "no-response"), 2);
        assert_eq!(count(Verdict::Error, "interrupted"), 3);
        assert!(r
            .iter()
            .all(|p| p.reason != "interrupted" || p.detail == "interrupted (SIGINT)"));
    }

    #[test]
    fn budget_is_waves_times_attempts_plus_slack() {
        let s = settings(1, 100);
        assert_eq!(budget(1000, 10, false, &s), Duration::from_secs(10 * 2 + 2));
        assert_eq!(budget(1, 1, true, &s), Duration::from_secs(2 + 2 + 5));
        let one_host = Settings {
            per_host: 50,
            ..s.clone()
        };
        assert_eq!(
            budget(1000, 1000, false, &one_host),
            Duration::from_secs(20 * 2 + 2)
        );
        let capped = Settings {
            max_time: Some(Duration::from_secs(3)),
            ..s
        };
        assert_eq!(budget(1000, 10, false, &capped), Duration::from_secs(3));
    }
}
