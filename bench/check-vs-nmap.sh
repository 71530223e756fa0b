#!/usr/bin/env bash
# Benchmark: `portplan check` against `nmap -sT -Pn` on the same targets, same timeouts.
#
# Builds a lab of two network namespaces: "src" probes, "tgt" holds HOSTS addresses.
# Every address × each of PORTS ports is open (a listener), closed (nftables
# `reject with tcp reset`) or filtered (`drop`), by (host + port) mod 3. Both tools
# probe all HOSTS × PORTS pairs with a 1 s timeout and one retry; the script checks
# each tool's verdict of every pair against the configured truth and prints wall time
# (`/usr/bin/time -v`), peak memory and agreement as a Markdown table row.
#
# Usage (root; needs iproute2, nftables, nmap, python3, time):
#   bench/check-vs-nmap.sh [HOSTS] [PORTS]     # default 20 × 500 = 10,000 pairs
# PORTPLAN=/path/to/portplan skips the release build; DEEP=1 also runs portplan's
# protocol confirmations (its default; nmap -sT has none).
set -euo pipefail
HOSTS=${1:-20}
PORTS=${2:-500}
FIRST=40000
LAST=$((FIRST + PORTS - 1))
TIMEOUT_MS=1000
RETRIES=1
cd "$(dirname "$0")/.."
ROOT=$(pwd)
if [[ -z "${PORTPLAN:-}" ]]; then
    cargo build --release -q -p portplan
    PORTPLAN="$ROOT/target/release/portplan"
fi
for tool in ip nft nmap python3 /usr/bin/time; do
    command -v "$tool" >/dev/null || { echo "missing: $tool" >&2; exit 2; }
done

TAG="ppb$$"
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
ip -n "$SRC" addr add 10.251.0.1/24 dev "${TAG}a"
for i in $(seq 0 $((HOSTS - 1))); do
    ip -n "$TGT" addr add "10.251.0.$((10 + i))/24" dev "${TAG}b"
done
ip -n "$SRC" link set "${TAG}a" up
ip -n "$TGT" link set "${TAG}b" up

# Truth, nftables sets and the plan, generated together so they cannot disagree.
python3 - "$HOSTS" "$FIRST" "$LAST" "$WORK" <<'EOF'
import json, sys
hosts, first, last, work = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
truth, reset, drop = {}, [], []
for i in range(hosts):
    ip = f"10.251.0.{10 + i}"
    for p in range(first, last + 1):
        state = ["open", "closed", "filtered"][(i + p) % 3]
        truth[f"{ip}:{p}"] = state
        if state == "closed": reset.append(f"{ip} . {p}")
        if state == "filtered": drop.append(f"{ip} . {p}")
json.dump(truth, open(f"{work}/truth.json", "w"))
with open(f"{work}/rules.nft", "w") as f:
    f.write("table ip bench {\n")
    for name, elems in (("rst_pairs", reset), ("drop_pairs", drop)):
        f.write(f" set {name} {{ type ipv4_addr . inet_service; elements = {{ {', '.join(elems)} }} }}\n")
    f.write(" chain input {\n  type filter hook input priority 0; policy accept;\n")
    f.write("  ip daddr . tcp dport @rst_pairs reject with tcp reset\n")
    f.write("  ip daddr . tcp dport @drop_pairs drop\n }\n}\n")
plan = {"format": 1, "product": "migrate", "version": "2020.2",
        "hosts": [{"name": "probe", "address": "10.251.0.1", "role": "server"}]
        + [{"name": f"h{i:03}", "address": f"10.251.0.{10 + i}", "role": "source"} for i in range(hosts)],
        "flows": [{"phase": "discovery", "from": "probe", "to": f"h{i:03}", "protocol": "tcp",
                   "ports": {"first": first, "last": last}, "purpose": "benchmark", "rule": "bench.tcp"}
                  for i in range(hosts)]}
json.dump(plan, open(f"{work}/plan.json", "w"))
EOF
ip netns exec "$TGT" nft -f "$WORK/rules.nft"

