#!/usr/bin/env python3
"""Fleet benchmark: one kiro-poll watching 1,000 (and 10,000) simulated bridges, side by side
with Prometheus's blackbox_exporter probing the same 1,000 targets at the same rate, in one run.

The bridges are `kiro-poll mock-bridge --instances N` processes (their CPU is not counted).
kiro-poll's CPU and peak RSS come from wait4 on its process; its poll lateness (how late a poll
starts behind its due time) from its own `-v` report; polls per bridge and spurious events
from its NDJSON. blackbox_exporter is driven by a real Prometheus scraping /probe for every
target each second; its CPU comes from /proc, its probe count from Prometheus.

Usage:  cargo build --release && python3 bench/fleet.py [--quick]
Needs:  prometheus and prometheus-blackbox-exporter (apt-get install -y prometheus
        prometheus-blackbox-exporter), python3.
"""

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, "target", "release", "kiro-poll")
TICKS = os.sysconf("SC_CLK_TCK")


def mocks(first_port, n, per_process=5000):
    procs = []
    for start in range(0, n, per_process):
        count = min(per_process, n - start)
        procs.append(subprocess.Popen(
            [BIN, "-q", "mock-bridge", "--port", str(first_port + start), "--instances", str(count)],
            stdout=subprocess.DEVNULL))
    deadline = time.time() + 300
    for port in (first_port, first_port + n - 1):
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1).read()
                break
            except OSError:
                if time.time() > deadline:
                    sys.exit(f"mock bridges on {port} did not start")
                time.sleep(0.2)
    return procs


def bridges_file(tmp, first_port, n):
    path = os.path.join(tmp, f"bridges-{n}.toml")
    with open(path, "w") as f:
        for i in range(n):
            f.write(f'[[bridge]]\nname = "b{i}"\nurl = "http://127.0.0.1:{first_port + i}"\n\n')
    return path


def measured(bridges, seconds, extra, scrape_url=None, bin_path=BIN):
    """Run the watch to its --timeout; its own CPU and peak RSS come from wait4."""
    import threading
    args = [bin_path, "--bridges", bridges, "--json", "-v", "watch", "--timeout", f"{seconds}s", *extra]
    p = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    got = {}
    readers = [threading.Thread(target=lambda k, s: got.__setitem__(k, s.read()), args=(k, s))
               for k, s in (("out", p.stdout), ("err", p.stderr))]
    for t in readers:
        t.start()
    scrapes = []
    if scrape_url:
        end = time.time() + seconds - 1
        time.sleep(3)
        while time.time() < end:
            t = time.perf_counter()
            try:
                # What Prometheus asks for.
                req = urllib.request.Request(scrape_url, headers={"Accept": "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5"})
                body = urllib.request.urlopen(req, timeout=5).read()
                scrapes.append((time.perf_counter() - t, len(body)))
            except OSError:
                pass
            time.sleep(max(0.0, 1.0 - (time.perf_counter() - t)))
    _, status, ru = os.wait4(p.pid, 0)
    p.returncode = os.waitstatus_to_exitcode(status)
    for t in readers:
        t.join()
    out, err = got["out"], got["err"].decode()
    events = [json.loads(l) for l in out.decode().splitlines() if l.strip()]
    per = [e for e in events if e["type"] == "summary" and "bridge" in e]
    m = re.search(r"lateness p50 (\d+) ms, p99 (\d+) ms, max (\d+) ms", err)
    late = tuple(int(x) for x in m.groups()) if m else (None, None, None)
    spurious = [e for e in events if e["type"] not in ("snapshot", "summary")]
    return {
        "cpu": ru.ru_utime + ru.ru_stime, "rss": ru.ru_maxrss, "polls": sum(e["polls"] for e in per),
        "min_polls": min((e["polls"] for e in per), default=0),
        "errors": sum(e["errors"] for e in per), "late": late, "spurious": len(spurious),
        "seconds": seconds, "scrapes": scrapes, "bridges": len(per), "code": p.returncode,
    }


