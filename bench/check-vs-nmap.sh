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
source "$(dirname "$0")/lab.sh"
lab_init "ppb$$" 10.251.0
for i in $(seq 0 $((HOSTS - 1))); do
    ip -n "$TGT" addr add "10.251.0.$((10 + i))/24" dev "${TAG}b"
done
lab_up

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

lab_listen "$FIRST" "$LAST"
# shellcheck disable=SC2046
lab_neigh $(for i in $(seq 0 $((HOSTS - 1))); do echo "10.251.0.$((10 + i))"; done)

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
import sys
sys.path.insert(0, "bench")
from score import load, stats, states
work, hosts, ports = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
truth, pp, nm = load(work)
agree = lambda got: sum(got.get(k) == v for k, v in truth.items())
(ps, pr), (ns, nr) = stats(work, "portplan"), stats(work, "nmap")
pa, na = agree(pp), agree(nm)
both = sum(pp.get(k) == nm.get(k) for k in truth)
n = len(truth)
print(f"pairs: {n} ({hosts} hosts x {ports} ports), truth: {states(truth)}")
print(f"portplan: {ps:.2f} s, {pr / 1024:.1f} MiB peak RSS, {pa}/{n} verdicts match the truth")
print(f"nmap:     {ns:.2f} s, {nr / 1024:.1f} MiB peak RSS, {na}/{n} verdicts match the truth")
print(f"portplan and nmap agree on {both}/{n} pairs ({100 * both / n:.2f} %)")
print(f"| {n} | {ps:.2f} s | {ns:.2f} s | {ps / ns:.3f} ({ns / ps:.1f}x faster) | {pr / 1024:.1f} MiB | {nr / 1024:.1f} MiB | {100 * pa / n:.2f} % | {100 * na / n:.2f} % | {100 * both / n:.2f} % |")
EOF
lab_commands
