"""Every clock the app reads is one clock, and real work takes the time it took, on both servers.

Each case is an app that reports what its clocks read (or acts on them) and
a spec a real client of a real uvicorn would pass; it is graded by the
grader's own server (the app in its sandboxed host, idle time skipped) and
under a real uvicorn (`--server uvicorn`, real time), and both must agree.
The specs ask for what must hold under uvicorn: intervals measured on any
clock, in any thread, agree with the waits and the work that made them.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from grader import Options, Status, grade, load_exercise

HEAD = ("version: 1.1\nid: demo\ntitle: Demo\ntrack: 1\nlesson: 1\nxp: 5\nfile: demo.py\ninstructions: x\n"
        "defaults: {timeout: 3}\n")
IMPORTS = textwrap.dedent("""\
    import asyncio, datetime, threading, time
    import anyio
    from fastapi import FastAPI, WebSocket, WebSocketDisconnect
    from starlette.concurrency import run_in_threadpool

    app = FastAPI()

    """)

# An interval of about `seconds`: measured on a real server it is that, plus a little real work.


def about(seconds: float) -> str:
    return f"{{$between: [{seconds}, {seconds + 0.25}]}}"


CLOCKS = """
    @app.websocket("/ws")
    async def ws(websocket: WebSocket):
        await websocket.accept()
        loop = asyncio.get_running_loop()
        before = (time.monotonic(), time.perf_counter(), time.time(), datetime.datetime.now(), loop.time(),
                  anyio.current_time(), time.monotonic_ns(), time.perf_counter_ns(), time.time_ns())
        await asyncio.sleep(0.5)
        after = (time.monotonic(), time.perf_counter(), time.time(), datetime.datetime.now(), loop.time(),
                 anyio.current_time(), time.monotonic_ns(), time.perf_counter_ns(), time.time_ns())
        spans = [b - a for a, b in zip(before, after)]
        spans[3] = spans[3].total_seconds()
        spans[6:] = [s / 1e9 for s in spans[6:]]
        await websocket.send_json({"spans": spans, "loop_is_monotonic": abs(loop.time() - time.monotonic()) < 0.01})
        await websocket.receive_text()
    """
BLOCKING = """
    @app.websocket("/ws")
    async def ws(websocket: WebSocket):
        await websocket.accept()
        loop = asyncio.get_running_loop()
        start, wall, at = time.monotonic(), time.time(), loop.time()
        time.sleep(0.3)
        end = time.perf_counter()
        while time.perf_counter() - end < 0.2:
            pass
        await websocket.send_json({"mono": time.monotonic() - start, "wall": time.time() - wall, "loop": loop.time() - at})
        await websocket.receive_text()
    """
BUSY_SPIN = """
    @app.websocket("/ws")
    async def ws(websocket: WebSocket):
        await websocket.accept()
        start = time.monotonic()
        while time.monotonic() - start < 0.2:
            pass
        await websocket.send_text("spun")
        await websocket.receive_text()
    """
THREADS = """
    @app.websocket("/ws")
    async def ws(websocket: WebSocket):
        await websocket.accept()
        loop = asyncio.get_running_loop()
        start = time.monotonic()
        order = []
        fired = asyncio.Event()

        def from_thread(name):
            order.append((name, round(time.monotonic() - start, 1)))

        def timer():
            from_thread("timer")
            loop.call_soon_threadsafe(fired.set)

        threading.Timer(0.3, timer).start()
        loop.call_later(0.1, from_thread, "loop 0.1")
        loop.call_later(0.5, from_thread, "loop 0.5")
        await asyncio.to_thread(time.sleep, 0.2)
        from_thread("to_thread")
        await run_in_threadpool(time.sleep, 0.2)
        from_thread("threadpool")
        await fired.wait()
        await asyncio.sleep(0.2)
        wall = await asyncio.to_thread(time.time)
        await websocket.send_json({"order": [name for name, _ in order], "thread_wall_moves": wall > 0})
        await websocket.receive_text()
    """
CALL_AT = """
    @app.websocket("/ws")
    async def ws(websocket: WebSocket):
        await websocket.accept()
        loop = asyncio.get_running_loop()
        fired = asyncio.Event()
        loop.call_at(time.monotonic() + 0.5, fired.set)
        try:
            async with asyncio.timeout_at(time.monotonic() + 2):
                await fired.wait()
                await websocket.send_text("call_at fired")
                await asyncio.sleep(5)
        except TimeoutError:
            await websocket.send_text("timeout_at fired")
        await websocket.receive_text()
    """
POLLING = """
    @app.websocket("/ws")
    async def ws(websocket: WebSocket):
        await websocket.accept()
        last = time.monotonic()
        beats = 0
        while beats < 3:
            if time.monotonic() - last >= 0.3:
                last = time.monotonic()
                beats += 1
                await websocket.send_text(f"beat {beats}")
            await asyncio.sleep(0)
        await websocket.receive_text()
    """

OWN_POOL = """
    import concurrent.futures

    pool = concurrent.futures.ThreadPoolExecutor(2)

    @app.websocket("/ws")
    async def ws(websocket: WebSocket):
        await websocket.accept()
        loop = asyncio.get_running_loop()
        start = loop.time()
        await asyncio.wrap_future(pool.submit(time.sleep, 0.6))
        await websocket.send_text("done after %.1f s" % (loop.time() - start))
        await websocket.receive_text()
    """

CASES = [
    ("every clock moves with a sleep, and loop.time() is time.monotonic()", CLOCKS,
     ["connect: /ws", f"expect_json: {{spans: [{', '.join([about(0.5)] * 9)}], loop_is_monotonic: true}}"], True),
    ("a blocking call and CPU work move every clock by what they took", BLOCKING,
     ["connect: /ws", f"expect_json: {{mono: {about(0.5)}, wall: {about(0.5)}, loop: {about(0.5)}}}"], True),
    ("a busy spin on time.monotonic() ends", BUSY_SPIN, ["connect: /ws", "expect_text: spun"], True),
    ("threads, a threading.Timer and the loop's timers keep their order", THREADS,
     ["connect: /ws", "expect_json: {order: ['loop 0.1', to_thread, timer, threadpool, 'loop 0.5'], "
      "thread_wall_moves: true}"], True),
    ("loop.call_at and asyncio.timeout_at on time.monotonic() fire", CALL_AT,
     ["connect: /ws", "expect_text: call_at fired", "expect_silence: 1", "expect_text: timeout_at fired"], True),
    ("a heartbeat polled with time.monotonic() and asyncio.sleep(0)", POLLING,
     ["connect: /ws", "expect_silence: 0.2", "expect_text: beat 1", "expect_text: beat 2",
      "expect_text: beat 3"], True),
    ("a job on the app's own thread pool takes the time it took", OWN_POOL,
     ["connect: /ws", "expect_text: {$re: 'done after 0\\.[67] s'}"], True),
    ("a job on the app's own thread pool is not skipped over", OWN_POOL,
     ["connect: /ws", "expect_text: {$re: 'done.*'}\n        timeout: 0.3"], False),
    ("a heartbeat polled with time.monotonic() is not early", POLLING,
     ["connect: /ws", "expect_silence: 0.5"], False),
]


@pytest.mark.parametrize(("name", "code", "steps", "passes"), CASES, ids=[c[0] for c in CASES])
def test_the_apps_clocks_agree_with_a_real_server(tmp_path: Path, name: str, code: str, steps: list[str],
                                                  passes: bool) -> None:
    spec = tmp_path / "demo.yaml"
    spec.write_text(HEAD + "checks:\n  - name: the case\n    steps:\n"
                    + "".join(f"      - {step}\n" for step in steps), encoding="utf-8")
    app = tmp_path / "demo.py"
    app.write_text(IMPORTS + textwrap.dedent(code), encoding="utf-8")
    exercise = load_exercise(spec)
    want = Status.PASSED if passes else Status.FAILED
    for options in (Options(), Options(uvicorn=True)):
        check = grade(exercise, app, options).checks[0]
        assert check.status is want, (name, "uvicorn" if options.uvicorn else "grader", check.failure)
