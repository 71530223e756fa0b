//! `portplan listen`: resolve which ports and addresses, then run the responder.

use crate::cli::ListenArgs;
use crate::responder::{self, ports, Config};
use anyhow::{bail, Context, Result};
use portplan_core::token::Key;
use std::net::IpAddr;
use std::process::ExitCode;
use std::sync::Arc;

pub fn run(a: ListenArgs) -> Result<ExitCode> {
    let plan = a.input.load()?;
    let digest = match (&plan, &a.key) {
        (Some(p), _) => p.digest(),
        (None, Some(k)) => k.clone(),
        (None, None) => bail!("give --plan, --scenario or --key: the token needs a key"),
    };
    // `--as` names the host or gives its address: from here on it is the plan's name.
    let host = match (&plan, &a.host) {
        (Some(p), Some(h)) => match p.host_named_or_at(h) {
            Some(found) => Some(found.name.to_string()),
            None => bail!("host {h:?} is not in the plan (hosts: {})", host_names(p)),
        },
        (_, h) => h.clone(),
    };
    let (targets, notes) = match (&a.ports, &plan, &host) {
        (Some(list), _, _) => (
            ports::parse_list(list).map_err(anyhow::Error::msg)?,
            Vec::new(),
        ),
        (None, Some(p), Some(h)) => ports::from_plan(p, h),
        _ => bail!("give --as HOST (with a plan) or --ports LIST"),
    };
    for n in &notes {
        say(n);
    }
    if let (Some(p), Some(h), None) = (&plan, &host, &a.ports) {
        if let Some(n) = nat_note(p, h) {
            say(&n);
        }
    }
    if targets.is_empty() {
        bail!("no TCP or UDP port to open for this host");
    }
    let bind = if a.bind.is_empty() {
        default_bind(plan.as_ref(), host.as_deref())?
    } else {
        a.bind.clone()
    };
    let key = match &a.secret_file {
        Some(path) => Key::with_secret(&digest, &crate::secret::read(path)?),
        None => Key::plan_only(&digest),
    };
    // The token names the host the responder runs as; `--ports` without `--as` has none.
    let Some(name) = host.clone() else {
        bail!("give --as HOST: the token names the host this responder runs as");
    };
    // The secret itself is never printed: only that there is one.
    let keyed = if key.has_secret() {
        format!("token for {name} keyed by the run secret, plan {digest}")
    } else {
        format!(
            "token for {name} keyed by plan {digest} only (no --secret-file: it proves the plan, \
             not this host; anyone holding the plan can answer)"
        )
    };
    say(&format!(
        "portplan listen: {} ports on {}, {keyed}",
        targets.len(),
        bind.iter()
            .map(|b| b.to_string())
            .collect::<Vec<_>>()
            .join(", "),
    ));
    let cfg = Config {
        bind,
        targets,
        key,
        host: name,
        duration: a.duration,
        max_connections: a.max_connections,
    };
    let rt = tokio::runtime::Runtime::new().context("starting the async runtime")?;
    let log: responder::Log = Arc::new(|line: String| say(&line));
    let summary = rt.block_on(responder::run(cfg, log, async {
        let _ = tokio::signal::ctrl_c().await;
    }))?;
    // A run that opened nothing ends in `run` with an error (exit 2, at once).
    debug_assert!(summary.opened > 0);
    Ok(ExitCode::SUCCESS)
}

/// When the plan's peers dial this host at another address (NAT), says so: `listen`
/// binds the host's own address, which is right once the translation delivers there,
/// and `check` from a peer probes the public one.
fn nat_note(p: &portplan_core::Plan, host: &str) -> Option<String> {
    let own = p.host(host)?;
    let mut dialed: Vec<&str> = p
        .flows
        .iter()
        .filter(|f| f.to == host)
        .filter_map(|f| f.address.as_deref())
        .filter(|a| *a != own.address)
        .collect();
    dialed.sort_unstable();
    dialed.dedup();
    (!dialed.is_empty()).then(|| {
        format!(
            "note: peers dial {} at {} (NAT to {}): their `check` probes that address and \
             passes only once the translation delivers to this responder",
            own.name,
            dialed.join(", "),
            own.address
        )
    })
}

/// One line on stdout, best effort: a responder whose log reader went away (`listen |
/// head`, a closed terminal) keeps answering instead of dying of a broken pipe. Lines
/// carry text from the plan file (rule ids, addresses), so they go through the same
/// printable cleaner as network data.
fn say(line: &str) {
    let line = crate::output::shown(line);
    let _ = crate::io::write_stdout_with(|w| writeln!(w, "{line}"));
}

fn host_names(p: &portplan_core::Plan) -> String {
    p.hosts
        .iter()
        .map(|h| h.name.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// The host's address from the plan: an IP address as it is; a DNS name resolved, and
/// the addresses it maps to that this machine holds (a fleet names hosts by DNS name).
fn default_bind(plan: Option<&portplan_core::Plan>, host: Option<&str>) -> Result<Vec<IpAddr>> {
    let (Some(p), Some(h)) = (plan, host) else {
        bail!("give --bind ADDR (no plan host to take the address from)");
    };
    let Some(ph) = p.host_named_or_at(h) else {
        bail!("host {h:?} is not in the plan");
    };
    if let Ok(portplan_core::Address::Ip(ip)) = ph.address.parse::<portplan_core::Address>() {
        return Ok(vec![ip]);
    }
    let resolved = super::check::addresses_of(&ph.address).map_err(|why| {
        anyhow::anyhow!(
            "host {} has address {:?}, and {why}: give --bind ADDR",
            ph.name,
            ph.address
        )
    })?;
    let own: Vec<IpAddr> = resolved
        .iter()
        .copied()
        .filter(|ip| crate::probe::net::holds(*ip))
        .collect();
    if own.is_empty() {
        let all: Vec<String> = resolved.iter().map(IpAddr::to_string).collect();
        bail!(
            "host {} has address {:?}, which resolves to {}: none of them is this machine's; \
             run listen on {}, or give --bind ADDR",
            ph.name,
            ph.address,
            all.join(", "),
            ph.name
        );
    }
    Ok(own)
}
