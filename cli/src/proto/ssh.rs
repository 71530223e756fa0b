//! TCP 22: the SSH identification string (RFC 4253 §4.2), which the server sends first.

use super::bytes::printable;
use super::io::{read_until, Capped, Stream};
use super::{Confirmation, Limits, ProtoError};

/// RFC 4253 allows other lines before the identification; cap them with the line.
const MAX_BANNER_BYTES: usize = 4096;

/// `SSH-protoversion-softwareversion SP comments`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SshBanner {
    pub proto_version: String,
    pub software: String,
    pub comments: Option<String>,
    /// The identification line as received (printable, without CR LF).
    pub line: String,
}

/// Finds and splits the `SSH-` line in what the server sent first.
pub fn parse_ssh_banner(bytes: &[u8]) -> Result<SshBanner, ProtoError> {
    const P: &str = "ssh";
    let line = bytes
        .split(|&b| b == b'\n')
        .find(|l| l.starts_with(b"SSH-"))
        .ok_or_else(|| {
            if bytes.contains(&b'\n') || bytes.len() >= MAX_BANNER_BYTES {
                ProtoError::malformed(P, "no SSH- identification line")
            } else {
                ProtoError::Truncated {
                    protocol: P,
                    len: bytes.len(),
                }
            }
        })?;
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    let text = printable(line, 255);
    let rest = &text[4..];
    let (ident, comments) = match rest.split_once(' ') {
        Some((i, c)) => (i, Some(c.to_string())),
        None => (rest, None),
    };
    let (proto_version, software) = ident
        .split_once('-')
        .ok_or_else(|| ProtoError::malformed(P, format!("no software version in {text:?}")))?;
    if proto_version.is_empty() || software.is_empty() {
        return Err(ProtoError::malformed(P, format!("empty field in {text:?}")));
    }
    Ok(SshBanner {
        proto_version: proto_version.to_string(),
        software: software.to_string(),
        comments,
        line: text.clone(),
    })
}

/// Reads the banner (we send nothing) and reports it.
pub async fn confirm<S: Stream>(stream: S, limits: Limits) -> anyhow::Result<Confirmation> {
    let mut s = Capped::new(stream, limits.max_bytes.min(MAX_BANNER_BYTES));
    let complete = |b: &[u8]| {
        b.split(|&c| c == b'\n')
            .take(b.iter().filter(|&&c| c == b'\n').count())
            .any(|l| l.starts_with(b"SSH-"))
    };
    let buf = read_until(&mut s, MAX_BANNER_BYTES, limits.timeout, complete).await?;
    // A server that closes (or floods) before the line's CR LF has not identified itself.
    if buf.windows(4).any(|w| w == b"SSH-") && !complete(&buf) {
        anyhow::bail!(
            "ssh: identification line cut off after {} bytes (no CR LF)",
            buf.len()
        );
    }
    let b = parse_ssh_banner(&buf)?;
    let mut c = Confirmation::new("ssh", b.line.clone())
        .detail("proto_version", b.proto_version)
        .detail("software", b.software);
    if let Some(cm) = b.comments {
        c = c.detail("comments", cm);
    }
    Ok(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table() {
        let ok = |input: &[u8], proto: &str, sw: &str, cm: Option<&str>| {
            let b = parse_ssh_banner(input).unwrap();
            assert_eq!(
                (
                    b.proto_version.as_str(),
                    b.software.as_str(),
                    b.comments.as_deref()
                ),
                (proto, sw, cm),
                "{input:?}"
            );
        };
        ok(
            b"SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n",
            "2.0",
            "OpenSSH_9.2p1",
            Some("Debian-2+deb12u3"),
        );
        ok(
            b"SSH-2.0-dropbear_2022.83\r\n",
            "2.0",
            "dropbear_2022.83",
            None,
        );
        ok(b"SSH-1.99-Cisco-1.25\n", "1.99", "Cisco-1.25", None);
        ok(b"hello\r\nplease wait\r\nSSH-2.0-X\r\n", "2.0", "X", None);
        ok(b"SSH-2.0-X", "2.0", "X", None);
    }

    #[test]
    fn refusals() {
        assert!(matches!(
            parse_ssh_banner(b""),
            Err(ProtoError::Truncated { .. })
        ));
        assert!(matches!(
            parse_ssh_banner(b"HTTP/1.1 400 Bad\r\n"),
            Err(ProtoError::Malformed { .. })
        ));
        assert!(parse_ssh_banner(b"SSH-2.0\r\n").is_err());
        assert!(parse_ssh_banner(b"SSH--x\r\n").is_err());
        assert!(parse_ssh_banner(b"SSH-2.0-\r\n").is_err());
    }

    #[test]
    fn escapes_are_neutralised() {
        let b = parse_ssh_banner(b"SSH-2.0-evil\x1b[31m\r\n").unwrap();
        assert_eq!(b.software, "evil?[31m");
    }
}
