#!/usr/bin/env python3
"""What a tool call of `kiro-poll mcp` costs, beside `kiro-poll status` as a process, in one run.

Both ask the same simulated bridge (150 commands, no ETags: every answer a full body) for the
status. The MCP figure is the time from writing a `tools/call kiro_status` line to reading its
answer line, over one live session (the handshake done once), median of 100; `resources/read
kiro://status` is timed the same way. The process figure is the wall time of `kiro-poll status
--json` from spawn to exit, median of 100, and `curl -s` is beside it for reference.

Usage:  cargo build --release && python3 bench/mcp.py [--runs N]
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench import BIN, bench_scenario, start_mock  # noqa: E402


class Session:
    """`kiro-poll --url URL mcp` over pipes: one JSON-RPC message a line."""

    def __init__(self, url):
        self.p = subprocess.Popen([BIN, "--url", url, "-q", "mcp"], stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, bufsize=1)
        self.next_id = 1
        self.request("initialize", {"protocolVersion": "2025-11-25", "capabilities": {},
                                    "clientInfo": {"name": "bench", "version": "1"}})
        self.p.stdin.write(json.dumps({"jsonrpc": "2.0", "method": "notifications/initialized"}) + "\n")

    def request(self, method, params):
        i = self.next_id
        self.next_id += 1
        t = time.perf_counter()
        self.p.stdin.write(json.dumps({"jsonrpc": "2.0", "id": i, "method": method, "params": params}) + "\n")
        self.p.stdin.flush()
        while True:
            msg = json.loads(self.p.stdout.readline())
            if msg.get("id") == i:
                return time.perf_counter() - t, msg

    def close(self):
        self.p.stdin.close()
        self.p.wait(timeout=10)


def timed(fn, runs):
    return [fn() for _ in range(runs)]


def wall(cmd):
    t = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - t


def ms(xs):
    return f"median {statistics.median(xs) * 1000:6.2f} ms   p90 {sorted(xs)[int(len(xs) * 0.9)] * 1000:6.2f} ms"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=100)
    a = ap.parse_args()
    if not os.path.exists(BIN):
        sys.exit("build first: cargo build --release")
    spath, scenario = bench_scenario(tempfile.mkdtemp())
    mock, url, _ = start_mock(spath, "none")
    try:
        s = Session(url)
        call = {"name": "kiro_status", "arguments": {}}
        _, first = s.request("tools/call", call)
        assert first["result"]["structuredContent"]["status"] == "ready", first
        for _ in range(10):  # warm: the connection is open, the code paged in
            s.request("tools/call", call)
        tool = timed(lambda: s.request("tools/call", call)[0], a.runs)
        read = timed(lambda: s.request("resources/read", {"uri": "kiro://status"})[0], a.runs)
        s.close()
        status = timed(lambda: wall([BIN, "--url", url, "--json", "status"]), a.runs)
        curl = timed(lambda: wall(["curl", "-s", url + "/api/kiro/status"]), a.runs)
    finally:
        mock.terminate()
    print(f"status of a bridge with {len(scenario['commands'])} commands, full bodies; {a.runs} runs each")
    print(f"  MCP tools/call kiro_status (request -> answer)   {ms(tool)}")
    print(f"  MCP resources/read kiro://status                 {ms(read)}")
    print(f"  kiro-poll status --json, as a process            {ms(status)}")
    print(f"  curl -s, as a process (reference)                {ms(curl)}")
    print(f"  tool call / status process: {statistics.median(tool) / statistics.median(status):.2f}x")


if __name__ == "__main__":
    main()
