//! The conservative evaluator: does a new inbound connection reach a local socket
//! through a [`Ruleset`]?
//!
//! The packet walks every base chain of the hooks between the wire and the socket
//! (ingress, prerouting, input), in hook and priority order, as netfilter does: an
//! accept ends one base chain only, a drop or reject anywhere is final. A condition the
//! evaluator cannot decide (an unknown interface name, a rate limit, a match it does not
//! read) forks the walk: one path where the rule matches, one where it does not. When
//! every path ends the same way, that is the answer; when they differ, the answer is
//! "unknown", naming what it depends on. A statement that may change the packet (NAT,
//! queue, marks) ends the walk as unknown: nothing after it can be judged.

use super::model::{
    Action, BaseChain, Chain, Cond, Field, Hook, IpVersion, Item, Op, Policy, Ruleset, TableFamily,
    Transport, Value, Verdict,
};
use super::nft::retype;
use super::{Decision, Judgement};
use crate::types::Protocol;
use std::net::IpAddr;

/// The first packet of a new inbound connection, as far as it is known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inbound {
    pub protocol: Protocol,
    /// The destination port (`None` for ICMP echo).
    pub port: Option<u16>,
    /// IPv6 or IPv4 (when the plan gives names, the caller asks for both).
    pub v6: bool,
    /// The peer's address, when the plan gives one.
    pub source: Option<IpAddr>,
    /// This host's address the peer dials, when known.
    pub destination: Option<IpAddr>,
    /// The interface the packet enters on, when known. Plan flows come from other
    /// hosts, so the packet never enters on `lo`.
    pub interface: Option<String>,
}

/// The deepest jump stack netfilter allows (`NFT_JUMP_STACK_SIZE`).
const MAX_DEPTH: usize = 16;
/// Paths explored per base chain before giving up as unknown.
const MAX_PATHS: usize = 64;
/// Rules looked at per base chain, over all paths (a loop of gotos ends here).
const MAX_STEPS: usize = 100_000;

/// Three-valued truth of a condition.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Tri {
    Yes,
    No,
    Maybe(String),
}

impl Tri {
    fn and(self, other: Tri) -> Tri {
        match (self, other) {
            (Tri::No, _) | (_, Tri::No) => Tri::No,
            (Tri::Maybe(r), _) | (_, Tri::Maybe(r)) => Tri::Maybe(r),
            _ => Tri::Yes,
        }
    }
    fn or(self, other: Tri) -> Tri {
        match (self, other) {
            (Tri::Yes, _) | (_, Tri::Yes) => Tri::Yes,
            (Tri::Maybe(r), _) | (_, Tri::Maybe(r)) => Tri::Maybe(r),
            _ => Tri::No,
        }
    }
    fn not(self) -> Tri {
        match self {
            Tri::Yes => Tri::No,
            Tri::No => Tri::Yes,
            m => m,
        }
    }
}

/// What the packet shows for a field.
#[derive(Debug, Clone)]
enum Seen {
    Num(u64),
    Addr(IpAddr),
    /// A name, or several that all describe the packet (`host`/`unicast`).
    Names(Vec<String>),
    /// An interface known only not to be `lo`.
    NotLoopback,
    /// The header is not there (`tcp dport` of a UDP packet): the match fails whatever
    /// its operator, as nft's implicit protocol dependency makes it.
    Absent,
    Unknown(String),
}

/// How a base chain ended on one path.
#[derive(Debug, Clone)]
enum End {
    Pass(String),
    Block(String),
    /// Undecidable on this path; `alters`: the packet may have been changed.
    Unknown {
        reason: String,
        alters: bool,
    },
}

struct Walk<'a> {
    rs: &'a Ruleset,
    pkt: &'a Inbound,
    chain: &'a Chain,
    base: &'a BaseChain,
}

/// A path through the chains: where it is, its return stack, what it assumed.
#[derive(Debug, Clone)]
struct Path<'a> {
    chain: &'a Chain,
    rule: usize,
    stack: Vec<(&'a Chain, usize)>,
    assumed: Vec<String>,
}

