//! Reads `iptables-save` / `ip6tables-save` output (hosts on the legacy backend, where
//! `nft list ruleset` shows nothing) into the same [`Ruleset`] model as nft's JSON.
//!
//! Each `-A` line becomes one rule named by its chain position and its own text, so the
//! evidence is a line the firewall team can grep for. Options of modules the reader does
//! not model become unknown conditions (they may or may not match); targets it does
//! not model become unknown actions.

use super::model::{
    icmp_type_number, icmpv6_type_number, protocol_number, Action, BaseChain, Chain, Cond, Field,
    Hook, IpVersion, Item, Op, Policy, Rule, Ruleset, TableFamily, Transport, Value, Verdict,
};
use super::nft::MAX_RULESET_BYTES;
use super::PreflightError;
use std::net::IpAddr;

/// Parses `iptables-save` (`v6 = false`) or `ip6tables-save` (`v6 = true`) output.
pub fn parse(text: &str, v6: bool) -> Result<Ruleset, PreflightError> {
    let what = if v6 {
        "ip6tables-save"
    } else {
        "iptables-save"
    };
    if text.len() > MAX_RULESET_BYTES {
        return Err(PreflightError::TooLarge {
            what,
            size: text.len(),
            limit: MAX_RULESET_BYTES,
        });
    }
    let family = if v6 {
        TableFamily::Ip6
    } else {
        TableFamily::Ip
    };
    let mut rs = Ruleset::default();
    let mut table: Option<String> = None;
    for (n, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(t) = line.strip_prefix('*') {
            table = Some(t.to_string());
            continue;
        }
        if line == "COMMIT" {
            table = None;
            continue;
        }
        let Some(t) = table.clone() else {
            return Err(PreflightError::Shape {
                what,
                message: format!(
                    "line {}: {line:?} outside a table (*filter … COMMIT)",
                    n + 1
                ),
            });
        };
        if let Some(decl) = line.strip_prefix(':') {
            let mut parts = decl.split_whitespace();
            let name = parts.next().unwrap_or_default().to_string();
            let policy = parts.next().unwrap_or("-");
            rs.chains.push(Chain {
                family,
                table: t.clone(),
                base: base_chain(&t, &name, policy),
                name,
                rules: Vec::new(),
            });
            continue;
        }
        let words = split(line).ok_or_else(|| PreflightError::Shape {
            what,
            message: format!("line {}: an unterminated quote in {line:?}", n + 1),
        })?;
        match words.first().map(String::as_str) {
            Some("-A" | "--append") => {}
            _ => {
                rs.skipped.push(format!("line {}: {line:?}", n + 1));
                continue;
            }
        }
        let Some(chain_name) = words.get(1) else {
            return Err(PreflightError::Shape {
                what,
                message: format!("line {}: -A without a chain", n + 1),
            });
        };
        let chains: Vec<String> = rs
            .chains
            .iter()
            .filter(|c| c.table == t)
            .map(|c| c.name.clone())
            .collect();
        let Some(chain) = rs
            .chains
            .iter_mut()
            .find(|c| c.table == t && &c.name == chain_name)
        else {
            return Err(PreflightError::Shape {
                what,
                message: format!(
                    "line {}: chain {chain_name:?} is not declared in *{t}",
                    n + 1
                ),
            });
        };
        let id = format!("rule {} ({line})", chain.rules.len() + 1);
        chain.rules.push(Rule {
            id,
            items: rule_items(&words[2..], v6, &chains),
        });
    }
    Ok(rs)
}

