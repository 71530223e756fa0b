//! TCP 80: one HTTP/1.1 `HEAD /` request; the status line and `Server` header say what
//! answers (a real web server, a proxy's block page, a captive portal).

use super::bytes::printable;
use super::io::{read_until, Capped, Stream};
use super::{Confirmation, Limits, ProtoError};
use tokio::io::AsyncWriteExt;

/// Status line and headers of any sane server fit; the body is never read.
const MAX_HEAD_BYTES: usize = 16 * 1024;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpReply {
    /// `HTTP/1.1`, `HTTP/1.0`.
    pub version: String,
    pub status: u16,
    pub reason: String,
    pub server: Option<String>,
    pub location: Option<String>,
}

impl HttpReply {
    pub fn status_line(&self) -> String {
        format!("{} {} {}", self.version, self.status, self.reason)
            .trim_end()
            .to_string()
    }
}

/// Parses the status line and the headers we report from the start of a response.
pub fn parse_http_status(bytes: &[u8]) -> Result<HttpReply, ProtoError> {
    const P: &str = "http";
    let head_end = find(bytes, b"\r\n\r\n").unwrap_or(bytes.len());
    let head = &bytes[..head_end];
    let mut lines = head
        .split(|&b| b == b'\n')
        .map(|l| l.strip_suffix(b"\r").unwrap_or(l));
    let first = lines.next().unwrap_or_default();
    if !first.starts_with(b"HTTP/") {
        return Err(if bytes.len() < 5 && b"HTTP/".starts_with(bytes) {
            ProtoError::Truncated {
                protocol: P,
                len: bytes.len(),
            }
        } else {
            ProtoError::malformed(
                P,
                format!("not an HTTP status line: {:?}", printable(first, 40)),
            )
        });
    }
    let text = printable(first, 200);
    let mut parts = text.splitn(3, ' ');
    let version = parts.next().unwrap_or_default().to_string();
    let code = parts.next().unwrap_or_default();
    let status = match code.parse::<u16>() {
        Ok(s) if code.len() == 3 && (100..=999).contains(&s) => s,
        _ => {
            return Err(ProtoError::malformed(
                P,
                format!("bad status code in {text:?}"),
            ));
        }
    };
    let reason = parts.next().unwrap_or_default().to_string();
    let (mut server, mut location) = (None, None);
    for l in lines {
        let Some(colon) = l.iter().position(|&b| b == b':') else {
            continue;
        };
        let (name, value) = (&l[..colon], &l[colon + 1..]);
        let value = printable(value, 200).trim().to_string();
        if name.eq_ignore_ascii_case(b"server") {
            server.get_or_insert(value);
        } else if name.eq_ignore_ascii_case(b"location") {
            location.get_or_insert(value);
        }
    }
    Ok(HttpReply {
        version,
        status,
        reason,
        server,
        location,
    })
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// The request we send: `HEAD` so no body comes back, `Connection: close` so the
/// server ends the exchange itself.
pub fn request(host: &str) -> String {
    let host: String = host
        .chars()
        .filter(|c| c.is_ascii_graphic())
        .take(255)
        .collect();
    let host = if host.contains(':') && !host.starts_with('[') {
        format!("[{host}]")
    } else {
        host
    };
    format!("HEAD / HTTP/1.1\r\nHost: {host}\r\nUser-Agent: portplan\r\nAccept: */*\r\nConnection: close\r\n\r\n")
}

/// Sends `HEAD /` on any stream (plain TCP here, TLS in [`super::tls`]) and parses the head.
pub async fn head<S>(s: &mut S, host: &str, limits: Limits) -> anyhow::Result<HttpReply>
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
{
    s.write_all(request(host).as_bytes()).await?;
    let buf = read_until(
        s,
        MAX_HEAD_BYTES.min(limits.max_bytes),
        limits.timeout,
        |b| find(b, b"\r\n\r\n").is_some(),
    )
    .await?;
    Ok(parse_http_status(&buf)?)
}

pub async fn confirm<S: Stream>(
    stream: S,
    host: &str,
    limits: Limits,
) -> anyhow::Result<Confirmation> {
    let mut s = Capped::new(stream, limits.max_bytes);
    let r = tokio::time::timeout(limits.timeout, head(&mut s, host, limits))
        .await
        .map_err(|_| anyhow::anyhow!("http: no reply within {:?}", limits.timeout))??;
    Ok(to_confirmation(&r, "http"))
}

pub(crate) fn to_confirmation(r: &HttpReply, protocol: &'static str) -> Confirmation {
    let mut summary = r.status_line();
    if let Some(s) = &r.server {
        summary.push_str(&format!(" (Server: {s})"));
    }
    let mut c = Confirmation::new(protocol, summary)
        .detail("http_status", r.status.to_string())
        .detail("http_version", r.version.clone());
    if let Some(s) = &r.server {
        c = c.detail("server", s.clone());
    }
    if let Some(l) = &r.location {
        c = c.detail("location", l.clone());
    }
    c
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table() {
        let ok = |input: &[u8], status: u16, server: Option<&str>| {
            let r = parse_http_status(input).unwrap();
            assert_eq!(
                (r.status, r.server.as_deref()),
                (status, server),
                "{input:?}"
            );
        };
        ok(
            b"HTTP/1.1 200 OK\r\nServer: nginx/1.22.1\r\nDate: x\r\n\r\n",
            200,
            Some("nginx/1.22.1"),
        );
        ok(
            b"HTTP/1.0 302 Found\r\nLocation: /x\r\nserver:  IIS \r\n\r\n",
            302,
            Some("IIS"),
        );
        ok(b"HTTP/1.1 204\r\n\r\n", 204, None);
        ok(
            b"HTTP/1.1 200 OK\nServer: lf-only\n\n",
            200,
            Some("lf-only"),
        );
    }

    #[test]
    fn refusals() {
        assert!(matches!(
            parse_http_status(b""),
            Err(ProtoError::Truncated { .. })
        ));
        assert!(matches!(
            parse_http_status(b"HT"),
            Err(ProtoError::Truncated { .. })
        ));
        assert!(parse_http_status(b"SSH-2.0-x\r\n").is_err());
        assert!(parse_http_status(b"HTTP/1.1 abc OK\r\n\r\n").is_err());
        assert!(parse_http_status(b"HTTP/1.1 2000 OK\r\n\r\n").is_err());
    }

    #[test]
    fn host_header_is_sanitised() {
        assert!(!request("a\r\nX: y").contains("\r\nX: y"));
        assert!(request("fd00::1").contains("Host: [fd00::1]\r\n"));
    }
}
