//! UDP 137: a NetBIOS node status (NBSTAT) query, answered with the host's NetBIOS
//! names and its MAC address (what `nbtstat -A` shows), RFC 1002 §4.2.17–18.

use super::bytes::{printable, Cursor};
use super::{Confirmation, Limits, ProtoError};
use std::net::SocketAddr;
use tokio::net::UdpSocket;

const P: &str = "netbios-ns";
/// A node status answer is at most a few hundred bytes; a UDP datagram is never more.
const MAX_DATAGRAM: usize = 1500;

/// One registered NetBIOS name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NbName {
    pub name: String,
    /// The 16th byte: 0x00 workstation, 0x20 file server, 0x1d master browser, …
    pub suffix: u8,
    pub group: bool,
    pub active: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeStatus {
    pub names: Vec<NbName>,
    /// `aa:bb:cc:dd:ee:ff` (Samba reports zeros).
    pub mac: String,
}

impl NodeStatus {
    /// The machine name: the first unique name with suffix 0x00 or 0x20.
    pub fn machine_name(&self) -> Option<&str> {
        self.names
            .iter()
            .find(|n| !n.group && (n.suffix == 0x00 || n.suffix == 0x20))
            .map(|n| n.name.as_str())
    }
}

/// The NBSTAT query for the wildcard name `*`, with transaction id `id`.
pub fn nbstat_request(id: u16) -> Vec<u8> {
    let mut q = Vec::with_capacity(50);
    q.extend_from_slice(&id.to_be_bytes());
    q.extend_from_slice(&[0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00]);
    q.push(32);
    let mut raw = [0u8; 16];
    raw[0] = b'*';
    for b in raw {
        q.push(b'A' + (b >> 4));
        q.push(b'A' + (b & 0x0f));
    }
    q.push(0);
    q.extend_from_slice(&[0x00, 0x21, 0x00, 0x01]); // NBSTAT, IN
    q
}

/// Skips a (possibly compressed) name in a NetBIOS/DNS message.
fn skip_name(c: &mut Cursor<'_>) -> Option<()> {
    for _ in 0..64 {
        let len = c.u8()?;
        match len {
            0 => return Some(()),
            l if l & 0xc0 == 0xc0 => return c.skip(1),
            l if l & 0xc0 != 0 => return None,
            l => c.skip(l as usize)?,
        }
    }
    None
}

/// Parses a node status response; `expected_id` guards against stray datagrams.
pub fn parse_nbstat_response(b: &[u8], expected_id: Option<u16>) -> Result<NodeStatus, ProtoError> {
    let truncated = || ProtoError::Truncated {
        protocol: P,
        len: b.len(),
    };
    let mut c = Cursor::new(b);
    let id = c.u16_be().ok_or_else(truncated)?;
    if expected_id.is_some_and(|e| e != id) {
        return Err(ProtoError::malformed(
            P,
            format!("transaction id {id} is not ours"),
        ));
    }
    let flags = c.u16_be().ok_or_else(truncated)?;
    if flags & 0x8000 == 0 {
        return Err(ProtoError::malformed(P, "not a response"));
    }
    let rcode = flags & 0x000f;
    if rcode != 0 {
        return Err(ProtoError::Refused {
            protocol: P,
            message: format!("rcode {rcode}"),
        });
    }
    let qd = c.u16_be().ok_or_else(truncated)?;
    let an = c.u16_be().ok_or_else(truncated)?;
    c.skip(4).ok_or_else(truncated)?;
    if an == 0 {
        return Err(ProtoError::malformed(P, "no answer record"));
    }
    for _ in 0..qd.min(4) {
        skip_name(&mut c).ok_or_else(truncated)?;
        c.skip(4).ok_or_else(truncated)?;
    }
    skip_name(&mut c).ok_or_else(truncated)?;
    let rtype = c.u16_be().ok_or_else(truncated)?;
    if rtype != 0x21 {
        return Err(ProtoError::malformed(
            P,
            format!("record type 0x{rtype:04x}, not NBSTAT"),
        ));
    }
    c.skip(2 + 4).ok_or_else(truncated)?; // class, TTL
    let rdlen = c.u16_be().ok_or_else(truncated)? as usize;
    let rdata = c.take(rdlen).ok_or_else(truncated)?;
    let mut r = Cursor::new(rdata);
    let count = r.u8().ok_or_else(truncated)?;
    let mut names = Vec::with_capacity(count as usize);
    for _ in 0..count {
        let raw = r.take(15).ok_or_else(truncated)?;
        let suffix = r.u8().ok_or_else(truncated)?;
        let nflags = r.u16_be().ok_or_else(truncated)?;
        names.push(NbName {
            name: printable(raw, 15).trim_end().to_string(),
            suffix,
            group: nflags & 0x8000 != 0,
            active: nflags & 0x0400 != 0,
        });
    }
    let mac = r
        .take(6)
        .map(|m| {
            m.iter()
                .map(|b| format!("{b:02x}"))
                .collect::<Vec<_>>()
                .join(":")
        })
        .unwrap_or_default();
    Ok(NodeStatus { names, mac })
}

