"""``python -m bench``: measure the grader against its baselines and print a table.

Every row is measured against its baseline in the same interleaved run
(A B A B …): each pair gives one ratio, and the row shows the median of the
ratios with their minimum and maximum, so a noisy, shared machine shifts
both sides of every pair alike. The machine and its load are recorded with
the table. Nothing here is a test verdict: the numbers go into
bench/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import io
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

# Module level on purpose: with postponed annotations FastAPI resolves
# `websocket: WebSocket` in the module's globals.
import httpx
from fastapi import FastAPI, WebSocket
from httpx_ws import aconnect_ws
from httpx_ws.transport import ASGIWebSocketTransport

from grader.judge.clock import VirtualClockLoop
from grader.judge.driver import Client, Transcript
from grader.judge.link import Link
from grader.spec import Connect, parse_exercise
from grader.testing import ProcessHost, converse

ROOT = Path(__file__).resolve().parent.parent
FLOOR = [sys.executable, "-c", "import fastapi, httpx_ws, yaml"]
GRADE = str(Path(sys.executable).with_name("grade"))

ECHO_SOURCE = """\
from fastapi import FastAPI, WebSocket

app = FastAPI()


@app.websocket("/ws")
async def echo(websocket: WebSocket) -> None:
    await websocket.accept()
    async for text in websocket.iter_text():
        await websocket.send_text(text)
