//! Address groups as a firewall writes them: consecutive addresses collapse to exact
//! CIDR blocks (`10.0.1.0/27` is 32 hosts, never "about" them), DNS names stay names.
//!
//! Collapsing is exact: the blocks hold every address of the group and no other, so a
//! rule over the blocks opens what the plan asks for and nothing more.

use crate::Address;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// One entry of an address list.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Block {
    /// An IPv4 network, `prefix` 32 for one host.
    V4(Ipv4Addr, u8),
    /// An IPv6 network, `prefix` 128 for one host.
    V6(Ipv6Addr, u8),
    /// A DNS name: no firewall should resolve it at load time, so it is left to a person.
    Name(String),
}

impl Block {
    /// `10.0.1.0/27`, `10.0.1.5/32`: what every dialect accepts.
    pub fn cidr(&self) -> String {
        match self {
            Block::V4(ip, p) => format!("{ip}/{p}"),
            Block::V6(ip, p) => format!("{ip}/{p}"),
            Block::Name(n) => n.clone(),
        }
    }

    /// `10.0.1.5` for one host, `10.0.1.0/27` for a network: what people read.
    pub fn text(&self) -> String {
        match self {
            Block::V4(ip, 32) => ip.to_string(),
            Block::V6(ip, 128) => ip.to_string(),
            other => other.cidr(),
        }
    }

    pub fn is_v4(&self) -> bool {
        matches!(self, Block::V4(..))
    }
    pub fn is_v6(&self) -> bool {
        matches!(self, Block::V6(..))
    }
    /// How many addresses the block holds (a name counts as one).
    pub fn size(&self) -> u128 {
        match self {
            Block::V4(_, p) => 1u128 << (32 - u32::from(*p)),
            Block::V6(_, p) if *p == 0 => u128::MAX,
            Block::V6(_, p) => 1u128 << (128 - u32::from(*p)),
            Block::Name(_) => 1,
        }
    }
}

/// The exact CIDR blocks of `addresses` (IPv4 first, then IPv6, then names; each
/// family in address order, duplicates once).
pub fn collapse<'a>(addresses: impl IntoIterator<Item = &'a str>) -> Vec<Block> {
    let mut v4: Vec<u128> = Vec::new();
    let mut v6: Vec<u128> = Vec::new();
    let mut names: Vec<String> = Vec::new();
    for a in addresses {
        match a.parse::<Address>() {
            Ok(Address::Ip(IpAddr::V4(ip))) => v4.push(u128::from(u32::from(ip))),
            Ok(Address::Ip(IpAddr::V6(ip))) => v6.push(u128::from(ip)),
            _ => {
                if !names.iter().any(|n| n.eq_ignore_ascii_case(a)) {
                    names.push(a.to_string());
                }
            }
        }
    }
    let mut out: Vec<Block> = runs(v4)
        .into_iter()
        .flat_map(|(a, b)| cover(a, b, 32))
        .map(|(n, p)| Block::V4(Ipv4Addr::from(n as u32), p))
        .collect();
    out.extend(
        runs(v6)
            .into_iter()
            .flat_map(|(a, b)| cover(a, b, 128))
            .map(|(n, p)| Block::V6(Ipv6Addr::from(n), p)),
    );
    out.extend(names.into_iter().map(Block::Name));
    out
}

/// Sorted runs of consecutive numbers, as (first, last).
fn runs(mut v: Vec<u128>) -> Vec<(u128, u128)> {
    crate::order::sort(&mut v);
    v.dedup();
    let mut out: Vec<(u128, u128)> = Vec::new();
    for n in v {
        match out.last_mut() {
            Some((_, last)) if last.checked_add(1) == Some(n) => *last = n,
            _ => out.push((n, n)),
        }
    }
    out
}

/// The fewest aligned blocks covering exactly `first..=last` in a `bits`-bit space.
fn cover(mut first: u128, last: u128, bits: u32) -> Vec<(u128, u8)> {
    let mut out = Vec::new();
    loop {
        // The largest block that starts at `first` (alignment) and ends by `last`.
        let mut size_bits = if first == 0 {
            bits
        } else {
            first.trailing_zeros().min(bits)
        };
        while size_bits > 0 {
            let span = if size_bits >= 128 {
                u128::MAX
            } else {
                (1u128 << size_bits) - 1
            };
            if first.checked_add(span).is_some_and(|end| end <= last) {
                break;
            }
            size_bits -= 1;
        }
        out.push((first, (bits - size_bits) as u8));
        let span = if size_bits >= 128 {
            u128::MAX
        } else {
            (1u128 << size_bits) - 1
        };
        match first.checked_add(span).and_then(|e| e.checked_add(1)) {
            Some(next) if next <= last => first = next,
            _ => break,
        }
    }
    out
}