/// The built-in chains on the inbound path, with iptables' fixed priorities.
fn base_chain(table: &str, chain: &str, policy: &str) -> Option<BaseChain> {
    let (hook, priority, nat) = match (table, chain) {
        ("raw", "PREROUTING") => (Hook::Prerouting, -300, false),
        ("mangle", "PREROUTING") => (Hook::Prerouting, -150, false),
        ("nat", "PREROUTING") => (Hook::Prerouting, -100, true),
        ("mangle", "INPUT") => (Hook::Input, -150, false),
        ("filter", "INPUT") => (Hook::Input, 0, false),
        ("security", "INPUT") => (Hook::Input, 50, false),
        ("nat", "INPUT") => (Hook::Input, 100, true),
        _ => return None,
    };
    Some(BaseChain {
        hook,
        priority,
        policy: if policy == "DROP" {
            Policy::Drop
        } else {
            Policy::Accept
        },
        nat,
        devices: Vec::new(),
    })
}

/// Shell-like words: iptables-save quotes comments with `"…"` and escapes `\"`.
fn split(line: &str) -> Option<Vec<String>> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut has = false;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' if quoted => cur.push(chars.next()?),
            '"' => {
                quoted = !quoted;
                has = true;
            }
            c if c.is_whitespace() && !quoted => {
                if has || !cur.is_empty() {
                    words.push(std::mem::take(&mut cur));
                    has = false;
                }
            }
            c => cur.push(c),
        }
    }
    if quoted {
        return None;
    }
    if has || !cur.is_empty() {
        words.push(cur);
    }
    Some(words)
}

