"""A quiet window (`expect_silence`) is broken by whatever happens first in it, on both servers.

A frame, a close, the endpoint returning or raising inside the window fail
the step and are reported as what happened first; a frame that fails the
step is not taken from the client, and one that comes after the window is
still there for the next step. Each case is graded by the grader's own
server and under a real uvicorn (`--server uvicorn`), which must agree.
"""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest

from grader import Options, Status, grade, load_exercise

HEAD = "version: 1\nid: demo\ntitle: Demo\ntrack: 1\nlesson: 1\nxp: 5\nfile: demo.py\ninstructions: x\n"
IMPORTS = "import asyncio\nfrom fastapi import FastAPI, WebSocket, WebSocketDisconnect\n\napp = FastAPI()\n\n"

SEND_THEN_RETURN = """
    @app.websocket("/ws")
    async def ws(websocket: WebSocket):
        await websocket.accept()
        await asyncio.sleep(0.5)
        await websocket.send_text("x")
    """
SEND_THEN_WAIT = """
    @app.websocket("/ws")
    async def ws(websocket: WebSocket):
        await websocket.accept()
        await asyncio.sleep(0.5)
        await websocket.send_text("x")
        try:
            await websocket.receive_text()
        except WebSocketDisconnect:
            pass
    """
CLOSE = """
    @app.websocket("/ws")
    async def ws(websocket: WebSocket):
        await websocket.accept()
        await asyncio.sleep(0.5)
        await websocket.close(4001, "bye")
    """
RETURN = """
    @app.websocket("/ws")
    async def ws(websocket: WebSocket):
        await websocket.accept()
        await asyncio.sleep(0.5)
    """
RAISE = """
    @app.websocket("/ws")
    async def ws(websocket: WebSocket):
        await websocket.accept()
        await asyncio.sleep(0.5)
        raise ValueError("boom")
    """
SEND_THEN_CLOSE = """
    @app.websocket("/ws")
    async def ws(websocket: WebSocket):
        await websocket.accept()
        await asyncio.sleep(0.5)
        await websocket.send_text("x")
        await websocket.close()
    """
QUIET = """
    @app.websocket("/ws")
    async def ws(websocket: WebSocket):
        await websocket.accept()
        async for text in websocket.iter_text():
            await websocket.send_text(text)
    """
# Each client's frames go to the other one (the first to connect waits for the second).
ROOM = """
    peers = []

    @app.websocket("/ws")
    async def ws(websocket: WebSocket):
        await websocket.accept()
        peers.append(websocket)
        try:
            async for text in websocket.iter_text():
                for peer in peers:
                    if peer is not websocket:
                        await peer.send_text(text)
        except WebSocketDisconnect:
            pass
        finally:
            peers.remove(websocket)
    """

# (name, app, steps, passes, what the failure says)
CASES = [
    ("a frame then return", SEND_THEN_RETURN, ["connect: /ws", "expect_silence: 1", "expect_text: x"], False,
     "the server sent a message after"),
    ("a frame then return, after the window", SEND_THEN_RETURN,
     ["connect: /ws", "expect_silence: 0.3", "expect_text: x", "expect_close: 1006"], True, None),
    ("a frame, the endpoint keeps running", SEND_THEN_WAIT, ["connect: /ws", "expect_silence: 1"], False,
     "the server sent a message after"),
    ("a frame, the endpoint keeps running, after the window", SEND_THEN_WAIT,
     ["connect: /ws", "expect_silence: 0.3", "expect_text: x", "disconnect:", "ends_cleanly:"], True, None),
    ("a close inside the window", CLOSE, ["connect: /ws", "expect_silence: 1"], False,
     "the server closed the connection (code 4001, reason 'bye') after"),
    ("a close after the window", CLOSE,
     ["connect: /ws", "expect_silence: 0.3", "expect_close: {code: 4001, reason: bye}"], True, None),
    ("a frame then a close: the frame first", SEND_THEN_CLOSE, ["connect: /ws", "expect_silence: 1"], False,
     "the server sent a message after"),
    ("a return without close inside the window", RETURN, ["connect: /ws", "expect_silence: 1"], False,
     "your endpoint returned after"),
    ("a raise inside the window", RAISE, ["connect: /ws", "expect_silence: 1"], False,
     "your endpoint raised ValueError: boom"),
    ("an echo stays quiet", QUIET, ["connect: /ws", "send_text: a", "expect_text: a", "expect_silence: 0.5",
                                    "send_text: b", "expect_text: b"], True, None),
    ("a frame to the other client does not break this one's silence", ROOM,
     ["{connect: /ws, client: a}", "{connect: /ws, client: b}", "{send_text: hi, client: a}",
      "{expect_silence: 0.3, client: a}", "{expect_text: hi, client: b}"], True, None),
    ("a frame to this client breaks its silence", ROOM,
     ["{connect: /ws, client: a}", "{connect: /ws, client: b}", "{send_text: hi, client: a}",
      "{expect_silence: 0.3, client: b}"], False, "the server sent a message after"),
]


def write(tmp_path: Path, code: str, steps: list[str]) -> tuple[Path, Path]:
    spec = tmp_path / "demo.yaml"
    spec.write_text(HEAD + "checks:\n  - name: the case\n    steps:\n"
                    + "".join(f"      - {step}\n" for step in steps), encoding="utf-8")
    app = tmp_path / "demo.py"
    app.write_text(IMPORTS + textwrap.dedent(code), encoding="utf-8")
    return spec, app


@pytest.mark.parametrize(("name", "code", "steps", "passes", "says"), CASES, ids=[c[0] for c in CASES])
def test_a_quiet_window_is_broken_by_what_comes_first_on_both_servers(
        tmp_path: Path, name: str, code: str, steps: list[str], passes: bool, says: str | None) -> None:
    spec, app = write(tmp_path, code, steps)
    exercise = load_exercise(spec)
    for options in (Options(), Options(uvicorn=True)):
        check = grade(exercise, app, options).checks[0]
        if passes:
            assert check.status is Status.PASSED, (options.uvicorn, check.failure)
            continue
        assert check.status is Status.FAILED and check.failure is not None, options.uvicorn
        assert "expect_silence" in check.failure.step, (options.uvicorn, check.failure)
        assert says is not None and says in check.failure.message, (options.uvicorn, check.failure)
        assert check.failure.expected.startswith("no message for"), check.failure


def test_the_time_of_what_broke_the_silence_is_the_grader_clocks(tmp_path: Path) -> None:
    spec, app = write(tmp_path, SEND_THEN_RETURN, ["connect: /ws", "expect_silence: 1"])
    check = grade(load_exercise(spec), app, Options()).checks[0]
    assert check.failure is not None
    # The one clock is real time plus the idle time skipped: the app's sleep, plus the milliseconds its own code ran.
    found = re.fullmatch(r"the server sent a message after (\d+\.\d\d) s where 1 s of silence were expected",
                         check.failure.message)
    assert found is not None, check.failure.message
    assert 0.5 <= float(found[1]) < 1.0
    assert check.failure.actual == 'text "x"'