"""

# A class's broken submissions: an import that never ends, an endpoint that spins.
IMPORT_LOOP = "from fastapi import FastAPI\n\napp = FastAPI()\nwhile True:\n    pass\n"
BUSY_ENDPOINT = ECHO_SOURCE.replace("        await websocket.send_text(text)", "        while True:\n            pass")
BLOCKING_ENDPOINT = "import time\n" + ECHO_SOURCE.replace("await websocket.send_text(text)", "time.sleep(60)")


@dataclass
class Row:
    name: str
    value: str
    baseline: str
    ratios: list[float]
    target: str

    def cells(self) -> list[str]:
        low, mid, high = min(self.ratios), statistics.median(self.ratios), max(self.ratios)
        spread = f"{mid:.3g} ({low:.3g}–{high:.3g})" if len(self.ratios) > 1 else f"{mid:.3g}"
        return [self.name, self.value, self.baseline, spread, self.target]


def timed(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def interleaved(a: Callable[[], float], b: Callable[[], float], runs: int) -> tuple[list[float], list[float]]:
    """A B A B …: each measurement of ``a`` paired with the ``b`` taken right after it."""
    first, second = [], []
    for _ in range(runs):
        first.append(a())
        second.append(b())
    return first, second


def paired_row(name: str, a: Callable[[], float], b: Callable[[], float], runs: int, target: str,
               unit: str = "ms") -> Row:
    ours, base = interleaved(a, b, runs)
    scale, suffix = {"ms": (1000, " ms"), "s": (1, " s"), "µs": (1e6, " µs")}[unit]
    return Row(name, f"{statistics.median(ours) * scale:.3g}{suffix}", f"{statistics.median(base) * scale:.3g}{suffix}",
               [x / y for x, y in zip(ours, base, strict=True)], target)


def run(command: list[str], check: bool = False) -> Callable[[], float]:
    return lambda: timed(lambda: subprocess.run(command, cwd=ROOT, check=check, capture_output=True))


def floor() -> float:
    return timed(lambda: subprocess.run(FLOOR, cwd=ROOT, check=True, capture_output=True))


def grade_command(exercise: str, app: Path | None = None) -> list[str]:
    return [GRADE, exercise, "--app", str(app or ROOT / "solutions" / f"{exercise}.py"), "--no-record"]


# --- rows --------------------------------------------------------------------------


def row_grade(runs: int) -> Row:
    return paired_row("grade t3l2 (reference), cold ÷ import floor", run(grade_command("t3l2")), floor, runs, "≤ 1.10")


def row_heartbeat(runs: int) -> Row:
    return paired_row("grade t3l6 (25 s of virtual silence per check) ÷ import floor", run(grade_command("t3l6")),
                      floor, runs, "≤ 1.5")


def row_hang(runs: int, scratch: Path) -> Row:
    """How long a learner waits for the verdict on an endpoint that blocks, against floor + check_seconds."""
    app = scratch / "hang" / "t3l1.py"
    app.parent.mkdir()
    app.write_text(BLOCKING_ENDPOINT)
    check_seconds = 2.0  # grader.toml's
    return paired_row("hang verdict: grade of a blocking endpoint ÷ (floor + check_seconds)",
                      run(grade_command("t3l1", app)), lambda: floor() + check_seconds, runs, "≤ 1 (+2 s)", "s")


def row_check(runs: int) -> Row:
    exercises = len(list((ROOT / "exercises").glob("*.yaml")))
    return paired_row(f"grade check, whole catalog ({exercises} exercises) ÷ (exercises × floor)",
                      run([GRADE, "check"], check=True), lambda: exercises * floor(), runs, "≤ 0.5", "s")


def row_round_trip(messages: int, runs: int) -> Row:
    """The grader's clients through the relay to a real host process, against raw httpx-ws in-process."""
    app = echo_app()

    async def raw() -> float:
        transport = ASGIWebSocketTransport(app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client, aconnect_ws("/ws", client) as ws:
            start = time.perf_counter()
            for i in range(messages):
                await ws.send_text(str(i))
                await ws.receive_text()
            return time.perf_counter() - start

    async def driver(link: Link) -> float:
        loop = asyncio.get_running_loop()
        client = Client("ws", link, Transcript(loop.time))
        await client.connect(Connect("/ws"), 5)
        start = time.perf_counter()
        for i in range(messages):
            await client.send_text(str(i))
            await client.until(client.take, 5)
        spent = time.perf_counter() - start
        await client.teardown(5)
        return spent

    def in_process() -> float:
        loop = VirtualClockLoop()
        try:
            return loop.run_until_complete(raw()) / messages
        finally:
            loop.close()

    with tempfile.TemporaryDirectory() as scratch:
        app_file = Path(scratch) / "echo.py"
        app_file.write_text(ECHO_SOURCE)
        return paired_row(f"round trip: grader client → relay → host process ÷ raw httpx-ws in-process ({messages} msgs)",
                          lambda: ProcessHost(app_file).run(driver)[0] / messages, in_process, runs, "≤ 1.5", "µs")


def row_uvicorn(messages: int, runs: int) -> Row | None:
    """Reference: the same echo over a real server and socket, if uvicorn and websockets are installed."""
    try:
        import uvicorn
        import websockets.sync.client
    except ImportError:
        return None
    app = echo_app()

    def real() -> float:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error",
                                               ws="websockets-sansio"))
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        while not server.started:
            time.sleep(0.01)
        try:
            with websockets.sync.client.connect(f"ws://127.0.0.1:{port}/ws") as ws:
                start = time.perf_counter()
                for i in range(messages):
                    ws.send(str(i))
                    ws.recv()
                return (time.perf_counter() - start) / messages
        finally:
            server.should_exit = True
            thread.join(timeout=10)

    def in_process() -> float:
        async def raw() -> float:
            transport = ASGIWebSocketTransport(app)
            async with httpx.AsyncClient(transport=transport, base_url="http://t") as client, \
                    aconnect_ws("/ws", client) as ws:
                start = time.perf_counter()
                for i in range(messages):
                    await ws.send_text(str(i))
                    await ws.receive_text()
                return (time.perf_counter() - start) / messages

        return asyncio.run(raw())

    return paired_row(f"reference: uvicorn + websockets client on loopback ÷ raw httpx-ws ({messages} msgs)", real,
                      in_process, runs, "(reference)", "µs")


def write_class(folder: Path, count: int, broken: int = 0) -> None:
    """``count`` submissions of t3l1 (the reference and its variants), ``broken`` of them never answering."""
    sources = [ROOT / "solutions" / "t3l1.py", *sorted((ROOT / "tests" / "variants" / "t3l1").glob("*.py"))]
    for number in range(count):
        target = folder / f"learner{number:03d}" / "t3l1.py"
        target.parent.mkdir(parents=True)
        if number < broken:
            target.write_text(IMPORT_LOOP if number % 2 else BUSY_ENDPOINT)
        else:
            shutil.copy(sources[number % len(sources)], target)


