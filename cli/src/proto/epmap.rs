//! TCP 135: a DCE/RPC bind to the endpoint mapper and `ept_lookup` (opnum 2), listing
//! the registered endpoints like `portqry -e 135`. The TCP ports it lists are the
//! dynamic RPC range in use; probing them is the real test of that range (WMI, DCOM).
//!
//! Wire formats: DCE 1.1 RPC (C706) connection-oriented PDUs, NDR little-endian,
//! towers per C706 appendix L.

use super::bytes::{guid_le, printable, Cursor};
use super::io::{read_exact, Capped, Stream};
use super::{Confirmation, Limits, ProtoError};
use tokio::io::AsyncWriteExt;

const P: &str = "msrpc-epm";
/// e1af8308-5d1f-11c9-91a4-08002b14a0fa v3.0, little-endian layout.
const EPM_UUID: [u8; 16] = [
    0x08, 0x83, 0xaf, 0xe1, 0x1f, 0x5d, 0xc9, 0x11, 0x91, 0xa4, 0x08, 0x00, 0x2b, 0x14, 0xa0, 0xfa,
];
/// NDR transfer syntax 8a885d04-1ceb-11c9-9fe8-08002b104860 v2.
const NDR_UUID: [u8; 16] = [
    0x04, 0x5d, 0x88, 0x8a, 0xeb, 0x1c, 0xc9, 0x11, 0x9f, 0xe8, 0x08, 0x00, 0x2b, 0x10, 0x48, 0x60,
];
const MAX_FRAG: u16 = 4280;
/// All fragments of one response together; 500 entries are far below this.
const MAX_RESPONSE: usize = 512 * 1024;
const MAX_ENTS: u32 = 500;
/// `ept_lookup` calls per confirmation (each returns up to [`MAX_ENTS`]).
const MAX_CALLS: usize = 8;

/// Interfaces worth naming in a report: DCOM/WMI first, then the usual Windows ones.
pub const KNOWN_INTERFACES: &[(&str, &str, bool)] = &[
    (
        "000001a0-0000-0000-c000-000000000046",
        "DCOM IRemoteSCMActivator",
        true,
    ),
    (
        "99fcfec4-5260-101b-bbcb-00aa0021347a",
        "DCOM IObjectExporter",
        true,
    ),
    (
        "4d9f4ab8-7d1c-11cf-861e-0020af6e7c57",
        "DCOM IActivation",
        true,
    ),
    (
        "e1af8308-5d1f-11c9-91a4-08002b14a0fa",
        "endpoint mapper",
        false,
    ),
    (
        "12345778-1234-abcd-ef00-0123456789ab",
        "LSA (lsarpc)",
        false,
    ),
    ("12345778-1234-abcd-ef00-0123456789ac", "SAM (samr)", false),
    ("12345678-1234-abcd-ef00-01234567cffb", "Netlogon", false),
    (
        "367abb81-9844-35f1-ad32-98f038001003",
        "Service Control Manager (svcctl)",
        false,
    ),
    (
        "338cd001-2244-31f1-aaaa-900038001003",
        "Remote Registry (winreg)",
        false,
    ),
    (
        "4b324fc8-1670-01d3-1278-5a47bf6ee188",
        "Server service (srvsvc)",
        false,
    ),
    (
        "6bffd098-a112-3610-9833-46c3f87e345a",
        "Workstation service (wkssvc)",
        false,
    ),
    (
        "12345678-1234-abcd-ef00-0123456789ab",
        "Print spooler (spoolss)",
        false,
    ),
    (
        "e3514235-4b06-11d1-ab04-00c04fc2dcd2",
        "AD replication (drsuapi)",
        false,
    ),
    (
        "86d35949-83c9-4044-b424-db363231fd0c",
        "Task Scheduler",
        false,
    ),
    (
        "1ff70682-0a51-30e8-076d-740be8cee98b",
        "AT scheduler (atsvc)",
        false,
    ),
];

/// One endpoint the mapper knows: an interface and where it listens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    pub interface: String,
    pub version: (u16, u16),
    pub annotation: String,
    /// `ncacn_ip_tcp`, `ncadg_ip_udp`, `ncacn_np`, `ncalrpc`, `ncacn_http`, …
    pub protseq: String,
    pub tcp_port: Option<u16>,
    pub udp_port: Option<u16>,
    pub ip: Option<std::net::Ipv4Addr>,
    /// Pipe or LRPC name, NetBIOS host.
    pub name: Option<String>,
}

