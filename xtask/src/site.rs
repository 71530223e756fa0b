//! `cargo xtask site` and `cargo xtask serve`: the static planner page.
//!
//! Everything comes from the package registries: wasm-bindgen-cli and wasm-pack from
//! crates.io at pinned versions (wasm-bindgen's matches `Cargo.lock`, or wasm-pack
//! would try to download one), binaryen's `wasm-opt` from npm (Debian's is too old for
//! current wasm-bindgen output) under `target/tools/`. The site lands in `dist/site/`.

use crate::{cargo, deps, run};
use anyhow::{bail, Context, Result};
use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Component, Path, PathBuf};
use std::process::Command;
use std::time::Duration;

/// wasm-pack release installed when missing (any installed version is used as is).
const WASM_PACK_VERSION: &str = "0.15.1";
/// npm packages under `target/tools/`: binaryen for wasm-opt, playwright-core for the
/// browser tests (it drives Debian's chromium; it never downloads a browser).
/// axe-core is injected into the page by the browser tests (the accessibility check).
pub const NPM_TOOLS: &[(&str, &str)] = &[
    ("binaryen", "132.0.0"),
    ("playwright-core", "1.65.1"),
    ("axe-core", "4.14.1"),
];
/// Gzipped wasm + js of the page's own module must stay under this (the budget).
const BUDGET_GZ: u64 = 200 * 1024;
/// The exports module (diagram, PDF, CSV/Markdown, reports with merge and fixes),
/// imported once the first plan is shown: 194 KiB gz when this cap was set, so a
/// regression of more than ~60 KiB gz (a new heavy dependency) stops the build.
const EXPORTS_BUDGET_GZ: u64 = 256 * 1024;
/// Port `serve` tries first; a busy port falls back to a free one.
const DEFAULT_PORT: u16 = 8080;

/// The workspace root (xtask lives one level below it).
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}

pub fn tools_dir() -> PathBuf {
    root().join("target/tools")
}

pub fn site_dir() -> PathBuf {
    root().join("dist/site")
}

/// The wasm-bindgen version `Cargo.lock` resolved (the CLI must be the same).
fn locked_wasm_bindgen() -> Result<String> {
    let lock = std::fs::read_to_string(root().join("Cargo.lock")).context("reading Cargo.lock")?;
    let mut lines = lock.lines();
    while let Some(l) = lines.next() {
        if l == "name = \"wasm-bindgen\"" {
            if let Some(v) = lines.next().and_then(|v| v.strip_prefix("version = \"")) {
                return Ok(v.trim_end_matches('"').to_string());
            }
        }
    }
    bail!("Cargo.lock has no wasm-bindgen: is portplan-web a workspace member?")
}

fn version_of(tool: &str) -> String {
    deps::output(Command::new(tool).arg("--version")).unwrap_or_default()
}

/// Installs whatever the site build needs and is missing.
pub fn setup() -> Result<()> {
    deps::rustup()?;
    deps::apt(&["gzip"])?;
    // A machine may have node and npm from elsewhere (NodeSource's nodejs bundles npm
    // and conflicts with Debian's): only install Debian's when there is none.
    if !(deps::have("node") && deps::have("npm")) {
        deps::apt(&["nodejs", "npm"])?;
    }
    let wb = locked_wasm_bindgen()?;
    if !version_of("wasm-bindgen")
        .split_whitespace()
        .any(|w| w == wb)
    {
        // `--locked` fails for wasm-bindgen-cli; the version pin is what matters.
        run(cargo().args(["install", "wasm-bindgen-cli", "--version", &wb]))?;
    }
    if version_of("wasm-pack").is_empty() {
        run(cargo().args([
            "install",
            "wasm-pack",
            "--locked",
            "--version",
            WASM_PACK_VERSION,
        ]))?;
    }
    npm_tools()
}

/// `npm install` of [`NPM_TOOLS`] into `target/tools/` unless each is there at its version.
pub fn npm_tools() -> Result<()> {
    let dir = tools_dir();
    let missing: Vec<String> = NPM_TOOLS
        .iter()
        .filter(|(name, version)| {
            let pkg = dir.join("node_modules").join(name).join("package.json");
            !std::fs::read_to_string(pkg)
                .is_ok_and(|t| t.contains(&format!("\"version\": \"{version}\"")))
        })
        .map(|(name, version)| format!("{name}@{version}"))
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    std::fs::create_dir_all(&dir)?;
    run(Command::new("npm")
        .args(["install", "--no-audit", "--no-fund", "--prefix"])
        .arg(&dir)
        .args(&missing))
}

/// Sizes of one wasm module as shipped, raw and gzipped (`gzip -9`, as a server would
/// send it).
pub struct Sizes {
    pub wasm: (u64, u64),
    pub js: (u64, u64),
}

