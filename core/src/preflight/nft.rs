//! Reads `nft -j list ruleset` (libnftables JSON, schema version 1) into the
//! [`Ruleset`] model.
//!
//! iptables-nft and firewalld's nftables backend both end up in this ruleset, so this one
//! reader covers most current Linux hosts. Objects and expressions the reader does not
//! model are kept as "unknown" with their name, never dropped silently: a rule with a
//! match the evaluator cannot read must not be skipped as if it never matched.

use super::model::{
    icmp_type_number, icmpv6_type_number, protocol_number, Action, BaseChain, Chain, Cond, Field,
    Hook, IpVersion, Item, NamedSet, Op, Policy, Rule, Ruleset, TableFamily, Transport, Value,
    Verdict,
};
use super::PreflightError;
use serde_json::{Map, Value as Json};
use std::net::IpAddr;

/// The largest ruleset read (a host with thousands of container rules stays well below).
pub const MAX_RULESET_BYTES: usize = 32 * 1024 * 1024;

/// Parses the output of `nft -j list ruleset`.
pub fn parse(text: &str) -> Result<Ruleset, PreflightError> {
    if text.len() > MAX_RULESET_BYTES {
        return Err(PreflightError::TooLarge {
            what: "nft -j list ruleset",
            size: text.len(),
            limit: MAX_RULESET_BYTES,
        });
    }
    let doc: Json = serde_json::from_str(text).map_err(|e| PreflightError::Syntax {
        what: "nft -j list ruleset",
        message: e.to_string(),
    })?;
    let items = doc
        .get("nftables")
        .and_then(Json::as_array)
        .ok_or(PreflightError::Shape {
            what: "nft -j list ruleset",
            message: "no \"nftables\" list at the top".to_string(),
        })?;
    let mut rs = Ruleset::default();
    let mut rules: Vec<(TableFamily, String, String, Rule)> = Vec::new();
    for item in items {
        let Some(obj) = item.as_object() else {
            rs.skipped
                .push("an entry that is not an object".to_string());
            continue;
        };
        for (kind, body) in obj {
            match kind.as_str() {
                "metainfo" | "table" | "flowtable" | "counter" | "quota" | "ct helper"
                | "limit" | "secmark" | "ct timeout" | "ct expectation" | "synproxy" => {}
                "chain" => match chain(body) {
                    Some(c) => rs.chains.push(c),
                    None => rs.skipped.push(format!(
                        "a chain without family, table or name: {}",
                        brief(body)
                    )),
                },
                "set" | "map" => match named_set(body) {
                    Some(s) => rs.sets.push(s),
                    None => rs
                        .skipped
                        .push(format!("a {kind} without family, table or name")),
                },
                "rule" => match rule(body) {
                    Some(r) => rules.push(r),
                    None => rs.skipped.push(format!(
                        "a rule without family, table or chain: {}",
                        brief(body)
                    )),
                },
                other => rs.skipped.push(format!("an object of type {other:?}")),
            }
        }
    }
    for (family, table, chain, rule) in rules {
        match rs
            .chains
            .iter_mut()
            .find(|c| c.family == family && c.table == table && c.name == chain)
        {
            Some(c) => c.rules.push(rule),
            None => rs.skipped.push(format!(
                "{} of chain {} {} {chain}, which the ruleset does not list",
                rule.id,
                family.as_str(),
                table
            )),
        }
    }
    Ok(rs)
}

/// A short excerpt of a JSON value for messages.
fn brief(v: &Json) -> String {
    let s = v.to_string();
    match s.char_indices().nth(80) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s,
    }
}

fn where_(body: &Json, key: &str) -> Option<(TableFamily, String, String)> {
    let family = TableFamily::parse(body.get("family")?.as_str()?)?;
    let table = body.get("table")?.as_str()?.to_string();
    let name = body.get(key)?.as_str()?.to_string();
    Some((family, table, name))
}