impl Endpoint {
    /// The well-known name of the interface, and whether it is a WMI/DCOM one.
    pub fn known(&self) -> Option<(&'static str, bool)> {
        KNOWN_INTERFACES
            .iter()
            .find(|(u, _, _)| *u == self.interface)
            .map(|(_, n, w)| (*n, *w))
    }
    /// `ncacn_ip_tcp:10.0.0.5[49665]` like portqry prints.
    pub fn binding(&self) -> String {
        let host = self.ip.map(|i| i.to_string()).unwrap_or_default();
        match (self.tcp_port.or(self.udp_port), &self.name) {
            (Some(p), _) => format!("{}:{host}[{p}]", self.protseq),
            (None, Some(n)) => format!("{}:{host}[{n}]", self.protseq),
            _ => self.protseq.clone(),
        }
    }
}

/// One `ept_lookup` answer: entries, the handle to continue with, and the status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LookupPage {
    pub entries: Vec<Endpoint>,
    pub handle: [u8; 20],
    /// 0 ok; 0x16c9a0d6 (`EPT_S_NOT_REGISTERED`) at the end of the list.
    pub status: u32,
}

fn header(ptype: u8, frag_len: u16, call_id: u32) -> Vec<u8> {
    let mut h = vec![5, 0, ptype, 0x03, 0x10, 0, 0, 0];
    h.extend_from_slice(&frag_len.to_le_bytes());
    h.extend_from_slice(&0u16.to_le_bytes());
    h.extend_from_slice(&call_id.to_le_bytes());
    h
}

/// A bind PDU for the endpoint mapper interface with the NDR transfer syntax.
pub fn bind_request(call_id: u32) -> Vec<u8> {
    let mut b = Vec::new();
    b.extend_from_slice(&MAX_FRAG.to_le_bytes());
    b.extend_from_slice(&MAX_FRAG.to_le_bytes());
    b.extend_from_slice(&0u32.to_le_bytes()); // assoc group
    b.extend_from_slice(&[1, 0, 0, 0]); // one context
    b.extend_from_slice(&0u16.to_le_bytes()); // context id
    b.extend_from_slice(&[1, 0]); // one transfer syntax
    b.extend_from_slice(&EPM_UUID);
    b.extend_from_slice(&3u16.to_le_bytes());
    b.extend_from_slice(&0u16.to_le_bytes());
    b.extend_from_slice(&NDR_UUID);
    b.extend_from_slice(&2u32.to_le_bytes());
    let mut pdu = header(11, (16 + b.len()) as u16, call_id);
    pdu.extend(b);
    pdu
}

/// An `ept_lookup` request PDU: all elements, all versions, continuing from `handle`.
pub fn lookup_request(call_id: u32, handle: &[u8; 20]) -> Vec<u8> {
    let mut stub = Vec::new();
    stub.extend_from_slice(&0u32.to_le_bytes()); // inquiry_type: RPC_C_EP_ALL_ELTS
    stub.extend_from_slice(&0u32.to_le_bytes()); // object: NULL
    stub.extend_from_slice(&0u32.to_le_bytes()); // interface_id: NULL
    stub.extend_from_slice(&1u32.to_le_bytes()); // vers_option: RPC_C_VERS_ALL
    stub.extend_from_slice(handle);
    stub.extend_from_slice(&MAX_ENTS.to_le_bytes());
    let mut body = Vec::new();
    body.extend_from_slice(&(stub.len() as u32).to_le_bytes()); // alloc hint
    body.extend_from_slice(&0u16.to_le_bytes()); // context id
    body.extend_from_slice(&2u16.to_le_bytes()); // opnum: ept_lookup
    body.extend(stub);
    let mut pdu = header(0, (16 + body.len()) as u16, call_id);
    pdu.extend(body);
    pdu
}

/// Common header of a PDU: (type, flags, frag length); checks version and byte order.
pub fn parse_header(b: &[u8]) -> Result<(u8, u8, usize), ProtoError> {
    if b.len() < 16 {
        return Err(ProtoError::Truncated {
            protocol: P,
            len: b.len(),
        });
    }
    if b[0] != 5 || b[1] != 0 {
        return Err(ProtoError::malformed(
            P,
            format!("RPC version {}.{}", b[0], b[1]),
        ));
    }
    if b[4] & 0xf0 != 0x10 {
        return Err(ProtoError::malformed(P, "big-endian data representation"));
    }
    let frag = u16::from_le_bytes([b[8], b[9]]) as usize;
    if frag < 16 {
        return Err(ProtoError::malformed(P, format!("fragment length {frag}")));
    }
    Ok((b[2], b[3], frag))
}

