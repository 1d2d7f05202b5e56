"""kiro-poll mcp through the Python MCP SDK's own stdio client (the `mcp` package, PyPI).

Run by tests/mcp.rs: python_client.py KIRO_POLL BRIDGE_URL DOWN_URL. It lists the tools,
calls every one against mock-bridge (kiro_input offered with --offer-input), checks that each
result's text carries its JSON, waits for a list of goals, runs --read-only and --allow, listens to kiro://status (the 2026-07-28 way the SDK
negotiates by default) and sees an update when the simulator's state changes, cancels a wait,
and sees a bridge that is down as an isError result within --request-timeout. Each check
prints `ok: NAME`; a failed one raises (exit 1).
"""

import json
import os
import sys
import time
from contextlib import AsyncExitStack

import os

import anyio
from mcp import Client, StdioServerParameters
from mcp.shared.subscriptions import ResourceUpdated

KIRO, URL, DOWN = sys.argv[1:4]
TOOLS = ["kiro_status", "kiro_commands", "kiro_exec", "kiro_wait", "kiro_input", "kiro_job", "kiro_jobs"]
READ_ONLY = ["kiro_status", "kiro_commands", "kiro_wait", "kiro_job", "kiro_jobs"]


def ok(name):
    print(f"ok: {name}", flush=True)


def text(result):
    return "".join(c.text for c in result.content if getattr(c, "type", "") == "text")


def carried(result):
    """The JSON a result's text carries after its human line."""
    return json.loads(text(result).rsplit("\n", 1)[1])


def server(url, *extra, mcp=("--offer-input",)):
    args = ["--url", url, *extra, "mcp", *mcp, "--interval-ready", "200ms", "--interval-busy", "100ms"]
    # The SDK passes on only a few variables; the test's job store is one more.
    env = {k: v for k, v in os.environ.items() if k == "KIRO_POLL_STORE"}
    return StdioServerParameters(command=KIRO, args=args, env=env)


