//! The scenario as the page's two wasm modules hand it to each other: one record per
//! line, fields separated by tabs.
//!
//! The planner page's first-load module must stay under its size budget, and a JSON
//! reader (serde_json's deserializer and a visitor per scenario type) was 26 of its
//! 200 KiB gzipped. So the exports module, which loads after the first plan, reads every scenario
//! file and link with the strict JSON reader (the CLI's, with its words), and hands
//! the first-load module the result in this form, which a few dozen lines read back.
//! It is no file format: nothing is stored in it, and both ends are built together.
//!
//! Records: `scenario`, `server`, `host`, `connector`, `admin`, `factory`, `database`
//! (the factory's), `workload` and `target` (the workload's before it). Text fields
//! escape `\`, tab and newline; an absent optional text is `-`, a present one has a
//! leading `=`; an optional yes/no is empty, `0` or `1`.

use crate::drive::DriveLetter;
use crate::scenario::{Factory, Host, Scenario, Server, Target, VirtualizationHost, Workload};
use std::fmt::Write;

fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => o.push_str("\\\\"),
            '\t' => o.push_str("\\t"),
            '\n' => o.push_str("\\n"),
            '\r' => o.push_str("\\r"),
            c => o.push(c),
        }
    }
    o
}

fn unesc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    let mut it = s.chars();
    while let Some(c) = it.next() {
        if c != '\\' {
            o.push(c);
            continue;
        }
        match it.next() {
            Some('t') => o.push('\t'),
            Some('n') => o.push('\n'),
            Some('r') => o.push('\r'),
            Some(c) => o.push(c),
            None => {}
        }
    }
    o
}

fn opt(s: &Option<String>) -> String {
    match s {
        None => "-".into(),
        Some(s) => format!("={}", esc(s)),
    }
}

fn opt_bool(b: Option<bool>) -> &'static str {
    match b {
        None => "",
        Some(false) => "0",
        Some(true) => "1",
    }
}

fn flag(b: bool) -> &'static str {
    if b {
        "1"
    } else {
        "0"
    }
}

/// The scenario in handover form (see the module's words).
pub fn encode(s: &Scenario) -> String {
    let mut o = String::new();
    let _ = writeln!(
        o,
        "scenario\t{}\t{}\t{}\t{}",
        s.format,
        s.product.as_str(),
        esc(&s.version),
        s.replication.map_or("-", |r| r.as_str())
    );
    let v = &s.server;
    let _ = writeln!(
        o,
        "server\t{}\t{}\t{}\t{}\t{}\t{}",
        esc(&v.name),
        esc(&v.address),
        opt(&v.public_address),
        flag(v.marketplace),
        flag(v.cloud),
        v.platform.map_or("-", |p| p.as_str())
    );
    for h in &s.hosts {
        let _ = writeln!(
            o,
            "host\t{}\t{}\t{}",
            esc(&h.name),
            esc(&h.address),
            h.platform.as_str()
        );
    }
    for (tag, list) in [("connector", &s.connectors), ("admin", &s.admins)] {
        for h in list {
            let _ = writeln!(o, "{tag}\t{}\t{}", esc(&h.name), esc(&h.address));
        }
    }
    if let Some(f) = &s.factory {
        let _ = writeln!(
            o,
            "factory\t{}\t{}\t{}",
            esc(&f.name),
            esc(&f.address),
            flag(f.appliance)
        );
        if let Some(d) = &f.database {
            let _ = writeln!(o, "database\t{}\t{}", esc(&d.name), esc(&d.address));
        }
    }
    for w in &s.workloads {
        let drives: Vec<String> = w.drives.iter().map(|d| d.letter().to_string()).collect();
        if let Some(t) = &w.target {
            let _ = writeln!(
                o,
                "target\t{}\t{}\t{}\t{}\t{}",
                esc(&t.name),
                esc(&t.address),
                opt(&t.public_address),
                opt(&t.container),
                opt_bool(t.outside)
            );
        }
        let _ = writeln!(
            o,
            "workload\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
            esc(&w.name),
            esc(&w.address),
            w.os.as_str(),
            opt(&w.windows),
            drives.join(","),
            w.transfer.as_str(),
            flag(w.agent),
            opt_bool(w.outside)
        );
    }
    o
}

/// Why a handover text does not read back: a bug in one of the page's modules (the
/// two are built together), never a person's mistake.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the page's modules disagree on a scenario (line {line}: {why})")]
pub struct HandoverError {
    pub line: usize,
    pub why: String,
}

struct Fields<'a> {
    it: std::str::Split<'a, char>,
    line: usize,
}

impl<'a> Fields<'a> {
    fn err(&self, why: impl Into<String>) -> HandoverError {
        HandoverError {
            line: self.line,
            why: why.into(),
        }
    }
    fn raw(&mut self) -> Result<&'a str, HandoverError> {
        let line = self.line;
        self.it.next().ok_or(HandoverError {
            line,
            why: "a field is missing".into(),
        })
    }
    fn text(&mut self) -> Result<String, HandoverError> {
        self.raw().map(unesc)
    }
    fn opt(&mut self) -> Result<Option<String>, HandoverError> {
        let f = self.raw()?;
        match f.strip_prefix('=') {
            Some(v) => Ok(Some(unesc(v))),
            None if f == "-" => Ok(None),
            None => Err(self.err(format!("{f:?} is no optional text"))),
        }
    }
    fn flag(&mut self) -> Result<bool, HandoverError> {
        match self.raw()? {
            "0" => Ok(false),
            "1" => Ok(true),
            f => Err(self.err(format!("{f:?} is no flag"))),
        }
    }
    fn opt_bool(&mut self) -> Result<Option<bool>, HandoverError> {
        match self.raw()? {
            "" => Ok(None),
            "0" => Ok(Some(false)),
            "1" => Ok(Some(true)),
            f => Err(self.err(format!("{f:?} is no optional flag"))),
        }
    }
    fn parse<T: std::str::FromStr<Err = String>>(&mut self) -> Result<T, HandoverError> {
        let f = self.raw()?;
        f.parse().map_err(|e: String| self.err(e))
    }
    fn host(&mut self) -> Result<Host, HandoverError> {
        Ok(Host {
            name: self.text()?,
            address: self.text()?,
        })
    }
}

