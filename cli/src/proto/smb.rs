//! TCP 445 and 139: an SMB2 NEGOTIATE, which says the dialect the server picks and
//! whether it requires signing (what breaks old clients and some appliances).
//!
//! On 139 the SMB message rides a NetBIOS session, which needs a session request
//! first (RFC 1002 §4.3.2); on 445 the same 4-byte framing is used directly.

use super::bytes::{guid_le, Cursor};
use super::io::{read_exact, Capped, Stream};
use super::{Confirmation, Limits, ProtoError};
use anyhow::Context;
use tokio::io::AsyncWriteExt;

const P: &str = "smb";
/// Dialects we offer, oldest first: 2.0.2, 2.1, 3.0, 3.0.2, 3.1.1.
pub const DIALECTS: [u16; 5] = [0x0202, 0x0210, 0x0300, 0x0302, 0x0311];
/// A NEGOTIATE response with a SPNEGO blob and contexts fits easily.
const MAX_FRAME: usize = 64 * 1024;

/// What the server chose in its NEGOTIATE response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Smb2Negotiate {
    pub dialect: u16,
    pub signing_enabled: bool,
    pub signing_required: bool,
    pub server_guid: String,
    pub capabilities: u32,
    pub max_read: u32,
    pub max_write: u32,
}

/// `3.1.1` for `0x0311`, `2.???` for the wildcard.
pub fn dialect_name(d: u16) -> String {
    match d {
        0x0202 => "2.0.2".into(),
        0x0210 => "2.1".into(),
        0x0300 => "3.0".into(),
        0x0302 => "3.0.2".into(),
        0x0311 => "3.1.1".into(),
        0x02ff => "2.???".into(),
        other => format!("0x{other:04x}"),
    }
}

/// The NEGOTIATE request framed for TCP (4-byte session header included).
pub fn negotiate_request(client_guid: [u8; 16], salt: [u8; 32]) -> Vec<u8> {
    let mut m = Vec::with_capacity(256);
    // SMB2 header (MS-SMB2 2.2.1.2).
    m.extend_from_slice(b"\xfeSMB");
    m.extend_from_slice(&64u16.to_le_bytes()); // StructureSize
    m.extend_from_slice(&0u16.to_le_bytes()); // CreditCharge
    m.extend_from_slice(&0u32.to_le_bytes()); // Status
    m.extend_from_slice(&0u16.to_le_bytes()); // Command: NEGOTIATE
    m.extend_from_slice(&1u16.to_le_bytes()); // CreditRequest
    m.extend_from_slice(&0u32.to_le_bytes()); // Flags
    m.extend_from_slice(&0u32.to_le_bytes()); // NextCommand
    m.extend_from_slice(&0u64.to_le_bytes()); // MessageId
    m.extend_from_slice(&0u32.to_le_bytes()); // Reserved
    m.extend_from_slice(&0u32.to_le_bytes()); // TreeId
    m.extend_from_slice(&0u64.to_le_bytes()); // SessionId
    m.extend_from_slice(&[0u8; 16]); // Signature
                                     // NEGOTIATE request (2.2.3).
    let ctx_offset = 64 + 36 + DIALECTS.len() * 2;
    let ctx_offset = (ctx_offset + 7) & !7;
    m.extend_from_slice(&36u16.to_le_bytes());
    m.extend_from_slice(&(DIALECTS.len() as u16).to_le_bytes());
    m.extend_from_slice(&1u16.to_le_bytes()); // SecurityMode: signing enabled
    m.extend_from_slice(&0u16.to_le_bytes());
    m.extend_from_slice(&0u32.to_le_bytes()); // Capabilities
    m.extend_from_slice(&client_guid);
    m.extend_from_slice(&(ctx_offset as u32).to_le_bytes());
    m.extend_from_slice(&1u16.to_le_bytes()); // NegotiateContextCount
    m.extend_from_slice(&0u16.to_le_bytes());
    for d in DIALECTS {
        m.extend_from_slice(&d.to_le_bytes());
    }
    m.resize(ctx_offset, 0);
    // SMB2_PREAUTH_INTEGRITY_CAPABILITIES, SHA-512: required when offering 3.1.1.
    m.extend_from_slice(&1u16.to_le_bytes());
    m.extend_from_slice(&(6u16 + 32).to_le_bytes());
    m.extend_from_slice(&0u32.to_le_bytes());
    m.extend_from_slice(&1u16.to_le_bytes()); // HashAlgorithmCount
    m.extend_from_slice(&32u16.to_le_bytes()); // SaltLength
    m.extend_from_slice(&1u16.to_le_bytes()); // SHA-512
    m.extend_from_slice(&salt);
    frame(0x00, &m)
}

