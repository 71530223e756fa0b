//! Merging per-host reports into one fleet report, in the same public format.
//!
//! Every host of a migration wave checks the flows it opens and writes its own report;
//! the fleet report is their union. Reports are only comparable when they checked the
//! same plan, so the plan digest of every input must agree — a report of yesterday's
//! plan would otherwise pass for a check of today's firewall changes.
//!
//! A flow checked twice (a host re-run after a firewall fix, or a fleet report merged
//! again with a newer host report) keeps the result that finished last, so merging is
//! how a fleet report is brought up to date. Merging one report gives it back unchanged.
//!
//! ```
//! use portplan_core::report::merge::merge;
//! use portplan_core::report::Report;
//! let text = r#"{"format":1,
//!   "plan_digest":"sha256:0000000000000000000000000000000000000000000000000000000000000000",
//!   "probed_from":"web01","host":"web01","started":"2026-01-01T00:00:00Z",
//!   "finished":"2026-01-01T00:00:02Z","flows":[]}"#;
//! let a = Report::from_json(text).unwrap();
//! let b = Report::from_json(&text.replace("web01", "ps01")).unwrap();
//! let fleet = merge(&[("web01.json", &a), ("ps01.json", &b)], None).unwrap();
//! assert_eq!(fleet.report.probed_from, "web01,ps01");
//! ```

use crate::address::HostName;
use crate::plan::{Flow, Plan};
use crate::report::{FlowReport, Report};
use crate::types::{Phase, PortRange, Protocol};
use std::collections::HashMap;
use thiserror::Error;

/// Separator of host names in a fleet report's `probed_from` and `host` (host names
/// never contain it, so a fleet report can be merged again).
pub const HOST_SEPARATOR: char = ',';

/// Why reports cannot be merged. `file` is the label the caller gave each report.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum MergeError {
    #[error("no report to merge")]
    Empty,
    /// The report checked another plan than the first one (or than `--plan`).
    #[error(
        "{file}: checks a different plan ({found}, but {reference} is {expected}); \
         run check on every host with the same plan.json"
    )]
    OtherPlan {
        file: String,
        found: String,
        expected: String,
        reference: String,
    },
    /// Same digest as the plan, yet a flow the plan does not have: an edited report.
    #[error("{file}: flows[{index}] ({flow}) is not a flow of the plan")]
    NotInPlan {
        file: String,
        index: usize,
        flow: String,
    },
    /// `started`/`finished` that cannot be compared (validation only checks the shape).
    #[error("{file}: {field}: {value:?} is not an RFC 3339 time")]
    BadTime {
        file: String,
        field: &'static str,
        value: String,
    },
}

/// The fleet report and what the merge decided on the way.
#[derive(Debug, Clone, PartialEq)]
pub struct Merged {
    pub report: Report,
    /// One line per pair of reports that checked the same flows: which one was kept.
    pub replaced: Vec<String>,
    /// Flows of the plan no report checked (only known when a plan is given).
    pub unchecked: Vec<Flow>,
}

/// What identifies a flow across reports: the plan never has two flows with it. Host
/// names compare without case ([`HostName`]), as the plan's lookups do.
pub(crate) type FlowKey<'a> = (
    Phase,
    &'a HostName,
    &'a HostName,
    Protocol,
    Option<PortRange>,
);

/// The key of a flow.
pub(crate) fn key<'a>(
    phase: Phase,
    from: &'a HostName,
    to: &'a HostName,
    protocol: Protocol,
    ports: Option<PortRange>,
) -> FlowKey<'a> {
    (phase, from, to, protocol, ports)
}

fn flow_key(f: &FlowReport) -> FlowKey<'_> {
    key(f.phase, &f.from, &f.to, f.protocol, f.ports)
}

fn describe(f: &FlowReport) -> String {
    let what = match f.ports {
        Some(r) => format!("{} {r}", f.protocol),
        None => f.protocol.to_string(),
    };
    format!("{} {} -> {} {what}", f.phase, f.from, f.to)
}

