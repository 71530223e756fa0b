//! `cargo xtask serve`: a small static file server on loopback (no dependency, one
//! thread per connection), and the browser tests that drive the served page.

use super::{build, site_dir};
use crate::deps;
use crate::process::{cargo, run, workspace_root as root};
use anyhow::{bail, Context, Result};
use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Component, Path, PathBuf};
use std::time::Duration;

/// Port `serve` tries first; a busy port falls back to a free one.
const DEFAULT_PORT: u16 = 8080;

/// The browser end-to-end tests: build the site, serve it on loopback with the same
/// server `serve` uses, and run `tests/tests/browser_planner.rs` against it.
pub fn browser_tests() -> Result<()> {
    build()?;
    deps::ensure(deps::step("browser")?)?;
    // The workspace build reuses what `cargo test --workspace` compiled (`-p` alone would
    // narrow the features of tokio and clap and rebuild them).
    run(cargo().args(["build", "--workspace", "--bin", "portplan"]))?;
    // The browser test is behind a feature, so the workspace clippy step skips it.
    run(cargo().args([
        "clippy",
        "-p",
        "portplan-tests",
        "--features",
        "browser",
        "--all-targets",
        "--no-deps",
        "--",
        "-D",
        "warnings",
    ]))?;
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("target"));
    let addr = spawn(site_dir())?;
    run(cargo()
        .args([
            "test",
            "-p",
            "portplan-tests",
            "--features",
            "browser",
            "--test",
            "browser_planner",
            "--test",
            "browser_waves",
            "--test",
            "browser_support",
            "--test",
            "browser_reference",
            "--test",
            "browser_reports",
            "--test",
            "browser_zoom",
            "--test",
            "browser_input",
            "--test",
            "browser_results",
            "--test",
            "browser_xlsx",
        ])
        .env("PORTPLAN_SITE_URL", format!("http://{addr}/"))
        .env("PORTPLAN_BIN", target.join("debug/portplan")))
}

/// `cargo xtask serve [--port N] [--no-build]`
pub fn serve_cmd(args: &[String]) -> Result<()> {
    let mut port = None;
    let mut build_first = true;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--port" => {
                let p = it.next().context("--port needs a number")?;
                port = Some(p.parse::<u16>().with_context(|| format!("--port {p:?}"))?);
            }
            "--no-build" => build_first = false,
            other => bail!(
                "unknown argument {other:?} (usage: cargo xtask serve [--port N] [--no-build])"
            ),
        }
    }
    if build_first {
        build()?;
    }
    let listener = match port {
        Some(p) => TcpListener::bind(("127.0.0.1", p)).with_context(|| format!("port {p}"))?,
        None => TcpListener::bind(("127.0.0.1", DEFAULT_PORT))
            .or_else(|_| TcpListener::bind(("127.0.0.1", 0)))?,
    };
    let addr = listener.local_addr()?;
    println!("portplan planner: http://{addr}/  (Ctrl-C to stop)");
    serve(listener, site_dir())
}

/// Starts the server on a free loopback port in a thread (for the browser tests).
pub fn spawn(dir: PathBuf) -> Result<SocketAddr> {
    let listener = TcpListener::bind(("127.0.0.1", 0))?;
    let addr = listener.local_addr()?;
    std::thread::spawn(move || serve(listener, dir));
    Ok(addr)
}

/// A small static file server: GET/HEAD of files under `dir`, nothing else.
fn serve(listener: TcpListener, dir: PathBuf) -> Result<()> {
    for stream in listener.incoming() {
        let Ok(stream) = stream else { continue };
        let dir = dir.clone();
        std::thread::spawn(move || {
            let _ = handle(stream, &dir);
        });
    }
    Ok(())
}

fn content_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "wasm" => "application/wasm",
        "json" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "pdf" => "application/pdf",
        "txt" | "md" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// Maps a request target to a file under `dir`, refusing anything that leaves it.
fn resolve(dir: &Path, target: &str) -> Option<PathBuf> {
    let path = target.split(['?', '#']).next().unwrap_or("/");
    let rel = Path::new(path.trim_start_matches('/'));
    if rel.components().any(|c| !matches!(c, Component::Normal(_))) {
        return None;
    }
    let full = dir.join(rel);
    let full = if full.is_dir() {
        full.join("index.html")
    } else {
        full
    };
    full.is_file().then_some(full)
}

fn handle(mut stream: TcpStream, dir: &Path) -> Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request = String::new();
    reader.read_line(&mut request)?;
    // Drain the headers (bounded: a browser sends a few dozen lines).
    for _ in 0..200 {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 || line == "\r\n" || line == "\n" {
            break;
        }
    }
    let mut parts = request.split_whitespace();
    let (method, target) = (parts.next().unwrap_or(""), parts.next().unwrap_or("/"));
    let reply = |stream: &mut TcpStream, status: &str, ctype: &str, body: &[u8], head: bool| {
        let header = format!(
            "HTTP/1.1 {status}\r\nContent-Type: {ctype}\r\nContent-Length: {}\r\n\
             Cache-Control: no-cache\r\nX-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\n",
            body.len()
        );
        stream.write_all(header.as_bytes())?;
        if !head {
            stream.write_all(body)?;
        }
        stream.flush()
    };
    if method != "GET" && method != "HEAD" {
        reply(
            &mut stream,
            "405 Method Not Allowed",
            "text/plain",
            b"GET only\n",
            false,
        )?;
        return Ok(());
    }
    match resolve(dir, target) {
        Some(file) => {
            let body = std::fs::read(&file)?;
            reply(
                &mut stream,
                "200 OK",
                content_type(&file),
                &body,
                method == "HEAD",
            )?;
        }
        None => reply(
            &mut stream,
            "404 Not Found",
            "text/plain",
            b"not found\n",
            method == "HEAD",
        )?,
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    fn get(addr: SocketAddr, path: &str) -> String {
        let mut s = TcpStream::connect(addr).expect("connect");
        write!(s, "GET {path} HTTP/1.1\r\nHost: x\r\n\r\n").expect("write");
        let mut out = String::new();
        s.read_to_string(&mut out).expect("read");
        out
    }

    #[test]
    fn serves_files_with_their_types_and_nothing_outside() {
        let dir = std::env::temp_dir().join(format!("xtask-site-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("pkg")).expect("mkdir");
        std::fs::write(dir.join("index.html"), "<p>hi</p>").expect("write");
        std::fs::write(dir.join("pkg/a.wasm"), b"\0asm").expect("write");
        let addr = spawn(dir.clone()).expect("spawn");
        let index = get(addr, "/?x=1");
        assert!(index.starts_with("HTTP/1.1 200 OK"), "{index}");
        assert!(index.contains("text/html") && index.ends_with("<p>hi</p>"));
        assert!(get(addr, "/pkg/a.wasm").contains("Content-Type: application/wasm"));
        assert!(get(addr, "/../Cargo.toml").starts_with("HTTP/1.1 404"));
        assert!(get(addr, "/nope.js").starts_with("HTTP/1.1 404"));
        let _ = std::fs::remove_dir_all(dir);
    }
}
