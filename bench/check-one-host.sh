#!/usr/bin/env bash
# Benchmark: `portplan check` against `nmap -sT -Pn` on one Windows-like host whose
# whole dynamic RPC range (49152-65535, 16,384 ports) is probed.
#
# Lab: namespace "src" probes namespace "tgt" (one address). In tgt, 64 ports listen
# (49152-49215, open), a block of 4,096 (53248-57343) is dropped by nftables (filtered),
# the rest has no listener (closed: the kernel's RST).
#
#   MODE=plain (default)  item (a): both tools with the same timeout, no retry:
#                         portplan --timeout 1s --retries 0 --no-deep
#                         nmap --max-rtt-timeout 1000ms --max-retries 0
#   MODE=limit            item (c): SYN-flood protection in front of the host
#                         (`tcp flags & (syn | ack) == syn limit rate over 2000/second
#                         burst 200 packets drop`), both tools at their defaults.
#
# Prints wall time and peak RSS (`/usr/bin/time -v`) and each tool's agreement with the
# configured truth. Usage (root; needs iproute2, nftables, nmap, python3, time):
#   MODE=limit bench/check-one-host.sh
# PORTPLAN=/path/to/portplan skips the release build.
set -euo pipefail
MODE=${MODE:-plain}
FIRST=49152
LAST=65535
OPEN_LAST=49215
DROP_FIRST=53248
DROP_LAST=57343
cd "$(dirname "$0")/.."
ROOT=$(pwd)
if [[ -z "${PORTPLAN:-}" ]]; then
    cargo build --release -q -p portplan
    PORTPLAN="$ROOT/target/release/portplan"
fi
for tool in ip nft nmap python3 /usr/bin/time; do
    command -v "$tool" >/dev/null || { echo "missing: $tool" >&2; exit 2; }
done

TAG="pp1h$$"
SRC="$TAG-src"
TGT="$TAG-tgt"
WORK=$(mktemp -d)
LISTENER_PID=""
cleanup() {
    [[ -n "$LISTENER_PID" ]] && kill "$LISTENER_PID" 2>/dev/null || true
    ip netns del "$SRC" 2>/dev/null || true
    ip netns del "$TGT" 2>/dev/null || true
    [[ -n "${KEEP:-}" ]] && echo "kept $WORK" >&2 || rm -rf "$WORK"
}
trap cleanup EXIT

ip netns add "$SRC"
ip netns add "$TGT"
ip -n "$SRC" link set lo up
ip -n "$TGT" link set lo up
ip link add "${TAG}a" netns "$SRC" type veth peer name "${TAG}b" netns "$TGT"
ip -n "$SRC" addr add 10.252.0.1/24 dev "${TAG}a"
ip -n "$TGT" addr add 10.252.0.10/24 dev "${TAG}b"
ip -n "$SRC" link set "${TAG}a" up
ip -n "$TGT" link set "${TAG}b" up
MAC=$(ip -n "$TGT" -o link show "${TAG}b" | grep -o 'link/ether [0-9a-f:]*' | cut -d' ' -f2)
ip -n "$SRC" neigh replace 10.252.0.10 lladdr "$MAC" dev "${TAG}a" nud permanent

LIMIT=""
[[ "$MODE" == limit ]] && LIMIT="tcp flags & (syn | ack) == syn limit rate over 2000/second burst 200 packets drop"
ip netns exec "$TGT" nft -f - <<EOF
table inet lab {
  chain input {
    type filter hook input priority 0; policy accept;
    $LIMIT
    tcp dport $DROP_FIRST-$DROP_LAST drop
  }
}
EOF

python3 - "$WORK" <<EOF
import json, sys
work = sys.argv[1]
truth = {}
for p in range($FIRST, $LAST + 1):
    truth[f"10.252.0.10:{p}"] = "open" if p <= $OPEN_LAST else "filtered" if $DROP_FIRST <= p <= $DROP_LAST else "closed"
json.dump(truth, open(f"{work}/truth.json", "w"))
plan = {"format": 1, "product": "migrate", "version": "2020.2",
        "hosts": [{"name": "probe", "address": "10.252.0.1", "role": "server"},
                  {"name": "win01", "address": "10.252.0.10", "role": "source"}],
        "flows": [{"phase": "discovery", "from": "probe", "to": "win01", "protocol": "tcp",
                   "ports": {"first": $FIRST, "last": $LAST}, "purpose": "benchmark", "rule": "bench.tcp"}]}
json.dump(plan, open(f"{work}/plan.json", "w"))
EOF

