//! TCP 443: a TLS handshake (rustls, `ring` provider), then `HEAD /` inside it.
//!
//! The point is to prove a TLS service answers and say which one, not to trust it:
//! self-signed and expired certificates are normal on appliances and are reported
//! (subject, issuer, expiry), not treated as a broken path. The verifier still checks
//! the handshake signature, so the server does hold the key of the certificate shown.

use super::io::{Capped, Stream};
use super::{Confirmation, Limits, ProtoError};
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{verify_tls12_signature, verify_tls13_signature, CryptoProvider};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};
use std::sync::Arc;
use x509_parser::prelude::{FromDer, X509Certificate};

/// What we report about the server's (end-entity) certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertSummary {
    pub subject: String,
    pub issuer: String,
    /// RFC 2822-ish text of `notAfter`.
    pub not_after: String,
    /// `notAfter` as Unix seconds.
    pub not_after_unix: i64,
    pub not_before_unix: i64,
    pub self_signed: bool,
    /// DNS names and IP addresses of the subjectAltName extension.
    pub san: Vec<String>,
}

impl CertSummary {
    pub fn expired_at(&self, now_unix: i64) -> bool {
        now_unix > self.not_after_unix
    }
}

/// Parses a DER certificate (untrusted bytes from the handshake).
pub fn parse_certificate(der: &[u8]) -> Result<CertSummary, ProtoError> {
    let (_, cert) = X509Certificate::from_der(der)
        .map_err(|e| ProtoError::malformed("tls", format!("certificate: {e}")))?;
    let subject = cert.subject().to_string();
    let issuer = cert.issuer().to_string();
    let validity = cert.validity();
    let mut san = Vec::new();
    if let Ok(Some(ext)) = cert.subject_alternative_name() {
        for n in &ext.value.general_names {
            match n {
                x509_parser::extensions::GeneralName::DNSName(d) => san.push(format!("DNS:{d}")),
                x509_parser::extensions::GeneralName::IPAddress(b) => san.push(match b.len() {
                    4 => format!("IP:{}", std::net::Ipv4Addr::new(b[0], b[1], b[2], b[3])),
                    16 => {
                        let mut a = [0u8; 16];
                        a.copy_from_slice(b);
                        format!("IP:{}", std::net::Ipv6Addr::from(a))
                    }
                    _ => "IP:?".to_string(),
                }),
                _ => {}
            }
        }
    }
    Ok(CertSummary {
        self_signed: subject == issuer,
        subject,
        issuer,
        not_after: validity.not_after.to_string(),
        not_after_unix: validity.not_after.timestamp(),
        not_before_unix: validity.not_before.timestamp(),
        san,
    })
}

/// Accepts any certificate chain but still verifies handshake signatures.
#[derive(Debug)]
struct AcceptAndRecord {
    provider: Arc<CryptoProvider>,
}

impl ServerCertVerifier for AcceptAndRecord {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        // Trust is not the question here; the chain is read after the handshake.
        Ok(ServerCertVerified::assertion())
    }
    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }
    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }
    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

/// The client configuration: ring provider, TLS 1.2 and 1.3, the recording verifier.
pub fn client_config() -> anyhow::Result<rustls::ClientConfig> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let cfg = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(AcceptAndRecord { provider }))
        .with_no_client_auth();
    Ok(cfg)
}

fn server_name(host: &str) -> anyhow::Result<ServerName<'static>> {
    let h = host
        .parse::<portplan_core::Address>()
        .map_err(anyhow::Error::msg)?;
    Ok(match h {
        portplan_core::Address::Ip(ip) => ServerName::IpAddress(ip.into()),
        portplan_core::Address::Name(n) => ServerName::try_from(n)?,
    })
}

pub async fn confirm<S: Stream>(
    stream: S,
    host: &str,
    limits: Limits,
) -> anyhow::Result<Confirmation> {
    let connector = tokio_rustls::TlsConnector::from(Arc::new(client_config()?));
    let name = server_name(host)?;
    let capped = Capped::new(stream, limits.max_bytes);
    let mut tls = tokio::time::timeout(limits.timeout, connector.connect(name, capped))
        .await
        .map_err(|_| anyhow::anyhow!("tls: no handshake within {:?}", limits.timeout))?
        .map_err(|e| anyhow::anyhow!("tls: handshake failed: {e}"))?;
    let (_, conn) = tls.get_ref();
    let version = conn
        .protocol_version()
        .map(|v| format!("{v:?}").replace("TLSv1_", "TLS 1."))
        .unwrap_or_else(|| "?".into());
    let suite = conn
        .negotiated_cipher_suite()
        .map(|s| format!("{:?}", s.suite()))
        .unwrap_or_default();
    let cert = conn
        .peer_certificates()
        .and_then(|c| c.first())
        .map(|c| parse_certificate(c.as_ref()));
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    let mut summary = version.clone();
    let mut c = Confirmation::new("tls", String::new())
        .detail("tls_version", version)
        .detail("cipher_suite", suite);
    match cert {
        Some(Ok(cs)) => {
            summary.push_str(&format!(", subject {}", cs.subject));
            let mut flags = Vec::new();
            if cs.self_signed {
                flags.push("self-signed");
            }
            if cs.expired_at(now) {
                flags.push("EXPIRED");
            }
            if now < cs.not_before_unix {
                flags.push("not yet valid");
            }
            summary.push_str(&format!(", expires {}", cs.not_after));
            if !flags.is_empty() {
                summary.push_str(&format!(" ({})", flags.join(", ")));
            }
            c = c
                .detail("cert_subject", cs.subject.clone())
                .detail("cert_issuer", cs.issuer.clone())
                .detail("cert_not_after", cs.not_after.clone())
                .detail("cert_self_signed", cs.self_signed.to_string())
                .detail("cert_expired", cs.expired_at(now).to_string());
            if !cs.san.is_empty() {
                c = c.detail("cert_san", cs.san.join(", "));
            }
        }
        Some(Err(e)) => c = c.detail("cert_error", e.to_string()),
        None => c = c.detail("cert_error", "no certificate"),
    }
    // Inside TLS, ask what serves HTTP; a non-HTTP TLS service is still a TLS answer.
    let inner = Limits {
        timeout: limits.timeout / 2,
        ..limits
    };
    match tokio::time::timeout(inner.timeout, super::http::head(&mut tls, host, inner)).await {
        Ok(Ok(r)) => {
            summary.push_str(&format!("; {}", r.status_line()));
            let h = super::http::to_confirmation(&r, "https");
            c.details.extend(h.details);
        }
        _ => c = c.detail("http", "no HTTP answer inside TLS"),
    }
    c.summary = summary;
    Ok(c)
}