/// Judges one packet against the whole ruleset.
pub fn evaluate(rs: &Ruleset, pkt: &Inbound) -> Decision {
    let mut bases: Vec<(&Chain, &BaseChain)> = rs
        .chains
        .iter()
        .filter_map(|c| c.base.as_ref().map(|b| (c, b)))
        .filter(|(c, _)| match c.family {
            TableFamily::Ip => !pkt.v6,
            TableFamily::Ip6 => pkt.v6,
            TableFamily::Inet | TableFamily::Netdev | TableFamily::Bridge => true,
            TableFamily::Arp => false,
        })
        .collect();
    bases.sort_by_key(|(_, b)| (b.hook, b.priority));
    let mut passed = Vec::new();
    let mut unknown: Option<String> = None;
    for (chain, base) in bases {
        let applies = applies(chain, base, pkt);
        if applies == Tri::No {
            continue;
        }
        let walk = Walk {
            rs,
            pkt,
            chain,
            base,
        };
        match (walk.run(), applies) {
            (End::Pass(e), _) => passed.push(e),
            (End::Block(e), Tri::Yes) => {
                // Final even after an undecided chain: that one could not change the
                // packet (or the walk would have stopped), so whatever it did, this
                // chain drops the flow.
                return Decision::new(Judgement::Blocked, vec![e], String::new());
            }
            (End::Block(e), Tri::Maybe(why)) => {
                unknown.get_or_insert(format!("{e}, if it applies: {why}"));
            }
            (End::Unknown { reason, alters }, _) => {
                let r = format!("{}: {reason}", chain.label());
                if alters {
                    return Decision::new(Judgement::Unknown, passed, r);
                }
                unknown.get_or_insert(r);
            }
            (End::Block(_), Tri::No) => {}
        }
    }
    match unknown {
        Some(r) => Decision::new(Judgement::Unknown, passed, r),
        None if passed.is_empty() => Decision::new(
            Judgement::Allowed,
            vec!["no base chain filters the input path".to_string()],
            String::new(),
        ),
        None => Decision::new(Judgement::Allowed, passed, String::new()),
    }
}

/// Whether a base chain sees the packet at all (ingress chains are bound to devices;
/// bridge chains only see frames of bridge ports).
fn applies(chain: &Chain, base: &BaseChain, pkt: &Inbound) -> Tri {
    if chain.family == TableFamily::Bridge {
        return Tri::Maybe(format!(
            "{} sees the flow only if it enters through a bridge port",
            chain.label()
        ));
    }
    if base.hook != Hook::Ingress || base.devices.is_empty() {
        return if chain.family == TableFamily::Netdev && base.hook != Hook::Ingress {
            Tri::No
        } else {
            Tri::Yes
        };
    }
    match &pkt.interface {
        Some(i) => {
            if base.devices.iter().any(|d| d == i) {
                Tri::Yes
            } else {
                Tri::No
            }
        }
        None => Tri::Maybe(format!(
            "{} is bound to {} and the flow's interface is not known",
            chain.label(),
            base.devices.join(", ")
        )),
    }
}

impl<'a> Walk<'a> {
    fn run(&self) -> End {
        let mut todo = vec![Path {
            chain: self.chain,
            rule: 0,
            stack: Vec::new(),
            assumed: Vec::new(),
        }];
        let mut ends: Vec<(End, Vec<String>)> = Vec::new();
        let mut steps = 0usize;
        let mut paths = 1usize;
        while let Some(mut path) = todo.pop() {
            let end = loop {
                steps += 1;
                if steps > MAX_STEPS {
                    return End::Unknown {
                        reason: "the ruleset is too large or loops (evaluation stopped)"
                            .to_string(),
                        alters: false,
                    };
                }
                let forks = todo.len();
                let step = self.step(&mut path, &mut todo);
                paths += todo.len().saturating_sub(forks);
                if paths > MAX_PATHS {
                    return End::Unknown {
                        reason: format!(
                            "too many rules it cannot decide (more than {MAX_PATHS} paths)"
                        ),
                        alters: false,
                    };
                }
                if let Step::End(e) = step {
                    break e;
                }
            };
            ends.push((end, path.assumed));
        }
        combine(ends)
    }