/// Checks a bind_ack: the context was accepted (a bind_nak or rejection is refused).
pub fn parse_bind_ack(b: &[u8]) -> Result<(), ProtoError> {
    let truncated = || ProtoError::Truncated {
        protocol: P,
        len: b.len(),
    };
    let (ptype, _, _) = parse_header(b)?;
    match ptype {
        12 => {}
        13 => {
            return Err(ProtoError::Refused {
                protocol: P,
                message: "bind_nak".into(),
            })
        }
        t => {
            return Err(ProtoError::malformed(
                P,
                format!("PDU type {t}, not bind_ack"),
            ))
        }
    }
    let mut c = Cursor::new(b);
    c.seek(24).ok_or_else(truncated)?;
    let sec_len = c.u16().ok_or_else(truncated)? as usize;
    c.skip(sec_len).ok_or_else(truncated)?;
    c.align(4).ok_or_else(truncated)?;
    let n = c.u8().ok_or_else(truncated)?;
    c.skip(3).ok_or_else(truncated)?;
    if n == 0 {
        return Err(ProtoError::malformed(P, "bind_ack without results"));
    }
    let result = c.u16().ok_or_else(truncated)?;
    if result != 0 {
        let reason = c.u16().unwrap_or(0);
        return Err(ProtoError::Refused {
            protocol: P,
            message: format!("presentation context rejected (result {result}, reason {reason})"),
        });
    }
    Ok(())
}

/// Stub data of one response PDU (a fault is refused with its status).
pub fn response_stub(b: &[u8]) -> Result<(&[u8], bool), ProtoError> {
    let (ptype, flags, frag) = parse_header(b)?;
    let pdu = b.get(..frag).ok_or(ProtoError::Truncated {
        protocol: P,
        len: b.len(),
    })?;
    match ptype {
        2 => {}
        3 => {
            let status = pdu
                .get(24..28)
                .map(|s| u32::from_le_bytes([s[0], s[1], s[2], s[3]]));
            return Err(ProtoError::Refused {
                protocol: P,
                message: format!("fault 0x{:08x}", status.unwrap_or(0)),
            });
        }
        t => {
            return Err(ProtoError::malformed(
                P,
                format!("PDU type {t}, not response"),
            ))
        }
    }
    let auth_len = u16::from_le_bytes([b[10], b[11]]) as usize;
    let end = frag.saturating_sub(if auth_len > 0 { auth_len + 8 } else { 0 });
    let stub = pdu.get(24..end).ok_or(ProtoError::Truncated {
        protocol: P,
        len: b.len(),
    })?;
    Ok((stub, flags & 0x02 != 0))
}

/// Parses the NDR stub of an `ept_lookup` response (fragments already joined).
pub fn parse_ept_lookup_response(stub: &[u8]) -> Result<LookupPage, ProtoError> {
    let truncated = || ProtoError::Truncated {
        protocol: P,
        len: stub.len(),
    };
    let mut c = Cursor::new(stub);
    let handle: [u8; 20] = c.array().ok_or_else(truncated)?;
    let num = c.u32().ok_or_else(truncated)?;
    let _max = c.u32().ok_or_else(truncated)?;
    let _offset = c.u32().ok_or_else(truncated)?;
    let actual = c.u32().ok_or_else(truncated)?;
    if actual != num || actual > MAX_ENTS * 4 {
        return Err(ProtoError::malformed(
            P,
            format!("{actual} entries (num_ents {num})"),
        ));
    }
    // Fixed parts first (object, tower pointer, annotation), then the towers.
    let mut fixed = Vec::with_capacity(actual as usize);
    for _ in 0..actual {
        let _object: [u8; 16] = c.array().ok_or_else(truncated)?;
        let tower_ref = c.u32().ok_or_else(truncated)?;
        let _off = c.u32().ok_or_else(truncated)?;
        let alen = c.u32().ok_or_else(truncated)? as usize;
        if alen > 64 {
            return Err(ProtoError::malformed(
                P,
                format!("annotation of {alen} bytes"),
            ));
        }
        let ann = c.take(alen).ok_or_else(truncated)?;
        let ann = ann.split(|&b| b == 0).next().unwrap_or_default();
        c.align(4).ok_or_else(truncated)?;
        fixed.push((tower_ref != 0, printable(ann, 64)));
    }
    let mut entries = Vec::with_capacity(fixed.len());
    for (has_tower, annotation) in fixed {
        if !has_tower {
            continue;
        }
        let _max = c.u32().ok_or_else(truncated)?;
        let len = c.u32().ok_or_else(truncated)? as usize;
        let tower = c.take(len).ok_or_else(truncated)?;
        c.align(4).ok_or_else(truncated)?;
        if let Some(mut e) = parse_tower(tower) {
            e.annotation = annotation;
            entries.push(e);
        }
    }
    let status = c.u32().ok_or_else(truncated)?;
    Ok(LookupPage {
        entries,
        handle,
        status,
    })
}