fn chain(body: &Json) -> Option<Chain> {
    let (family, table, name) = where_(body, "name")?;
    let hook = match body.get("hook").and_then(Json::as_str) {
        Some("ingress") => Some(Hook::Ingress),
        Some("prerouting") => Some(Hook::Prerouting),
        Some("input") => Some(Hook::Input),
        _ => None,
    };
    let base = hook.map(|hook| BaseChain {
        hook,
        priority: body.get("prio").map_or(0, priority),
        policy: match body.get("policy").and_then(Json::as_str) {
            Some("drop") => Policy::Drop,
            _ => Policy::Accept,
        },
        nat: body.get("type").and_then(Json::as_str) == Some("nat"),
        devices: match body.get("dev") {
            Some(Json::String(d)) => vec![d.clone()],
            Some(Json::Array(ds)) => ds
                .iter()
                .filter_map(|d| d.as_str().map(str::to_string))
                .collect(),
            _ => Vec::new(),
        },
    });
    Some(Chain {
        family,
        table,
        name,
        base,
        rules: Vec::new(),
    })
}

/// A priority as a number; nft prints numbers, but older and newer versions may print
/// the standard names.
fn priority(v: &Json) -> i64 {
    if let Some(n) = v.as_i64() {
        return n;
    }
    match v.as_str() {
        Some("raw") => -300,
        Some("mangle") => -150,
        Some("dstnat") => -100,
        Some("security") => 50,
        Some("srcnat") => 100,
        _ => 0,
    }
}

fn named_set(body: &Json) -> Option<NamedSet> {
    let (family, table, name) = where_(body, "name")?;
    let flags: Vec<&str> = match body.get("flags") {
        Some(Json::String(f)) => vec![f.as_str()],
        Some(Json::Array(a)) => a.iter().filter_map(Json::as_str).collect(),
        _ => Vec::new(),
    };
    let dynamic =
        flags.iter().any(|f| matches!(*f, "dynamic" | "timeout")) || body.get("timeout").is_some();
    let is_map = body.get("map").is_some();
    let is_vmap = body.get("map").and_then(Json::as_str) == Some("verdict");
    let mut elements = Vec::new();
    let mut verdicts = Vec::new();
    for e in body
        .get("elem")
        .and_then(Json::as_array)
        .into_iter()
        .flatten()
    {
        if !is_map {
            // Kept untyped: the match that uses the set says whether "tcp" means 6.
            elements.push(untyped(e));
            continue;
        }
        match e.as_array().map(Vec::as_slice) {
            Some([k, v]) => {
                elements.push(untyped(k));
                verdicts.push(verdict_of(v));
            }
            _ => elements.push(Value::Unknown(format!("the map element {}", brief(e)))),
        }
    }
    let verdicts = if is_vmap {
        // An entry whose verdict is not read makes the whole map unknown at lookup.
        Some(
            verdicts
                .into_iter()
                .collect::<Option<Vec<Verdict>>>()
                .unwrap_or_default(),
        )
    } else {
        None
    };
    Some(NamedSet {
        family,
        table,
        name,
        elements,
        verdicts,
        dynamic,
    })
}

fn rule(body: &Json) -> Option<(TableFamily, String, String, Rule)> {
    let (family, table, chain) = where_(body, "chain")?;
    let handle = body.get("handle").and_then(Json::as_u64);
    let mut id = match handle {
        Some(h) => format!("rule handle {h}"),
        None => "a rule without handle".to_string(),
    };
    if let Some(c) = body.get("comment").and_then(Json::as_str) {
        id.push_str(&format!(" (comment {c:?})"));
    }
    let items = match body.get("expr").and_then(Json::as_array) {
        Some(exprs) => exprs.iter().map(statement).collect(),
        None => vec![Item::Action(Action::Unknown(
            "a rule without expressions".to_string(),
        ))],
    };
    Some((family, table, chain, Rule { id, items }))
}

fn verdict_of(v: &Json) -> Option<Verdict> {
    let obj = v.as_object()?;
    let (k, body) = obj.iter().next()?;
    Some(match k.as_str() {
        "accept" => Verdict::Accept,
        "drop" => Verdict::Drop,
        "reject" => Verdict::Reject(reject_kind(body)),
        "return" => Verdict::Return,
        "continue" => Verdict::Continue,
        "jump" => Verdict::Jump(body.get("target")?.as_str()?.to_string()),
        "goto" => Verdict::Goto(body.get("target")?.as_str()?.to_string()),
        _ => return None,
    })
}

