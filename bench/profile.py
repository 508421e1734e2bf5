"""``python -m bench.profile [LESSON] [--gradings N]``: where a grading's CPU time goes.

Grades the lesson's reference solution N times on one warm template, as
``grade batch`` does, and prints:

- the judge's CPU time per grading (its thread's, so time spent waiting for
  the host is not counted), and the host's (the host process and the app's,
  read from /proc just before the host is ended: the sandbox, the learner's
  import, the app's work);
- the judge's CPU time by component, from a profile taken with the thread's
  CPU clock. A built-in call (a socket send, a fork) is charged to the
  component that called it. The profiler's own overhead falls on Python
  calls, so small functions weigh more here than they do unprofiled: the
  shares are a map of where the time goes, the totals above are the figures.
  Standard library calls (json, contextlib, ast...) are charged to the
  component that made them, as built-ins are;
- for t3l1, the floor: the same four checks' connections and messages over
  raw httpx-ws in this one process, the reference app imported once, as a
  test of one's own app would drive it (no second process, no sandbox, no
  clock, no verdicts). No grading of t3l1 can spend less CPU than this
  while speaking WebSocket through httpx-ws's ASGI transport.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import importlib.util
import os
import pstats
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import httpx
from httpx_ws import aconnect_ws
from httpx_ws.transport import ASGIWebSocketTransport

from grader import Options, grade, load_exercise
from grader.judge import launch
from grader.judge.launch import Template

ROOT = Path(__file__).resolve().parent.parent

# Components, by where a function lives (first match wins).
COMPONENTS: list[tuple[str, tuple[str, ...]]] = [
    ("httpx-ws and its stack (httpx, wsproto, h11, anyio)", ("/httpx_ws/", "/httpx/", "/wsproto/", "/h11/",
                                                              "/anyio/", "/httpcore/", "/sniffio/")),
    ("relay, link, wire and clock (the trip to the host)", ("grader/judge/relay.py", "grader/judge/link.py",
                                                             "grader/wire.py", "grader/judge/clock.py",
                                                             "grader/judge/hostframes.py",
                                                             "grader/judge/budget.py")),
    ("clients, steps and matching", ("grader/judge/driver.py", "grader/judge/conversation.py",
                                     "grader/judge/unordered.py", "grader/spec/")),
    ("process starts and ends (template fork, host end, sweep)", ("grader/judge/launch.py", "/subprocess.py")),
    ("result building (verdicts, reports, diagnosis, output)", ("grader/result.py", "grader/judge/reports.py",
                                                                "grader/judge/diagnose.py", "grader/judge/trim.py",
                                                                "grader/judge/source.py", "grader/render/",
                                                                "grader/i18n.py", "grader/locale_ko.py")),
    ("grading's own set-up (intake, scratch folders, job)", ("grader/judge/run.py", "grader/judge/intake.py",
                                                             "grader/files.py", "grader/judge/workfile.py",
                                                             "/tempfile.py", "/shutil.py", "/pathlib.py")),
    ("asyncio event loop", ("/asyncio/", "/selectors.py")),
]
OTHER = "not attributed (called from the grading's top or in a cycle)"


def component(func: tuple[str, int, str]) -> str | None:
    """The component a function belongs to, or None for a built-in or the standard library outside asyncio."""
    filename = func[0]
    for name, needles in COMPONENTS:
        if any(needle in filename for needle in needles):
            return name
    return None


def by_component(stats: pstats.Stats) -> dict[str, float]:
    """Seconds of own time per component; a built-in or standard library function is charged to the
    components that called it, in proportion to the time each call took (followed up to a component)."""
    table: dict[Any, Any] = stats.stats  # type: ignore[attr-defined]
    shares: dict[Any, dict[str, float]] = {}

    def share(func: Any, depth: int = 0) -> dict[str, float]:
        if func in shares:
            return shares[func]
        name = component(func)
        callers = table[func][4] if func in table else {}
        if name is not None or not callers or depth > 30:
            found = {name or OTHER: 1.0}
        else:
            shares[func] = {OTHER: 1.0}  # a cycle back here counts as unattributed
            spent = sum(numbers[3] for numbers in callers.values()) or 1.0
            found = defaultdict(float)
            for caller, numbers in callers.items():
                for part, weight in share(caller, depth + 1).items():
                    found[part] += weight * numbers[3] / spent
        shares[func] = dict(found)
        return shares[func]

    totals: dict[str, float] = defaultdict(float)
    for func, numbers in table.items():
        for part, weight in share(func).items():
            totals[part] += numbers[2] * weight
    return totals


def host_cpu(pid: int) -> float:
    """CPU seconds of a process and everything below it that is still there."""
    ticks = os.sysconf("SC_CLK_TCK")
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        own = (int(fields[11]) + int(fields[12]) + int(fields[13]) + int(fields[14])) / ticks
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            children = [int(child) for child in f.read().split()]
    except OSError:
        return 0.0
    return own + sum(host_cpu(child) for child in children)


async def _t3l1_by_hand(app: Any) -> None:
    """t3l1's four checks, hidden parts included, as raw httpx-ws calls: 5 connections, 12 messages each way."""

    async def echo(ws: Any, text: str) -> None:
        await ws.send_text(text)
        answer = await ws.receive_text()
        assert answer == f"Message text was: {text}", answer

    def client() -> httpx.AsyncClient:
        return httpx.AsyncClient(transport=ASGIWebSocketTransport(app), base_url="http://127.0.0.1:8000")

    async with client() as http, aconnect_ws("/ws", http) as ws:
        await echo(ws, "hello")
    async with client() as http, aconnect_ws("/ws", http) as ws:
        for text in ["one", "two", "three", "", "  spaced  ", "안녕하세요", '{"looks": "like json"}', "last"]:
            await echo(ws, text)
    async with client() as alice_http, aconnect_ws("/ws", alice_http) as alice, client() as bob_http, \
            aconnect_ws("/ws", bob_http) as bob:
        await echo(bob, "from bob")
        await echo(alice, "from alice")
    async with client() as http, aconnect_ws("/ws", http) as ws:
        await echo(ws, "bye")