    /// One rule of a path; a rule it cannot decide leaves the path where it does not
    /// match in `todo` and takes the rule on this one.
    fn step(&self, path: &mut Path<'a>, todo: &mut Vec<Path<'a>>) -> Step {
        let Some(rule) = path.chain.rules.get(path.rule) else {
            return self.leave(path, "end of chain");
        };
        path.rule += 1;
        let mut truth = Tri::Yes;
        for item in &rule.items {
            if let Item::Cond(c) = item {
                truth = truth.and(self.cond(path.chain, c));
                if truth == Tri::No {
                    // Most rules fail on their first condition: no words built for them.
                    return Step::Next;
                }
            }
        }
        let at = format!("{} {}", path.chain.label(), rule.id);
        match truth {
            Tri::No => Step::Next,
            Tri::Yes => self.act(path, rule, &at),
            Tri::Maybe(why) => {
                let mut other = path.clone();
                other.assumed.push(format!("{at} does not match ({why})"));
                todo.push(other);
                path.assumed.push(format!("{at} matches ({why})"));
                self.act(path, rule, &at)
            }
        }
    }

    /// Runs a matching rule's actions in order.
    fn act(&self, path: &mut Path<'a>, rule: &'a super::model::Rule, at: &str) -> Step {
        for item in &rule.items {
            let Item::Action(a) = item else { continue };
            match a {
                Action::Harmless => {}
                Action::Unknown(what) => {
                    return Step::End(End::Unknown {
                        reason: format!("{at}: {what}"),
                        alters: true,
                    })
                }
                Action::Verdict(v) => return self.verdict(path, v, at),
                Action::VerdictMap { field, entries } => {
                    match self.lookup_map(path.chain, *field, entries) {
                        Ok(Some(v)) => return self.verdict(path, &v, at),
                        Ok(None) => {}
                        Err(why) => {
                            return Step::End(End::Unknown {
                                reason: format!("{at}: a verdict map: {why}"),
                                alters: false,
                            })
                        }
                    }
                }
            }
        }
        Step::Next
    }

    fn verdict(&self, path: &mut Path<'a>, v: &Verdict, at: &str) -> Step {
        match v {
            Verdict::Accept => Step::End(End::Pass(format!("{at}: accept"))),
            Verdict::Drop => Step::End(End::Block(format!("{at}: drop"))),
            Verdict::Reject(how) => Step::End(End::Block(format!("{at}: reject ({how})"))),
            Verdict::Continue => Step::Next,
            Verdict::Return => self.leave(path, "return"),
            Verdict::Jump(target) | Verdict::Goto(target) => {
                let Some(next) = self.rs.chain(path.chain.family, &path.chain.table, target) else {
                    return Step::End(End::Unknown {
                        reason: format!(
                            "{at}: jumps to {target:?}, which the ruleset does not list"
                        ),
                        alters: false,
                    });
                };
                if matches!(v, Verdict::Jump(_)) {
                    if path.stack.len() >= MAX_DEPTH {
                        return Step::End(End::Unknown {
                            reason: format!("{at}: jumps deeper than {MAX_DEPTH} chains"),
                            alters: false,
                        });
                    }
                    path.stack.push((path.chain, path.rule));
                }
                path.chain = next;
                path.rule = 0;
                Step::Next
            }
        }
    }

    /// The end of a chain or a `return`: back to the last jump, or the base policy.
    fn leave(&self, path: &mut Path<'a>, how: &str) -> Step {
        if let Some((chain, rule)) = path.stack.pop() {
            path.chain = chain;
            path.rule = rule;
            return Step::Next;
        }
        let what = format!("{}: {how}, policy", self.chain.label());
        match self.base.policy {
            Policy::Accept => Step::End(End::Pass(format!("{what} accept"))),
            Policy::Drop => Step::End(End::Block(format!("{what} drop"))),
        }
    }