fn reject_kind(body: &Json) -> String {
    let kind = body.get("type").and_then(Json::as_str);
    let code = body.get("expr").and_then(Json::as_str);
    match (kind, code) {
        (Some(k), Some(c)) => format!("{k} {c}"),
        (Some(k), None) => k.to_string(),
        _ => "icmp port-unreachable".to_string(),
    }
}

fn statement(s: &Json) -> Item {
    let Some((kind, body)) = s.as_object().and_then(|o| o.iter().next()) else {
        return Item::Action(Action::Unknown(format!("the statement {}", brief(s))));
    };
    if let Some(v) = verdict_of(s) {
        return Item::Action(Action::Verdict(v));
    }
    match kind.as_str() {
        "match" => Item::Cond(condition(body)),
        "counter" | "log" | "last" | "flow" | "ct helper" => Item::Action(Action::Harmless),
        // Adding the packet's address to a set changes nothing for this packet; lookups
        // of such sets are unknown anyway (dynamic).
        "set" | "map" => Item::Action(Action::Harmless),
        "limit" | "quota" | "ct count" => Item::Cond(Cond::Unknown(format!(
            "a {kind} (passes until its rate or amount is used up)"
        ))),
        "vmap" => Item::Action(vmap(body)),
        "xt" => {
            let name = body.get("name").and_then(Json::as_str).unwrap_or("?");
            match (body.get("type").and_then(Json::as_str), name) {
                (_, "comment") => Item::Action(Action::Harmless),
                (Some("match"), _) => Item::Cond(Cond::Unknown(format!(
                    "the iptables extension match {name:?} (iptables-nft compatibility)"
                ))),
                _ => Item::Action(Action::Unknown(format!(
                    "the iptables extension {name:?} (iptables-nft compatibility)"
                ))),
            }
        }
        "queue" => Item::Action(Action::Unknown(
            "a queue to a userspace program, which decides".to_string(),
        )),
        "dnat" | "redirect" => Item::Action(Action::Unknown(format!(
            "a {kind}: the destination may be rewritten"
        ))),
        other => Item::Action(Action::Unknown(format!("the statement {other:?}"))),
    }
}

fn vmap(body: &Json) -> Action {
    let Some(key) = body.get("key") else {
        return Action::Unknown("a verdict map without key".to_string());
    };
    let field = match field(key) {
        Ok(f) => f,
        Err(what) => return Action::Unknown(format!("a verdict map on {what}")),
    };
    match body.get("data") {
        Some(Json::String(name)) if name.starts_with('@') => Action::VerdictMap {
            field,
            entries: vec![(Value::NamedSet(name[1..].to_string()), Verdict::Continue)],
        },
        Some(data) => {
            let Some(list) = data.get("set").and_then(Json::as_array) else {
                return Action::Unknown(format!("a verdict map {}", brief(data)));
            };
            let mut entries = Vec::new();
            for e in list {
                match e.as_array().map(Vec::as_slice) {
                    Some([k, v]) => match verdict_of(v) {
                        Some(verdict) => entries.push((value(field, k, false), verdict)),
                        None => {
                            return Action::Unknown(format!("a verdict map entry {}", brief(e)))
                        }
                    },
                    _ => return Action::Unknown(format!("a verdict map entry {}", brief(e))),
                }
            }
            Action::VerdictMap { field, entries }
        }
        None => Action::Unknown("a verdict map without data".to_string()),
    }
}

fn condition(body: &Json) -> Cond {
    let op = match body.get("op").and_then(Json::as_str) {
        Some("==" | "in") => Op::Eq,
        Some("!=") => Op::Ne,
        Some("<") => Op::Lt,
        Some(">") => Op::Gt,
        Some("<=") => Op::Le,
        Some(">=") => Op::Ge,
        other => return Cond::Unknown(format!("a match with operator {other:?}")),
    };
    let Some(left) = body.get("left") else {
        return Cond::Unknown("a match without left side".to_string());
    };
    let field = match field(left) {
        Ok(f) => f,
        Err(what) => return Cond::Unknown(format!("a match on {what}")),
    };
    let Some(right) = body.get("right") else {
        return Cond::Unknown("a match without right side".to_string());
    };
    // `ct state established,related` is a flag list: `in` means any of them.
    let value = value(field, right, true);
    Cond::Compare { field, op, value }
}