def t3l1_floor(gradings: int) -> float:
    """Median CPU seconds of :func:`_t3l1_by_hand` against the reference app, in this process."""
    spec = importlib.util.spec_from_file_location("t3l1_reference", ROOT / "solutions" / "t3l1.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    spent = []
    for number in range(gradings + 3):
        cpu = time.thread_time()
        asyncio.run(_t3l1_by_hand(module.app))
        if number >= 3:  # the first runs warm what a grading's host has warmed too
            spent.append(time.thread_time() - cpu)
    return statistics.median(spent)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.profile")
    parser.add_argument("lesson", nargs="?", default="t3l1")
    parser.add_argument("--gradings", type=int, default=40)
    opts = parser.parse_args()
    exercise = load_exercise(ROOT / "exercises" / f"{opts.lesson}.yaml")
    app = ROOT / "solutions" / f"{opts.lesson}.py"
    hosts: list[float] = []
    close = launch.HostProcess.close

    def measured_close(self: launch.HostProcess, *args: Any, **kwargs: Any) -> None:
        hosts.append(host_cpu(self.pid))
        close(self, *args, **kwargs)

    launch.HostProcess.close = measured_close  # type: ignore[method-assign]
    judge, walls = [], []
    with Template() as template:
        for _ in range(3):  # warm
            grade(exercise, app, Options(launcher=template, run_hidden=True))
        hosts.clear()
        for _ in range(opts.gradings):
            cpu, wall = time.thread_time(), time.perf_counter()
            result = grade(exercise, app, Options(launcher=template, run_hidden=True))
            judge.append(time.thread_time() - cpu)
            walls.append(time.perf_counter() - wall)
            assert result.passed, f"the reference of {opts.lesson} failed: {result}"
        profiler = cProfile.Profile(time.thread_time)
        profiler.enable()
        for _ in range(opts.gradings):
            grade(exercise, app, Options(launcher=template, run_hidden=True))
        profiler.disable()
    launch.HostProcess.close = close  # type: ignore[method-assign]
    totals = by_component(pstats.Stats(profiler))
    whole = sum(totals.values()) or 1.0
    checks = len(exercise.checks)
    print(f"`python -m bench.profile {opts.lesson} --gradings {opts.gradings}`: {checks} checks, reference solution; "
          f"load average {os.getloadavg()[0]:.1f}, {os.cpu_count()} cores, CPython {sys.version.split()[0]}")
    print()
    print("| per grading (median) | ms |")
    print("| --- | --- |")
    print(f"| wall time | {statistics.median(walls) * 1000:.0f} |")
    print(f"| judge CPU (its thread) | {statistics.median(judge) * 1000:.0f} |")
    print(f"| host CPU (sandbox, import, app; 1/{os.sysconf('SC_CLK_TCK')} s ticks) | "
          f"{statistics.median(hosts) * 1000:.0f} |")
    if opts.lesson == "t3l1":
        print(f"| the floor: the same connections and messages over raw httpx-ws in one process | "
              f"{t3l1_floor(opts.gradings) * 1000:.0f} |")
    print()
    print("| judge CPU by component (profiled) | share |")
    print("| --- | --- |")
    for name, seconds in sorted(totals.items(), key=lambda item: -item[1]):
        print(f"| {name} | {seconds / whole:.0%} |")


if __name__ == "__main__":
    main()
