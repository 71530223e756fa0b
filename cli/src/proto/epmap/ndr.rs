//! The NDR answer of `ept_lookup`: entries (object, tower, annotation) and the
//! protocol towers (C706 appendix L) that say where each interface listens.

use super::pdu::MAX_ENTS;
use super::P;
use crate::proto::bytes::{guid_le, printable, Cursor};
use crate::proto::ProtoError;

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::proto::epmap::pdu::{EPM_UUID, NDR_UUID};

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
        assert!(parse_ept_lookup_response(&[]).is_err());
        assert!(parse_tower(&[]).is_none());
    }
}