/// The packet field a match reads, or words for one it does not model.
fn field(left: &Json) -> Result<Field, String> {
    let obj = left.as_object().ok_or_else(|| brief(left))?;
    let (kind, body) = obj.iter().next().ok_or_else(|| brief(left))?;
    let key = body.get("key").and_then(Json::as_str);
    let f = match kind.as_str() {
        "meta" => match key {
            Some("iif") => Field::Iif,
            Some("iifname") => Field::IifName,
            Some("l4proto") => Field::L4Proto,
            Some("nfproto") => Field::NfProto,
            Some("protocol") => Field::EtherProto,
            Some("pkttype") => Field::PktType,
            _ => return Err(format!("meta {}", key.unwrap_or("?"))),
        },
        "ct" if body.get("dir").is_none() => match key {
            Some("state") => Field::CtState,
            Some("direction") => Field::CtDirection,
            Some("status") => Field::CtStatus,
            _ => return Err(format!("ct {}", key.unwrap_or("?"))),
        },
        "payload" => {
            let proto = body.get("protocol").and_then(Json::as_str);
            let name = body.get("field").and_then(Json::as_str);
            match (proto, name) {
                (Some("ip"), Some("saddr")) => Field::SAddr(IpVersion::V4),
                (Some("ip"), Some("daddr")) => Field::DAddr(IpVersion::V4),
                (Some("ip"), Some("protocol")) => Field::IpProtocol,
                (Some("ip6"), Some("saddr")) => Field::SAddr(IpVersion::V6),
                (Some("ip6"), Some("daddr")) => Field::DAddr(IpVersion::V6),
                (Some("ip6"), Some("nexthdr")) => Field::Ip6Nexthdr,
                (Some(p), Some(d @ ("dport" | "sport"))) => {
                    let t = match p {
                        "tcp" => Transport::Tcp,
                        "udp" => Transport::Udp,
                        "th" => Transport::Any,
                        "sctp" | "dccp" | "udplite" => Transport::Other,
                        _ => return Err(format!("{p} {d}")),
                    };
                    if d == "dport" {
                        Field::DPort(t)
                    } else {
                        Field::SPort(t)
                    }
                }
                (Some("icmp"), Some("type")) => Field::IcmpType,
                (Some("icmp"), Some("code")) => Field::IcmpCode,
                (Some("icmpv6"), Some("type")) => Field::Icmpv6Type,
                (Some("icmpv6"), Some("code")) => Field::Icmpv6Code,
                (p, f) => {
                    return Err(format!(
                        "{} {}",
                        p.unwrap_or("raw payload"),
                        f.unwrap_or("?")
                    ))
                }
            }
        }
        "fib" => {
            let result = body.get("result").and_then(Json::as_str);
            let flags: Vec<&str> = match body.get("flags") {
                Some(Json::String(s)) => vec![s.as_str()],
                Some(Json::Array(a)) => a.iter().filter_map(Json::as_str).collect(),
                _ => Vec::new(),
            };
            let mut sorted = flags.clone();
            sorted.sort_unstable();
            if result == Some("type") && flags == ["daddr"] {
                Field::FibDaddrType
            } else if result == Some("oif")
                && (sorted == ["iif", "saddr"] || sorted == ["iif", "mark", "saddr"])
            {
                Field::FibReversePath
            } else {
                return Err(format!(
                    "fib {} {}",
                    flags.join(" . "),
                    result.unwrap_or("?")
                ));
            }
        }
        other => return Err(format!("a {other} expression")),
    };
    Ok(f)
}

/// A right-hand side read for `field`: protocol and ICMP type names become numbers,
/// addresses are parsed, names of interfaces and states stay names. `lists`: a bare
/// JSON list is a set (flag lists of `ct state`).
fn value(field: Field, v: &Json, lists: bool) -> Value {
    match v {
        Json::String(s) if s.starts_with('@') => Value::NamedSet(s[1..].to_string()),
        Json::Array(items) if lists => {
            Value::Set(items.iter().map(|i| value(field, i, false)).collect())
        }
        Json::Object(o) => object_value(field, o),
        _ => retype(field, untyped(v)),
    }
}

