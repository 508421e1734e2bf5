"""The shutdown step stops the app as uvicorn does, and the steps after it check what clients saw.

uvicorn's shutdown closes every open WebSocket with 1012 (service restart),
tells each endpoint of the disconnect, waits for the endpoints to end, then
runs the lifespan shutdown. Graded through the real host process.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from grader import Options, grade, load_exercise
from grader.errors import SpecErrors
from grader.result import Kind, Status
from grader.spec import parse_exercise

SPEC = """\
version: 1.1
id: room
title: Room
track: 5
lesson: 9
xp: 5
file: room.py
instructions: Keep a room; on shutdown, save who was there.
checks:
  - name: a graceful shutdown
    steps:
      - connect: /ws/ann
        client: ann
      - connect: /ws/bob
        client: bob
      - send_text: hi
        client: ann
      - expect_text: "ann: hi"
        client: ann
      - expect_text: "ann: hi"
        client: bob
      - shutdown:
      - expect_close: 1012
        client: ann
      - expect_close: 1012
        client: bob
      - ends_cleanly:
        client: ann
      - ends_cleanly:
        client: bob
      - expect_file: {path: last_room.txt, content: "ann,bob"}
  - name: the next check has a fresh app
    steps:
      - connect: /ws/cid
      - send_text: again
      - expect_text: "cid: again"
"""

APP = """\
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, WebSocket, WebSocketDisconnect

members: dict[str, WebSocket] = {}
seen: list[str] = []


@asynccontextmanager
async def lifespan(app):
    yield
    {shutdown}


app = FastAPI(lifespan=lifespan)


@app.websocket("/ws/{name}")
async def room(websocket: WebSocket, name: str) -> None:
    await websocket.accept()
    members[name] = websocket
    seen.append(name)
    try:
        async for text in websocket.iter_text():
            for member in list(members.values()):
                await member.send_text(f"{name}: {text}")
    except WebSocketDisconnect:
        pass
    finally:
        members.pop(name, None)
"""


def run(tmp_path: Path, shutdown: str) -> list:  # type: ignore[type-arg]
    (tmp_path / "room.yaml").write_text(SPEC, encoding="utf-8")
    (tmp_path / "room.py").write_text(APP.replace("{shutdown}", shutdown), encoding="utf-8")
    return list(grade(load_exercise(tmp_path / "room.yaml"), tmp_path / "room.py", Options()).checks)


def test_clients_see_1012_the_endpoints_end_and_the_lifespan_shutdown_runs(tmp_path: Path) -> None:
    checks = run(tmp_path, 'Path("last_room.txt").write_text(",".join(seen))')
    assert [(c.status, c.failure) for c in checks] == [(Status.PASSED, None), (Status.PASSED, None)]


def test_a_lifespan_shutdown_that_raises_fails_the_step(tmp_path: Path) -> None:
    checks = run(tmp_path, 'raise RuntimeError("disk full")')
    failure = checks[0].failure
    assert failure is not None and failure.kind is Kind.ERROR
    assert failure.step is not None and failure.step.startswith("step 6, shutdown")
    assert failure.message == (f"your app's lifespan shutdown raised RuntimeError: disk full at {tmp_path}/room.py:13 "
                               "(uvicorn logs 'Application shutdown failed')")
    assert checks[1].status is Status.PASSED  # a new host for what remains


@pytest.mark.parametrize(("steps", "message"), [
    ("      - connect: /ws\n      - shutdown:\n      - connect: /ws\n        client: b\n",
     "the app has shut down: no connection can open after a shutdown step"),
    ("      - shutdown:\n        client: a\n", "shutdown takes no client: it stops the whole app"),
    ("      - repeat: {times: 2, steps: [{shutdown: }]}\n", "a shutdown cannot be repeated: put it after the repeat"),
])
def test_shutdown_is_the_last_thing_that_happens_to_the_app(steps: str, message: str) -> None:
    head = "version: 1\nid: demo\ntitle: D\ntrack: 1\nlesson: 1\nxp: 1\nfile: demo.py\ninstructions: x\n"
    with pytest.raises(SpecErrors) as caught:
        parse_exercise(head + "checks:\n  - name: x\n    steps:\n" + steps, Path("demo.yaml"))
    assert message in [e.message for e in caught.value.errors]


def test_a_lifespan_shutdown_that_never_ends_fails_after_the_steps_timeout(tmp_path: Path) -> None:
    checks = run(tmp_path, 'await __import__("asyncio").sleep(3600)')
    failure = checks[0].failure
    assert failure is not None and failure.kind is Kind.ERROR
    assert failure.step is not None and failure.step.startswith("step 6, shutdown")
    assert failure.message == "your app's lifespan shutdown did not finish within 10 s"
    assert checks[1].status is Status.PASSED
