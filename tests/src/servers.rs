//! Real Debian daemons (sshd, nginx, Samba) started inside a lab namespace, for the
//! live protocol tests. Each runs in the foreground with its configuration and state
//! in a per-test temporary directory (never the host's `/etc` beyond reading the
//! packages' defaults), and is killed by [`Daemon`]'s drop (the lab's drop also kills
//! whatever is left in its namespaces).

use crate::netns::{sh, Lab};
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

static DIRS: AtomicU32 = AtomicU32::new(0);

/// A temporary directory removed on drop.
pub struct TempDir(PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> TempDir {
        let n = DIRS.fetch_add(1, Ordering::SeqCst);
        let p = std::env::temp_dir().join(format!("portplan-{tag}-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).expect("create temp dir");
        TempDir(p)
    }
    pub fn path(&self) -> &Path {
        &self.0
    }
    pub fn join(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
    pub fn write(&self, name: &str, text: &str) -> PathBuf {
        let p = self.join(name);
        std::fs::write(&p, text).expect("write temp file");
        p
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A foreground daemon; killed (and reaped) on drop. Its output goes to `log`.
pub struct Daemon {
    pub name: &'static str,
    child: Child,
    pub log: PathBuf,
}

impl Daemon {
    /// Starts `program args` inside lab host `host`, output to `dir/<name>.log`.
    pub fn start(
        lab: &Lab,
        host: &str,
        dir: &TempDir,
        name: &'static str,
        program: &str,
        args: &[&str],
    ) -> Daemon {
        let log = dir.join(&format!("{name}.log"));
        let out = std::fs::File::create(&log).expect("daemon log");
        let err = out.try_clone().expect("daemon log");
        let child = lab
            .cmd(host, program)
            .args(args)
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            .spawn()
            .unwrap_or_else(|e| panic!("start {program}: {e}"));
        Daemon { name, child, log }
    }

    /// The daemon's output so far (for assertion messages).
    pub fn output(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Waits (bounded) until something listens on `proto` (`tcp`/`udp`) `addr:port` in
/// lab host `host`; panics with `why` after `limit`.
pub fn wait_listening(
    lab: &Lab,
    host: &str,
    udp: bool,
    addr: &str,
    port: u16,
    limit: Duration,
    why: &dyn Fn() -> String,
) {
    let start = Instant::now();
    let want = format!("{addr}:{port}");
    while start.elapsed() < limit {
        let out = lab
            .cmd(host, "ss")
            .args([if udp { "-lnu" } else { "-lnt" }])
            .output()
            .expect("ss");
        let text = String::from_utf8_lossy(&out.stdout);
        if text.split_whitespace().any(|w| w == want) {
            return;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!(
        "nothing listens on {want} in {host} after {limit:?}\n{}",
        why()
    );
}

/// sshd on `addr:22` with a freshly generated host key.
pub fn sshd(lab: &Lab, host: &str, addr: &str, dir: &TempDir) -> Daemon {
    let key = dir.join("ssh_host_ed25519_key");
    sh(&[
        "ssh-keygen",
        "-q",
        "-t",
        "ed25519",
        "-N",
        "",
        "-f",
        key.to_str().expect("utf-8 path"),
    ]);
    // sshd's privilege-separation directory is compiled in; the package normally makes it.
    std::fs::create_dir_all("/run/sshd").expect("/run/sshd");
    let cfg = dir.write(
        "sshd_config",
        &format!(
            "ListenAddress {addr}\nPort 22\nHostKey {}\nPidFile {}\nUsePAM no\n",
            key.display(),
            dir.join("sshd.pid").display()
        ),
    );
    let d = Daemon::start(
        lab,
        host,
        dir,
        "sshd",
        "/usr/sbin/sshd",
        &["-D", "-e", "-f", cfg.to_str().expect("utf-8 path")],
    );
    wait_listening(lab, host, false, addr, 22, Duration::from_secs(10), &|| {
        d.output()
    });
    d
}

/// A self-signed certificate for `cn` (with `addr` as IP SAN): (cert, key) paths.
pub fn self_signed_cert(dir: &TempDir, cn: &str, addr: &str) -> (PathBuf, PathBuf) {
    let (crt, key) = (dir.join("tls.crt"), dir.join("tls.key"));
    sh(&[
        "openssl",
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-days",
        "30",
        "-keyout",
        key.to_str().expect("utf-8 path"),
        "-out",
        crt.to_str().expect("utf-8 path"),
        "-subj",
        &format!("/CN={cn}/O=portplan lab"),
        "-addext",
        &format!("subjectAltName=DNS:{cn},IP:{addr}"),
    ]);
    (crt, key)
}

/// nginx on `addr:80` and `addr:443` (TLS 1.2/1.3, the given certificate).
pub fn nginx(lab: &Lab, host: &str, addr: &str, dir: &TempDir, cert: &Path, key: &Path) -> Daemon {
    let d = dir.path().display();
    let cfg = dir.write(
        "nginx.conf",
        &format!(
            "user root;\nworker_processes 1;\npid {d}/nginx.pid;\nerror_log {d}/nginx-error.log;\n\
             events {{ worker_connections 64; }}\n\
             http {{\n access_log off;\n client_body_temp_path {d}/body;\n proxy_temp_path {d}/proxy;\n\
             fastcgi_temp_path {d}/fastcgi;\n uwsgi_temp_path {d}/uwsgi;\n scgi_temp_path {d}/scgi;\n\
             server {{\n  listen {addr}:80;\n  listen {addr}:443 ssl;\n  ssl_protocols TLSv1.2 TLSv1.3;\n\
             ssl_certificate {};\n  ssl_certificate_key {};\n  location / {{ return 200 \"portplan lab\\n\"; }}\n }}\n}}\n",
            cert.display(),
            key.display()
        ),
    );
    let p = dir.path().to_str().expect("utf-8 path");
    let dm = Daemon::start(
        lab,
        host,
        dir,
        "nginx",
        "nginx",
        &[
            "-p",
            p,
            "-c",
            cfg.to_str().expect("utf-8 path"),
            "-g",
            "daemon off;",
        ],
    );
    wait_listening(lab, host, false, addr, 80, Duration::from_secs(10), &|| {
        dm.output()
    });
    wait_listening(
        lab,
        host,
        false,
        addr,
        443,
        Duration::from_secs(10),
        &|| dm.output(),
    );
    dm
}

/// Samba as a standalone server on `addr`: smbd (445, 139), nmbd (UDP 137) and
/// samba-dcerpcd with `rpc_server:tcpip = yes`, which serves the endpoint mapper on
/// TCP 135 and the RPC services on dynamic TCP ports (Samba 4.17, Debian 12).
pub struct Samba {
    pub daemons: Vec<Daemon>,
    pub netbios_name: &'static str,
}

pub fn samba(lab: &Lab, host: &str, addr: &str, dir: &TempDir) -> Samba {
    let d = dir.path().display();
    for sub in [
        "state", "cache", "lock", "pid", "private", "ncalrpc", "share", "log",
    ] {
        std::fs::create_dir_all(dir.join(sub)).expect("samba dir");
    }
    let cfg = dir.write(
        "smb.conf",
        &format!(
            "[global]\n netbios name = PPLAB\n workgroup = PPGROUP\n server role = standalone server\n\
             interfaces = {addr}/24\n bind interfaces only = yes\n\
             state directory = {d}/state\n cache directory = {d}/cache\n lock directory = {d}/lock\n\
             pid directory = {d}/pid\n private dir = {d}/private\n ncalrpc dir = {d}/ncalrpc\n\
             log file = {d}/log/%m.log\n smb ports = 445 139\n server signing = mandatory\n\
             rpc_server:tcpip = yes\n rpc start on demand helpers = no\n\
             rpc server dynamic port range = 49152-49200\n\
             load printers = no\n printcap name = /dev/null\n disable spoolss = yes\n\
             [share]\n path = {d}/share\n"
        ),
    );
    let conf = format!("--configfile={}", cfg.display());
    let fg = ["--foreground", "--no-process-group", "--debug-stdout"];
    let smbd = Daemon::start(
        lab,
        host,
        dir,
        "smbd",
        "/usr/sbin/smbd",
        &[&conf, fg[0], fg[1], fg[2]],
    );
    let nmbd = Daemon::start(
        lab,
        host,
        dir,
        "nmbd",
        "/usr/sbin/nmbd",
        &[&conf, fg[0], fg[1], fg[2]],
    );
    let rpc = Daemon::start(
        lab,
        host,
        dir,
        "samba-dcerpcd",
        "/usr/libexec/samba/samba-dcerpcd",
        &[&conf, "--libexec-rpcds", "--foreground", "--debug-stdout"],
    );
    let why = || {
        format!(
            "smbd:\n{}\nnmbd:\n{}\nsamba-dcerpcd:\n{}",
            smbd.output(),
            nmbd.output(),
            rpc.output()
        )
    };
    let limit = Duration::from_secs(20);
    wait_listening(lab, host, false, addr, 445, limit, &why);
    wait_listening(lab, host, false, addr, 139, limit, &why);
    wait_listening(lab, host, true, addr, 137, limit, &why);
    wait_listening(lab, host, false, addr, 135, limit, &why);
    // The endpoint mapper lists the RPC services once samba-dcerpcd has asked every
    // rpcd_* helper for its interfaces and opened their dynamic ports: wait for those.
    let start = Instant::now();
    loop {
        let out = lab.cmd(host, "ss").args(["-lnt"]).output().expect("ss");
        let text = String::from_utf8_lossy(&out.stdout).to_string();
        let dynamic = text
            .split_whitespace()
            .filter_map(|w| w.strip_prefix(&format!("{addr}:")))
            .filter_map(|p| p.parse::<u16>().ok())
            .filter(|p| (49152..=49200).contains(p))
            .count();
        if dynamic >= 3 {
            break;
        }
        assert!(
            start.elapsed() < limit,
            "no dynamic RPC ports after {limit:?}:\n{text}\n{}",
            why()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    Samba {
        daemons: vec![smbd, nmbd, rpc],
        netbios_name: "PPLAB",
    }
}
