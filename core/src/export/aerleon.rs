//! The consolidated rules as an aerleon policy tree for perimeter firewalls:
//! `def/portplan.yaml` (networks and services) and `policies/pol/portplan.yaml`, which
//! aerleon's own `aclgen` turns into Cisco ASA, Palo Alto, Juniper SRX, nftables and
//! other platforms' configurations.
//!
//! **Which address a rule names for a flow through NAT** follows each vendor's
//! convention, so the policy has two filters with the same terms:
//! * Cisco ASA (8.3 and later: access lists name the real address), Juniper SRX
//!   (destination NAT happens before the security-policy lookup) and nftables (DNAT in
//!   prerouting, before the forward filter) match the **post-NAT** (private) address;
//! * Palo Alto PAN-OS security rules match the **pre-NAT** (public, dialed) address
//!   with the post-NAT zone.
//!
//! Names stay within every generator's limits: term names such as `r12-p3-tcp` are at
//! most 24 characters (iptables'), network and service names are letters, digits and
//! `_`. A host given by DNS name cannot be a network object: it is left out with a
//! comment in the policy, and [`Tree::left_out`] says so for the CLI to print.
//! Zones are placeholders (`portplan-from`, `portplan-to`): name yours.

use super::firewall::clean;
use crate::firewall::blocks::{collapse, Block};
use crate::firewall::{rules, Group, GroupRule, Member};
use crate::plan::Plan;
use crate::types::Protocol;
use std::fmt::Write;

/// The files of the tree, and what could not go in.
pub struct Tree {
    /// (path inside the tree, contents).
    pub files: Vec<(String, String)>,
    /// One line per host left out (a DNS name), for standard error.
    pub left_out: Vec<String>,
    /// No rule has network addresses on both sides: aclgen takes no policy without
    /// filters, so there is nothing to write.
    pub empty: bool,
}

/// One term's two sides, resolved to network names.
struct Term {
    name: String,
    comment: String,
    protocol: Protocol,
    service: Option<String>,
    source: String,
    /// Post-NAT destination network (ASA, SRX, nftables).
    real: String,
    /// Pre-NAT destination network (PAN-OS).
    dialed: String,
}