/// Merges `inputs` (a label such as the file name, and the report) into one report.
///
/// With `plan`, every digest must be the plan's, flows come out in plan order and the
/// flows nobody checked are listed; without it the first report's digest is the
/// reference and flows keep their first-seen order within each phase.
pub fn merge(inputs: &[(&str, &Report)], plan: Option<&Plan>) -> Result<Merged, MergeError> {
    let (first_label, first) = inputs.first().ok_or(MergeError::Empty)?;
    let (expected, reference) = match plan {
        Some(p) => (p.digest(), "the plan".to_string()),
        None => (first.plan_digest.clone(), first_label.to_string()),
    };
    let mut finished = Vec::with_capacity(inputs.len());
    let mut started = Vec::with_capacity(inputs.len());
    for (label, r) in inputs {
        if r.plan_digest != expected {
            return Err(MergeError::OtherPlan {
                file: label.to_string(),
                found: r.plan_digest.clone(),
                expected: expected.clone(),
                reference: reference.clone(),
            });
        }
        let time = |field: &'static str, value: &str| {
            instant(value).ok_or_else(|| MergeError::BadTime {
                file: label.to_string(),
                field,
                value: value.to_string(),
            })
        };
        started.push(time("started", &r.started)?);
        finished.push(time("finished", &r.finished)?);
    }

    // Newest result per flow; `order` remembers where each flow was first seen.
    let mut best: HashMap<FlowKey, (usize, &FlowReport)> = HashMap::new();
    let mut order: Vec<FlowKey> = Vec::new();
    let mut replaced: Vec<((usize, usize), usize)> = Vec::new();
    for (i, (_, r)) in inputs.iter().enumerate() {
        for f in &r.flows {
            let k = flow_key(f);
            match best.get(&k) {
                None => {
                    order.push(k);
                    best.insert(k, (i, f));
                }
                Some(&(j, _)) => {
                    // Later finish wins; a tie goes to the later argument.
                    let (keep, drop) = if finished[i] >= finished[j] {
                        (i, j)
                    } else {
                        (j, i)
                    };
                    if keep == i {
                        best.insert(k, (i, f));
                    }
                    match replaced.iter_mut().find(|(pair, _)| *pair == (keep, drop)) {
                        Some((_, n)) => *n += 1,
                        None => replaced.push(((keep, drop), 1)),
                    }
                }
            }
        }
    }

    let mut unchecked = Vec::new();
    let flows: Vec<FlowReport> = match plan {
        Some(p) => {
            let index: HashMap<FlowKey, usize> = p
                .flows
                .iter()
                .enumerate()
                .map(|(n, f)| (key(f.phase, &f.from, &f.to, f.protocol, f.ports), n))
                .collect();
            for (label, r) in inputs {
                if let Some((n, f)) = r
                    .flows
                    .iter()
                    .enumerate()
                    .find(|(_, f)| !index.contains_key(&flow_key(f)))
                {
                    return Err(MergeError::NotInPlan {
                        file: label.to_string(),
                        index: n,
                        flow: describe(f),
                    });
                }
            }
            let mut out = Vec::with_capacity(best.len());
            for f in &p.flows {
                match best.get(&key(f.phase, &f.from, &f.to, f.protocol, f.ports)) {
                    Some((_, fr)) => out.push((*fr).clone()),
                    None => unchecked.push(f.clone()),
                }
            }
            out
        }
        None => {
            let mut out: Vec<FlowReport> = order
                .iter()
                .filter_map(|k| best.get(k).map(|(_, f)| (*f).clone()))
                .collect();
            crate::order::sort_by_key(&mut out, |f| Phase::ALL.iter().position(|p| *p == f.phase));
            out
        }
    };

    let pick = |get: fn(&Report) -> &str| {
        let mut names: Vec<HostName> = Vec::new();
        for (_, r) in inputs {
            for n in get(r).split(HOST_SEPARATOR).filter(|n| !n.is_empty()) {
                let n = HostName::from(n);
                if !names.contains(&n) {
                    names.push(n);
                }
            }
        }
        let names: Vec<&str> = names.iter().map(HostName::as_str).collect();
        names.join(&HOST_SEPARATOR.to_string())
    };
    let earliest = (0..inputs.len()).min_by_key(|&i| started[i]).unwrap_or(0);
    let latest = (0..inputs.len()).max_by_key(|&i| finished[i]).unwrap_or(0);
    // One preflight section per host, like one result per flow: the run that finished
    // last wins (a tie goes to the later argument); hosts stay in argument order.
    let mut preflight: Vec<(usize, crate::preflight::section::PreflightSection)> = Vec::new();
    for (i, (_, r)) in inputs.iter().enumerate() {
        for sec in &r.preflight {
            match preflight
                .iter_mut()
                // A preflight section names its host as text (see `PreflightSection`).
                .find(|(_, s)| s.host.eq_ignore_ascii_case(&sec.host))
            {
                Some(kept) if finished[i] >= finished[kept.0] => *kept = (i, sec.clone()),
                Some(_) => {}
                None => preflight.push((i, sec.clone())),
            }
        }
    }
    let report = Report {
        preflight: preflight.into_iter().map(|(_, s)| s).collect(),
        format: first.format,
        plan_digest: expected,
        // Same plan digest, same plan: any report that names the catalog names it.
        catalog: plan
            .map(|p| p.catalog.clone())
            .filter(|c| !c.is_empty())
            .or_else(|| {
                inputs
                    .iter()
                    .map(|(_, r)| r.catalog.clone())
                    .find(|c| !c.is_empty())
            })
            .unwrap_or_default(),
        probed_from: pick(|r| &r.probed_from),
        host: pick(|r| &r.host),
        started: inputs[earliest].1.started.clone(),
        finished: inputs[latest].1.finished.clone(),
        flows,
    };
    let replaced = replaced
        .into_iter()
        .map(|((keep, drop), n)| {
            format!(
                "{} and {} both checked {n} flow{}: kept {} (finished later)",
                inputs[drop].0,
                inputs[keep].0,
                if n == 1 { "" } else { "s" },
                inputs[keep].0
            )
        })
        .collect();
    Ok(Merged {
        report,
        replaced,
        unchecked,
    })
}

