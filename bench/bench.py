#!/usr/bin/env python3
"""kiro-poll benchmarks, side by side with curl and Python requests, in one run.

Everything runs against the same local server: kiro-poll's own simulated bridge serving a
status body of 150 commands (about 6 KB), once with strong ETags (so unchanged polls can be
304s) and once without ETags (every poll a full body). A small TCP proxy in front of it counts
connections and the bytes that cross the wire (headers included).

Usage:  cargo build --release && python3 bench/bench.py [--polls N] [--callgrind [--static MUSL_BIN] [--against OLD_BIN]]
Needs:  curl, python3; installs `requests` with pip if it is missing; valgrind and strace for
        --callgrind (instructions and system calls per poll).
"""

import argparse
import json
import os
import re
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, "target", "release", "kiro-poll")
# The release's static x86_64 archive, as ci/release.sh leaves it: its binary is counted.
STATIC_ARCHIVE = os.path.join(ROOT, "target", "distrib", "kiro-poll-x86_64-unknown-linux-musl.tar.xz")


def static_binary(tmp):
    """The binary of the release's static archive, unpacked into tmp; None without one."""
    if not os.path.exists(STATIC_ARCHIVE):
        return None
    import tarfile
    with tarfile.open(STATIC_ARCHIVE) as t:
        t.extractall(tmp, filter="data")
    return os.path.join(tmp, "kiro-poll-x86_64-unknown-linux-musl", "kiro-poll")


def child_cpu():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


class Proxy:
    """Counts connections and server-to-client bytes between a client and the server."""

    def __init__(self, upstream_port):
        self.upstream = ("127.0.0.1", upstream_port)
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self.down_bytes = 0
        self.lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def reset(self):
        with self.lock:
            self.connections = 0
            self.down_bytes = 0

    def _accept(self):
        while True:
            client, _ = self.sock.accept()
            client.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            up = socket.create_connection(self.upstream)
            up.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            with self.lock:
                self.connections += 1
            threading.Thread(target=self._pump, args=(client, up, False), daemon=True).start()
            threading.Thread(target=self._pump, args=(up, client, True), daemon=True).start()

    def _pump(self, src, dst, count):
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                if count:
                    with self.lock:
                        self.down_bytes += len(data)
                dst.sendall(data)
        except OSError:
            pass
        for s in (src, dst):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def start_mock(scenario_path, etag, verbose=False):
    args = [BIN, "--json", "mock-bridge", "--port", "0", "--scenario", scenario_path, "--etag", etag]
    if verbose:
        args.insert(1, "-v")
    p = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    url = json.loads(p.stdout.readline())["url"]
    log = []
    threading.Thread(target=lambda: [log.append(l) for l in p.stderr], daemon=True).start()
    return p, url, log


def bench_scenario(tmp):
    """The scenario every benchmark serves: 150 commands, a 6.5 KB status body. Its path and
    the scenario."""
    scenario = {"name": "bench", "commands": [f"kiro.bench.command{i:03d}.with.a.longer.name" for i in range(150)]}
    spath = os.path.join(tmp, "bench.json")
    with open(spath, "w") as f:
        json.dump(scenario, f)
    return spath, scenario