def proc_cpu(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def prom_query(base, q):
    url = f"{base}/api/v1/query?" + urllib.parse.urlencode({"query": q})
    return json.load(urllib.request.urlopen(url, timeout=10))


def blackbox(tmp, first_port, n, seconds):
    bb = shutil.which("prometheus-blackbox-exporter")
    prom = shutil.which("prometheus")
    if not bb or not prom:
        return None
    bb_conf = os.path.join(tmp, "blackbox.yml")
    with open(bb_conf, "w") as f:
        f.write("modules:\n  kiro_status:\n    prober: http\n    timeout: 5s\n    http:\n"
                "      method: GET\n      valid_status_codes: [200]\n      preferred_ip_protocol: ip4\n")
    bbp = subprocess.Popen([bb, f"--config.file={bb_conf}", "--web.listen-address=127.0.0.1:19115"],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    targets = ",".join(f"'127.0.0.1:{first_port + i}'" for i in range(n))
    prom_conf = os.path.join(tmp, "prom.yml")
    with open(prom_conf, "w") as f:
        f.write(f"""global:
  scrape_interval: 1s
  scrape_timeout: 900ms
scrape_configs:
  - job_name: blackbox
    metrics_path: /probe
    params: {{module: [kiro_status]}}
    static_configs:
      - targets: [{targets}]
    relabel_configs:
      - source_labels: [__address__]
        regex: (.*)
        target_label: __param_target
        replacement: http://$1/api/kiro/status
      - source_labels: [__param_target]
        target_label: instance
      - target_label: __address__
        replacement: 127.0.0.1:19115
""")
    pp = subprocess.Popen([prom, f"--config.file={prom_conf}", f"--storage.tsdb.path={tmp}/promdata",
                           "--web.listen-address=127.0.0.1:19090"],
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = "http://127.0.0.1:19090"
    try:
        time.sleep(5)  # let every target get its first scrape
        q = f"sum(count_over_time(probe_success[{seconds}s]))"
        c0 = proc_cpu(bbp.pid)
        time.sleep(seconds)
        c1 = proc_cpu(bbp.pid)
        probes = float(prom_query(base, q)["data"]["result"][0]["value"][1])
        ok = float(prom_query(base, f"sum(sum_over_time(probe_success[{seconds}s]))")["data"]["result"][0]["value"][1])
        rss = int(open(f"/proc/{bbp.pid}/status").read().split("VmHWM:")[1].split()[0])
        return {"cpu": c1 - c0, "probes": probes, "ok": ok, "rss": rss, "seconds": seconds}
    finally:
        for p in (pp, bbp):
            p.terminate()
            p.wait()


def row(name, r):
    per = r["cpu"] / max(r["polls"], 1)
    share = 100 * r["cpu"] / r["seconds"]
    p50, p99, mx = r["late"]
    print(f"  {name:40} {r['bridges']:>6,} bridges {r['polls']:>8,} polls  CPU/poll {us(per):>9}  "
          f"{share:5.1f} % of a core  RSS {r['rss'] / 1024:6.1f} MiB  lateness p50/p99/max {p50}/{p99}/{mx} ms  "
          f"min polls/bridge {r['min_polls']}  errors {r['errors']}  non-snapshot events {r['spurious']}")


def big_run(tmp, seconds):
    if not seconds:
        return
    # Below the ephemeral range (32768+), where client sockets could hold a port.
    procs = mocks(21000, 10000)
    try:
        big = measured(bridges_file(tmp, 21000, 10000), seconds, [])
    finally:
        for p in procs:
            p.terminate()
            p.wait()
    print()
    row(f"10,000 at default intervals, {seconds}s", big)


def us(x):
    return f"{x * 1e6:,.0f} µs"


def service(tmp):
    """10,000 bridges served as metrics: scrape size and encode time with and without per-bridge
    histograms, then a reload of the file with 100 changes (50 removed, 50 added) while it runs."""
    procs = mocks(21000, 10050)
    scrape_url = "http://127.0.0.1:19465/metrics"
    results = {}
    try:
        path = bridges_file(tmp, 21000, 10000)
        for hist in (False, True):
            extra = ["--metrics", "19465"] + (["--metrics-histograms"] if hist else [])
            args = [BIN, "--bridges", path, "--json", "-v", "watch", "--timeout", "60s" if not hist else "25s", *extra]
            p = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
            time.sleep(15)
            scrapes = []
            for _ in range(5):
                t = time.perf_counter()
                req = urllib.request.Request(scrape_url, headers={"Accept": "text/plain;version=0.0.4"})
                body = urllib.request.urlopen(req, timeout=10).read()
                scrapes.append((time.perf_counter() - t, len(body), body.count(b"\n")))
                time.sleep(1)
            if not hist:
                # 100 changes: the first 50 bridges go, 50 new ones come.
                with open(path + ".new", "w") as f:
                    for i in range(50, 10050):
                        f.write(f'[[bridge]]\nname = "b{i}"\nurl = "http://127.0.0.1:{21000 + i}"\n\n')
                os.rename(path + ".new", path)
            err = p.communicate()[1]
            results[hist] = (scrapes, err)
            if not hist:
                # The second run reads the original set again.
                bridges_file(tmp, 21000, 10000)
    finally:
        for p in procs:
            p.terminate()
            p.wait()
    print("10,000 bridges with --metrics (scraped 5 times, 1 s apart, Prometheus text format)")
    for hist, (scrapes, err) in results.items():
        walls = sorted(x[0] for x in scrapes)
        size, lines = scrapes[-1][1], scrapes[-1][2]
        name = "--metrics-histograms" if hist else "default"
        print(f"  {name:22} {size / 1e6:6.1f} MB, {lines:,} lines ({lines / 10000:.1f} per bridge), "
              f"scrape median {walls[len(walls) // 2] * 1000:.0f} ms, max {walls[-1] * 1000:.0f} ms")
    err = results[False][1]
    m = re.search(r"reload: read and checked in (\d+) ms, swapped in (\d+) ms", err)
    late = re.search(r"fleet: [\d,]+ polls started, lateness p50 (\d+) ms, p99 (\d+) ms, max (\d+) ms", err)
    print(f"  reload of the 10,000-bridge file with 100 changes: "
          + (f"read and checked {m.group(1)} ms, swapped in {m.group(2)} ms" if m else "no reload seen"))
    if late:
        print(f"  lateness of answering bridges over the run, reload included: p50 {late.group(1)} ms, "
              f"p99 {late.group(2)} ms, max {late.group(3)} ms")


def against(tmp, other, seconds):
    """CPU per poll of two builds, alternating so the machine's drift hits both alike."""
    procs = mocks(20000, 1000)
    try:
        f1000 = bridges_file(tmp, 20000, 1000)
        runs = {"this build": [], "--against": []}
        for _ in range(3):
            for name, b in (("this build", BIN), ("--against", other)):
                r = measured(f1000, seconds, ["--interval-ready", "1s"], bin_path=b)
                runs[name].append(r["cpu"] / max(r["polls"], 1))
    finally:
        for p in procs:
            p.terminate()
            p.wait()
    print(f"1,000 bridges at --interval-ready 1s, {seconds}s, CPU per poll, three runs each, alternating")
    for name, per in runs.items():
        print(f"  {name:12} median {us(statistics.median(per)):>9}   runs {', '.join(us(x) for x in per)}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="shorter runs, no 10,000")
    ap.add_argument("--only-10000", action="store_true", help="only the 10,000-bridge run")
    ap.add_argument("--service", action="store_true",
                    help="only 10,000 bridges as a metrics service: scrape size, encode time, a reload")
    ap.add_argument("--against", metavar="BIN",
                    help="only 1,000 at 1s, this build and another one alternately, three runs each")
    a = ap.parse_args()
    if not os.path.exists(BIN):
        sys.exit("build first: cargo build --release")
    tmp = tempfile.mkdtemp(prefix="kiro-fleet-")
    fast_s, slow_s, big_s = (10, 20, 0) if a.quick else (20, 60, 60)
    if a.only_10000:
        return big_run(tmp, big_s)
    if a.against:
        return against(tmp, a.against, fast_s)
    if a.service:
        return service(tmp)
    procs = mocks(20000, 1000)
    try:
        f1000 = bridges_file(tmp, 20000, 1000)
        fast = measured(f1000, fast_s, ["--interval-ready", "1s"])
        scraped = measured(f1000, fast_s, ["--interval-ready", "1s", "--metrics", "19464"],
                           scrape_url="http://127.0.0.1:19464/metrics")
        slow = measured(f1000, slow_s, [])
        bb = blackbox(tmp, 20000, 1000, fast_s)
    finally:
        for p in procs:
            p.terminate()
            p.wait()
    print("kiro-poll fleet benchmark (one process, simulated bridges on loopback, 2 cores)\n")
    row(f"1,000 at --interval-ready 1s, {fast_s}s", fast)
    row(f"same, with --metrics scraped every 1s", scraped)
    row(f"1,000 at default intervals, {slow_s}s", slow)
    if scraped["scrapes"]:
        walls = sorted(s[0] for s in scraped["scrapes"])
        print(f"\n  /metrics of 1,000 bridges: {len(walls)} scrapes, median {walls[len(walls) // 2] * 1000:.1f} ms, "
              f"max {walls[-1] * 1000:.1f} ms, {scraped['scrapes'][-1][1] / 1024:.0f} KiB")
        print(f"  CPU per poll with metrics served / without: {scraped['cpu'] / max(scraped['polls'], 1) / (fast['cpu'] / max(fast['polls'], 1)):.2f}×")
    if bb:
        per_bb = bb["cpu"] / max(bb["probes"], 1)
        per_k = fast["cpu"] / max(fast["polls"], 1)
        print(f"\n  {'blackbox_exporter, same 1,000 at 1s':40} {bb['probes']:>8,.0f} probes ({bb['ok']:,.0f} ok)  "
              f"CPU/probe {us(per_bb):>9}  {100 * bb['cpu'] / bb['seconds']:5.1f} % of a core  RSS {bb['rss'] / 1024:.1f} MiB")
        print(f"  kiro-poll CPU per poll / blackbox_exporter CPU per probe: {per_k / per_bb:.2f}×")
    else:
        print("\n  blackbox_exporter: not installed (apt-get install -y prometheus prometheus-blackbox-exporter)")
    sys.stdout.flush()
    big_run(tmp, big_s)
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
