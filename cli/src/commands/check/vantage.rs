//! Where `check` stands: is this machine the `--from` host?
//!
//! A report is filed as the `--from` host's result. Run on another machine (the server's
//! namespace, a jump host, a mistyped `--from`) it would prove paths nobody will use, and
//! `merge` would file them as that host's. So before the first probe, the host's plan
//! address (and its public address) must be one this machine holds; a machine that only
//! reaches the network through address translation says so with `--translated`. Where the
//! machine holds the address, every probe leaves from it (a multi-homed host would
//! otherwise leave from whichever address the route picks).

use crate::probe::net::{holds, source_towards, Sources};
use anyhow::{bail, Context};
use portplan_core::plan::PlanHost;
use portplan_core::{Address, Plan};
use std::net::{IpAddr, ToSocketAddrs};
use std::time::Duration;

/// How long resolving a DNS-named `--from` host may take.
const DNS_TIMEOUT: Duration = Duration::from_secs(5);

/// A plan address as IPs: itself, or what its name resolves to (bounded in time).
pub fn addresses_of(text: &str) -> Result<Vec<IpAddr>, String> {
    let name = match text.parse::<Address>()? {
        Address::Ip(ip) => return Ok(vec![ip]),
        Address::Name(name) => name,
    };
    let (tx, rx) = std::sync::mpsc::channel();
    let lookup = name.clone();
    std::thread::spawn(move || {
        let _ = tx.send((lookup.as_str(), 0).to_socket_addrs().map(|a| {
            let mut ips: Vec<IpAddr> = a.map(|s| s.ip()).collect();
            ips.dedup();
            ips
        }));
    });
    match rx.recv_timeout(DNS_TIMEOUT) {
        Ok(Ok(ips)) if !ips.is_empty() => Ok(ips),
        Ok(Ok(_)) => Err(format!("{name} has no address")),
        Ok(Err(e)) => Err(format!("{name} does not resolve here ({e})")),
        Err(_) => Err(format!("the lookup of {name} took over {DNS_TIMEOUT:?}")),
    }
}

/// The `--from` host's addresses in words: `192.0.2.1`, `192.0.2.1 (public 198.51.100.1)`.
fn plan_addresses(h: &PlanHost) -> String {
    match &h.public_address {
        Some(p) => format!("{} (public {p})", h.address),
        None => h.address.clone(),
    }
}

/// Settles where this machine stands as `from`: the source addresses to bind, or a
/// refusal naming what this machine holds and what the plan says.
pub fn settle(plan: &Plan, from: &str, translated: bool) -> anyhow::Result<Sources> {
    let host = plan
        .host(from)
        .with_context(|| format!("--from {from:?}: not a host of the plan"))?;
    if translated {
        return Ok(Sources::default());
    }
    let mut candidates = Vec::new();
    let texts = std::iter::once(&host.address).chain(host.public_address.as_ref());
    for text in texts {
        match addresses_of(text) {
            Ok(ips) => candidates.extend(ips),
            Err(why) => bail!(
                "--from {}: cannot tell whether this machine is {} ({why}); run check on {}, or \
                 pass --translated if its address there is a translated one",
                host.name,
                host.name,
                host.name
            ),
        }
    }
    let held: Vec<IpAddr> = candidates.iter().copied().filter(|ip| holds(*ip)).collect();
    if held.is_empty() {
        bail!(
            "--from {}: this machine holds {}; {} is {}: run check on {}, or pass --translated \
             if this machine reaches the others only by a translated address",
            host.name,
            own_addresses(plan),
            host.name,
            plan_addresses(host),
            host.name
        );
    }
    Ok(Sources {
        v4: held.iter().copied().find(IpAddr::is_ipv4),
        v6: held.iter().copied().find(IpAddr::is_ipv6),
    })
}

/// This machine's addresses as the plan sees them: the sources its routes pick towards
/// every plan address (a route lookup, no packet), in order, each once.
fn own_addresses(plan: &Plan) -> String {
    let mut seen: Vec<IpAddr> = Vec::new();
    for h in &plan.hosts {
        let texts = std::iter::once(&h.address).chain(h.public_address.as_ref());
        for text in texts {
            if let Ok(Address::Ip(ip)) = text.parse::<Address>() {
                if let Some(src) = source_towards(ip) {
                    if !seen.contains(&src) {
                        seen.push(src);
                    }
                }
            }
        }
    }
    if seen.is_empty() {
        return "no address on a route to the plan's hosts".into();
    }
    seen.sort();
    seen.iter()
        .map(IpAddr::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use portplan_core::Scenario;

    fn plan(server: &str, public: Option<&str>) -> Plan {
        let public = public.map_or(String::new(), |p| format!(r#","public_address":"{p}""#));
        let s = Scenario::from_json(&format!(
            r#"{{"format":1,"product":"migrate","version":"2020.2",
            "server":{{"name":"ps01","address":"{server}"{public}}},
            "workloads":[{{"name":"web01","address":"127.0.0.9","os":"windows","windows":"2019"}}]}}"#
        ))
        .expect("scenario");
        Plan::build(&s).expect("plan")
    }

    /// One line per case: the plan's addresses of --from → the sources bound, or the
    /// words of the refusal.
    #[test]
    fn the_from_host_must_be_this_machine() {
        type Want = Result<Sources, &'static [&'static str]>;
        let cases: Vec<(Plan, bool, Want)> = vec![
            (plan("127.0.0.1", None), false, Ok(Sources { v4: Some("127.0.0.1".parse().expect("ip")), v6: None })),
            // The public address counts: the machine holds it itself.
            (plan("203.0.113.7", Some("127.0.0.1")), false, Ok(Sources { v4: Some("127.0.0.1".parse().expect("ip")), v6: None })),
            (plan("203.0.113.7", None), false, Err(&["--from ps01: this machine holds ", "127.0.0.1", "; ps01 is 203.0.113.7: run check on ps01, or pass --translated"])),
            (plan("203.0.113.7", Some("198.51.100.1")), false, Err(&["; ps01 is 203.0.113.7 (public 198.51.100.1): "])),
            (plan("203.0.113.7", None), true, Ok(Sources::default())),
            (plan("no-such-host.invalid", None), false, Err(&["cannot tell whether this machine is ps01 (no-such-host.invalid does not resolve here"])),
        ];
        for (p, translated, want) in cases {
            let got = settle(&p, "PS01", translated).map_err(|e| e.to_string());
            match (got, want) {
                (Ok(s), Ok(w)) => assert_eq!(s, w),
                (Err(e), Err(w)) => assert!(w.iter().all(|w| e.contains(w)), "{e}"),
                (got, want) => panic!("{got:?}, want {want:?}"),
            }
        }
    }
}
