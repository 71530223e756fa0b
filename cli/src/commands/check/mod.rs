//! `portplan check`: probe the flows a plan host opens, from that host, and report
//! which ones the network lets through.

mod config;
mod vantage;

pub use config::CheckConfig;
pub use vantage::addresses_of;

use crate::output::{self, progress::Progress, table};
use crate::probe::net::TokioProber;
use crate::probe::schedule;
use anyhow::Context;
use clap::{ArgGroup, ValueEnum};
use portplan_core::probe::assemble;
use portplan_core::report::{Reason, Report, REPORT_FORMAT};
use portplan_core::Phase;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

/// Windows refuses a closed port only after ~2 s of SYN retries: wait longer there so
/// closed never reads as filtered.
#[cfg(windows)]
const DEFAULT_TIMEOUT: &str = "3s";
#[cfg(not(windows))]
const DEFAULT_TIMEOUT: &str = "1500ms";

const EXAMPLES: &str = "\
Examples:
  # On your desk: plan once, then copy portplan and plan.json to each host
  portplan plan --scenario site.json --format json -o plan.json

  # On the PlateSpin server ps01: probe everything it must reach
  portplan check --plan plan.json --from ps01

  # Or plan on the fly from the scenario
  portplan check --scenario site.json --from ps01

  # On a source workload, only the transfer to its target; keep the JSON report
  portplan check --plan plan.json --from web01 --to web01-t --only-phase transfer -o web01.json

  # Slow WAN link: wait 3 s per attempt, 2 retries, at most 2 minutes in all
  portplan check --plan plan.json --from ps01 --timeout 3s --retries 2 --max-time 2m

  # For scripts: JSON on stdout, no table
  portplan check --plan plan.json --from ps01 --format json > ps01.json

  # Before PlateSpin is installed: on web01 run the responder, then check from ps01
  # (run.secret: the same random bytes on both hosts, mode 0600)
  portplan listen --plan plan.json --as web01 --secret-file run.secret          # on web01
  portplan check --plan plan.json --from ps01 --to web01 --secret-file run.secret

  # Sockets only: no protocol confirmations, no responder token
  portplan check --plan plan.json --from ps01 --no-deep

