"""Shared by the check benchmarks: each tool's verdict per address:port, read from
portplan's report (runs of ports expanded, `verified` counted as `open`, as nmap has no
such state) and nmap's XML (ports folded into "extraports" included), and each tool's
wall time and peak RSS from `/usr/bin/time -v`."""
import json, re
import xml.etree.ElementTree as ET


def load(work):
    """(truth, portplan's verdicts, nmap's verdicts) for the lab in `work`."""
    truth = json.load(open(f"{work}/truth.json"))
    plan = json.load(open(f"{work}/plan.json"))
    addr = {h["name"]: h["address"] for h in plan["hosts"]}
    pp = {}
    for f in json.load(open(f"{work}/report.json"))["flows"]:
        for p in f["probes"]:
            for q in range(p["port"], p.get("through", p["port"]) + 1):  # runs of ports
                v = p["verdict"]
                pp[f"{addr[f['to']]}:{q}"] = "open" if v == "verified" else v
    nm = {}
    for host in ET.parse(f"{work}/nmap.xml").getroot().iter("host"):
        ip = host.find("address").get("addr")
        for port in host.iter("port"):
            nm[f"{ip}:{port.get('portid')}"] = port.find("state").get("state")
        # Ports nmap folds into "extraports" are listed, as ranges, in extrareasons.
        for extra in host.iter("extraports"):
            for reason in extra.iter("extrareasons"):
                for part in reason.get("ports", "").split(","):
                    if not part:
                        continue
                    a, _, b = part.partition("-")
                    for p in range(int(a), int(b or a) + 1):
                        nm[f"{ip}:{p}"] = extra.get("state")
    return truth, pp, nm


def stats(work, name):
    """(wall seconds, peak RSS in KiB) of one tool's run."""
    t = open(f"{work}/{name}.time").read()
    wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)", t).group(1)
    secs = sum(float(x) * 60 ** i for i, x in enumerate(reversed(wall.split(":"))))
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", t).group(1))
    return secs, rss


def states(truth):
    return ", ".join(f"{s} {sum(v == s for v in truth.values())}" for s in ("open", "closed", "filtered"))