def port_of(url):
    return int(url.rsplit(":", 1)[1])


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def kiro_cpu(url, polls, interval="100ms"):
    """Run `watch` for `polls` polls, quietly; return its CPU seconds and its summary."""
    before = child_cpu()
    out = subprocess.run(
        [BIN, "--url", url, "--json", "watch", "--count", str(polls), "--interval-ready", interval],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return child_cpu() - before, json.loads(out.strip().splitlines()[-1])


def kiro_rss(url, polls, interval="100ms"):
    """Run `watch` with -v (a log line per poll) and sample its RSS after 50 and `polls` polls."""
    p = subprocess.Popen(
        [BIN, "-v", "--url", url, "--json", "watch", "--count", str(polls + 5), "--interval-ready", interval],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    seen, rss50, rss_end = 0, 0, 0
    for line in p.stderr:
        if " -> " in line:
            seen += 1
            if seen == 50:
                rss50 = rss_kib(p.pid)
            if seen == polls:
                rss_end = rss_kib(p.pid)
    p.stdout.read()
    p.wait()
    return rss50, rss_end


def instructions(bin_path, url, polls):
    """User-space instructions of `watch --count polls` (callgrind's total)."""
    out = subprocess.run(
        ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", bin_path, "--url", url, "--json",
         "watch", "--count", str(polls), "--interval-ready", "100ms"],
        capture_output=True, text=True, check=True)
    return int(re.search(r"Collected : (\d+)", out.stderr).group(1))


def instructions_per_poll(bin_path, url):
    """The poll path alone: the difference between 120 polls and 20, over 100 polls, so start-up
    and shutdown cancel out. Instruction counts are stable on a noisy machine; times are not."""
    return (instructions(bin_path, url, 120) - instructions(bin_path, url, 20)) / 100


def syscalls(bin_path, url, polls):
    """System calls of `watch --count polls`, by name, every thread (strace -f -c)."""
    with tempfile.NamedTemporaryFile("r", suffix=".strace") as f:
        subprocess.run(
            ["strace", "-f", "-c", "-o", f.name, bin_path, "--url", url, "--json", "watch", "--count", str(polls),
             "--interval-ready", "100ms"],
            check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        counts = {}
        for line in f.read().splitlines():
            cols = line.split()
            # "% time seconds usecs/call calls [errors] syscall"; the total line ends in "total".
            if len(cols) >= 5 and cols[-1] != "total" and cols[3].isdigit():
                counts[cols[-1]] = int(cols[3])
        return counts


def syscalls_per_poll(bin_path, url):
    """The poll path's system calls, by name: 120 polls minus 20, over 100 (start-up and the
    end cancel out), the calls that happen less than once in ten polls left out."""
    more, fewer = syscalls(bin_path, url, 120), syscalls(bin_path, url, 20)
    per = {k: (more.get(k, 0) - fewer.get(k, 0)) / 100 for k in more}
    return {k: v for k, v in sorted(per.items(), key=lambda kv: -kv[1]) if v >= 0.1}


def run_cpu(cmd, **kw):
    before = child_cpu()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, **kw)
    return child_cpu() - before


def python_requests(url, polls, pause=0.0):
    code = f"""
import time, requests
s = requests.Session()
url = {url!r}
s.get(url).content
t = time.process_time()
for _ in range({polls}):
    s.get(url).content
    if {pause}:
        time.sleep({pause})
print(time.process_time() - t)
"""
    before = child_cpu()
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout
    whole = child_cpu() - before
    return float(out.strip()), whole


def median_wall(cmd, runs):
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def detection_latency(tmp, seconds, interval_s):
    """A scenario that changes the command list at known times; each commands_changed event
    is matched to the step the server applied just before it."""
    scenario = {
        "name": "latency",
        "loop": "2300ms",
        "steps": [
            {"at": "500ms", "addCommands": ["bench.toggle"]},
            {"at": "1650ms", "removeCommands": ["bench.toggle"]},
        ],
    }
    path = os.path.join(tmp, "latency.json")
    with open(path, "w") as f:
        json.dump(scenario, f)
    mock, url, log = start_mock(path, "strong", verbose=True)
    out = subprocess.run(
        [BIN, "--url", url, "--json", "watch", "--timeout", f"{seconds}s", "--interval-ready", f"{int(interval_s * 1000)}ms"],
        capture_output=True,
        text=True,
    ).stdout
    mock.terminate()
    mock.wait()

    def parse(ts):
        from datetime import datetime

        return datetime.strptime(ts, "%Y-%m-%dT%H:%M:%S.%fZ").timestamp()

    steps = [parse(l.rsplit(" ", 1)[1].strip()) for l in log if "scenario step" in l]
    lat = []
    for line in out.splitlines():
        e = json.loads(line)
        if e["type"] != "commands_changed":
            continue
        at = parse(e["at"])
        before = [s for s in steps if s <= at + 0.002]
        if before:
            lat.append((at - before[-1]) * 1000)
    return lat


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--polls", type=int, default=300)
    ap.add_argument("--latency-seconds", type=int, default=14)
    ap.add_argument("--callgrind", action="store_true", help="also count instructions per poll (needs valgrind)")
    ap.add_argument("--callgrind-only", action="store_true",
                    help="only count instructions per poll (callgrind) and system calls per poll (strace)")
    ap.add_argument("--against", metavar="BIN", help="with --callgrind: count another kiro-poll binary too")
    ap.add_argument("--static", metavar="BIN",
                    help="with --callgrind: the static (musl) binary the release ships, counted beside the glibc one "
                         "(default: the one in ci/release.sh's archive, target/distrib, when it is there)")
    a = ap.parse_args()
    n = a.polls
    if not os.path.exists(BIN):
        sys.exit("build first: cargo build --release")
    try:
        import requests  # noqa: F401
    except ImportError:
        subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "requests"], check=True)

    tmp = tempfile.mkdtemp()
    spath, scenario = bench_scenario(tmp)

    strong, strong_url, _ = start_mock(spath, "strong")
    plain, plain_url, _ = start_mock(spath, "none")
    if a.callgrind or a.callgrind_only:
        bins = [("kiro-poll", BIN)]
        static = a.static or static_binary(tmp)
        if static and os.path.exists(static):
            bins.append(("static musl", static))
        elif a.static:
            sys.exit(f"no static binary at {a.static}")
        else:
            print(f"(no {STATIC_ARCHIVE}: ci/release.sh builds it)")
        bins += [("--against", a.against)] if a.against else []
        print("Instructions per poll (callgrind, user space; 120 polls minus 20, over 100)")
        counted = {}
        for name, b in bins:
            i304 = instructions_per_poll(b, strong_url)
            ifull = instructions_per_poll(b, plain_url)
            counted[name] = [i304, ifull]
            print(f"  {name:12} 304: {i304 / 1000:6.1f} k   full body: {ifull / 1000:6.1f} k   ({b})")
        print(f"  {'(at filing)':12} 304: {67.7:6.1f} k   full body: {141.6:6.1f} k   (when the poll path's issue was filed)")
        print(flush=True)
        print("System calls per poll (strace -f -c, every thread; 120 polls minus 20, over 100)")
        for name, b in bins:
            for kind, url in (("304", strong_url), ("full body", plain_url)):
                per = syscalls_per_poll(b, url)
                counted[name].append(sum(per.values()))
                calls = "  ".join(f"{k} {v:.2f}" for k, v in per.items())
                print(f"  {name:12} {kind:9} {sum(per.values()):5.2f}:  {calls}")
        print(f"  {'(at filing)':12} {'304':9} {8.0:5.2f}:  epoll_wait 5.01  writev 1.00  recvfrom 1.02  write 1.04")
        print()
        i304, ifull, s304, _ = counted["kiro-poll"]
        checks = [
            ("instructions per 304 poll ≤ 45 k", i304 <= 45_000, f"{i304 / 1000:.1f} k"),
            ("instructions per full-body poll ≤ 110 k", ifull <= 110_000, f"{ifull / 1000:.1f} k"),
            ("system calls per 304 poll ≤ 4", round(s304, 1) <= 4, f"{s304:.2f}"),
        ]
        print(f"{'target (glibc build)':44} {'measured':>14}  ok")
        for name, ok, fig in checks:
            print(f"  {name:42} {fig:>14}  {'yes' if ok else 'NO'}")
        print(flush=True)
        if a.callgrind_only:
            strong.terminate()
            plain.terminate()
            return
    body = subprocess.run(["curl", "-s", plain_url + "/api/kiro/status"], capture_output=True).stdout
    print(f"status body: {len(body)} bytes, {len(scenario['commands'])} commands; {n} polls per client\n", flush=True)

    px_strong = Proxy(port_of(strong_url))
    px_plain = Proxy(port_of(plain_url))
    via_strong = f"http://127.0.0.1:{px_strong.port}"
    via_plain = f"http://127.0.0.1:{px_plain.port}"
    status_path = "/api/kiro/status"

    rows = {}
    px_strong.reset()
    cpu, summ = kiro_cpu(via_strong, n)
    rows["kiro304"] = dict(cpu=cpu / n, wire=px_strong.down_bytes / n, conns=px_strong.connections, body=summ["bytesReceived"] / n, nm=summ["notModified"])
    px_plain.reset()
    cpu, summ = kiro_cpu(via_plain, n)
    rows["kirofull"] = dict(cpu=cpu / n, wire=px_plain.down_bytes / n, conns=px_plain.connections, body=summ["bytesReceived"] / n)
    rows["kiro304"]["rss50"], rows["kiro304"]["rss_end"] = kiro_rss(strong_url, n)
    rows["kirofull"]["rss50"], rows["kirofull"]["rss_end"] = kiro_rss(plain_url, n)

    px_plain.reset()
    cpu = run_cpu(["curl", "-s"] + [via_plain + status_path] * n + ["-o", "/dev/null"] * n)
    rows["curl_ka"] = dict(cpu=cpu / n, wire=px_plain.down_bytes / n, conns=px_plain.connections)

    # The same cadence as kiro-poll's: one request every 100 ms, one process, keep-alive.
    px_plain.reset()
    cpu = run_cpu(["curl", "-s", "--rate", "10/s"] + [via_plain + status_path] * n + ["-o", "/dev/null"] * n)
    rows["curl_rate"] = dict(cpu=cpu / n, wire=px_plain.down_bytes / n, conns=px_plain.connections)

    px_plain.reset()
    before = child_cpu()
    for _ in range(n):
        subprocess.run(["curl", "-s", "-o", "/dev/null", via_plain + status_path], check=True)
    rows["curl_each"] = dict(cpu=(child_cpu() - before) / n, wire=px_plain.down_bytes / n, conns=px_plain.connections)

    px_plain.reset()
    loop_cpu, whole_cpu = python_requests(via_plain + status_path, n, 0.1)
    rows["py"] = dict(cpu=loop_cpu / n, whole=whole_cpu / (n + 1), wire=px_plain.down_bytes / (n + 1), conns=px_plain.connections)
    loop_cpu, _ = python_requests(via_plain + status_path, n)
    rows["py_b2b"] = dict(cpu=loop_cpu / n)

    lat = detection_latency(tmp, a.latency_seconds, 1.0)
    kiro_wall = median_wall([BIN, "--url", plain_url, "status"], 30)
    curl_wall = median_wall(["curl", "-s", plain_url + status_path], 30)
    strong.terminate()
    plain.terminate()

    us = lambda s: f"{s * 1e6:,.0f} µs"
    k = rows["kiro304"]
    kf = rows["kirofull"]
    print(f"{'CPU time per poll (user+sys)':44} {'':>14}")
    print(f"  {'kiro-poll watch, 304s (strong ETag)':42} {us(k['cpu']):>14}")
    print(f"  {'kiro-poll watch, full bodies (no ETag)':42} {us(kf['cpu']):>14}")
    print(f"  {'curl, one process, keep-alive, every 100ms':42} {us(rows['curl_rate']['cpu']):>14}")
    print(f"  {'curl, one process, keep-alive, back to back':42} {us(rows['curl_ka']['cpu']):>14}")
    print(f"  {'curl, one process per poll':42} {us(rows['curl_each']['cpu']):>14}")
    print(f"  {'Python requests.Session, every 100ms':42} {us(rows['py']['cpu']):>14}   (loop only; whole process {us(rows['py']['whole'])})")
    print(f"  {'Python requests.Session, back to back':42} {us(rows['py_b2b']['cpu']):>14}")
    print()
    print(f"{'Bytes received per poll (wire, headers incl.)':44}")
    print(f"  {'kiro-poll, unchanged (304)':42} {k['wire']:>11,.0f} B   (body {k['body']:.0f} B; {k['nm']} of {n} answers were 304)")
    print(f"  {'kiro-poll, full body':42} {kf['wire']:>11,.0f} B   (body {kf['body']:.0f} B)")
    print(f"  {'curl keep-alive':42} {rows['curl_ka']['wire']:>11,.0f} B")
    print(f"  {'Python requests':42} {rows['py']['wire']:>11,.0f} B")
    print()
    print(f"{'TCP connections for ' + str(n) + ' polls':44}")
    for name, key in [("kiro-poll (304s)", "kiro304"), ("kiro-poll (full)", "kirofull"), ("curl keep-alive", "curl_rate"), ("curl per poll", "curl_each"), ("Python requests.Session", "py")]:
        print(f"  {name:42} {rows[key]['conns']:>14}")
    print()
    print(f"{'kiro-poll RSS':44}")
    print(f"  {'after 50 polls / after ' + str(n) + ' (304s)':42} {k['rss50']:>8} KiB / {k['rss_end']} KiB  (growth {k['rss_end'] - k['rss50']} KiB)")
    print(f"  {'after 50 polls / after ' + str(n) + ' (full)':42} {kf['rss50']:>8} KiB / {kf['rss_end']} KiB  (growth {kf['rss_end'] - kf['rss50']} KiB)")
    print()
    if lat:
        print(f"{'Detection latency, change → event (interval 1s)':44}")
        print(f"  {'median / max over ' + str(len(lat)) + ' changes':42} {statistics.median(lat):>8.0f} ms / {max(lat):.0f} ms")
        print()
    print(f"{'status, wall time (median of 30)':44}")
    print(f"  {'kiro-poll status':42} {kiro_wall * 1000:>11.1f} ms")
    print(f"  {'curl -s':42} {curl_wall * 1000:>11.1f} ms")
    print()

    checks = [
        ("CPU/poll ≤ 0.6× curl keep-alive (same cadence)", k["cpu"] <= 0.6 * rows["curl_rate"]["cpu"], f"{k['cpu'] / rows['curl_rate']['cpu']:.2f}×"),
        ("  full bodies, same comparison", kf["cpu"] <= 0.6 * rows["curl_rate"]["cpu"], f"{kf['cpu'] / rows['curl_rate']['cpu']:.2f}×"),
        ("CPU/poll ≤ 1/5 Python requests (same cadence)", k["cpu"] <= rows["py"]["cpu"] / 5, f"{k['cpu'] / rows['py']['cpu']:.2f}×"),
        ("unchanged-poll bytes ≤ 5 % of full", k["wire"] <= 0.05 * kf["wire"], f"{100 * k['wire'] / kf['wire']:.1f} %"),
        (f"≤ 2 connections per {n} polls", k["conns"] <= 2 and kf["conns"] <= 2, f"{k['conns']} / {kf['conns']}"),
        ("RSS growth ≤ 512 KiB", max(k["rss_end"] - k["rss50"], kf["rss_end"] - kf["rss50"]) <= 512, f"{max(k['rss_end'] - k['rss50'], kf['rss_end'] - kf['rss50'])} KiB"),
        ("detection ≤ interval + 50 ms", bool(lat) and max(lat) <= 1050, f"{max(lat):.0f} ms" if lat else "n/a"),
        ("status ≤ 2× curl -s", kiro_wall <= 2 * curl_wall, f"{kiro_wall / curl_wall:.2f}×"),
    ]
    print(f"{'target':44} {'measured':>14}  ok")
    for name, ok, fig in checks:
        print(f"  {name:42} {fig:>14}  {'yes' if ok else 'NO'}")


if __name__ == "__main__":
    main()