/// An RFC 3339 time as (seconds since 1970 UTC, nanoseconds), for ordering runs taken
/// in different time zones.
pub fn instant(s: &str) -> Option<(i64, u32)> {
    let b = s.as_bytes();
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        let t = s.get(r)?;
        t.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| t.parse().ok())?
    };
    let (y, mo, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (h, mi, sec) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if b.get(4) != Some(&b'-')
        || b.get(7) != Some(&b'-')
        || !matches!(b.get(10), Some(b'T' | b't' | b' '))
        || b.get(13) != Some(&b':')
        || b.get(16) != Some(&b':')
        || !(1..=12).contains(&mo)
        || !(1..=31).contains(&d)
        || h > 23
        || mi > 59
        || sec > 60
    {
        return None;
    }
    let mut rest = &s[19..];
    let mut nanos = 0u32;
    if let Some(frac) = rest.strip_prefix('.') {
        let n = frac.bytes().take_while(u8::is_ascii_digit).count();
        if n == 0 {
            return None;
        }
        for (k, c) in frac.bytes().take(9).enumerate().take(n) {
            nanos += u32::from(c - b'0') * 10u32.pow(8 - k as u32);
        }
        rest = &frac[n..];
    }
    let offset = match rest {
        "Z" | "z" => 0,
        _ => {
            let sign = match rest.as_bytes().first() {
                Some(b'+') => 1,
                Some(b'-') => -1,
                _ => return None,
            };
            let (oh, om) = (
                rest.get(1..3)?.parse::<i64>().ok()?,
                rest.get(4..6)?.parse::<i64>().ok()?,
            );
            if rest.len() != 6 || rest.as_bytes()[3] != b':' || oh > 23 || om > 59 {
                return None;
            }
            sign * (oh * 3600 + om * 60)
        }
    };
    // Days from the civil date (Howard Hinnant's algorithm).
    let y = if mo <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (mo + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some((days * 86_400 + h * 3600 + mi * 60 + sec - offset, nanos))
}

#[cfg(test)]
#[path = "merge_tests.rs"]
mod tests;