class CpuGroup:
    """A cpuacct control group of the bench's own (cgroup v1, as root): the CPU time of every process of a
    command, hosts forked by a template included (they are no child the command waits for). None elsewhere."""

    BASE = Path("/sys/fs/cgroup/cpuacct")

    def __init__(self, path: Path) -> None:
        self.path = path

    @classmethod
    def make(cls) -> CpuGroup | None:
        if not (cls.BASE / "cpuacct.usage").exists() or os.geteuid() != 0:
            return None
        path = cls.BASE / f"grader-bench-{os.getpid()}"
        try:
            path.mkdir()
        except OSError:
            return None
        return cls(path)

    def seconds(self) -> float:
        return int((self.path / "cpuacct.usage").read_text()) / 1e9

    def command(self, command: list[str]) -> list[str]:
        """``command``, run inside the group from its first instruction."""
        return ["sh", "-c", f'echo $$ > "{self.path}/cgroup.procs" && exec "$@"', "sh", *command]

    def remove(self) -> None:
        with contextlib.suppress(OSError):
            self.path.rmdir()


def batch_seconds(folder: Path, jobs: int, group: CpuGroup | None = None, cpu: list[float] | None = None) -> float:
    """Seconds ``grade batch`` takes over ``folder``; with a group, the CPU seconds it took go into ``cpu``."""
    out = folder.parent / f"book-{folder.name}-{jobs}"
    command = [GRADE, "batch", "t3l1", str(folder), "--jobs", str(jobs), "--out", str(out)]
    before = group.seconds() if group is not None else 0.0
    spent = timed(lambda: subprocess.run(group.command(command) if group is not None else command,
                                         cwd=ROOT, check=True, capture_output=True))
    if group is not None and cpu is not None:
        cpu.append(group.seconds() - before)
    return spent


def rows_batch(count: int, runs: int, scratch: Path, cores: int = 2, target_rate: float = 25.0) -> list[Row]:
    normal, mixed = scratch / "class", scratch / "mixed"
    write_class(normal, count)
    write_class(mixed, 60, broken=4)
    group = CpuGroup.make()
    cpu: list[float] = []
    try:
        two, one = interleaved(lambda: batch_seconds(normal, 2, group, cpu), lambda: batch_seconds(normal, 1), runs)
        mixed_two = [batch_seconds(mixed, 2) for _ in range(runs)]
    finally:
        if group is not None:
            group.remove()
    rate2, rate1 = count / statistics.median(two), count / statistics.median(one)
    rows = [
        Row(f"batch, {count} submissions of t3l1, --jobs 2 ÷ --jobs 1", f"{rate2:.1f}/s", f"{rate1:.1f}/s",
            [o / t for o, t in zip(one, two, strict=True)], "≥ 25/s at --jobs 2"),
        Row("batch, a class of 60 with 4 never-ending submissions, --jobs 2 (per s) ÷ 10/s target",
            f"{60 / statistics.median(mixed_two):.1f}/s", "10/s", [60 / s / 10 for s in mixed_two], "≥ 1"),
    ]
    if cpu:
        # What the rate target asks of the machine, whatever else runs on it: on ``cores`` idle cores,
        # target_rate per second leaves cores / target_rate CPU seconds per submission, all processes included.
        budget = cores / target_rate
        rows.insert(1, Row(f"batch --jobs 2: CPU per submission (judges, templates, hosts) ÷ {cores} cores / "
                           f"{target_rate:g} per s", f"{statistics.median(cpu) / count * 1000:.0f} ms",
                           f"{budget * 1000:.0f} ms", [c / count / budget for c in cpu], "≤ 1"))
    return rows


def row_sandbox(runs: int) -> Row:
    """What the namespaces and the private root cost per grading (hosts forked from one template)."""
    from grader import Options, grade, load_exercise
    from grader.judge.launch import Template

    exercise = load_exercise(ROOT / "exercises" / "t3l1.yaml")
    app = ROOT / "solutions" / "t3l1.py"
    with Template() as template:
        grade(exercise, app, Options(launcher=template))  # warm
        return paired_row("grading t3l1, sandboxed host ÷ host without namespaces",
                          lambda: timed(lambda: grade(exercise, app, Options(launcher=template))),
                          lambda: timed(lambda: grade(exercise, app, Options(launcher=template, namespaces=False))),
                          runs * 4, "(cost of the sandbox)")