fn rule_items(words: &[String], v6: bool, chains: &[String]) -> Vec<Item> {
    let mut items = Vec::new();
    let mut proto: Option<String> = None;
    let mut module = String::new();
    let mut i = 0;
    let mut negate = false;
    let cmp = |field, neg: bool, value| {
        Item::Cond(Cond::Compare {
            field,
            op: if neg { Op::Ne } else { Op::Eq },
            value,
        })
    };
    while i < words.len() {
        let w = words[i].as_str();
        let arg = words.get(i + 1).map(String::as_str);
        let mut used = 2;
        let neg = std::mem::take(&mut negate);
        match (w, arg) {
            ("!", _) => {
                negate = true;
                used = 1;
            }
            ("-p" | "--protocol", Some(p)) => {
                proto = Some(p.to_ascii_lowercase());
                let value = match p.parse::<u64>() {
                    Ok(n) => Value::Num(n),
                    Err(_) => protocol_number(p)
                        .map_or_else(|| Value::Unknown(format!("the protocol {p:?}")), Value::Num),
                };
                if p != "all" && p != "0" {
                    items.push(cmp(Field::L4Proto, neg, value));
                }
            }
            ("-s" | "--source", Some(a)) => {
                items.push(cmp(Field::SAddr(IpVersion::Any), neg, address(a)))
            }
            ("-d" | "--destination", Some(a)) => {
                items.push(cmp(Field::DAddr(IpVersion::Any), neg, address(a)))
            }
            ("-i" | "--in-interface", Some(name)) => {
                let pattern = match name.strip_suffix('+') {
                    Some(p) => format!("{p}*"),
                    None => name.to_string(),
                };
                items.push(cmp(Field::IifName, neg, Value::Name(pattern)));
            }
            ("-m" | "--match", Some(m)) => module = m.to_string(),
            ("--dport" | "--destination-port", Some(p)) => items.push(cmp(
                Field::DPort(transport(proto.as_deref())),
                neg,
                ports(p),
            )),
            ("--sport" | "--source-port", Some(p)) => items.push(cmp(
                Field::SPort(transport(proto.as_deref())),
                neg,
                ports(p),
            )),
            ("--dports" | "--destination-ports", Some(list)) if module == "multiport" => {
                let set = Value::Set(list.split(',').map(ports).collect());
                items.push(cmp(Field::DPort(transport(proto.as_deref())), neg, set));
            }
            ("--ctstate" | "--state", Some(list)) => {
                let states: Vec<Value> = list
                    .split(',')
                    .map(|s| match s.to_ascii_lowercase().as_str() {
                        st @ ("new" | "established" | "related" | "invalid" | "untracked") => {
                            Value::Name(st.to_string())
                        }
                        other => Value::Unknown(format!("the conntrack state {other:?}")),
                    })
                    .collect();
                items.push(cmp(Field::CtState, neg, Value::Set(states)));
            }
            ("--icmp-type", Some(t)) => items.push(cmp(Field::IcmpType, neg, icmp(t, false))),
            ("--icmpv6-type", Some(t)) => items.push(cmp(Field::Icmpv6Type, neg, icmp(t, true))),
            ("--syn", _) => {
                used = 1;
                // The first packet of a connection is a SYN: `--syn` holds for it, and
                // `! --syn` never does (said as "not TCP", which with -p tcp is false).
                if neg {
                    items.push(cmp(Field::L4Proto, true, Value::Num(6)));
                }
            }
            ("--tcp-flags", Some(mask)) => {
                // The first packet of a connection carries SYN alone: the match holds
                // when SYN's bit, masked, equals the compared flags.
                used = 3;
                let flags = |list: &str| -> Option<Vec<String>> {
                    let all = ["FIN", "SYN", "RST", "PSH", "ACK", "URG", "ECE", "CWR"];
                    list.split(',')
                        .map(|f| match f {
                            "ALL" => Some(all.iter().map(|s| s.to_string()).collect::<Vec<_>>()),
                            "NONE" => Some(Vec::new()),
                            f if all.contains(&f) => Some(vec![f.to_string()]),
                            _ => None,
                        })
                        .collect::<Option<Vec<Vec<String>>>>()
                        .map(|v| v.concat())
                };
                match (flags(mask), words.get(i + 2).and_then(|c| flags(c))) {
                    (Some(mask), Some(comp)) => {
                        let seen: Vec<&String> = mask.iter().filter(|f| *f == "SYN").collect();
                        let holds =
                            seen.len() == comp.len() && comp.iter().all(|c| seen.contains(&c));
                        if holds == neg {
                            items.push(cmp(Field::L4Proto, true, Value::Num(6)));
                        }
                    }
                    _ => items.push(Item::Cond(Cond::Unknown(format!(
                        "the option --tcp-flags {mask} of the tcp match"
                    )))),
                }
            }
            ("--comment", Some(_)) => {}
            ("--pkt-type", Some(t)) => items.push(cmp(
                Field::PktType,
                neg,
                Value::Name(t.to_ascii_lowercase()),
            )),
            ("--dst-type", Some(t)) if module == "addrtype" && !t.contains(',') => items.push(cmp(
                Field::FibDaddrType,
                neg,
                Value::Name(t.to_ascii_lowercase()),
            )),
            ("--src-range", Some(r)) | ("--dst-range", Some(r)) if module == "iprange" => {
                let field = if w == "--src-range" {
                    Field::SAddr(IpVersion::Any)
                } else {
                    Field::DAddr(IpVersion::Any)
                };
                let value = match r.split_once('-') {
                    Some((a, b)) => match (a.parse::<IpAddr>(), b.parse::<IpAddr>()) {
                        (Ok(a), Ok(b)) => Value::AddrRange(a, b),
                        _ => Value::Unknown(format!("the range {r:?}")),
                    },
                    None => Value::Unknown(format!("the range {r:?}")),
                };
                items.push(cmp(field, neg, value));
            }
            ("-j" | "--jump", Some(t)) => {
                let (item, n) = target(t, &words[i + 2..], v6, chains);
                items.push(item);
                used = 2 + n;
            }
            ("-g" | "--goto", Some(t)) => {
                items.push(Item::Action(Action::Verdict(Verdict::Goto(t.to_string()))))
            }
            (opt, _) => {
                // An option of a module not modelled: it takes the words up to the next
                // option, and may or may not match.
                let n = words[i + 1..]
                    .iter()
                    .take_while(|w| !w.starts_with('-') && *w != "!")
                    .count();
                used = 1 + n;
                let what = if module.is_empty() {
                    format!("the option {opt}")
                } else {
                    format!("the option {opt} of the {module} match")
                };
                items.push(Item::Cond(Cond::Unknown(what)));
            }
        }
        i += used;
    }
    items
}