    fn lookup_map(
        &self,
        chain: &Chain,
        field: Field,
        entries: &[(Value, Verdict)],
    ) -> Result<Option<Verdict>, String> {
        let seen = self.seen(field);
        if let [(Value::NamedSet(name), _)] = entries {
            let Some(set) = self.rs.set(chain.family, &chain.table, name) else {
                return Err(format!("the map @{name} is not in the ruleset"));
            };
            let verdicts = set
                .verdicts
                .as_ref()
                .ok_or(format!("@{name} is not a verdict map"))?;
            if set.dynamic {
                return Err(format!("@{name} is filled at run time"));
            }
            if verdicts.len() != set.elements.len() {
                return Err(format!("@{name} holds a verdict this reader does not know"));
            }
            let entries: Vec<(Value, Verdict)> = set
                .elements
                .iter()
                .cloned()
                .map(|v| retype(field, v))
                .zip(verdicts.iter().cloned())
                .collect();
            return self.first_entry(chain, &seen, &entries);
        }
        self.first_entry(chain, &seen, entries)
    }

    fn first_entry(
        &self,
        chain: &Chain,
        seen: &Seen,
        entries: &[(Value, Verdict)],
    ) -> Result<Option<Verdict>, String> {
        if matches!(seen, Seen::Absent) {
            return Ok(None);
        }
        for (key, verdict) in entries {
            match self.member(chain, seen, key) {
                Tri::Yes => return Ok(Some(verdict.clone())),
                Tri::No => {}
                Tri::Maybe(why) => return Err(why),
            }
        }
        Ok(None)
    }

    fn cond(&self, chain: &Chain, c: &Cond) -> Tri {
        match c {
            Cond::Unknown(what) => Tri::Maybe(format!("it cannot read {what}")),
            Cond::Compare { field, op, value } => {
                let seen = self.seen(*field);
                if let Seen::Absent = seen {
                    return Tri::No;
                }
                match op {
                    Op::Eq => self.member(chain, &seen, value),
                    Op::Ne => self.member(chain, &seen, value).not(),
                    Op::Lt | Op::Gt | Op::Le | Op::Ge => match (&seen, value) {
                        (Seen::Num(n), Value::Num(v)) => {
                            let yes = match op {
                                Op::Lt => n < v,
                                Op::Gt => n > v,
                                Op::Le => n <= v,
                                _ => n >= v,
                            };
                            if yes {
                                Tri::Yes
                            } else {
                                Tri::No
                            }
                        }
                        (Seen::Unknown(r), _) => Tri::Maybe(r.clone()),
                        _ => Tri::Maybe("an ordering comparison it does not read".to_string()),
                    },
                }
            }
        }
    }

    /// Whether the packet's value is (in) `value`.
    fn member(&self, chain: &Chain, seen: &Seen, value: &Value) -> Tri {
        if let Seen::Unknown(r) = seen {
            return Tri::Maybe(r.clone());
        }
        match value {
            Value::Set(items) => items
                .iter()
                .fold(Tri::No, |acc, v| acc.or(self.member(chain, seen, v))),
            Value::NamedSet(name) => {
                let Some(set) = self.rs.set(chain.family, &chain.table, name) else {
                    return Tri::Maybe(format!("the set @{name} is not in the ruleset"));
                };
                if set.dynamic {
                    return Tri::Maybe(format!(
                        "the set @{name} is filled at run time; what it holds now says nothing about a new flow"
                    ));
                }
                set.elements.iter().fold(Tri::No, |acc, v| {
                    acc.or(self.member(chain, seen, &retype_seen(seen, v)))
                })
            }
            Value::Unknown(what) => Tri::Maybe(format!("it cannot read {what}")),
            Value::Num(v) => match seen {
                Seen::Num(n) => tri(n == v),
                _ => Tri::Maybe(format!("a number compared with {}", describe(seen))),
            },
            Value::NumRange(a, b) => match seen {
                Seen::Num(n) => tri(a <= n && n <= b),
                _ => Tri::Maybe(format!("a range compared with {}", describe(seen))),
            },
            Value::Addr(a) => match seen {
                Seen::Addr(x) => tri(x == a),
                _ => Tri::Maybe(format!("an address compared with {}", describe(seen))),
            },
            Value::Prefix(a, len) => match seen {
                Seen::Addr(x) => tri(in_prefix(*x, *a, *len)),
                _ => Tri::Maybe(format!("a prefix compared with {}", describe(seen))),
            },
            Value::AddrRange(a, b) => match seen {
                Seen::Addr(x) => tri(in_range(*x, *a, *b)),
                _ => Tri::Maybe(format!("an address range compared with {}", describe(seen))),
            },
            Value::Name(n) => match seen {
                Seen::Names(names) => tri(names.iter().any(|s| name_matches(n, s))),
                Seen::NotLoopback if n == "lo" => Tri::No,
                Seen::NotLoopback => Tri::Maybe(format!(
                    "the flow's input interface is not known (the rule names {n:?})"
                )),
                _ => Tri::Maybe(format!("the name {n:?} compared with {}", describe(seen))),
            },
        }
    }