Verdicts (per port, with an nmap-style reason):
  open             the connection succeeded (syn-ack, udp-response, echo-reply)
  closed           a RST (TCP) or ICMP port unreachable (UDP): the network lets the flow
                   through but nothing listens yet (without root/Administrator a TCP
                   refusal may also be a firewall's ICMP reject; the hint says so)
  filtered         no answer (no-response) or an ICMP error (port-unreach on TCP: a
                   firewall's REJECT; host-unreachable, admin-prohibited): a firewall or
                   route blocks the flow
  open|filtered    UDP without reply (UDP 138 never answers; 137 gets a NetBIOS query)
  verified         a protocol check or a `portplan listen` responder proved the far end
                   (SSH banner on 22, HTTP on 80, TLS on 443, SMB2 on 139/445, the
                   endpoint mapper on 135 and its dynamic ports, NBSTAT on UDP 137)
  unresolved       the destination's DNS name does not resolve from here
  needs-privilege  ICMP echo needs root or net.ipv4.ping_group_range (Linux)
  error            a local problem (out of file descriptors, deadline reached, interrupted)

Each flow gets a status: pass (open/verified), attention (closed, open|filtered,
needs-privilege) or fail (filtered, unresolved, error, or `portplan listen` of another
host answered: wrong-host), and a hint for what to change.
Dynamic RPC ranges are sampled (16 evenly spaced ports) unless --full-ranges; there a
closed port counts as a pass, since only ports handed out by the endpoint mapper listen.

Exit status: 0 when no flow fails, 1 when any flow fails (or, with --strict, needs
attention), 2 on bad input (the message names the flag or the JSON path). Ctrl-C or
SIGTERM stops early: the report and summary keep what finished, the rest is `error
(interrupted)`, and the exit status is 130 (SIGINT) or 143 (SIGTERM).";

/// Probe the flows this host opens and report which ones the network lets through.
///
/// Run it on the host named by --from (the PlateSpin server, a source workload, a
/// target). It probes every flow of the plan that host opens, all at once within the
/// open-file limit, and prints a verdict per port and a status per flow.
#[derive(Debug, clap::Args)]
#[command(
    group(ArgGroup::new("input").required(true).args(["plan", "scenario"])),
    after_long_help = EXAMPLES
)]
pub struct CheckArgs {
    #[command(flatten)]
    pub input: super::input::PlanInput,
    /// The plan host this machine is, by name (any case) or address: every flow it
    /// opens is probed.
    #[arg(long, value_name = "HOST")]
    pub from: String,
    /// This machine reaches the others only by a translated address (NAT): none of
    /// the --from host's plan or public addresses is its own. Without it, check refuses
    /// to run on a machine that is not the --from host.
    #[arg(long)]
    pub translated: bool,
    /// Only flows towards HOST, by name or address (repeat for several hosts).
    #[arg(long, value_name = "HOST")]
    pub to: Vec<String>,
    /// Only flows of PHASE (repeatable): discovery, conversion, transfer,
    /// legacy-block-based, management.
    #[arg(long, value_name = "PHASE", value_parser = parse_phase)]
    pub only_phase: Vec<Phase>,
    /// The longest wait for an answer, per attempt (`1s`, `500ms`, at most 1m). Waits
    /// adapt to each host's round-trip time (smoothed RTT + 4 × variance, at least
    /// 100 ms, doubled for each retry); this is their ceiling and their value before the
    /// first answer.
    #[arg(long, value_name = "DURATION", value_parser = parse_timeout, default_value = DEFAULT_TIMEOUT)]
    pub timeout: Duration,
    /// Extra attempts when nothing answers (never after a RST or an ICMP error). A port
    /// whose last attempt went out while its host was dropping probes (SYN-flood
    /// protection) gets up to 4 more.
    #[arg(long, value_name = "N", default_value_t = 1, value_parser = clap::value_parser!(u32).range(0..=10))]
    pub retries: u32,
    /// Probes in flight at once [default: 90% of the open-file limit, at most 2048;
    /// the soft limit is first raised to the hard limit].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..=65536))]
    pub concurrency: Option<u64>,
    /// Ceiling of the probes in flight towards any one host. Each host's window starts
    /// at 16 and grows while answers come; when a host drops probes (a SYN-flood
    /// limit), sends to it are paced below the rate it answered at.
    #[arg(long, value_name = "N", default_value_t = schedule::PER_HOST as u64, value_parser = clap::value_parser!(u64).range(1..=65536))]
    pub per_host: u64,
    /// Probe every port of dynamic RPC ranges instead of 16 evenly spaced samples.
    #[arg(long)]
    pub full_ranges: bool,
    /// Stop after DURATION at most; unfinished probes are reported as `error (deadline)`.
    /// Without it the run stops at its computed budget (waves × timeout × attempts,
    /// plus the busiest host paced down to 500 probes/s, plus slack).
    #[arg(long, value_name = "DURATION", value_parser = crate::duration::up_to_a_day)]
    pub max_time: Option<Duration>,
    /// What to print on standard output.
    #[arg(long, short = 'f', value_enum, default_value_t = CheckFormat::Table)]
    pub format: CheckFormat,
    /// Also write the JSON report to FILE (atomically), whatever --format says.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Exit 1 when a flow needs attention, not only when one fails.
    #[arg(long)]
    pub strict: bool,
    /// Skip the protocol confirmations (SSH banner, HTTP, TLS, SMB2, endpoint mapper,
    /// NBSTAT) and the `portplan listen` token: only the sockets decide.
    #[arg(long, overrides_with = "deep")]
    pub no_deep: bool,
    /// The default, named so a script can say it: protocol confirmations and the
    /// `portplan listen` token on open ports (the last of --deep/--no-deep wins).
    #[arg(long, overrides_with = "no_deep")]
    pub deep: bool,
    /// Never draw the progress bar (it is drawn on stderr only when that is a terminal).
    #[arg(long)]
    pub no_progress: bool,
    /// The run's token secret, shared with `portplan listen --secret-file` (a file only
    /// its owner can read, 0600): only this run's responders can then answer, as the host
    /// they run as. Without it the token is keyed by the public plan digest and proves
    /// only the plan.
    #[arg(long, value_name = "FILE")]
    pub secret_file: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CheckFormat {
    /// Human-readable table grouped like the plan, then a one-line summary.
    Table,
    /// The report (public format, see README "Report format").
    Json,
    /// JUnit XML for CI: one test case per flow; a failing flow's failure carries its
    /// verdicts, the hint and the firewall rule that fixes it.
    Junit,
}

fn parse_phase(s: &str) -> Result<Phase, String> {
    s.parse()
}

/// The longest `--timeout`: beyond a minute a silent port is filtered, whatever comes.
const MAX_TIMEOUT: Duration = Duration::from_secs(60);

/// `--timeout`: a duration of at most [`MAX_TIMEOUT`].
pub fn parse_timeout(s: &str) -> Result<Duration, String> {
    let d = crate::duration::parse(s, crate::duration::DAY)?;
    if d > MAX_TIMEOUT {
        return Err(format!(
            "{s:?}: a wait per attempt of at most 1m (a longer one only slows the run; \
             use --max-time for the whole run)"
        ));
    }
    Ok(d)
}

pub(crate) fn host_name() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .or_else(|| std::env::var("COMPUTERNAME").ok())
        .or_else(|| std::env::var("HOSTNAME").ok())
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "unknown".into())
}