def row_watch(saves: int) -> Row:
    """Save-to-verdict latency of watch mode, against the 0.5 s target."""
    from grader.course.watch import watch
    from grader.judge.run import Options
    from grader.spec import load_exercise

    exercise = load_exercise(ROOT / "exercises" / "t3l1.yaml")
    verdicts: list[float] = []
    stop = threading.Event()
    with tempfile.TemporaryDirectory() as scratch:
        app = Path(scratch) / "t3l1.py"
        shutil.copy(ROOT / "solutions" / "t3l1.py", app)

        def report(result: object) -> int:
            verdicts.append(time.perf_counter())
            return 0

        thread = threading.Thread(target=watch, args=(exercise, app, Options(), report, stop), daemon=True)
        quiet = contextlib.redirect_stdout(io.StringIO())  # watch mode's own messages
        quiet.__enter__()
        thread.start()
        latencies = []
        for number in range(saves + 1):
            while len(verdicts) <= number:
                time.sleep(0.005)
            if number == saves:
                break
            time.sleep(0.3)  # a learner's pause between saves
            saved = time.perf_counter()
            app.write_text(app.read_text() + f"\n# save {number}\n")
            while len(verdicts) <= number + 1:
                time.sleep(0.002)
            latencies.append(verdicts[number + 1] - saved)
        stop.set()
        thread.join(timeout=10)
        quiet.__exit__(None, None, None)
    return Row("watch mode: save → verdict (t3l1) ÷ 0.5 s", f"{statistics.median(latencies) * 1000:.0f} ms", "500 ms",
               [x / 0.5 for x in latencies], "< 1")


def row_silence(runs: int) -> Row:
    """A check that waits through 10 s of silence on the virtual clock, against 10 s of real time."""
    app = FastAPI()

    @app.websocket("/ws")
    async def quiet(websocket: WebSocket) -> None:
        await websocket.accept()
        async for _ in websocket.iter_text():
            pass

    text = ("version: 1\nid: b\ntitle: b\ntrack: 1\nlesson: 1\nxp: 1\nfile: b.py\ninstructions: b\n"
            "checks:\n  - name: quiet\n    steps:\n      - connect: /ws\n      - expect_silence: 10\n")
    check = parse_exercise(text, Path("b.yaml")).checks[0]
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        result, elapsed = converse(app, check, ROOT, Path(__file__))
        times.append(time.perf_counter() - start)
        assert result.passed and elapsed > 9.99, (result, elapsed)
    return Row("10 s of silence (virtual) ÷ 10 s of real time", f"{statistics.median(times) * 1000:.1f} ms",
               "10000 ms", [t / 10 for t in times], "≪ 1")


def echo_app() -> FastAPI:
    app = FastAPI()

    @app.websocket("/ws")
    async def echo(websocket: WebSocket) -> None:
        await websocket.accept()
        async for text in websocket.iter_text():
            await websocket.send_text(text)

    return app


def machine() -> str:
    load = " / ".join(f"{x:.2f}" for x in os.getloadavg())
    return (f"{platform.machine()}, {os.cpu_count()} cores, {platform.python_implementation()} "
            f"{platform.python_version()}, load average {load}")


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--runs", type=int, default=5, help="pairs per row (default 5)")
    parser.add_argument("--messages", type=int, default=3000)
    parser.add_argument("--submissions", type=int, default=100)
    opts = parser.parse_args()
    before = machine()
    with tempfile.TemporaryDirectory() as folder:
        scratch = Path(folder)
        rows = [
            row_grade(opts.runs),
            row_heartbeat(opts.runs),
            row_hang(max(2, opts.runs // 2), scratch),
            row_round_trip(opts.messages, opts.runs),
            row_uvicorn(opts.messages, opts.runs),
            row_check(max(2, opts.runs // 2)),
            *rows_batch(opts.submissions, max(2, opts.runs // 2), scratch),
            row_sandbox(opts.runs),
            row_watch(opts.runs),
            row_silence(opts.runs),
        ]
    print(f"`python -m bench --runs {opts.runs}`")
    print(f"machine: {before} (at the start); load average {machine().rsplit('load average ', 1)[1]} (at the end)")
    print()
    header = ["benchmark", "measured (median)", "baseline (median)", "ratio: median of pairs (min–max)", "target"]
    table = [header, ["---"] * len(header), *(row.cells() for row in rows if row is not None)]
    for line in table:
        print("| " + " | ".join(line) + " |")


if __name__ == "__main__":
    main()