    /// The packet's value of `field` at this chain's place in the path.
    fn seen(&self, field: Field) -> Seen {
        let p = self.pkt;
        let proto: u64 = match (p.protocol, p.v6) {
            (Protocol::Tcp, _) => 6,
            (Protocol::Udp, _) => 17,
            (Protocol::Icmp, false) => 1,
            (Protocol::Icmp, true) => 58,
        };
        let addr = |version: IpVersion, a: Option<IpAddr>, which: &str| -> Seen {
            let present = match version {
                IpVersion::V4 => !p.v6,
                IpVersion::V6 => p.v6,
                IpVersion::Any => true,
            };
            match (present, a) {
                (false, _) => Seen::Absent,
                (true, Some(a)) => Seen::Addr(a),
                (true, None) => Seen::Unknown(format!(
                    "the flow's {which} address is a name, not an address"
                )),
            }
        };
        let names = |n: &[&str]| Seen::Names(n.iter().map(|s| s.to_string()).collect());
        match field {
            Field::Iif | Field::IifName => match &p.interface {
                Some(i) => Seen::Names(vec![i.clone()]),
                None => Seen::NotLoopback,
            },
            Field::L4Proto => Seen::Num(proto),
            Field::IpProtocol if !p.v6 => Seen::Num(proto),
            Field::Ip6Nexthdr if p.v6 => Seen::Num(proto),
            Field::IpProtocol | Field::Ip6Nexthdr => Seen::Absent,
            Field::NfProto => names(&[if p.v6 { "ipv6" } else { "ipv4" }]),
            Field::EtherProto => names(&[if p.v6 { "ip6" } else { "ip" }]),
            Field::SAddr(v) => addr(v, p.source, "source"),
            Field::DAddr(v) => addr(v, p.destination, "destination"),
            Field::DPort(t) | Field::SPort(t) => {
                let present = matches!(
                    (t, p.protocol),
                    (Transport::Tcp, Protocol::Tcp)
                        | (Transport::Udp, Protocol::Udp)
                        | (Transport::Any, Protocol::Tcp | Protocol::Udp)
                );
                match (present, p.port, field) {
                    (false, _, _) | (true, None, _) => Seen::Absent,
                    (true, Some(_), Field::SPort(_)) => {
                        Seen::Unknown("the source port, which the peer chooses".to_string())
                    }
                    (true, Some(port), _) => Seen::Num(u64::from(port)),
                }
            }
            Field::IcmpType if p.protocol == Protocol::Icmp && !p.v6 => Seen::Num(8),
            Field::Icmpv6Type if p.protocol == Protocol::Icmp && p.v6 => Seen::Num(128),
            Field::IcmpCode if p.protocol == Protocol::Icmp && !p.v6 => Seen::Num(0),
            Field::Icmpv6Code if p.protocol == Protocol::Icmp && p.v6 => Seen::Num(0),
            Field::IcmpType | Field::Icmpv6Type | Field::IcmpCode | Field::Icmpv6Code => {
                Seen::Absent
            }
            Field::CtState | Field::CtDirection | Field::CtStatus => {
                // Conntrack runs at prerouting priority -200: before it (and at
                // ingress) a packet has no state yet.
                let before_conntrack = match self.base.hook {
                    Hook::Ingress => true,
                    Hook::Prerouting => self.base.priority < -200,
                    Hook::Input => false,
                };
                if before_conntrack {
                    Seen::Unknown("a conntrack state before conntrack runs".to_string())
                } else if field == Field::CtState {
                    names(&["new"])
                } else if field == Field::CtDirection {
                    names(&["original"])
                } else {
                    // Not confirmed before the input hook's end; not DNATed, or the walk
                    // would have stopped at the NAT statement as unknown.
                    names(&[])
                }
            }
            Field::PktType => names(&["host", "unicast"]),
            Field::FibDaddrType => names(&["local"]),
            Field::FibReversePath => match p.interface {
                Some(_) => Seen::Num(1),
                None => Seen::Unknown(
                    "a reverse-path check, and the flow's interface is not known".to_string(),
                ),
            },
        }
    }
}