/// Decodes a protocol tower (C706 appendix L); `None` when it is not an interface tower.
pub fn parse_tower(t: &[u8]) -> Option<Endpoint> {
    let mut c = Cursor::new(t);
    let floors = c.u16()?;
    let mut e = Endpoint {
        interface: String::new(),
        version: (0, 0),
        annotation: String::new(),
        protseq: String::new(),
        tcp_port: None,
        udp_port: None,
        ip: None,
        name: None,
    };
    let (mut rpc, mut transport) = (None, None);
    for i in 0..floors.min(8) {
        let lhs_len = c.u16()? as usize;
        let lhs = c.take(lhs_len)?;
        let rhs_len = c.u16()? as usize;
        let rhs = c.take(rhs_len)?;
        let (&proto, lhs_data) = lhs.split_first()?;
        match (i, proto) {
            (0, 0x0d) => {
                let uuid: [u8; 16] = lhs_data.get(..16)?.try_into().ok()?;
                e.interface = guid_le(&uuid);
                let major = lhs_data
                    .get(16..18)
                    .map(|v| u16::from_le_bytes([v[0], v[1]]))?;
                let minor = rhs
                    .get(..2)
                    .map(|v| u16::from_le_bytes([v[0], v[1]]))
                    .unwrap_or(0);
                e.version = (major, minor);
            }
            (0, _) => return None,
            (1, _) => {}
            (_, 0x0a..=0x0c) => rpc = Some(proto),
            (_, 0x07) => {
                transport = Some("ip_tcp");
                e.tcp_port = rhs.get(..2).map(|p| u16::from_be_bytes([p[0], p[1]]));
            }
            (_, 0x08) => {
                transport = Some("ip_udp");
                e.udp_port = rhs.get(..2).map(|p| u16::from_be_bytes([p[0], p[1]]));
            }
            (_, 0x09) => {
                e.ip = rhs
                    .get(..4)
                    .map(|a| std::net::Ipv4Addr::new(a[0], a[1], a[2], a[3]));
            }
            (_, 0x1f) => {
                transport = Some("http");
                e.tcp_port = rhs.get(..2).map(|p| u16::from_be_bytes([p[0], p[1]]));
            }
            (_, 0x0f) => {
                transport = Some("np");
                e.name = Some(cstr(rhs));
            }
            (_, 0x10) => {
                transport = Some("lrpc");
                e.name = Some(cstr(rhs));
            }
            (_, 0x11) if e.name.is_none() => e.name = Some(cstr(rhs)),
            _ => {}
        }
    }
    e.protseq = match (rpc, transport) {
        (Some(0x0a), Some(t)) => format!("ncadg_{t}"),
        (_, Some("lrpc")) => "ncalrpc".into(),
        (_, Some(t)) => format!("ncacn_{t}"),
        _ => "unknown".into(),
    };
    Some(e)
}

fn cstr(b: &[u8]) -> String {
    printable(b.split(|&x| x == 0).next().unwrap_or_default(), 128)
}

/// Reads one PDU (capped by its fragment length and [`MAX_FRAG`] headroom).
async fn read_pdu<S: tokio::io::AsyncRead + Unpin>(
    s: &mut S,
    limits: Limits,
) -> anyhow::Result<Vec<u8>> {
    let mut pdu = read_exact(s, 16, limits.timeout).await?;
    let (_, _, frag) = parse_header(&pdu)?;
    if frag > 64 * 1024 {
        anyhow::bail!("msrpc-epm: {frag}-byte fragment is over the limit");
    }
    pdu.extend(read_exact(s, frag - 16, limits.timeout).await?);
    Ok(pdu)
}

/// Binds, then pages through `ept_lookup` until the mapper says the list ended.
pub async fn lookup_all<S>(s: &mut S, limits: Limits) -> anyhow::Result<Vec<Endpoint>>
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
{
    s.write_all(&bind_request(1)).await?;
    parse_bind_ack(&read_pdu(s, limits).await?)?;
    let mut handle = [0u8; 20];
    let mut all = Vec::new();
    for call in 0..MAX_CALLS {
        s.write_all(&lookup_request(2 + call as u32, &handle))
            .await?;
        let mut stub = Vec::new();
        loop {
            let pdu = read_pdu(s, limits).await?;
            let (part, last) = response_stub(&pdu)?;
            stub.extend_from_slice(part);
            if stub.len() > MAX_RESPONSE {
                anyhow::bail!("msrpc-epm: response over {MAX_RESPONSE} bytes");
            }
            if last {
                break;
            }
        }
        let page = parse_ept_lookup_response(&stub)?;
        let end = page.status != 0 || page.handle == [0u8; 20] || page.entries.is_empty();
        all.extend(page.entries);
        if end {
            break;
        }
        handle = page.handle;
    }
    Ok(all)
}

