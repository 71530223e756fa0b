//! A lab of network namespaces joined by veth pairs, for tests that cross a network
//! without leaving the machine.
//!
//! Every namespace and link is named with a per-lab prefix, and [`Lab`] deletes them on
//! drop, so a failing test never leaves hosts behind. Needs root (`ip`, `nft`).

use std::process::{Command, Output};
use std::sync::atomic::{AtomicU32, Ordering};

static COUNTER: AtomicU32 = AtomicU32::new(0);

/// A set of namespaces owned by one test.
pub struct Lab {
    prefix: String,
    namespaces: Vec<String>,
    subnet: u8,
    /// /etc/netns/NS directories written by [`Lab::hosts_file`].
    etc: Vec<std::path::PathBuf>,
}

/// The IPv6 address a lab link gives the host that has IPv4 address `v4` on it:
/// 10.200.S.H ↔ fd00:c8:S::H (hex of the same numbers), so a test can name both.
pub fn v6(v4: &str) -> String {
    let parts: Vec<u8> = v4.split('.').filter_map(|p| p.parse().ok()).collect();
    match parts.as_slice() {
        [10, 200, s, h] => format!("fd00:c8:{s:x}::{h:x}"),
        _ => panic!("{v4} is not a lab address"),
    }
}

/// Fails loudly (not silently skipping) when the test is not run as root.
pub fn require_root() {
    let uid = Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string());
    assert_eq!(
        uid.as_deref().unwrap_or(""),
        "0",
        "network-namespace tests need root (CI runs as root)"
    );
}

