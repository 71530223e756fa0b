//! TCP 135: a DCE/RPC bind to the endpoint mapper and `ept_lookup` (opnum 2), listing
//! the registered endpoints like `portqry -e 135`. The TCP ports it lists are the
//! dynamic RPC range in use; probing them is the real test of that range (WMI, DCOM).
//!
//! Wire formats: DCE 1.1 RPC (C706) connection-oriented PDUs, NDR little-endian,
//! towers per C706 appendix L.

pub mod ndr;
pub mod pdu;

pub use ndr::{parse_ept_lookup_response, parse_tower, Endpoint, LookupPage, KNOWN_INTERFACES};
pub use pdu::{bind_request, lookup_request, parse_bind_ack, parse_header, response_stub};

use super::io::{read_exact, Capped, Stream};
use super::{Confirmation, Limits};
use tokio::io::AsyncWriteExt;

const P: &str = "msrpc-epm";
/// All fragments of one response together; 500 entries are far below this.
const MAX_RESPONSE: usize = 512 * 1024;
/// `ept_lookup` calls per confirmation (each returns up to 500 entries).
const MAX_CALLS: usize = 8;

/// Reads one PDU (capped by its fragment length and `MAX_FRAG` headroom).
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