/// Wraps `payload` in a NetBIOS session packet header (type, 17-bit length).
fn frame(kind: u8, payload: &[u8]) -> Vec<u8> {
    let len = payload.len() as u32;
    let mut out = vec![kind, ((len >> 16) & 1) as u8, (len >> 8) as u8, len as u8];
    out.extend_from_slice(payload);
    out
}

/// RFC 1001 first-level encoding of a 16-byte NetBIOS name (15 chars + suffix).
pub fn encode_netbios_name(name: &str, suffix: u8) -> Vec<u8> {
    let mut raw = [b' '; 16];
    for (i, b) in name.bytes().take(15).enumerate() {
        raw[i] = b.to_ascii_uppercase();
    }
    raw[15] = suffix;
    let mut out = vec![32u8];
    for b in raw {
        out.push(b'A' + (b >> 4));
        out.push(b'A' + (b & 0x0f));
    }
    out.push(0);
    out
}

/// NetBIOS session request to `*SMBSERVER`, the name every SMB server answers to.
pub fn session_request() -> Vec<u8> {
    let mut p = encode_netbios_name("*SMBSERVER", 0x20);
    p.extend(encode_netbios_name("PORTPLAN", 0x00));
    frame(0x81, &p)
}

/// Checks the 4-byte NetBIOS session response: 0x82 positive, 0x83 negative.
pub fn parse_session_response(b: &[u8]) -> Result<(), ProtoError> {
    match b {
        [0x82, ..] => Ok(()),
        [0x83, _, _, _, code, ..] => Err(ProtoError::Refused {
            protocol: "netbios-ssn",
            message: format!("negative session response 0x{code:02x}"),
        }),
        [] | [0x83, ..] => Err(ProtoError::Truncated {
            protocol: "netbios-ssn",
            len: b.len(),
        }),
        [k, ..] => Err(ProtoError::malformed(
            "netbios-ssn",
            format!("unexpected packet type 0x{k:02x}"),
        )),
    }
}

/// Length of the session packet whose 4-byte header starts `b` (payload only).
pub fn frame_len(b: &[u8]) -> Option<usize> {
    let h: [u8; 4] = b.get(..4)?.try_into().ok()?;
    Some((((h[1] & 1) as usize) << 16) | ((h[2] as usize) << 8) | h[3] as usize)
}

/// Parses a NEGOTIATE response as read from TCP (4-byte session header included).
pub fn parse_smb2_negotiate_response(b: &[u8]) -> Result<Smb2Negotiate, ProtoError> {
    let truncated = || ProtoError::Truncated {
        protocol: P,
        len: b.len(),
    };
    let len = frame_len(b).ok_or_else(truncated)?;
    if b[0] != 0 {
        return Err(ProtoError::malformed(
            P,
            format!("session packet type 0x{:02x}", b[0]),
        ));
    }
    let msg = b.get(4..4 + len).ok_or_else(truncated)?;
    let mut c = Cursor::new(msg);
    let magic: [u8; 4] = c.array().ok_or_else(truncated)?;
    if &magic == b"\xffSMB" {
        return Err(ProtoError::malformed(P, "server answered SMB1 only"));
    }
    if &magic != b"\xfeSMB" {
        return Err(ProtoError::malformed(P, "not an SMB2 message"));
    }
    c.skip(4).ok_or_else(truncated)?;
    let status = c.u32().ok_or_else(truncated)?;
    let command = c.u16().ok_or_else(truncated)?;
    if command != 0 {
        return Err(ProtoError::malformed(
            P,
            format!("command 0x{command:04x}, not NEGOTIATE"),
        ));
    }
    if status != 0 {
        return Err(ProtoError::Refused {
            protocol: P,
            message: format!("NTSTATUS 0x{status:08x}"),
        });
    }
    c.seek(64).ok_or_else(truncated)?;
    let size = c.u16().ok_or_else(truncated)?;
    if size != 65 {
        return Err(ProtoError::malformed(
            P,
            format!("NEGOTIATE response size {size}"),
        ));
    }
    let security_mode = c.u16().ok_or_else(truncated)?;
    let dialect = c.u16().ok_or_else(truncated)?;
    c.skip(2).ok_or_else(truncated)?;
    let guid: [u8; 16] = c.array().ok_or_else(truncated)?;
    let capabilities = c.u32().ok_or_else(truncated)?;
    let _max_transact = c.u32().ok_or_else(truncated)?;
    let max_read = c.u32().ok_or_else(truncated)?;
    let max_write = c.u32().ok_or_else(truncated)?;
    Ok(Smb2Negotiate {
        dialect,
        signing_enabled: security_mode & 1 != 0,
        signing_required: security_mode & 2 != 0,
        server_guid: guid_le(&guid),
        capabilities,
        max_read,
        max_write,
    })
}

