"""``python -m bench``: measure the grader against its floors and print a table.

Every row is a ratio to a baseline taken in the same run on the same
machine, so a noisy, shared machine shifts both sides alike. Nothing here is
a test verdict: the numbers go into bench/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import io
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


@dataclass
class Row:
    name: str
    value: str
    baseline: str
    ratio: float
    target: str

    def cells(self) -> list[str]:
        return [self.name, self.value, self.baseline, f"{self.ratio:.3g}", self.target]


def median_seconds(command: list[str], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, cwd=ROOT, check=False, capture_output=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def paired(command: list[str], runs: int) -> tuple[float, float]:
    """Medians of ``command`` and of the import floor, run alternately so both see the same noise."""
    ours, floor = [], []
    for _ in range(runs):
        for target, times in ((command, ours), (FLOOR, floor)):
            start = time.perf_counter()
            subprocess.run(target, cwd=ROOT, check=False, capture_output=True)
            times.append(time.perf_counter() - start)
    return statistics.median(ours), statistics.median(floor)


def grade_command(exercise: str) -> list[str]:
    grade = Path(sys.executable).with_name("grade")
    return [str(grade), exercise, "--app", str(ROOT / "solutions" / f"{exercise}.py"), "--no-record"]


def row_grade(runs: int) -> Row:
    wall, floor = paired(grade_command("t3l2"), runs)
    return Row("grade t3l2 (reference) ÷ import floor", f"{wall * 1000:.0f} ms", f"{floor * 1000:.0f} ms",
               wall / floor, "≤ 1.3")


def row_heartbeat(runs: int) -> Row:
    wall, floor = paired(grade_command("t3l6"), runs)
    return Row("grade t3l6 (25 s of virtual silence per check) ÷ import floor", f"{wall * 1000:.0f} ms",
               f"{floor * 1000:.0f} ms", wall / floor, "≤ 1.5")


def row_check(floor: float) -> Row:
    exercises = len(list((ROOT / "exercises").glob("*.yaml")))
    start = time.perf_counter()
    proc = subprocess.run([str(Path(sys.executable).with_name("grade")), "check"], cwd=ROOT, capture_output=True, text=True)
    wall = time.perf_counter() - start
    assert proc.returncode == 0, proc.stdout
    return Row(f"grade check, whole catalog ({exercises} exercises) ÷ (exercises × floor)", f"{wall:.1f} s",
               f"{exercises * floor:.1f} s", wall / (exercises * floor), "≤ 0.5")


def batch_rate(folder: Path, jobs: int) -> float:
    start = time.perf_counter()
    out = folder.parent / f"book-{jobs}"
    subprocess.run([str(Path(sys.executable).with_name("grade")), "batch", "t3l1", str(folder), "--jobs", str(jobs),
                    "--out", str(out)], cwd=ROOT, check=True, capture_output=True)
    return len(list(folder.iterdir())) / (time.perf_counter() - start)


def rows_batch(count: int) -> list[Row]:
    sources = [ROOT / "solutions" / "t3l1.py", *sorted((ROOT / "tests" / "variants" / "t3l1").glob("*.py"))]
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch) / "class"
        for number in range(count):
            target = folder / f"learner{number:03d}" / "t3l1.py"
            target.parent.mkdir(parents=True)
            shutil.copy(sources[number % len(sources)], target)
        one, two = batch_rate(folder, 1), batch_rate(folder, 2)
    return [
        Row(f"batch, {count} submissions of t3l1, --jobs 1", f"{one:.1f}/s", "-", one, "-"),
        Row(f"batch, {count} submissions of t3l1, --jobs 2", f"{two:.1f}/s", f"{one:.1f}/s (jobs 1)", two / one,
            "≥ 20/s; scaling ≈ 2"),
    ]


def row_watch(saves: int) -> Row:
    """Save-to-verdict latency of watch mode, against the import floor."""
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
    latency = statistics.median(latencies)
    return Row("watch mode: save → verdict (t3l1)", f"{latency * 1000:.0f} ms", "500 ms target", latency / 0.5, "< 0.5 s")


def row_silence(runs: int) -> Row:
    """A check that waits through 10 s of silence, run in-process on the virtual clock."""
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
    wall = statistics.median(times)
    return Row("10 s of silence (virtual) ÷ 10 s of real time", f"{wall * 1000:.1f} ms", "10000 ms",
               wall / 10, "≪ 1")


ECHO_SOURCE = """\
from fastapi import FastAPI, WebSocket

app = FastAPI()


@app.websocket("/ws")
async def echo(websocket: WebSocket) -> None:
    await websocket.accept()
    async for text in websocket.iter_text():
        await websocket.send_text(text)
"""


def echo_app() -> FastAPI:
    app = FastAPI()

    @app.websocket("/ws")
    async def echo(websocket: WebSocket) -> None:
        await websocket.accept()
        async for text in websocket.iter_text():
            await websocket.send_text(text)

    return app


def row_round_trip(messages: int) -> list[Row]:
    """The grader's driver against raw httpx-ws, both on the virtual-clock loop."""
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
        # Through the relay to the host code (served from a thread of this process).
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

    def run(factory: Callable[[], object]) -> float:
        loop = VirtualClockLoop()
        try:
            return loop.run_until_complete(factory())  # type: ignore[arg-type]
        finally:
            loop.close()

    raw_s = run(raw)
    with tempfile.TemporaryDirectory() as scratch:
        # The echo app in a real, sandboxed host process, as grading runs it.
        app_file = Path(scratch) / "echo.py"
        app_file.write_text(ECHO_SOURCE)
        driver_s, _ = ProcessHost(app_file).run(driver)
    per = lambda s: f"{s / messages * 1e6:.0f} µs"  # noqa: E731
    rows = [Row(f"round trip, grader driver through the relay to a host process ÷ raw httpx-ws in-process "
                f"({messages} msgs)", per(driver_s), per(raw_s), driver_s / raw_s, "≤ 1.5")]
    uvicorn_s = uvicorn_round_trip(messages)
    if uvicorn_s is not None:
        rows.append(Row(f"reference: uvicorn + websockets on loopback ÷ raw httpx-ws ({messages} msgs)",
                        per(uvicorn_s), per(raw_s), uvicorn_s / raw_s, "(reference)"))
    return rows


def uvicorn_round_trip(messages: int) -> float | None:
    """The same echo over a real server and socket, if uvicorn and websockets are installed."""
    try:
        import uvicorn
        import websockets.sync.client
    except ImportError:
        return None
    app = echo_app()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error", ws="websockets"))
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
            return time.perf_counter() - start
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--runs", type=int, default=5, help="repetitions for medians (default 5)")
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--submissions", type=int, default=100)
    opts = parser.parse_args()
    floor = median_seconds(FLOOR, opts.runs)
    rows = [
        row_grade(opts.runs),
        row_heartbeat(opts.runs),
        *row_round_trip(opts.messages),
        row_check(floor),
        *rows_batch(opts.submissions),
        row_watch(opts.runs),
        row_silence(opts.runs),
    ]
    print(f"machine: {platform.machine()}, {platform.python_implementation()} {platform.python_version()}, "
          f"floor `python -c 'import fastapi, httpx_ws, yaml'` = {floor * 1000:.0f} ms (median of {opts.runs})")
    header = ["benchmark", "measured", "baseline", "ratio", "target"]
    table = [header, ["---"] * len(header), *(row.cells() for row in rows)]
    for line in table:
        print("| " + " | ".join(line) + " |")


if __name__ == "__main__":
    main()