# One listener per port on every address; accepts and closes.
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
' "$FIRST" "$LAST" > "$WORK/listener.out" &
LISTENER_PID=$!
for _ in $(seq 100); do grep -q ready "$WORK/listener.out" 2>/dev/null && break; sleep 0.1; done
ulimit -n "$(ulimit -Hn)"
# Static neighbour entries: neither tool waits for ARP or loses SYNs queued behind an
# unresolved address (and the second tool cannot profit from a cache the first warmed).
MAC=$(ip -n "$TGT" -o link show "${TAG}b" | grep -o 'link/ether [0-9a-f:]*' | cut -d' ' -f2)
for i in $(seq 0 $((HOSTS - 1))); do
    ip -n "$SRC" neigh replace "10.251.0.$((10 + i))" lladdr "$MAC" dev "${TAG}a" nud permanent
done

run_timed() { # name, command...
    local name=$1; shift
    ip netns exec "$SRC" /usr/bin/time -v "$@" > "$WORK/$name.out" 2> "$WORK/$name.time" || true
}
# nmap -sT confirms no service, so by default neither does portplan (--no-deep);
# DEEP=1 keeps portplan's protocol confirmations and responder token on open ports.
DEEP_FLAG=--no-deep
[[ -n "${DEEP:-}" ]] && DEEP_FLAG=
PORTPLAN_CMD=("$PORTPLAN" check $DEEP_FLAG ${PORTPLAN_EXTRA:-} --plan "$WORK/plan.json" --from probe --timeout "${TIMEOUT_MS}ms"
    --retries "$RETRIES" --format json --no-progress -o "$WORK/report.json")
NMAP_CMD=(nmap -sT -Pn -n --max-retries "$RETRIES" --max-rtt-timeout "${TIMEOUT_MS}ms"
    -p "$FIRST-$LAST" "10.251.0.10-$((10 + HOSTS - 1))" -oX "$WORK/nmap.xml")
run_timed portplan "${PORTPLAN_CMD[@]}"
run_timed nmap "${NMAP_CMD[@]}"

python3 - "$WORK" "$HOSTS" "$PORTS" <<'EOF'
import json, re, sys
work, hosts, ports = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
truth = json.load(open(f"{work}/truth.json"))
plan = json.load(open(f"{work}/plan.json"))
addr = {h["name"]: h["address"] for h in plan["hosts"]}
pp = {}
for f in json.load(open(f"{work}/report.json"))["flows"]:
    for p in f["probes"]:
        for q in range(p["port"], p.get("through", p["port"]) + 1):  # runs of ports
            pp[f"{addr[f['to']]}:{q}"] = p["verdict"]
nm = {}
import xml.etree.ElementTree as ET
for host in ET.parse(f"{work}/nmap.xml").getroot().iter("host"):
    ip = host.find("address").get("addr")
    for port in host.iter("port"):
        nm[f"{ip}:{port.get('portid')}"] = port.find("state").get("state")
    # Ports nmap folds into "extraports" are listed, as ranges, in extrareasons.
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
agree = lambda got: sum(got.get(k) == v for k, v in truth.items())
(ps, pr), (ns, nr) = stats("portplan"), stats("nmap")
pa, na = agree(pp), agree(nm)
both = sum(pp.get(k) == nm.get(k) for k in truth)
n = len(truth)
print(f"pairs: {n} ({hosts} hosts x {ports} ports), truth: " + ", ".join(
    f"{s} {sum(v == s for v in truth.values())}" for s in ("open", "closed", "filtered")))
print(f"portplan: {ps:.2f} s, {pr / 1024:.1f} MiB peak RSS, {pa}/{n} verdicts match the truth")
print(f"nmap:     {ns:.2f} s, {nr / 1024:.1f} MiB peak RSS, {na}/{n} verdicts match the truth")
print(f"portplan and nmap agree on {both}/{n} pairs ({100 * both / n:.2f} %)")
print(f"| {n} | {ps:.2f} s | {ns:.2f} s | {ps / ns:.3f} ({ns / ps:.1f}x faster) | {pr / 1024:.1f} MiB | {nr / 1024:.1f} MiB | {100 * pa / n:.2f} % | {100 * na / n:.2f} % | {100 * both / n:.2f} % |")
EOF
echo "portplan: ${PORTPLAN_CMD[*]}" | sed "s|$WORK|\$WORK|g"
echo "nmap:     ${NMAP_CMD[*]}" | sed "s|$WORK|\$WORK|g"