fn object_value(field: Field, o: &Map<String, Json>) -> Value {
    if let Some(items) = o.get("set").and_then(Json::as_array) {
        return Value::Set(items.iter().map(|i| value(field, i, false)).collect());
    }
    if let Some(e) = o.get("elem").and_then(|e| e.get("val")) {
        return value(field, e, false);
    }
    retype(field, untyped(&Json::Object(o.clone())))
}

/// A value read without knowing its field: numbers, addresses, prefixes, ranges, and
/// names as they are.
pub(super) fn untyped(v: &Json) -> Value {
    match v {
        Json::Number(n) => n
            .as_u64()
            .map_or_else(|| Value::Unknown(format!("the number {n}")), Value::Num),
        Json::String(s) => match s.parse::<IpAddr>() {
            Ok(a) => Value::Addr(a),
            Err(_) => Value::Name(s.clone()),
        },
        Json::Array(items) => Value::Set(items.iter().map(untyped).collect()),
        // `fib … oif missing` / `exists`.
        Json::Bool(b) => Value::Num(u64::from(*b)),
        Json::Object(o) => {
            if let Some(p) = o.get("prefix") {
                let addr = p
                    .get("addr")
                    .and_then(Json::as_str)
                    .and_then(|a| a.parse().ok());
                let len = p
                    .get("len")
                    .and_then(Json::as_u64)
                    .and_then(|l| u8::try_from(l).ok());
                return match (addr, len) {
                    (Some(a), Some(l)) => Value::Prefix(a, l),
                    _ => Value::Unknown(format!("the prefix {}", brief(p))),
                };
            }
            if let Some(Json::Array(r)) = o.get("range") {
                return match r.as_slice() {
                    [a, b] => match (untyped(a), untyped(b)) {
                        (Value::Num(x), Value::Num(y)) => Value::NumRange(x, y),
                        (Value::Addr(x), Value::Addr(y)) => Value::AddrRange(x, y),
                        (Value::Name(x), Value::Name(y)) => {
                            Value::Unknown(format!("the range {x}-{y}"))
                        }
                        _ => Value::Unknown(format!("the range {}", brief(v))),
                    },
                    _ => Value::Unknown(format!("the range {}", brief(v))),
                };
            }
            if let Some(e) = o.get("elem").and_then(|e| e.get("val")) {
                return untyped(e);
            }
            if let Some(items) = o.get("set").and_then(Json::as_array) {
                return Value::Set(items.iter().map(untyped).collect());
            }
            Value::Unknown(format!("the value {}", brief(v)))
        }
        other => Value::Unknown(format!("the value {}", brief(other))),
    }
}

/// Reads names as the field means them: `tcp` is protocol 6, `echo-request` ICMP
/// type 8 (or ICMPv6 type 128). Used again on named sets' elements at lookup time.
pub(super) fn retype(field: Field, v: Value) -> Value {
    let named = |s: &str| -> Option<u64> {
        match field {
            Field::L4Proto | Field::IpProtocol | Field::Ip6Nexthdr => protocol_number(s),
            Field::IcmpType => icmp_type_number(s),
            Field::Icmpv6Type => icmpv6_type_number(s),
            _ => None,
        }
    };
    let numeric = matches!(
        field,
        Field::L4Proto
            | Field::IpProtocol
            | Field::Ip6Nexthdr
            | Field::IcmpType
            | Field::Icmpv6Type
            | Field::DPort(_)
            | Field::SPort(_)
            | Field::IcmpCode
            | Field::Icmpv6Code
    );
    match v {
        Value::Name(s) if numeric => match named(&s) {
            Some(n) => Value::Num(n),
            None => Value::Unknown(format!("the name {s:?}")),
        },
        Value::Name(s) if !matches!(field, Field::Iif | Field::IifName) => {
            Value::Name(s.to_ascii_lowercase())
        }
        Value::Set(items) => Value::Set(items.into_iter().map(|i| retype(field, i)).collect()),
        other => other,
    }
}
