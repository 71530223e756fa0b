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
source "$(dirname "$0")/lab.sh"
lab_init "pp1h$$" 10.252.0
ip -n "$TGT" addr add 10.252.0.10/24 dev "${TAG}b"
lab_up
lab_neigh 10.252.0.10

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

lab_listen "$FIRST" "$OPEN_LAST"

if [[ "$MODE" == limit ]]; then
    PORTPLAN_CMD=("$PORTPLAN" check --plan "$WORK/plan.json" --from probe --format json --no-progress -o "$WORK/report.json")
    NMAP_CMD=(nmap -sT -Pn -n -p "$FIRST-$LAST" 10.252.0.10 -oX "$WORK/nmap.xml")
else
    PORTPLAN_CMD=("$PORTPLAN" check --no-deep --plan "$WORK/plan.json" --from probe --timeout 1s --retries 0
        --format json --no-progress -o "$WORK/report.json")
    NMAP_CMD=(nmap -sT -Pn -n --max-retries 0 --max-rtt-timeout 1000ms -p "$FIRST-$LAST" 10.252.0.10 -oX "$WORK/nmap.xml")
fi
run_timed portplan "${PORTPLAN_CMD[@]}"
# Let the rate limiter's bucket refill, so the second tool starts like the first.
sleep 1
run_timed nmap "${NMAP_CMD[@]}"

python3 - "$WORK" "$MODE" <<'EOF'
import sys
sys.path.insert(0, "bench")
from score import load, stats, states
work, mode = sys.argv[1], sys.argv[2]
truth, pp, nm = load(work)
n = len(truth)
def wrong(got):
    bad = {}
    for k, v in truth.items():
        g = got.get(k)
        if g != v: bad[f"{v}->{g}"] = bad.get(f"{v}->{g}", 0) + 1
    return bad
(ps, pr), (ns, nr) = stats(work, "portplan"), stats(work, "nmap")
pw, nw = wrong(pp), wrong(nm)
both = sum(pp.get(k) == nm.get(k) for k in truth)
print(f"mode {mode}: {n} ports, truth: {states(truth)}")
print(f"portplan: {ps:.2f} s, {pr / 1024:.1f} MiB peak RSS, wrong: {sum(pw.values())} {pw}")
print(f"nmap:     {ns:.2f} s, {nr / 1024:.1f} MiB peak RSS, wrong: {sum(nw.values())} {nw}")
print(f"| {mode} | {n} | {ps:.2f} s | {ns:.2f} s | {ps / ns:.3f} | {pr / 1024:.1f} MiB | {nr / 1024:.1f} MiB | {sum(pw.values())} | {sum(nw.values())} | {100 * both / n:.2f} % |")
EOF
lab_commands
