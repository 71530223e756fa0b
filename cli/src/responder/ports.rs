//! Which ports the responder opens: the plan's flows into one host, or a `--ports` list.
//! Pure, so the selection is unit-tested without sockets.

use portplan_core::{Plan, Protocol};
use std::fmt;

/// One socket to open.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Target {
    pub udp: bool,
    pub port: u16,
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", if self.udp { "udp" } else { "tcp" }, self.port)
    }
}

/// Ranges wider than this are not opened port by port (a dynamic RPC range would be
/// 16 000 sockets); they are reported so the user can pick ports with `--ports`.
pub const MAX_RANGE: u32 = 64;
/// Total sockets one responder opens at most.
pub const MAX_TARGETS: usize = 1024;

/// The TCP/UDP ports `host` must accept according to `plan`, and notes on what was left out.
pub fn from_plan(plan: &Plan, host: &str) -> (Vec<Target>, Vec<String>) {
    let mut targets = Vec::new();
    let mut notes = Vec::new();
    for f in plan.flows.iter().filter(|f| f.to == host) {
        let udp = match f.protocol {
            Protocol::Tcp => false,
            Protocol::Udp => true,
            _ => continue,
        };
        let Some(r) = f.ports else { continue };
        if r.len() > MAX_RANGE {
            let note = format!(
                "skipped {}/{r}: a range of {} ports ({}); pick some with --ports",
                if udp { "udp" } else { "tcp" },
                r.len(),
                f.rule
            );
            // One note per range, however many flows need it.
            if !notes
                .iter()
                .any(|n: &String| n.starts_with(&note[..note.find(':').unwrap_or(0)]))
            {
                notes.push(note);
            }
            continue;
        }
        targets.extend(r.ports().map(|p| Target {
            udp,
            port: p.into(),
        }));
    }
    finish(targets, notes)
}

fn finish(mut targets: Vec<Target>, mut notes: Vec<String>) -> (Vec<Target>, Vec<String>) {
    targets.sort_unstable();
    targets.dedup();
    if targets.len() > MAX_TARGETS {
        notes.push(format!(
            "only the first {MAX_TARGETS} of {} ports are opened",
            targets.len()
        ));
        targets.truncate(MAX_TARGETS);
    }
    (targets, notes)
}

/// Parses `3725,10002-10004,udp/137` (TCP unless prefixed `udp/`).
pub fn parse_list(spec: &str) -> Result<Vec<Target>, String> {
    let mut out = Vec::new();
    for item in spec.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        let (udp, rest) = if let Some(r) = item.strip_prefix("udp/") {
            (true, r)
        } else {
            (false, item.strip_prefix("tcp/").unwrap_or(item))
        };
        let port = |s: &str| -> Result<u16, String> {
            match s.trim().parse::<u16>() {
                Ok(p) if p > 0 => Ok(p),
                _ => Err(format!("{item:?}: not a port (1-65535)")),
            }
        };
        let (a, b) = match rest.split_once('-') {
            Some((a, b)) => (port(a)?, port(b)?),
            None => (port(rest)?, port(rest)?),
        };
        if a > b || u32::from(b - a) >= MAX_RANGE {
            return Err(format!(
                "{item:?}: a range must go up and span at most {MAX_RANGE} ports"
            ));
        }
        out.extend((a..=b).map(|port| Target { udp, port }));
    }
    if out.is_empty() {
        return Err("no ports given".into());
    }
    Ok(finish(out, Vec::new()).0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(udp: bool, port: u16) -> Target {
        Target { udp, port }
    }

    #[test]
    fn plan_targets_of_a_windows_source() {
        let s = portplan_core::Scenario::from_json(
            r#"{"format":1,"product":"migrate","version":"2020.2",
            "server":{"name":"ps01","address":"10.0.0.5"},
            "workloads":[{"name":"web01","address":"10.0.0.6","os":"windows","windows":"2019",
              "target":{"name":"web01-t","address":"10.0.0.7"}}]}"#,
        )
        .unwrap();
        let plan = Plan::build(&s).unwrap();
        let (targets, notes) = from_plan(&plan, "WEB01");
        let want = [
            t(false, 135),
            t(false, 139),
            t(false, 445),
            t(false, 3725),
            t(true, 137),
            t(true, 138),
        ];
        assert_eq!(targets, want);
        assert_eq!(notes.len(), 1, "one note for the dynamic range: {notes:?}");
        assert!(
            notes[0].starts_with("skipped tcp/49152-65535: a range of 16384 ports"),
            "{notes:?}"
        );
        let (server, _) = from_plan(&plan, "ps01");
        assert!(server.contains(&t(false, 443)), "{server:?}");
        assert!(from_plan(&plan, "nobody").0.is_empty());
    }

    #[test]
    fn list_table() {
        let ok = |s: &str, want: &[Target]| assert_eq!(parse_list(s).unwrap(), want, "{s}");
        ok("3725", &[t(false, 3725)]);
        ok(
            "3725,10002-10004",
            &[
                t(false, 3725),
                t(false, 10002),
                t(false, 10003),
                t(false, 10004),
            ],
        );
        ok("udp/137, tcp/22,22", &[t(false, 22), t(true, 137)]);
        for bad in ["", "0", "x", "5-3", "1-1000", "70000", "udp/"] {
            assert!(parse_list(bad).is_err(), "{bad}");
        }
    }
}