/// Reads back what [`encode`] wrote.
pub fn decode(text: &str) -> Result<Scenario, HandoverError> {
    let mut scenario: Option<Scenario> = None;
    let mut target: Option<Target> = None;
    for (i, line) in text.lines().enumerate() {
        let mut it = line.split('\t');
        let tag = it.next().unwrap_or_default();
        let mut f = Fields { it, line: i + 1 };
        if tag == "scenario" {
            scenario = Some(Scenario {
                format: f.raw()?.parse().map_err(|_| f.err("no format number"))?,
                product: f.parse()?,
                version: f.text()?,
                replication: match f.raw()? {
                    "-" => None,
                    r => Some(r.parse().map_err(|e: String| f.err(e))?),
                },
                server: Server::new("", ""),
                hosts: vec![],
                connectors: vec![],
                factory: None,
                admins: vec![],
                workloads: vec![],
            });
            continue;
        }
        let Some(s) = scenario.as_mut() else {
            return Err(f.err("no scenario record first"));
        };
        match tag {
            "server" => {
                s.server = Server {
                    name: f.text()?,
                    address: f.text()?,
                    public_address: f.opt()?,
                    marketplace: f.flag()?,
                    cloud: f.flag()?,
                    platform: match f.raw()? {
                        "-" => None,
                        p => Some(p.parse().map_err(|e: String| f.err(e))?),
                    },
                }
            }
            "host" => s.hosts.push(VirtualizationHost {
                name: f.text()?,
                address: f.text()?,
                platform: f.parse()?,
            }),
            "connector" => s.connectors.push(f.host()?),
            "admin" => s.admins.push(f.host()?),
            "factory" => {
                s.factory = Some(Factory {
                    name: f.text()?,
                    address: f.text()?,
                    appliance: f.flag()?,
                    database: None,
                })
            }
            "database" => {
                let d = f.host()?;
                match s.factory.as_mut() {
                    Some(fa) => fa.database = Some(d),
                    None => return Err(f.err("a database without a factory")),
                }
            }
            "target" => {
                target = Some(Target {
                    name: f.text()?,
                    address: f.text()?,
                    public_address: f.opt()?,
                    container: f.opt()?,
                    outside: f.opt_bool()?,
                })
            }
            "workload" => {
                let name = f.text()?;
                let address = f.text()?;
                let os = f.parse()?;
                let windows = f.opt()?;
                let drives = f
                    .raw()?
                    .split(',')
                    .filter(|d| !d.is_empty())
                    .map(DriveLetter::parse)
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(|e| f.err(e.to_string()))?;
                s.workloads.push(Workload {
                    name,
                    address,
                    os,
                    windows,
                    drives,
                    transfer: f.parse()?,
                    agent: f.flag()?,
                    outside: f.opt_bool()?,
                    target: target.take(),
                });
            }
            other => return Err(f.err(format!("{other:?} is no record"))),
        }
    }
    scenario.ok_or(HandoverError {
        line: 0,
        why: "no scenario record".into(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every example and a large wave come back field for field, and so does text
    /// with the characters the form escapes.
    #[test]
    fn scenarios_come_back_unchanged() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples");
        let mut n = 0;
        for e in std::fs::read_dir(dir).expect("examples") {
            let p = e.expect("entry").path();
            if p.extension().is_some_and(|x| x == "json") {
                let text = std::fs::read_to_string(&p).expect("read");
                let Ok(s) = serde_json::from_str::<Scenario>(&text) else {
                    continue;
                };
                assert_eq!(decode(&encode(&s)), Ok(s), "{}", p.display());
                n += 1;
            }
        }
        assert!(n >= 5, "{n} examples");
        let mut wave: Scenario = serde_json::from_str(&crate::sample::wave(300)).expect("wave");
        wave.workloads[0].name = "a\tb\\c\nd=-".into();
        wave.workloads[1].windows = Some(String::new());
        wave.server.public_address = Some("-".into());
        assert_eq!(decode(&encode(&wave)), Ok(wave.clone()));
        // The server's cloud, each one a scenario may name.
        for p in crate::scenario::SERVER_PLATFORMS {
            wave.server.platform = Some(p);
            assert_eq!(decode(&encode(&wave)), Ok(wave.clone()), "{p:?}");
        }
    }

    #[test]
    fn a_broken_handover_is_an_error_not_a_panic() {
        for text in [
            "",
            "server\ta\tb\t-\t0\t0\t-",
            "scenario\t1\tmigrate\t12.3\t-\nserver\ta\tb\t-\t0\t0\tmars",
            "scenario\tx\tmigrate\t12.3\t-",
            "scenario\t1\tmigrate\t12.3\t-\nworkload\tw",
            "scenario\t1\tmigrate\t12.3\t-\nbogus",
            "scenario\t1\tmigrate\t12.3\t-\ndatabase\td\t1.2.3.4",
        ] {
            assert!(decode(text).is_err(), "{text:?}");
        }
    }
}
