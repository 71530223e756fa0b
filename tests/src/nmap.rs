//! nmap's word on the same ports, to hold `portplan check`'s verdicts against, port for
//! port: `nmap -sT -Pn -n` is a TCP connect scan like check's, and needs no ping to
//! believe a host is there. Every run is bounded in time by `timeout`.

use std::collections::BTreeMap;
use std::process::Command;

/// (state, reason) per port, as nmap and check both name them (`closed`,
/// `conn-refused`).
pub type Ports = BTreeMap<u16, (String, String)>;

/// `nmap -sT -Pn -n --reason` of `target`'s `ports` (`3725-3726`), run through `runner`
/// (`timeout` inside a lab host: `lab.cmd("a", "timeout")`) and cut after `limit_s`
/// seconds; `extra` goes before the target (`-S 10.0.0.3`). IPv6 targets get `-6`.
pub fn connect_scan(
    mut runner: Command,
    target: &str,
    ports: &str,
    extra: &[&str],
    limit_s: u32,
) -> Ports {
    runner.arg(limit_s.to_string()).args([
        "nmap", "-sT", "-Pn", "-n", "--reason", "-oX", "-", "-p", ports,
    ]);
    if target.contains(':') {
        runner.arg("-6");
    }
    let out = runner.args(extra).arg(target).output().expect("run nmap");
    let xml = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && xml.contains("</nmaprun>"),
        "nmap did not finish within {limit_s} s: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    parse(&xml)
}

/// The ports of a list as nmap and check write it (`135-139,3725`).
pub fn port_list(spec: &str) -> Vec<u16> {
    spec.split(',')
        .filter(|r| !r.is_empty())
        .flat_map(|run| {
            let (a, b) = run.split_once('-').unwrap_or((run, run));
            a.trim().parse().unwrap_or(1)..=b.trim().parse().unwrap_or(0)
        })
        .collect()
}

/// The ports of nmap's XML: each `<port>` with its `<state>`, and the ports an
/// `<extraports>` block folds together (`<extrareasons ports="1-100,443">`).
pub fn parse(xml: &str) -> Ports {
    let attr = |tag: &str, name: &str| -> String {
        let key = format!(" {name}=\"");
        tag.find(&key)
            .map(|i| &tag[i + key.len()..])
            .and_then(|rest| rest.split('"').next())
            .unwrap_or("")
            .to_string()
    };
    let mut ports = Ports::new();
    let mut folded_state = String::new();
    for tag in xml.split('<').map(|t| t.split('>').next().unwrap_or("")) {
        if tag.starts_with("extraports ") {
            folded_state = attr(tag, "state");
        } else if tag.starts_with("extrareasons ") {
            let reason = attr(tag, "reason");
            for p in port_list(&attr(tag, "ports")) {
                ports.insert(p, (folded_state.clone(), reason.clone()));
            }
        } else if tag.starts_with("port ") {
            let port: u16 = attr(tag, "portid").parse().unwrap_or(0);
            ports.insert(port, (String::new(), String::new()));
        } else if tag.starts_with("state ") {
            if let Some((_, v)) = ports.iter_mut().next_back().filter(|(_, v)| v.0.is_empty()) {
                *v = (attr(tag, "state"), attr(tag, "reason"));
            }
        }
    }
    ports
}

/// check's verdict for each port of the flows to `to` in a report's JSON, as nmap would
/// name the state (`verified` is an `open` port whose service was proven).
pub fn check_ports(report: &serde_json::Value, to: &str) -> Ports {
    let mut ports = Ports::new();
    for (proto, port, verdict, reason) in crate::verdicts_to(report, to) {
        let (Some(port), "tcp") = (port, proto.as_str()) else {
            continue;
        };
        let state = if verdict == "verified" {
            "open".to_string()
        } else {
            verdict
        };
        ports.insert(port as u16, (state, reason));
    }
    ports
}

/// A port where the two differ: (port, check's (state, reason), nmap's).
pub type Disagreement = (u16, (String, String), (String, String));

/// The ports whose state differs between `check` and `nmap`. A port one of them did not
/// scan counts as a difference (state "").
pub fn disagreements(check: &Ports, nmap: &Ports) -> Vec<Disagreement> {
    let none = (String::new(), String::new());
    let mut all: Vec<u16> = check.keys().chain(nmap.keys()).copied().collect();
    all.sort_unstable();
    all.dedup();
    all.into_iter()
        .filter_map(|p| {
            let c = check.get(&p).unwrap_or(&none);
            let n = nmap.get(&p).unwrap_or(&none);
            (c.0 != n.0).then(|| (p, c.clone(), n.clone()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn listed_and_folded_ports_both_read() {
        let xml = r#"<nmaprun><host><ports><extraports state="closed" count="3">
<extrareasons reason="conn-refused" count="3" proto="tcp" ports="1-2,5"/>
</extraports>
<port protocol="tcp" portid="3725"><state state="filtered" reason="no-response" reason_ttl="0"/></port>
<port protocol="tcp" portid="3726"><state state="open" reason="syn-ack" reason_ttl="0"/></port>
</ports></host></nmaprun>"#;
        let p = parse(xml);
        let s = |a: &str, b: &str| (a.to_string(), b.to_string());
        assert_eq!(
            p,
            Ports::from([
                (1, s("closed", "conn-refused")),
                (2, s("closed", "conn-refused")),
                (5, s("closed", "conn-refused")),
                (3725, s("filtered", "no-response")),
                (3726, s("open", "syn-ack")),
            ])
        );
    }
}