pub fn tree(plan: &Plan) -> Tree {
    let mut networks = String::from("networks:\n");
    let mut services = String::from("services:\n");
    let mut terms: Vec<Term> = Vec::new();
    let mut left_out: Vec<String> = Vec::new();
    let mut skipped = String::new();
    for (i, r) in rules(plan).iter().enumerate() {
        let n = i + 1;
        let protocols = super::change_csv::by_protocol(r);
        for (p, _) in &protocols {
            if *p == Protocol::Icmp {
                continue;
            }
            let name = format!("R{n}_{}", p.as_str().to_ascii_uppercase());
            let _ = writeln!(services, "  {name}:");
            for (q, range) in &r.openings {
                if let (true, Some(range)) = (q == p, range) {
                    let _ = writeln!(services, "    - port: {range}\n      protocol: {p}");
                }
            }
        }
        // A pairwise rule is one term per pair: the n-th source to the n-th target only.
        let pairs: Vec<(String, Vec<&Member>, Vec<&Member>)> = if r.pairwise {
            r.from
                .members
                .iter()
                .zip(&r.to.members)
                .enumerate()
                .map(|(j, (a, b))| (format!("R{n}_P{}", j + 1), vec![a], vec![b]))
                .collect()
        } else {
            vec![(
                format!("R{n}"),
                r.from.members.iter().collect(),
                r.to.members.iter().collect(),
            )]
        };
        for (prefix, from, to) in pairs {
            let src = network(&mut networks, &format!("{prefix}_SRC"), &from, false);
            let real = network(&mut networks, &format!("{prefix}_DST"), &to, false);
            let dialed = if r.to.nat() {
                network(&mut networks, &format!("{prefix}_DST_DIALED"), &to, true)
            } else {
                real.clone()
            };
            for m in from.iter().chain(&to) {
                if matches!(collapse([m.address.as_str()]).first(), Some(Block::Name(_))) {
                    let line = format!(
                        "aerleon: {} ({}) is a DNS name, not a network object: left out of rule R{n}",
                        m.name, m.address
                    );
                    if !left_out.contains(&line) {
                        left_out.push(line);
                    }
                }
            }
            let (Some(source), Some(real), Some(dialed)) = (src, real, dialed) else {
                let _ = writeln!(
                    skipped,
                    "# {prefix} ({} -> {}) is left out: a side has only DNS-named hosts, which cannot be network objects.",
                    clean(&side(&r.from)),
                    clean(&side(&r.to))
                );
                continue;
            };
            for (p, _) in &protocols {
                terms.push(Term {
                    name: format!("{}-{}", prefix.to_ascii_lowercase().replace('_', "-"), p),
                    comment: comment(r, n),
                    protocol: *p,
                    service: (*p != Protocol::Icmp)
                        .then(|| format!("R{n}_{}", p.as_str().to_ascii_uppercase())),
                    source: source.clone(),
                    real: real.clone(),
                    dialed: dialed.clone(),
                });
            }
        }
    }
    let title = format!(
        "portplan: PlateSpin {} {}, the consolidated rules (R1…) of `portplan plan --format rules`",
        plan.product.title(),
        plan.version
    );
    let mut policy = format!(
        "# {title}\n# Zones portplan-from / portplan-to are placeholders: put your zone names in.\n{skipped}filters:\n"
    );
    // aerleon 1.18's nftables generator fails on a term with one ICMP type (a list
    // where it expects text), so its filter leaves the echo-request terms out, says so,
    // and the host scripts (`--format nftables`) carry them.
    let groups: [(&str, bool, bool, &str); 3] = [
        (
            "        ciscoasa: PORTPLAN\n        srx: from-zone portplan-from to-zone portplan-to\n",
            false,
            true,
            "ASA, SRX: flows through NAT name the post-NAT (real, private) destination",
        ),
        (
            "        nftables: mixed FORWARD\n",
            false,
            false,
            "nftables: post-NAT destination; ICMP echo-request terms are left out (aerleon 1.18's nftables generator cannot render one ICMP type): add them by hand",
        ),
        (
            "        paloalto: from-zone portplan-from to-zone portplan-to\n",
            true,
            true,
            "Palo Alto: flows through NAT name the pre-NAT (dialed, public) destination",
        ),
    ];
    let mut filters = 0;
    for (targets, pre_nat, icmp, which) in groups {
        let shown: Vec<&Term> = terms
            .iter()
            .filter(|t| icmp || t.protocol != Protocol::Icmp)
            .collect();
        // aerleon refuses a filter without terms: leave the filter out.
        if shown.is_empty() {
            continue;
        }
        filters += 1;
        let _ = write!(
            policy,
            "  - header:\n      comment: {}\n      targets:\n{targets}    terms:\n",
            quote(which)
        );
        for t in shown {
            let _ = writeln!(
                policy,
                "      - name: {}\n        comment: {}\n        source-address: {}\n        destination-address: {}",
                t.name,
                quote(&t.comment),
                t.source,
                if pre_nat { &t.dialed } else { &t.real }
            );
            match &t.service {
                Some(s) => {
                    let _ = writeln!(policy, "        destination-port: {s}");
                }
                None => policy.push_str("        icmp-type: echo-request\n"),
            }
            let _ = writeln!(
                policy,
                "        protocol: {}\n        action: accept",
                t.protocol
            );
        }
    }
    if filters == 0 {
        policy = policy.replace(
            "filters:\n",
            "# No rule has network addresses on both sides.\nfilters: []\n",
        );
    }
    Tree {
        files: vec![
            (
                "def/portplan.yaml".to_string(),
                format!("# {title}\n{networks}{services}"),
            ),
            ("policies/pol/portplan.yaml".to_string(), policy),
        ],
        left_out,
        empty: filters == 0,
    }
}

/// The tree as one ustar archive (the page's download; the CLI writes a directory).
pub fn render(plan: &Plan) -> Vec<u8> {
    let t = tree(plan);
    let mut out = Vec::new();
    for (path, text) in &t.files {
        for dir in ["def/", "policies/", "policies/pol/"] {
            if path.starts_with(dir) && !out_has(&out, dir) {
                tar_entry(&mut out, dir, b"", true);
            }
        }
        tar_entry(&mut out, path, text.as_bytes(), false);
    }
    out.extend(std::iter::repeat_n(0u8, 1024));
    out
}