/// `10.0.1.1-10.0.1.30` for a run that no single block covers, the block otherwise:
/// how the view writes a group's addresses.
pub fn ranges_text<'a>(addresses: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let blocks = collapse(addresses);
    let mut out: Vec<String> = Vec::new();
    let mut i = 0;
    while i < blocks.len() {
        // Adjacent blocks of one run are written as one range.
        let mut j = i;
        while j + 1 < blocks.len() && adjacent(&blocks[j], &blocks[j + 1]) {
            j += 1;
        }
        if j == i {
            out.push(blocks[i].text());
        } else {
            out.push(format!("{}-{}", first(&blocks[i]), last(&blocks[j])));
        }
        i = j + 1;
    }
    out
}

fn bounds(b: &Block) -> Option<(u128, u128, bool)> {
    match b {
        Block::V4(ip, _) => Some((u128::from(u32::from(*ip)), b.size(), true)),
        Block::V6(ip, _) => Some((u128::from(*ip), b.size(), false)),
        Block::Name(_) => None,
    }
}

fn adjacent(a: &Block, b: &Block) -> bool {
    match (bounds(a), bounds(b)) {
        (Some((x, n, fa)), Some((y, _, fb))) => fa == fb && x.checked_add(n) == Some(y),
        _ => false,
    }
}

fn first(b: &Block) -> String {
    match b {
        Block::V4(ip, _) => ip.to_string(),
        Block::V6(ip, _) => ip.to_string(),
        Block::Name(n) => n.clone(),
    }
}

fn last(b: &Block) -> String {
    match bounds(b) {
        Some((x, n, true)) => Ipv4Addr::from((x + n - 1) as u32).to_string(),
        Some((x, n, false)) => Ipv6Addr::from(x.saturating_add(n - 1)).to_string(),
        None => first(b),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(addrs: &[&str]) -> Vec<String> {
        collapse(addrs.iter().copied())
            .iter()
            .map(Block::cidr)
            .collect()
    }

    /// One line per case: addresses → exact blocks.
    #[test]
    fn consecutive_addresses_collapse_exactly() {
        let thirty: Vec<String> = (1..=30).map(|i| format!("10.0.1.{i}")).collect();
        let thirty: Vec<&str> = thirty.iter().map(String::as_str).collect();
        let all: Vec<String> = (0..=255).map(|i| format!("10.0.2.{i}")).collect();
        let all: Vec<&str> = all.iter().map(String::as_str).collect();
        let cases: [(&[&str], &[&str]); 7] = [
            (&["10.0.0.5"], &["10.0.0.5/32"]),
            (&["10.0.0.5", "10.0.0.5"], &["10.0.0.5/32"]),
            (&["10.0.0.4", "10.0.0.5"], &["10.0.0.4/31"]),
            (&["10.0.0.5", "10.0.0.6"], &["10.0.0.5/32", "10.0.0.6/32"]),
            (
                &thirty,
                &[
                    "10.0.1.1/32",
                    "10.0.1.2/31",
                    "10.0.1.4/30",
                    "10.0.1.8/29",
                    "10.0.1.16/29",
                    "10.0.1.24/30",
                    "10.0.1.28/31",
                    "10.0.1.30/32",
                ],
            ),
            (&all, &["10.0.2.0/24"]),
            (
                &["fd00::2", "vc01.corp", "fd00::3", "10.0.0.1", "VC01.corp"],
                &["10.0.0.1/32", "fd00::2/127", "vc01.corp"],
            ),
        ];
        for (input, want) in cases {
            assert_eq!(texts(input), want, "{input:?}");
        }
        // Exact: the blocks hold as many addresses as the input, no more.
        let total: u128 = collapse(thirty.iter().copied())
            .iter()
            .map(Block::size)
            .sum();
        assert_eq!(total, 30);
        assert_eq!(ranges_text(thirty.iter().copied()), ["10.0.1.1-10.0.1.30"]);
        assert_eq!(ranges_text(all.iter().copied()), ["10.0.2.0/24"]);
        assert_eq!(
            ranges_text(["10.0.0.1", "10.0.0.3", "10.0.0.4"]),
            ["10.0.0.1", "10.0.0.3-10.0.0.4"]
        );
    }

    #[test]
    fn extremes_do_not_overflow() {
        assert_eq!(texts(&["0.0.0.0", "0.0.0.1"]), ["0.0.0.0/31"]);
        assert_eq!(
            texts(&["255.255.255.254", "255.255.255.255"]),
            ["255.255.255.254/31"]
        );
        assert_eq!(
            texts(&["ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"]),
            ["ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128"]
        );
    }
}