ip netns exec "$TGT" python3 -c '
import selectors, socket, sys
sel = selectors.DefaultSelector()
for p in range(int(sys.argv[1]), int(sys.argv[2]) + 1):
    s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("0.0.0.0", p)); s.listen(1024); s.setblocking(False); sel.register(s, selectors.EVENT_READ)
print("ready", flush=True)
while True:
    for key, _ in sel.select():
        try:
            c, _ = key.fileobj.accept(); c.close()
        except BlockingIOError:
            pass
' "$FIRST" "$OPEN_LAST" > "$WORK/listener.out" &
LISTENER_PID=$!
for _ in $(seq 100); do grep -q ready "$WORK/listener.out" 2>/dev/null && break; sleep 0.1; done
ulimit -n "$(ulimit -Hn)"

if [[ "$MODE" == limit ]]; then
    PORTPLAN_CMD=("$PORTPLAN" check --plan "$WORK/plan.json" --from probe --format json --no-progress -o "$WORK/report.json")
    NMAP_CMD=(nmap -sT -Pn -n -p "$FIRST-$LAST" 10.252.0.10 -oX "$WORK/nmap.xml")
else
    PORTPLAN_CMD=("$PORTPLAN" check --no-deep --plan "$WORK/plan.json" --from probe --timeout 1s --retries 0
        --format json --no-progress -o "$WORK/report.json")
    NMAP_CMD=(nmap -sT -Pn -n --max-retries 0 --max-rtt-timeout 1000ms -p "$FIRST-$LAST" 10.252.0.10 -oX "$WORK/nmap.xml")
fi
run_timed() { # name, command...
    local name=$1; shift
    ip netns exec "$SRC" /usr/bin/time -v "$@" > "$WORK/$name.out" 2> "$WORK/$name.time" || true
}
run_timed portplan "${PORTPLAN_CMD[@]}"
# Let the rate limiter's bucket refill, so the second tool starts like the first.
sleep 1
run_timed nmap "${NMAP_CMD[@]}"

python3 - "$WORK" "$MODE" <<'EOF'
import json, re, sys
import xml.etree.ElementTree as ET
work, mode = sys.argv[1], sys.argv[2]
truth = json.load(open(f"{work}/truth.json"))
pp = {}
for f in json.load(open(f"{work}/report.json"))["flows"]:
    for p in f["probes"]:
        port = p.get("port")
        last = p.get("through", port)  # a run of ports with one verdict
        for q in range(port, last + 1):
            v = p["verdict"]
            pp[f"10.252.0.10:{q}"] = "open" if v == "verified" else v
nm = {}
for host in ET.parse(f"{work}/nmap.xml").getroot().iter("host"):
    ip = host.find("address").get("addr")
    for port in host.iter("port"):
        nm[f"{ip}:{port.get('portid')}"] = port.find("state").get("state")
    for extra in host.iter("extraports"):
        for reason in extra.iter("extrareasons"):
            for part in reason.get("ports", "").split(","):
                if not part: continue
                a, _, b = part.partition("-")
                for p in range(int(a), int(b or a) + 1):
                    nm[f"{ip}:{p}"] = extra.get("state")
def stats(name):
    t = open(f"{work}/{name}.time").read()
    wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)", t).group(1)
    secs = sum(float(x) * 60 ** i for i, x in enumerate(reversed(wall.split(":"))))
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", t).group(1))
    return secs, rss
n = len(truth)
def wrong(got):
    bad = {}
    for k, v in truth.items():
        g = got.get(k)
        if g != v: bad[f"{v}->{g}"] = bad.get(f"{v}->{g}", 0) + 1
    return bad
(ps, pr), (ns, nr) = stats("portplan"), stats("nmap")
pw, nw = wrong(pp), wrong(nm)
both = sum(pp.get(k) == nm.get(k) for k in truth)
print(f"mode {mode}: {n} ports, truth: " + ", ".join(f"{s} {sum(v == s for v in truth.values())}" for s in ("open", "closed", "filtered")))
print(f"portplan: {ps:.2f} s, {pr / 1024:.1f} MiB peak RSS, wrong: {sum(pw.values())} {pw}")
print(f"nmap:     {ns:.2f} s, {nr / 1024:.1f} MiB peak RSS, wrong: {sum(nw.values())} {nw}")
print(f"| {mode} | {n} | {ps:.2f} s | {ns:.2f} s | {ps / ns:.3f} | {pr / 1024:.1f} MiB | {nr / 1024:.1f} MiB | {sum(pw.values())} | {sum(nw.values())} | {100 * both / n:.2f} % |")
EOF
echo "portplan: ${PORTPLAN_CMD[*]}" | sed "s|$WORK|\$WORK|g"
echo "nmap:     ${NMAP_CMD[*]}" | sed "s|$WORK|\$WORK|g"