async def against_the_simulator():
    async with Client(server(URL)) as c:
        listed = (await c.list_tools()).tools
        assert [t.name for t in listed] == TOOLS, [t.name for t in listed]
        assert all(t.output_schema and t.input_schema["type"] == "object" for t in listed)
        ok("list_tools")

        r = await c.call_tool("kiro_status", {})
        assert not r.is_error and r.structured_content["status"] == "ready", r
        assert "kiro.slow" in r.structured_content["availableCommands"]
        assert text(r).startswith("ready"), text(r)
        assert carried(r) == r.structured_content, text(r)
        ok("kiro_status, its text carrying its JSON")

        r = await c.call_tool("kiro_commands", {"filter": "KIRO."})
        sc = r.structured_content
        assert not r.is_error and sc["count"] == len(sc["commands"]) > 0, r
        assert sc["commands"] == sorted(sc["commands"]) and all("kiro." in x.lower() for x in sc["commands"])
        ok("kiro_commands")

        progress = []

        async def on_progress(value, total, message):
            progress.append((value, message))

        # 2 s of work behind a bridge that gives up on a request after 1 s: a 408, then the
        # connection it answered on and the status followed to the end (the first to show it
        # decides), with progress on the way.
        r = await c.call_tool(
            "kiro_exec", {"command": "kiro.slow", "wait": True, "timeout": "20s"}, progress_callback=on_progress
        )
        sc = r.structured_content
        assert not r.is_error and sc["outcome"] == "completed" and sc["observedBy"] in ("connection", "status"), r
        assert sc["resultKnown"] is False and sc["seenMs"] >= 2000, sc
        assert progress and [v for v, _ in progress] == sorted(v for v, _ in progress), progress
        assert any("following the connection it answered on and its status" in (m or "") for _, m in progress), progress
        ok("kiro_exec wait through a 408, with progress")

        r = await c.call_tool("kiro_exec", {"command": "kiro.quick"})
        assert not r.is_error and r.structured_content["outcome"] == "succeeded", r
        r = await c.call_tool("kiro_exec", {"command": "kiro.fails", "wait": True})
        assert r.is_error and r.structured_content["outcome"] == "failed", r
        assert text(r).startswith("kiro.fails failed: "), text(r)
        ok("kiro_exec outcomes")

        # A client without tasks: wait false returns the job at once, kiro_job tells its end.
        r = await c.call_tool("kiro_exec", {"command": "kiro.slow"})
        assert not r.is_error and r.structured_content["outcome"] == "running", r
        job = r.structured_content["jobId"]
        for _ in range(10):
            r = await c.call_tool("kiro_job", {"id": job, "wait": 5})
            if r.structured_content["state"] != "running":
                break
        assert r.structured_content["state"] == "ended", r
        assert r.structured_content["outcome"] == "completed", r
        listed = await c.call_tool("kiro_jobs", {})
        assert listed.structured_content["jobs"][0]["id"] == job, listed
        again = await c.call_tool("kiro_jobs", {"since": listed.structured_content["cursor"]})
        assert again.structured_content["jobs"] == [], again
        ok("kiro_exec wait false, then kiro_job")

        r = await c.call_tool("kiro_input", {"executionId": "exec-1", "value": "yes", "type": "confirmation"})
        assert r.is_error and r.structured_content["success"] is False, r
        assert "the bridge refused the input: No pending input request" in text(r), text(r)
        ok("kiro_input")

        r = await c.call_tool("kiro_wait", {"until": "available:kiro.later", "timeout": "20s"})
        sc = r.structured_content
        assert not r.is_error and sc["reached"] and "kiro.later" in sc["status"]["availableCommands"], r
        r = await c.call_tool("kiro_wait", {"until": "unavailable,ready", "timeout": "5s"})
        sc = r.structured_content
        assert not r.is_error and sc["reachedGoal"] == "ready" and sc["until"] == "unavailable,ready", r
        r = await c.call_tool("kiro_wait", {"until": ["busy", "ready"], "timeout": "5s"})
        assert not r.is_error and r.structured_content["reachedGoal"] == "ready", r
        assert carried(r) == r.structured_content, text(r)
        r = await c.call_tool("kiro_wait", {"until": "missing:vscode.open", "timeout": 1})
        assert r.is_error and not r.structured_content["reached"], r
        assert text(r).startswith("timed out after 1s: last seen ready") and "it still offers vscode.open" in text(r), text(r)
        ok("kiro_wait")

        r = await c.call_tool("kiro_exec", {"command": ""})
        assert r.is_error and "a command id is required" in text(r), r
        ok("bad arguments are an error result")

        resources = (await c.list_resources()).resources
        assert [str(x.uri) for x in resources] == ["kiro://status"], resources
        read = await c.read_resource("kiro://status")
        assert json.loads(read.contents[0].text)["status"] == "ready"
        ok("read kiro://status")

        async with c.listen(resource_subscriptions=["kiro://status"]) as sub:
            assert sub.honored.resource_subscriptions == ["kiro://status"], sub.honored
            await anyio.sleep(0.6)
            await c.call_tool("kiro_exec", {"command": "kiro.slow"})
            with anyio.fail_after(10):
                async for event in sub:
                    assert event == ResourceUpdated(uri="kiro://status"), event
                    break
            now = json.loads((await c.read_resource("kiro://status")).contents[0].text)
            assert now["status"] == "busy" and now["currentCommand"] == "kiro.slow", now
        ok("listen to kiro://status: an update when the simulator's state changes")

        async with AsyncExitStack() as streams:
            for _ in range(64):
                await streams.enter_async_context(c.listen(resource_subscriptions=["kiro://status"]))
            # The SDK acknowledges a stream before the server sees it, so the 65th is ended at
            # once (the client sees it lost; the server's stderr says why).
            try:
                with anyio.fail_after(5):
                    async with c.listen(resource_subscriptions=["kiro://status"]) as extra:
                        async for event in extra:
                            raise AssertionError(f"an event on a 65th stream: {event}")
                raise AssertionError("a 65th listen stream stayed open")
            except AssertionError:
                raise
            except Exception as e:  # the server's refusal, as the SDK raises it
                assert type(e).__name__ == "SubscriptionLost" or "64 listen streams" in repr(e), repr(e)
        # Closed, they give their room back.
        async with c.listen(resource_subscriptions=["kiro://status"]) as sub:
            assert sub.honored.resource_subscriptions == ["kiro://status"]
        ok("listen streams are bounded")

        started = time.monotonic()
        with anyio.move_on_after(1.0):
            await c.call_tool("kiro_wait", {"until": "unavailable", "timeout": "60s"})
        assert time.monotonic() - started < 3
        # The server goes on: the next call is answered at once.
        t = time.monotonic()
        r = await c.call_tool("kiro_status", {})
        assert not r.is_error and time.monotonic() - t < 2, r
        ok("cancel a wait")


async def against_a_bridge_that_is_down():
    async with Client(server(DOWN, "--request-timeout", "2s")) as c:
        for _ in range(2):
            t = time.monotonic()
            r = await c.call_tool("kiro_status", {})
            took = time.monotonic() - t
            assert r.is_error and text(r).startswith("cannot reach the bridge at ") and "Nothing was run" in text(r), r
            assert "kiro-poll: error" not in text(r) and "mock-bridge" not in text(r), text(r)
            assert r.structured_content is None and took < 3.5, (r, took)
        ok("an unreachable bridge is an isError result")


async def in_each_mode():
    async with Client(server(URL, mcp=["--read-only"])) as c:
        assert [t.name for t in (await c.list_tools()).tools] == READ_ONLY
        r = await c.call_tool("kiro_exec", {"command": "kiro.quick"})
        assert r.is_error and "kiro_exec is not offered: this MCP server is read-only" in text(r), r
        ok("--read-only")
    async with Client(server(URL, mcp=[])) as c:
        assert [t.name for t in (await c.list_tools()).tools] == [t for t in TOOLS if t != "kiro_input"]
        ok("kiro_input not offered by default")
    async with Client(server(URL, mcp=["--allow", "kiro.q*", "--allow", "vscode.open"])) as c:
        r = await c.call_tool("kiro_exec", {"command": "kiro.quick"})
        assert not r.is_error and r.structured_content["outcome"] == "succeeded", r
        r = await c.call_tool("kiro_exec", {"command": "kiro.slow"})
        assert r.is_error and "kiro.slow is not allowed" in text(r) and "kiro.q*, vscode.open" in text(r), r
        ok("--allow")


anyio.run(against_the_simulator)
anyio.run(in_each_mode)
anyio.run(against_a_bridge_that_is_down)
