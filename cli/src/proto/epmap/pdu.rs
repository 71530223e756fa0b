//! DCE/RPC connection-oriented PDUs (C706 chapter 12) for the endpoint mapper:
//! building the bind and `ept_lookup` requests, reading the common header, the
//! bind_ack and the stub of a response or fault.

use super::P;
use crate::proto::bytes::Cursor;
use crate::proto::ProtoError;

/// e1af8308-5d1f-11c9-91a4-08002b14a0fa v3.0, little-endian layout.
pub(super) const EPM_UUID: [u8; 16] = [
    0x08, 0x83, 0xaf, 0xe1, 0x1f, 0x5d, 0xc9, 0x11, 0x91, 0xa4, 0x08, 0x00, 0x2b, 0x14, 0xa0, 0xfa,
];
/// NDR transfer syntax 8a885d04-1ceb-11c9-9fe8-08002b104860 v2.
pub(super) const NDR_UUID: [u8; 16] = [
    0x04, 0x5d, 0x88, 0x8a, 0xeb, 0x1c, 0xc9, 0x11, 0x9f, 0xe8, 0x08, 0x00, 0x2b, 0x10, 0x48, 0x60,
];
pub(super) const MAX_FRAG: u16 = 4280;
/// Entries asked for per `ept_lookup` call.
pub(super) const MAX_ENTS: u32 = 500;

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
    fn refusals() {
        assert!(parse_header(&[]).is_err());
        assert!(parse_bind_ack(&bind_request(1)).is_err());
        let mut nak = bind_request(1);
        nak[2] = 13;
        assert!(matches!(
            parse_bind_ack(&nak),
            Err(ProtoError::Refused { .. })
        ));
    }
}
