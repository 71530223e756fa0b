# Shared by the check benchmarks (sourced): the release binary, the tools, a lab of two
# network namespaces joined by a veth pair ("src" probes, "tgt" answers), a listener
# that accepts and closes on a port range, static neighbour entries, and a timed run.
# Everything the lab makes is removed on exit.

# lab_init TAG NET: builds portplan (unless $PORTPLAN), checks the tools, creates
# $SRC and $TGT with $NET.1 on the src side, and $WORK.
lab_init() {
    TAG=$1
    NET=$2
    cd "$(dirname "${BASH_SOURCE[0]}")/.."
    ROOT=$(pwd)
    if [[ -z "${PORTPLAN:-}" ]]; then
        cargo build --release -q -p portplan
        PORTPLAN="$ROOT/target/release/portplan"
    fi
    for tool in ip nft nmap python3 /usr/bin/time; do
        command -v "$tool" >/dev/null || { echo "missing: $tool" >&2; exit 2; }
    done
    SRC="$TAG-src"
    TGT="$TAG-tgt"
    WORK=$(mktemp -d)
    LISTENER_PID=""
    trap lab_cleanup EXIT
    ip netns add "$SRC"
    ip netns add "$TGT"
    ip -n "$SRC" link set lo up
    ip -n "$TGT" link set lo up
    ip link add "${TAG}a" netns "$SRC" type veth peer name "${TAG}b" netns "$TGT"
    ip -n "$SRC" addr add "$NET.1/24" dev "${TAG}a"
}

# lab_up: brings the veth pair up (after lab_init and the tgt addresses).
lab_up() {
    ip -n "$SRC" link set "${TAG}a" up
    ip -n "$TGT" link set "${TAG}b" up
}

lab_cleanup() {
    [[ -n "$LISTENER_PID" ]] && kill "$LISTENER_PID" 2>/dev/null || true
    ip netns del "$SRC" 2>/dev/null || true
    ip netns del "$TGT" 2>/dev/null || true
    [[ -n "${KEEP:-}" ]] && echo "kept $WORK" >&2 || rm -rf "$WORK"
}

# lab_neigh IP...: static neighbour entries in src for tgt's addresses, so neither tool
# waits for ARP or loses SYNs queued behind an unresolved address (and the second tool
# cannot profit from a cache the first warmed).
lab_neigh() {
    local mac
    mac=$(ip -n "$TGT" -o link show "${TAG}b" | grep -o 'link/ether [0-9a-f:]*' | cut -d' ' -f2)
    for ip in "$@"; do
        ip -n "$SRC" neigh replace "$ip" lladdr "$mac" dev "${TAG}a" nud permanent
    done
}

# lab_listen FIRST LAST: one listener per port on every tgt address; accepts and closes.
# Waits (at most 10 s) until it listens, then raises this shell's open-file limit.
lab_listen() {
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
' "$1" "$2" > "$WORK/listener.out" &
    LISTENER_PID=$!
    for _ in $(seq 100); do grep -q ready "$WORK/listener.out" 2>/dev/null && break; sleep 0.1; done
    ulimit -n "$(ulimit -Hn)"
}

# run_timed NAME COMMAND...: runs in src under /usr/bin/time -v.
run_timed() {
    local name=$1; shift
    ip netns exec "$SRC" /usr/bin/time -v "$@" > "$WORK/$name.out" 2> "$WORK/$name.time" || true
}

# lab_commands: the two command lines, $WORK written as such.
lab_commands() {
    echo "portplan: ${PORTPLAN_CMD[*]}" | sed "s|$WORK|\$WORK|g"
    echo "nmap:     ${NMAP_CMD[*]}" | sed "s|$WORK|\$WORK|g"
}