/// Reads one session packet (header + payload), capped at [`MAX_FRAME`].
async fn read_frame<S: tokio::io::AsyncRead + Unpin>(
    s: &mut S,
    limits: Limits,
) -> anyhow::Result<Vec<u8>> {
    let mut buf = read_exact(s, 4, limits.timeout).await?;
    let len = frame_len(&buf).unwrap_or(0);
    if len > MAX_FRAME {
        anyhow::bail!("smb: {len}-byte frame is over the limit");
    }
    buf.extend(read_exact(s, len, limits.timeout).await?);
    Ok(buf)
}

pub async fn confirm<S: Stream>(
    stream: S,
    over_netbios: bool,
    limits: Limits,
) -> anyhow::Result<Confirmation> {
    let mut s = Capped::new(stream, limits.max_bytes);
    let work = async {
        if over_netbios {
            s.write_all(&session_request()).await?;
            let r = read_exact(&mut s, 4, limits.timeout)
                .await
                .context("netbios session")?;
            let rest =
                read_exact(&mut s, frame_len(&r).unwrap_or(0).min(16), limits.timeout).await?;
            parse_session_response(&[r, rest].concat())?;
        }
        let mut rnd = [0u8; 48];
        super::token::fill_random(&mut rnd)?;
        let mut guid = [0u8; 16];
        guid.copy_from_slice(&rnd[..16]);
        let mut salt = [0u8; 32];
        salt.copy_from_slice(&rnd[16..]);
        s.write_all(&negotiate_request(guid, salt)).await?;
        let reply = read_frame(&mut s, limits).await?;
        Ok::<_, anyhow::Error>(parse_smb2_negotiate_response(&reply)?)
    };
    let n = tokio::time::timeout(limits.timeout, work)
        .await
        .map_err(|_| anyhow::anyhow!("smb: no reply within {:?}", limits.timeout))??;
    let signing = if n.signing_required {
        "signing required"
    } else if n.signing_enabled {
        "signing enabled, not required"
    } else {
        "signing disabled"
    };
    let via = if over_netbios {
        " over NetBIOS session"
    } else {
        ""
    };
    Ok(Confirmation::new(
        "smb",
        format!("SMB {}{via}, {signing}", dialect_name(n.dialect)),
    )
    .detail("dialect", dialect_name(n.dialect))
    .detail("signing_required", n.signing_required.to_string())
    .detail("signing_enabled", n.signing_enabled.to_string())
    .detail("server_guid", n.server_guid)
    .detail("capabilities", format!("0x{:08x}", n.capabilities)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_layout() {
        let r = negotiate_request([1; 16], [2; 32]);
        assert_eq!(frame_len(&r), Some(r.len() - 4));
        assert_eq!(&r[4..8], b"\xfeSMB");
        // Context offset (from the SMB2 header) is 8-aligned and points at type 1.
        let off = u32::from_le_bytes(r[4 + 64 + 28..4 + 64 + 32].try_into().unwrap()) as usize;
        assert_eq!(off % 8, 0);
        assert_eq!(&r[4 + off..4 + off + 2], &[1, 0]);
    }

    #[test]
    fn netbios_name_encoding() {
        // RFC 1001 example: "FRED" padded with spaces, suffix 0x20.
        let e = encode_netbios_name("FRED", 0x20);
        assert_eq!(&e[1..33], b"EGFCEFEECACACACACACACACACACACACA");
        assert_eq!((e[0], e[33]), (32, 0));
    }

    #[test]
    fn session_responses() {
        assert!(parse_session_response(&[0x82, 0, 0, 0]).is_ok());
        assert!(matches!(
            parse_session_response(&[0x83, 0, 0, 1, 0x82]),
            Err(ProtoError::Refused { .. })
        ));
        assert!(parse_session_response(&[]).is_err());
        assert!(parse_session_response(&[0x00, 0, 0, 0]).is_err());
    }

    #[test]
    fn negotiate_refusals() {
        assert!(parse_smb2_negotiate_response(&[]).is_err());
        assert!(parse_smb2_negotiate_response(&[0, 0, 0, 4, 0xff, b'S', b'M', b'B']).is_err());
        let mut r = negotiate_request([0; 16], [0; 32]);
        r[4 + 8] = 0x22; // a status: refused
        assert!(matches!(
            parse_smb2_negotiate_response(&r),
            Err(ProtoError::Refused { .. })
        ));
    }
}