fn out_has(out: &[u8], dir: &str) -> bool {
    out.chunks(512)
        .any(|b| b.starts_with(dir.as_bytes()) && b.get(dir.len()) == Some(&0))
}

/// One ustar header (and data, padded to 512 bytes): fixed mode, owner and time, so
/// the same plan gives the same bytes.
fn tar_entry(out: &mut Vec<u8>, path: &str, data: &[u8], dir: bool) {
    let mut h = [0u8; 512];
    h[..path.len().min(100)].copy_from_slice(&path.as_bytes()[..path.len().min(100)]);
    let field = |h: &mut [u8; 512], at: usize, len: usize, v: String| {
        h[at..at + v.len().min(len)].copy_from_slice(&v.as_bytes()[..v.len().min(len)]);
    };
    field(
        &mut h,
        100,
        8,
        format!("{:07o}\0", if dir { 0o755 } else { 0o644 }),
    );
    field(&mut h, 108, 8, "0000000\0".into());
    field(&mut h, 116, 8, "0000000\0".into());
    field(&mut h, 124, 12, format!("{:011o}\0", data.len()));
    field(&mut h, 136, 12, "00000000000\0".into());
    h[156] = if dir { b'5' } else { b'0' };
    field(&mut h, 257, 8, "ustar\u{0}00".into());
    h[148..156].copy_from_slice(b"        ");
    let sum: u32 = h.iter().map(|b| u32::from(*b)).sum();
    field(&mut h, 148, 8, format!("{sum:06o}\0 "));
    out.extend_from_slice(&h);
    out.extend_from_slice(data);
    out.extend(std::iter::repeat_n(0u8, (512 - data.len() % 512) % 512));
}

/// Writes network `name` of the members' own (or dialed) addresses, exact CIDR blocks
/// with the host names as comments; `None` when no member has an IP address.
fn network(out: &mut String, name: &str, members: &[&Member], dialed: bool) -> Option<String> {
    let mut lines = String::new();
    for m in members {
        let a = if dialed {
            m.dialed.as_deref().unwrap_or(&m.address)
        } else {
            &m.address
        };
        for b in collapse([a]) {
            if !matches!(b, Block::Name(_)) {
                let _ = writeln!(
                    lines,
                    "      - address: {}\n        comment: {}",
                    b.cidr(),
                    quote(&m.name)
                );
            }
        }
    }
    if lines.is_empty() {
        return None;
    }
    let _ = write!(out, "  {name}:\n    values:\n{lines}");
    Some(name.to_string())
}

fn side(g: &Group) -> String {
    g.label()
}

fn comment(r: &GroupRule, n: usize) -> String {
    clean(&format!(
        "R{n} {} -> {}: {}",
        side(&r.from),
        side(&r.to),
        r.comment()
    ))
}

/// A YAML double-quoted scalar (JSON strings are YAML).
fn quote(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Scenario;

    #[test]
    fn names_fit_every_generator_and_nat_has_both_addresses() {
        let s = Scenario::from_json(include_str!("../../../examples/firewall-wave.json"))
            .expect("example");
        let plan = Plan::build(&s).expect("plan");
        let t = tree(&plan);
        let policy = &t.files[1].1;
        for line in policy
            .lines()
            .filter_map(|l| l.trim().strip_prefix("- name: "))
        {
            assert!(line.len() <= 24, "{line}");
        }
        // R5: Migrate Agents dial the server's public address.
        assert!(
            policy.contains("destination-address: R5_DST_DIALED"),
            "{policy}"
        );
        let def = &t.files[0].1;
        assert!(
            def.contains("  R5_DST_DIALED:\n    values:\n      - address: 198.51.100.5/32"),
            "{def}"
        );
        assert!(
            def.contains("  R5_DST:\n    values:\n      - address: 10.20.0.5/32"),
            "{def}"
        );
        // management.azure.com is a name: left out, and said so.
        assert!(
            t.left_out
                .iter()
                .any(|l| l.contains("management.azure.com")),
            "{:?}",
            t.left_out
        );
        assert!(
            policy.contains("# R2 (ps01 -> azure) is left out"),
            "{policy}"
        );
        let tar = render(&plan);
        assert_eq!(tar.len() % 512, 0);
        assert!(tar.windows(26).any(|w| w == b"policies/pol/portplan.yaml"));
    }
}