/// The target of `-j` and how many of the following words are its options.
fn target(t: &str, rest: &[String], v6: bool, chains: &[String]) -> (Item, usize) {
    let opts = rest
        .iter()
        .take_while(|w| w.starts_with("--") || !w.starts_with('-'))
        .count();
    let verdict = |v| Item::Action(Action::Verdict(v));
    let item = match t {
        "ACCEPT" => verdict(Verdict::Accept),
        "DROP" => verdict(Verdict::Drop),
        "RETURN" => verdict(Verdict::Return),
        "REJECT" => {
            let how = rest
                .iter()
                .position(|w| w == "--reject-with")
                .and_then(|p| rest.get(p + 1))
                .cloned()
                .unwrap_or_else(|| {
                    if v6 {
                        "icmp6-port-unreachable"
                    } else {
                        "icmp-port-unreachable"
                    }
                    .to_string()
                });
            verdict(Verdict::Reject(how))
        }
        chain if chains.iter().any(|c| c == chain) => verdict(Verdict::Jump(chain.to_string())),
        "LOG" | "NFLOG" | "ULOG" | "SET" | "AUDIT" => Item::Action(Action::Harmless),
        other => Item::Action(Action::Unknown(format!("the target {other}"))),
    };
    // A user chain takes no options; a built-in target's are the words after it.
    let n = match &item {
        Item::Action(Action::Verdict(Verdict::Jump(_))) => 0,
        _ => opts,
    };
    (item, n)
}

fn transport(proto: Option<&str>) -> Transport {
    match proto {
        Some("tcp" | "6") => Transport::Tcp,
        Some("udp" | "17") => Transport::Udp,
        _ => Transport::Other,
    }
}

/// `22`, `49152:65535`, `:1024`, `1024:`; service names stay unknown.
fn ports(p: &str) -> Value {
    let num = |s: &str, default: u64| -> Option<u64> {
        if s.is_empty() {
            Some(default)
        } else {
            s.parse::<u16>().ok().map(u64::from)
        }
    };
    match p.split_once(':') {
        Some((a, b)) => match (num(a, 0), num(b, 65535)) {
            (Some(a), Some(b)) => Value::NumRange(a, b),
            _ => Value::Unknown(format!("the ports {p:?}")),
        },
        None => match p.parse::<u16>() {
            Ok(n) => Value::Num(u64::from(n)),
            Err(_) => Value::Unknown(format!("the port {p:?}")),
        },
    }
}

/// `10.0.0.0/8`, `10.0.0.0/255.0.0.0`, `fd00::/64`, a bare address.
fn address(a: &str) -> Value {
    let bad = || Value::Unknown(format!("the address {a:?}"));
    match a.split_once('/') {
        None => a.parse().map_or_else(|_| bad(), Value::Addr),
        Some((addr, mask)) => {
            let Ok(addr) = addr.parse::<IpAddr>() else {
                return bad();
            };
            let len = match mask.parse::<u8>() {
                Ok(l) => Some(l),
                Err(_) => match mask.parse::<std::net::Ipv4Addr>() {
                    Ok(m) => {
                        let bits = u32::from(m);
                        // Only contiguous masks are prefixes.
                        (bits.leading_ones() + bits.trailing_zeros() == 32)
                            .then(|| bits.leading_ones() as u8)
                    }
                    Err(_) => None,
                },
            };
            len.map_or_else(bad, |l| Value::Prefix(addr, l))
        }
    }
}

fn icmp(t: &str, v6: bool) -> Value {
    let ty = t.split('/').next().unwrap_or(t);
    let code_any = !t.contains('/');
    let n = ty.parse::<u64>().ok().or_else(|| {
        if v6 {
            icmpv6_type_number(ty)
        } else {
            icmp_type_number(ty)
        }
    });
    match n {
        Some(n) if code_any => Value::Num(n),
        _ => Value::Unknown(format!("the ICMP type {t:?}")),
    }
}