/// Runs a command and panics with its stderr when it fails.
pub fn sh(args: &[&str]) -> Output {
    let out = Command::new(args[0])
        .args(&args[1..])
        .output()
        .unwrap_or_else(|e| panic!("{}: {e}", args.join(" ")));
    assert!(
        out.status.success(),
        "{} failed: {}",
        args.join(" "),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

impl Lab {
    /// A new, empty lab. `tag` names it in `ip netns list` (keep it short: ≤ 6 chars).
    pub fn new(tag: &str) -> Lab {
        require_root();
        let n = COUNTER.fetch_add(1, Ordering::SeqCst);
        let pid = std::process::id();
        // Distinct 10.x.y.0/24 subnets per lab in this process, to keep routes unambiguous.
        let subnet = ((pid as u8).wrapping_mul(7)).wrapping_add((n as u8).wrapping_mul(13));
        Lab {
            prefix: format!("pp{tag}{}{n}", pid % 10000),
            namespaces: Vec::new(),
            subnet,
            etc: Vec::new(),
        }
    }

    /// The namespace name of host `name`.
    pub fn ns(&self, name: &str) -> String {
        format!("{}-{name}", self.prefix)
    }

    /// Adds a namespace with loopback up.
    pub fn host(&mut self, name: &str) -> String {
        let ns = self.ns(name);
        sh(&["ip", "netns", "add", &ns]);
        self.namespaces.push(ns.clone());
        sh(&["ip", "-n", &ns, "link", "set", "lo", "up"]);
        ns
    }

    /// Joins hosts `a` and `b` with a veth pair; returns their IPv4 addresses (10.200.S.1, .2).
    pub fn link(&mut self, a: &str, b: &str) -> (String, String) {
        let (na, nb) = (self.ns(a), self.ns(b));
        let n = COUNTER.fetch_add(1, Ordering::SeqCst);
        let (va, vb) = (
            format!("va{}{n}", std::process::id() % 100000),
            format!("vb{}{n}", std::process::id() % 100000),
        );
        sh(&[
            "ip", "link", "add", &va, "netns", &na, "type", "veth", "peer", "name", &vb, "netns",
            &nb,
        ]);
        let s = self.subnet.wrapping_add(n as u8);
        let (ia, ib) = (format!("10.200.{s}.1"), format!("10.200.{s}.2"));
        sh(&[
            "ip",
            "-n",
            &na,
            "addr",
            "add",
            &format!("{ia}/24"),
            "dev",
            &va,
        ]);
        sh(&[
            "ip",
            "-n",
            &nb,
            "addr",
            "add",
            &format!("{ib}/24"),
            "dev",
            &vb,
        ]);
        // Every link is dual-stack: the same hosts get fd00:c8:S::1 and ::2 (see [`v6`]),
        // without duplicate address detection so the addresses work at once.
        for (ns, dev, ip) in [(&na, &va, &ia), (&nb, &vb, &ib)] {
            sh(&[
                "ip",
                "-n",
                ns,
                "addr",
                "add",
                &format!("{}/64", v6(ip)),
                "dev",
                dev,
                "nodad",
            ]);
        }
        sh(&["ip", "-n", &na, "link", "set", &va, "up"]);
        sh(&["ip", "-n", &nb, "link", "set", &vb, "up"]);
        (ia, ib)
    }

    /// Waits (at most 5 s) until host `from` reaches `to` (an address of another lab host)
    /// over TCP: a fresh veth loses the first IPv6 packets for about a second after it
    /// comes up (the first SYN then waits for its 1 s retransmission), which would read
    /// as `filtered` in a test with a short timeout. A refused connection to port 9
    /// proves the path as well as an accepted one.
    pub fn wait_reachable(&self, from: &str, to: &str) {
        let script = r#"
import socket, sys, time
end = time.time() + 5
while time.time() < end:
    try:
        socket.create_connection((sys.argv[1], 9), timeout=0.2).close(); break
    except ConnectionRefusedError: break
    except OSError: time.sleep(0.05)
else: sys.exit(1)
"#;
        let ok = self
            .cmd(from, "python3")
            .args(["-c", script, to])
            .status()
            .map(|s| s.success())
            .unwrap_or(false);
        assert!(ok, "{to} not reachable from {from} within 5 s");
    }

    /// Points `name` at `addresses` inside host `host` only: `ip netns exec` bind-mounts
    /// /etc/netns/NS/hosts over /etc/hosts, so lookups there see these lines (one name
    /// may get several addresses, A and AAAA). Removed with the lab.
    pub fn hosts_file(&mut self, host: &str, lines: &[(&str, &str)]) {
        let dir = std::path::Path::new("/etc/netns").join(self.ns(host));
        std::fs::create_dir_all(&dir).expect("mkdir /etc/netns/NS");
        let mut text = String::from("127.0.0.1 localhost\n::1 localhost\n");
        for (ip, name) in lines {
            text.push_str(&format!("{ip} {name}\n"));
        }
        std::fs::write(dir.join("hosts"), text).expect("write hosts");
        self.etc.push(dir);
    }

    /// Loads an nftables ruleset (text for `nft -f -`; one statement per line) into host `name`.
    pub fn nft(&self, name: &str, ruleset: &str) {
        use std::io::Write;
        let ns = self.ns(name);
        let mut child = Command::new("ip")
            .args(["netns", "exec", &ns, "nft", "-f", "-"])
            .stdin(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("spawn nft");
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(ruleset.as_bytes())
            .expect("write ruleset");
        let out = child.wait_with_output().expect("nft");
        assert!(
            out.status.success(),
            "nft -f failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// A command that runs inside host `name` (`ip netns exec`).
    pub fn cmd(&self, name: &str, program: &str) -> Command {
        let mut c = Command::new("ip");
        c.args(["netns", "exec", &self.ns(name), program]);
        c
    }
}

/// A helper process inside a lab host, killed on drop (the lab kills leftovers too).
pub struct Helper(pub std::process::Child);

impl Drop for Helper {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A running `portplan listen` inside a lab host (`bin` is the binary under test):
/// started and read until `ready:`; on drop interrupted (Ctrl-C, as a user stops it),
/// given 5 s to finish, then killed and reaped, so no test leaves a responder behind.
pub struct Listener {
    child: std::process::Child,
    lines: std::sync::mpsc::Receiver<String>,
    /// Every line it printed so far.
    pub seen: Vec<String>,
}

impl Listener {
    pub fn start(lab: &Lab, bin: &str, host: &str, args: &[&str]) -> Listener {
        use std::io::BufRead;
        let mut child = lab
            .cmd(host, bin)
            .arg("listen")
            .args(args)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::inherit())
            .spawn()
            .expect("start portplan listen");
        let out = child.stdout.take().expect("stdout");
        let (tx, lines) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for l in std::io::BufReader::new(out).lines().map_while(Result::ok) {
                if tx.send(l).is_err() {
                    break;
                }
            }
        });
        let mut l = Listener {
            child,
            lines,
            seen: Vec::new(),
        };
        l.wait_for("ready:", std::time::Duration::from_secs(10));
        l
    }

    /// Reads output until a line contains `needle`; panics after `limit`.
    pub fn wait_for(&mut self, needle: &str, limit: std::time::Duration) -> String {
        let end = std::time::Instant::now() + limit;
        while let Some(left) = end.checked_duration_since(std::time::Instant::now()) {
            match self.lines.recv_timeout(left) {
                Ok(l) => {
                    self.seen.push(l.clone());
                    if l.contains(needle) {
                        return l;
                    }
                }
                Err(_) => break,
            }
        }
        panic!(
            "no {needle:?} from listen within {limit:?}; output:\n{}",
            self.seen.join("\n")
        );
    }

    /// Interrupts it and returns everything it printed, its `stopped:` line included.
    pub fn stop(mut self) -> Vec<String> {
        self.interrupt();
        let _ = self.wait_for("stopped:", std::time::Duration::from_secs(10));
        std::mem::take(&mut self.seen)
    }

    fn interrupt(&self) {
        let _ = Command::new("kill")
            .args(["-INT", &self.child.id().to_string()])
            .status();
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        self.interrupt();
        let end = std::time::Instant::now() + std::time::Duration::from_secs(5);
        while std::time::Instant::now() < end {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Lab {
    /// Starts `python3 -c SCRIPT ARGS` in host `name` and waits for it to print `ready`.
    pub fn python_ready(&self, name: &str, script: &str, args: &[&str]) -> Helper {
        use std::io::BufRead;
        let mut child = self
            .cmd(name, "python3")
            .arg("-c")
            .arg(script)
            .args(args)
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("python3");
        let mut line = String::new();
        let stdout = child.stdout.take().expect("stdout");
        std::io::BufReader::new(stdout)
            .read_line(&mut line)
            .expect("ready line");
        assert_eq!(
            line.trim(),
            "ready",
            "helper {args:?} did not start in {name}"
        );
        Helper(child)
    }
}

impl Lab {
    /// Runs `BIN probe-service ARGS` in host `name` (`BIN` is the `portplan` binary of the
    /// calling test) and returns the JSON confirmation it prints.
    pub fn probe_service(&self, bin: &str, name: &str, args: &[&str]) -> serde_json::Value {
        let out = self
            .cmd(name, bin)
            .arg("probe-service")
            .args(args)
            .output()
            .expect("run portplan");
        let text = String::from_utf8_lossy(&out.stdout);
        serde_json::from_str(text.trim()).unwrap_or_else(|e| {
            panic!(
                "{e}: {text}\nstderr: {}",
                String::from_utf8_lossy(&out.stderr)
            )
        })
    }
}

impl Drop for Lab {
    fn drop(&mut self) {
        for ns in self.namespaces.iter().rev() {
            // Kill what still runs inside, then delete; veth pairs go with their namespace.
            if let Ok(o) = Command::new("ip").args(["netns", "pids", ns]).output() {
                for pid in String::from_utf8_lossy(&o.stdout).split_whitespace() {
                    let _ = Command::new("kill").args(["-9", pid]).status();
                }
            }
            let _ = Command::new("ip").args(["netns", "del", ns]).status();
        }
        for dir in &self.etc {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}