pub async fn confirm<S: Stream>(stream: S, limits: Limits) -> anyhow::Result<Confirmation> {
    let mut s = Capped::new(stream, limits.max_bytes.max(MAX_RESPONSE));
    let eps = tokio::time::timeout(limits.timeout, lookup_all(&mut s, limits))
        .await
        .map_err(|_| anyhow::anyhow!("msrpc-epm: no answer within {:?}", limits.timeout))??;
    Ok(to_confirmation(&eps))
}

/// Summary, one detail per endpoint, and the distinct TCP ports to probe next.
pub fn to_confirmation(eps: &[Endpoint]) -> Confirmation {
    let mut ports: Vec<u16> = eps
        .iter()
        .filter(|e| e.protseq == "ncacn_ip_tcp")
        .filter_map(|e| e.tcp_port)
        .filter(|&p| p != 135)
        .collect();
    ports.sort_unstable();
    ports.dedup();
    let wmi: Vec<&Endpoint> = eps
        .iter()
        .filter(|e| e.known().is_some_and(|k| k.1))
        .collect();
    let mut summary = format!(
        "endpoint mapper: {} endpoints, dynamic TCP ports {}",
        eps.len(),
        if ports.is_empty() {
            "none".to_string()
        } else {
            ports
                .iter()
                .map(|p| p.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        }
    );
    if !wmi.is_empty() {
        summary.push_str(&format!(" ({} WMI/DCOM)", wmi.len()));
    }
    let mut c = Confirmation::new("msrpc-epm", summary);
    for (i, e) in eps.iter().enumerate() {
        let name = match e.known() {
            Some((n, true)) => format!("{n} [WMI/DCOM]"),
            Some((n, false)) => n.to_string(),
            None if !e.annotation.is_empty() => e.annotation.clone(),
            None => String::new(),
        };
        c = c.detail(
            &format!("endpoint.{i}"),
            format!(
                "{} v{}.{} {} {}",
                e.interface,
                e.version.0,
                e.version.1,
                e.binding(),
                name
            )
            .trim_end()
            .to_string(),
        );
    }
    c.extra_tcp_ports = ports;
    c
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bind_layout() {
        let b = bind_request(1);
        assert_eq!(parse_header(&b).unwrap(), (11, 3, b.len()));
        assert_eq!(b.len(), 72);
    }

    #[test]
    fn lookup_layout() {
        let r = lookup_request(2, &[0; 20]);
        assert_eq!(parse_header(&r).unwrap(), (0, 3, r.len()));
        assert_eq!(r.len(), 24 + 40);
    }

    #[test]
    fn tower_tcp() {
        // Interface floor, NDR floor, RPC CO, TCP 49665, IP 10.0.0.5.
        let mut t = vec![5, 0];
        let mut floor = |lhs: &[u8], rhs: &[u8]| {
            t.extend_from_slice(&(lhs.len() as u16).to_le_bytes());
            t.extend_from_slice(lhs);
            t.extend_from_slice(&(rhs.len() as u16).to_le_bytes());
            t.extend_from_slice(rhs);
        };
        floor(&[&[0x0d][..], &EPM_UUID, &[3, 0]].concat(), &[0, 0]);
        floor(&[&[0x0d][..], &NDR_UUID, &[2, 0]].concat(), &[0, 0]);
        floor(&[0x0b], &[0, 0]);
        floor(&[0x07], &49665u16.to_be_bytes());
        floor(&[0x09], &[10, 0, 0, 5]);
        let e = parse_tower(&t).unwrap();
        assert_eq!(e.binding(), "ncacn_ip_tcp:10.0.0.5[49665]");
        assert_eq!(e.known(), Some(("endpoint mapper", false)));
        assert_eq!(e.version, (3, 0));
    }

    #[test]
    fn refusals() {
        assert!(parse_header(&[]).is_err());
        assert!(parse_bind_ack(&bind_request(1)).is_err());
        assert!(parse_ept_lookup_response(&[]).is_err());
        assert!(parse_tower(&[]).is_none());
        let mut nak = bind_request(1);
        nak[2] = 13;
        assert!(matches!(
            parse_bind_ack(&nak),
            Err(ProtoError::Refused { .. })
        ));
    }
}
