#!/usr/bin/env python3
"""Fairness under hanging bridges, in real time: 210 bridges of which 200 accept a connection
and never answer, `--max-in-flight 16 --interval-ready 1s`, the default 10 s request timeout.
The 10 that answer are every 21st of the file (so they are first polled early, among bridges
nobody knows yet), simulated by one `kiro-poll mock-bridge --instances 10` whose scenario
starts a command 6 s in. It prints, for each binary given (this one, and `--against OLD`):

- when the first round was over: 95 % and all of the bridges' first polls back (answered or
  given up; the last few, in flight when nobody waits any more, keep their slot to the 10 s
  request timeout);
- how many polls each answering bridge had, and how late they started (`-v`);
- when the answering bridges first answered;
- how long after it began (6 s in, running 20 s) the command was seen (`command_started`) on
  each answering bridge that had answered before it began: a poll a second, so at most 1 s
  when its polls are on time.

Usage:  cargo build --release && python3 bench/fairness.py [--against OLD_BINARY] [--seconds 30]
Needs:  python3.
"""

import argparse
import asyncio
import datetime
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, "target", "release", "kiro-poll")
N, EVERY, MAX = 210, 21, 16
CHANGE_AT = 6.0


def hanging_ports(n):
    """n loopback ports that accept and never answer, served by one asyncio thread."""
    ports = []
    ready = threading.Event()

    async def hold(reader, writer):
        await asyncio.sleep(3600)

    async def serve():
        for _ in range(n):
            s = await asyncio.start_server(hold, "127.0.0.1", 0, backlog=64)
            ports.append(s.sockets[0].getsockname()[1])
        ready.set()
        await asyncio.sleep(3600)

    threading.Thread(target=lambda: asyncio.run(serve()), daemon=True).start()
    ready.wait()
    return ports


def healthy(tmp, binary):
    scenario = os.path.join(tmp, "change.json")
    with open(scenario, "w") as f:
        json.dump({"name": "change", "commands": ["kiro.build"], "durations": {"kiro.build": "20s"},
                   "steps": [{"at": f"{CHANGE_AT}s", "run": "kiro.build"}]}, f)
    started = time.time()
    p = subprocess.Popen([binary, "--json", "mock-bridge", "--port", "0", "--instances", "10",
                          "--scenario", scenario], stdout=subprocess.PIPE, text=True)
    urls = [json.loads(p.stdout.readline())["url"] for _ in range(10)]
    return p, urls, started


def one(binary, seconds, hang):
    with tempfile.TemporaryDirectory() as tmp:
        mock, urls, mock_started = healthy(tmp, binary)
        path = os.path.join(tmp, "bridges.toml")
        names = []
        with open(path, "w") as f:
            h = iter(urls)
            k = iter(hang)
            for i in range(N):
                url = next(h) if i % EVERY == 0 else f"http://127.0.0.1:{next(k)}"
                names.append(f"b{i}")
                f.write(f'[[bridge]]\nname = "b{i}"\nurl = "{url}"\n\n')
        start = time.time()
        out = subprocess.run([binary, "--bridges", path, "--json", "-v", "watch", "--max-in-flight",
                              str(MAX), "--interval-ready", "1s", "--timeout", f"{seconds}s"],
                             capture_output=True, text=True)
        mock.kill()
        mock.wait()
    events = [json.loads(l) for l in out.stdout.splitlines()]
    answering = {f"b{i}" for i in range(0, N, EVERY)}
    first_back = {}
    seen = {}
    polls = {}
    answered = {}
    for e in events:
        b = e.get("bridge")
        t = datetime.datetime.fromisoformat(e["at"].replace("Z", "+00:00")).timestamp()
        if e["type"] in ("snapshot", "unreachable") and b not in first_back:
            first_back[b] = t - start
        if e["type"] == "snapshot" and b in answering:
            answered[b] = t
        if e["type"] == "command_started" and b in answering and b not in seen:
            seen[b] = t - (mock_started + CHANGE_AT)
        if e["type"] == "summary" and b in answering:
            polls[b] = e["polls"]
    lateness = re.search(r"fleet: (.*?); of bridges failing", out.stderr)
    return {
        "round": sorted(first_back.values()),
        "polls": sorted(polls.values()),
        "first": sorted(answered[b] - start for b in answered),
        # Only those that had answered before the command began.
        "seen": [seen.get(b, float("inf")) for b in sorted(answered) if answered[b] < mock_started + CHANGE_AT],
        "lateness": lateness.group(1) if lateness else out.stderr.strip()[-200:],
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--against", metavar="BIN", help="an older kiro-poll to run beside this one")
    ap.add_argument("--seconds", type=int, default=30)
    args = ap.parse_args()
    hang = hanging_ports(N - N // EVERY)
    runs = [("kiro-poll (this tree)", BIN)] + ([("kiro-poll --against", args.against)] if args.against else [])
    print(f"{N} bridges, {N - N // EVERY} hang, --max-in-flight {MAX}, --interval-ready 1s, {args.seconds} s;"
          f" the answering ones start a command {CHANGE_AT:.0f} s in")
    for name, binary in runs:
        r = one(binary, args.seconds, hang)
        seen = r["seen"]
        late = [s for s in seen if s != float("inf")]
        print(f"  {name}")
        rnd = r["round"]
        print(f"    first round over after   {rnd[int(len(rnd) * 0.95) - 1]:.1f} s (95 %), {rnd[-1]:.1f} s (all {len(rnd)})")
        print(f"    polls per answering one  {r['polls'][0]}–{r['polls'][-1]}")
        print(f"    answering lane (-v)      {r['lateness']}")
        first = r["first"]
        print(f"    answering ones answered  first after {first[0]:.1f} s, last after {first[-1]:.1f} s")
        if seen:
            print(f"    command seen after       median {statistics.median(late) if late else float('inf'):.2f} s, "
                  f"max {max(seen):.2f} s (by {len(late)} of the {len(seen)} that had answered before it began)")
        else:
            print("    command seen after       (none had answered before it began)")


if __name__ == "__main__":
    sys.exit(main())
