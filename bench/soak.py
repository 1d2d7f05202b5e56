#!/usr/bin/env python3
"""Reload soak: a watch of 1,000 bridges whose file is swapped, again and again, for 1,000
others (new names each time; all on one `mock-bridge`), each reload forced by SIGHUP and
awaited (`reloaded` event), with `--metrics` on so the series are made and dropped too. It
prints the watch's RSS (VmRSS, /proc) after the first 10 reloads and after every 100, for this
binary and (`--against OLD`) another, side by side.

Usage:  cargo build --release && python3 bench/soak.py [--reloads 1000] [--against OLD_BINARY]
Needs:  Linux (/proc), python3.
"""

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench import rss_kib  # noqa: E402  (VmRSS of a process, from /proc)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, "target", "release", "kiro-poll")
N = 1000


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def write(path, url, gen):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        for i in range(N):
            f.write(f'[[bridge]]\nname = "r{gen}-{i}"\nurl = "{url}"\n\n')
    os.replace(tmp, path)


def soak(binary, reloads, url):
    marks = {}
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "bridges.toml")
        write(path, url, 0)
        p = subprocess.Popen([binary, "--json", "--bridges", path, "watch", "--interval-ready", "60s",
                              "--metrics", f"127.0.0.1:{free_port()}"],
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        # Signals are handled once it polls: wait for its first answer.
        while json.loads(p.stdout.readline() or '{"type":"ended"}')["type"] not in ("snapshot", "ended"):
            pass
        started = time.time()
        for r in range(1, reloads + 1):
            write(path, url, r)
            p.send_signal(signal.SIGHUP)
            while True:
                line = p.stdout.readline()
                if not line:
                    sys.exit(f"{binary} ended at reload {r}")
                e = json.loads(line)
                if e["type"] == "reloaded" and len(e["added"]) == N:
                    break
            if r == 10 or r % 100 == 0 or r == reloads:
                marks[r] = rss_kib(p.pid)
        took = time.time() - started
        p.send_signal(signal.SIGTERM)
        p.communicate(timeout=30)
    return marks, took


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--reloads", type=int, default=1000)
    ap.add_argument("--against", metavar="BIN")
    args = ap.parse_args()
    mock = subprocess.Popen([BIN, "--json", "mock-bridge", "--port", "0"], stdout=subprocess.PIPE, text=True)
    url = json.loads(mock.stdout.readline())["url"]
    runs = [("kiro-poll (this tree)", BIN)] + ([("kiro-poll --against", args.against)] if args.against else [])
    print(f"{N} bridges swapped for {N} others at each reload (SIGHUP), --metrics on; RSS in MiB")
    results = []
    try:
        for name, binary in runs:
            results.append((name, *soak(binary, args.reloads, url)))
    finally:
        mock.kill()
    marks = sorted(results[0][1])
    print(f"  {'reloads':24}" + "".join(f"{m:>9}" for m in marks) + "   time")
    for name, m, took in results:
        print(f"  {name:24}" + "".join(f"{m.get(k, 0) / 1024:9.1f}" for k in marks) + f"   {took:.0f} s")


if __name__ == "__main__":
    sys.exit(main())