pub fn run(a: CheckArgs) -> anyhow::Result<ExitCode> {
    let CheckConfig {
        plan,
        work,
        from,
        settings,
        budget,
        deep,
        sources,
    } = CheckConfig::from_args(&a)?;
    let progress = Progress::new(
        work.jobs.len(),
        !a.no_progress && std::io::stderr().is_terminal(),
    );
    // One thread: probing waits on the network, not the CPU, and one thread's
    // allocator and wakeups cost less than a pool's (peak memory, context switches).
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    let (started, clock) = (SystemTime::now(), Instant::now());
    let signal = std::cell::Cell::new(None);
    let results = runtime.block_on(async {
        let prober = Arc::new(TokioProber::new(deep, sources));
        let stop = interruption(&signal);
        schedule::run_until(
            prober,
            &work,
            &settings,
            budget,
            &|r| progress.done(r),
            stop,
        )
        .await
    });
    progress.finish();
    let elapsed = clock.elapsed().as_secs_f64();
    // Sockets still closing must not hold the process: the report is complete.
    runtime.shutdown_background();
    // Counted per probe before the probes go under their flows (where a probe two
    // flows share appears twice, and a run stands for many ports).
    let cut_by = |reason| results.iter().filter(|r| r.reason == reason).count();
    let (deadline_cut, interrupted_cut) = (cut_by(Reason::Deadline), cut_by(Reason::Interrupted));
    let report = Report {
        preflight: Vec::new(),
        format: REPORT_FORMAT,
        plan_digest: plan.digest(),
        catalog: plan.catalog.clone(),
        probed_from: from.to_string(),
        host: host_name(),
        started: crate::clock::rfc3339_millis(started),
        finished: crate::clock::rfc3339_millis(SystemTime::now()),
        flows: assemble(&plan, &work, results),
    };
    // Streamed, to the file and to standard output: the JSON of a large run is never
    // held in memory beside the report (peak RSS). A failed write is reported after the
    // table and summary, which still print.
    let written = match &a.output {
        Some(path) => crate::io::write_atomic_with(path, |w| report.write_json(w)),
        None => Ok(()),
    };
    let summary = output::summary_line(&report, work.jobs.len(), deadline_cut, elapsed);
    match a.format {
        CheckFormat::Table => {
            let color = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
            let text = format!("{}{summary}\n", table::render(&plan, &report, color));
            crate::io::write_output(None, text.as_bytes())?;
        }
        CheckFormat::Json => {
            crate::io::write_stdout_with(|w| report.write_json(w))?;
            eprintln!("{summary}");
        }
        CheckFormat::Junit => {
            let xml = output::junit::render("portplan check", Some(&plan), &report, false)?;
            crate::io::write_output(None, xml.as_bytes())?;
            eprintln!("{summary}");
        }
    }
    written?;
    if let Some((name, code)) = signal.get() {
        let kept = match &a.output {
            Some(p) => format!("; the report in {} holds what finished", p.display()),
            None => String::new(),
        };
        eprintln!(
            "interrupted by {name}: {} of {} cut{kept}",
            interrupted_cut,
            output::count(work.jobs.len(), "probe", "probes")
        );
        return Ok(ExitCode::from(code));
    }
    let (_, attention, fail) = report.counts();
    Ok(if fail > 0 || (a.strict && attention > 0) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// Resolves on Ctrl-C (SIGINT) or SIGTERM with the detail for the probes it cuts, and
/// records the signal's name and exit status (128 + its number, as shells report).
/// Listening starts at the first poll, before any probe is launched.
async fn interruption(signal: &std::cell::Cell<Option<(&'static str, u8)>>) -> String {
    #[cfg(unix)]
    let got = {
        use tokio::signal::unix::{signal as on, SignalKind};
        match (on(SignalKind::interrupt()), on(SignalKind::terminate())) {
            (Ok(mut int), Ok(mut term)) => tokio::select! {
                _ = int.recv() => ("SIGINT", 130),
                _ = term.recv() => ("SIGTERM", 143),
            },
            // No handler: the default action (end the process) stays.
            _ => std::future::pending().await,
        }
    };
    #[cfg(not(unix))]
    let got = match tokio::signal::ctrl_c().await {
        Ok(()) => ("Ctrl-C", 130),
        Err(_) => std::future::pending().await,
    };
    signal.set(Some(got));
    format!("interrupted ({}) before the probe finished", got.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timeouts_are_durations_of_at_most_a_minute() {
        assert_eq!(parse_timeout("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_timeout("1m"), Ok(Duration::from_secs(60)));
        assert!(parse_timeout("61s")
            .expect_err("too long")
            .contains("\"61s\": a wait per attempt of at most 1m"));
        assert!(parse_timeout("fast")
            .expect_err("bad")
            .contains("\"fast\" is not a duration"));
    }
}