/// Sends the query (up to three times within the timeout) and parses the answer.
pub async fn confirm(addr: SocketAddr, limits: Limits) -> anyhow::Result<Confirmation> {
    let bind: SocketAddr = if addr.is_ipv4() {
        "0.0.0.0:0"
    } else {
        "[::]:0"
    }
    .parse()?;
    let sock = UdpSocket::bind(bind).await?;
    sock.connect(addr).await?;
    let mut idb = [0u8; 2];
    super::token::fill_random(&mut idb)?;
    let id = u16::from_be_bytes(idb);
    let req = nbstat_request(id);
    let mut buf = vec![0u8; MAX_DATAGRAM];
    let per_try = limits.timeout / 3;
    for _ in 0..3 {
        sock.send(&req).await?;
        let deadline = tokio::time::Instant::now() + per_try;
        // Ignore stray datagrams until the deadline; a bounded number of them.
        for _ in 0..16 {
            let Ok(r) = tokio::time::timeout_at(deadline, sock.recv(&mut buf)).await else {
                break;
            };
            let n = r?;
            if let Ok(st) = parse_nbstat_response(&buf[..n], Some(id)) {
                return Ok(to_confirmation(&st));
            }
        }
    }
    anyhow::bail!(
        "netbios-ns: no node status answer within {:?}",
        limits.timeout
    )
}

fn to_confirmation(st: &NodeStatus) -> Confirmation {
    let list: Vec<String> = st
        .names
        .iter()
        .map(|n| {
            format!(
                "{}<{:02x}>{}",
                n.name,
                n.suffix,
                if n.group { " group" } else { "" }
            )
        })
        .collect();
    let summary = format!(
        "NetBIOS name {}, {} names, MAC {}",
        st.machine_name().unwrap_or("?"),
        st.names.len(),
        st.mac
    );
    Confirmation::new("netbios-ns", summary)
        .detail("netbios_name", st.machine_name().unwrap_or(""))
        .detail("names", list.join(", "))
        .detail("mac", st.mac.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_layout() {
        let q = nbstat_request(0x1234);
        assert_eq!(q.len(), 50);
        assert_eq!(&q[13..15], b"CK"); // '*' = 0x2a
        assert_eq!(&q[46..], &[0, 0x21, 0, 1]);
    }

    #[test]
    fn refusals() {
        assert!(parse_nbstat_response(&[], None).is_err());
        let q = nbstat_request(7);
        assert!(
            parse_nbstat_response(&q, Some(7)).is_err(),
            "a query is not an answer"
        );
        let mut resp = q.clone();
        resp[2] = 0x84;
        assert!(parse_nbstat_response(&resp, Some(8)).is_err(), "wrong id");
    }
}