impl Sizes {
    /// wasm + js, gzipped.
    pub fn gz(&self) -> u64 {
        self.wasm.1 + self.js.1
    }
}

fn gz_len(path: &Path) -> Result<u64> {
    let out = Command::new("gzip")
        .args(["-9", "-c"])
        .arg(path)
        .output()
        .context("running gzip")?;
    Ok(out.stdout.len() as u64)
}

/// Builds crate `dir` with wasm-pack and wasm-opt into `site/<sub>/`
/// (`<lib>_bg.wasm` + `<lib>.js`), checking its gzipped size against `budget`.
fn module(dir: &str, lib: &str, sub: &str, budget: u64) -> Result<Sizes> {
    let root = root();
    let pkg = root.join("target/wasm-pkg").join(dir);
    // std rebuilt with panics that abort at once (no panic messages or formatting
    // machinery in the page: about 20 KiB gzipped of the first load). The one stable
    // toolchain builds it with RUSTC_BOOTSTRAP=1 and rust-src (installed by setup).
    run(Command::new("wasm-pack")
        .current_dir(&root)
        .env("RUSTC_BOOTSTRAP", "1")
        .env(
            "CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS",
            "-Zunstable-options -Cpanic=immediate-abort",
        )
        .args(["build", dir, "--target", "web", "--profile", "release-web"])
        .args(["--no-opt", "--no-typescript", "--no-pack", "--out-dir"])
        .arg(&pkg)
        .args([
            "--",
            "-Zbuild-std=std,panic_abort",
            "-Zpanic-immediate-abort",
        ]))?;
    let out = site_dir().join(sub);
    std::fs::create_dir_all(&out)?;
    let wasm = out.join(format!("{lib}_bg.wasm"));
    run(Command::new(tools_dir().join("node_modules/.bin/wasm-opt"))
        .arg(pkg.join(format!("{lib}_bg.wasm")))
        .args(["-Oz", "--converge", "--strip-debug", "--strip-producers"])
        .args(WASM_FEATURES)
        .arg("-o")
        .arg(&wasm))?;
    let js = out.join(format!("{lib}.js"));
    std::fs::copy(pkg.join(format!("{lib}.js")), &js)?;
    let sizes = Sizes {
        wasm: (std::fs::metadata(&wasm)?.len(), gz_len(&wasm)?),
        js: (std::fs::metadata(&js)?.len(), gz_len(&js)?),
    };
    eprintln!(
        "xtask: {sub}/{lib}: wasm {} B ({} B gz), js {} B ({} B gz), total {:.1} KiB gz of {} KiB",
        sizes.wasm.0,
        sizes.wasm.1,
        sizes.js.0,
        sizes.js.1,
        sizes.gz() as f64 / 1024.0,
        budget / 1024
    );
    if sizes.gz() > budget {
        bail!(
            "{sub}/{lib} is {} bytes gzipped, over its {budget}-byte budget",
            sizes.gz()
        );
    }
    Ok(sizes)
}

/// Builds the self-contained site into `dist/site/`: the page's module in `pkg/`, the
/// lazily imported exports module in `exports/`.
pub fn build() -> Result<()> {
    setup()?;
    let root = root();
    let site = site_dir();
    if site.exists() {
        std::fs::remove_dir_all(&site)?;
    }
    std::fs::create_dir_all(&site)?;
    module("web", "portplan_web", "pkg", BUDGET_GZ)?;
    module(
        "web-exports",
        "portplan_web_exports",
        "exports",
        EXPORTS_BUDGET_GZ,
    )?;
    std::fs::copy(root.join("index.html"), site.join("index.html"))?;
    for entry in std::fs::read_dir(root.join("web/static"))? {
        let entry = entry?;
        std::fs::copy(entry.path(), site.join(entry.file_name()))?;
    }
    eprintln!("xtask: site in {}", site.display());
    Ok(())
}

/// The browser end-to-end tests: build the site, serve it on loopback with the same
/// server `serve` uses, and run `tests/tests/browser_planner.rs` against it.
pub fn browser_tests() -> Result<()> {
    build()?;
    deps::apt(&["chromium", "fonts-dejavu-core"])?;
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
        ])
        .env("PORTPLAN_SITE_URL", format!("http://{addr}/"))
        .env("PORTPLAN_BIN", target.join("debug/portplan")))
}

/// The features rustc enables for wasm32-unknown-unknown; wasm-opt must accept them.
const WASM_FEATURES: &[&str] = &[
    "--enable-bulk-memory",
    "--enable-nontrapping-float-to-int",
    "--enable-sign-ext",
    "--enable-mutable-globals",
    "--enable-reference-types",
    "--enable-multivalue",
];

/// `cargo xtask site`
pub fn site_cmd(args: &[String]) -> Result<()> {
    if !args.is_empty() {
        bail!("cargo xtask site takes no arguments");
    }
    build()
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
