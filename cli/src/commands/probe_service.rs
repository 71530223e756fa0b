//! Hidden `portplan probe-service ADDR:PORT`: one confirmation or token check, as JSON.
//! For tests and debugging until `check --deep` drives the same library functions.

use crate::cli::ProbeServiceArgs;
use crate::proto::token::TokenAnswer;
use crate::proto::{self, Confirmation, Limits};
use anyhow::{Context, Result};
use portplan_core::token::Key;
use portplan_core::HostName;
use std::process::ExitCode;
use std::time::Duration;
use tokio::net::TcpStream;

pub fn run(a: ProbeServiceArgs) -> Result<ExitCode> {
    let rt = tokio::runtime::Runtime::new().context("starting the async runtime")?;
    let limits = Limits {
        timeout: Duration::from_secs(a.timeout.max(1)),
        ..Limits::default()
    };
    let result = rt.block_on(probe(&a, limits));
    let json = match result {
        Ok(c) => to_json(&c, &rt, a.addr, limits),
        Err(e) => serde_json::json!({ "error": format!("{e:#}") }),
    };
    println!("{json}");
    Ok(if json.get("error").is_some() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

async fn connect(addr: std::net::SocketAddr, limits: Limits) -> Result<TcpStream> {
    tokio::time::timeout(limits.timeout, TcpStream::connect(addr))
        .await
        .map_err(|_| anyhow::anyhow!("connect {addr}: timed out"))?
        .with_context(|| format!("connect {addr}"))
}

async fn probe(a: &ProbeServiceArgs, limits: Limits) -> Result<Confirmation> {
    let port = a.addr.port();
    if let Some(digest) = &a.token {
        let key = match &a.secret_file {
            Some(path) => Key::with_secret(digest, &crate::secret::read(path)?),
            None => Key::plan_only(digest),
        };
        let answer = if a.udp {
            proto::token::check_token_udp(a.addr, &key, limits.timeout).await?
        } else {
            let s = connect(a.addr, limits).await?;
            let dialed = a.addr.ip().to_string();
            proto::token::check_token(s, &key, port, &dialed, limits.timeout).await?
        };
        let expected: Vec<HostName> = a.expect.iter().map(|e| e.as_str().into()).collect();
        return match proto::token::judge(answer, &expected) {
            TokenAnswer::Valid { host } => Ok(proto::token::confirmation(port, &host)),
            TokenAnswer::WrongHost { host, expected } => {
                anyhow::bail!(
                    "token on {}: answered by {host} (expected {expected})",
                    a.addr
                )
            }
            _ => anyhow::bail!("token not verified on {}", a.addr),
        };
    }
    if a.udp {
        // The service facts in core decide which UDP port has a confirmation (NBSTAT).
        anyhow::ensure!(
            portplan_core::services::confirmation(portplan_core::Protocol::Udp, port)
                == Some(portplan_core::services::Confirmation::NbStat),
            "UDP {port} has no protocol confirmation (UDP 137 answers a NetBIOS node-status query)"
        );
        return proto::nbstat::confirm(a.addr, limits).await;
    }
    let host = a.host.clone().unwrap_or_else(|| a.addr.ip().to_string());
    let s = connect(a.addr, limits).await?;
    let kind = a.as_port.unwrap_or(port);
    proto::confirm_tcp(s, &host, kind, limits)
        .await
        .unwrap_or_else(|| Err(anyhow::anyhow!("no confirmation for TCP {kind}")))
}

/// The confirmation as JSON, with the extra TCP ports (RPC endpoints) probed for a connect.
fn to_json(
    c: &Confirmation,
    rt: &tokio::runtime::Runtime,
    addr: std::net::SocketAddr,
    limits: Limits,
) -> serde_json::Value {
    let extra: Vec<serde_json::Value> = c
        .extra_tcp_ports
        .iter()
        .take(64)
        .map(|&p| {
            let target = std::net::SocketAddr::new(addr.ip(), p);
            let open = rt
                .block_on(connect(
                    target,
                    Limits {
                        timeout: limits.timeout.min(Duration::from_secs(3)),
                        ..limits
                    },
                ))
                .is_ok();
            serde_json::json!({ "port": p, "open": open })
        })
        .collect();
    serde_json::json!({
        "protocol": c.protocol,
        "summary": c.summary,
        "details": c.details.iter().map(|(k, v)| serde_json::json!([k, v])).collect::<Vec<_>>(),
        "extra_tcp_ports": extra,
    })
}