/// A path's next move.
enum Step {
    Next,
    End(End),
}

fn tri(b: bool) -> Tri {
    if b {
        Tri::Yes
    } else {
        Tri::No
    }
}

fn describe(seen: &Seen) -> &'static str {
    match seen {
        Seen::Num(_) => "a number",
        Seen::Addr(_) => "an address",
        Seen::Names(_) => "a name",
        Seen::NotLoopback => "an interface",
        Seen::Absent => "nothing",
        Seen::Unknown(_) => "an unknown value",
    }
}

/// A set element read untyped, typed for the field the packet value came from.
fn retype_seen(seen: &Seen, v: &Value) -> Value {
    let field = match seen {
        Seen::Num(_) => Field::DPort(Transport::Any),
        _ => Field::IifName,
    };
    match (seen, v) {
        // Names of protocols or ICMP types inside named sets: rare; leave unknown rather
        // than guess which numbering the set uses.
        (Seen::Num(_), Value::Name(n)) => Value::Unknown(format!("the set element {n:?}")),
        _ => retype(field, v.clone()),
    }
}

/// nft's `iifname "eth*"` (and iptables' `-i eth+`, read as `*`) wildcards.
fn name_matches(pattern: &str, name: &str) -> bool {
    match pattern.strip_suffix('*') {
        Some(prefix) => name.starts_with(prefix),
        None => pattern == name,
    }
}

fn bits(a: IpAddr) -> (u128, u8, bool) {
    match a {
        IpAddr::V4(v) => (u128::from(u32::from(v)), 32, false),
        IpAddr::V6(v) => (u128::from(v), 128, true),
    }
}

fn in_prefix(x: IpAddr, net: IpAddr, len: u8) -> bool {
    let (xb, width, x6) = bits(x);
    let (nb, _, n6) = bits(net);
    if x6 != n6 || len > width {
        return false;
    }
    if len == 0 {
        return true;
    }
    let shift = u32::from(width - len);
    (xb >> shift) == (nb >> shift)
}

fn in_range(x: IpAddr, a: IpAddr, b: IpAddr) -> bool {
    let (xb, _, x6) = bits(x);
    let (ab, _, a6) = bits(a);
    let (bb, _, b6) = bits(b);
    x6 == a6 && x6 == b6 && ab <= xb && xb <= bb
}

/// One answer from the ends of every path through a base chain.
fn combine(ends: Vec<(End, Vec<String>)>) -> End {
    let all_pass = ends.iter().all(|(e, _)| matches!(e, End::Pass(_)));
    let all_block = ends.iter().all(|(e, _)| matches!(e, End::Block(_)));
    let evidence = |ends: &[(End, Vec<String>)]| -> String {
        let mut seen: Vec<&str> = Vec::new();
        for (e, _) in ends {
            if let End::Pass(s) | End::Block(s) = e {
                if !seen.contains(&s.as_str()) {
                    seen.push(s);
                }
            }
        }
        seen.join(" or ")
    };
    if all_pass {
        return End::Pass(evidence(&ends));
    }
    if all_block {
        return End::Block(evidence(&ends));
    }
    if let Some((End::Unknown { reason, alters }, _)) =
        ends.iter().find(|(e, _)| matches!(e, End::Unknown { .. }))
    {
        return End::Unknown {
            reason: reason.clone(),
            alters: *alters,
        };
    }
    // Paths disagree: name the first assumption the answer depends on.
    let why = ends
        .iter()
        .flat_map(|(_, a)| a.iter())
        .next()
        .cloned()
        .unwrap_or_else(|| "paths disagree".to_string());
    End::Unknown {
        reason: format!("depends on whether {why}"),
        alters: false,
    }
}
