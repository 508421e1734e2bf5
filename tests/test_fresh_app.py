"""fresh_app: a check that asks for it runs on a newly imported app, so module state cannot leak into it."""

from __future__ import annotations

from pathlib import Path

from grader import Options, grade, load_exercise
from grader.result import Status

SPEC = """\
version: 1.1
id: counter
title: Counter
track: 5
lesson: 9
xp: 5
file: counter.py
instructions: Count the connections since the app started.
checks:
  - name: the first connection is number 1
    steps:
      - connect: /ws
      - expect_json: {connection: 1}
  - name: state carries over between checks
    steps:
      - connect: /ws
      - expect_json: {connection: 2}
  - name: a fresh app starts from 1 again
    fresh_app: true
    steps:
      - connect: /ws
      - expect_json: {connection: 1}
  - name: later checks share that fresh app
    steps:
      - connect: /ws
      - expect_json: {connection: 2}
"""

APP = """\
from fastapi import FastAPI, WebSocket

app = FastAPI()
connections = 0  # module state: lives as long as the import


@app.websocket("/ws")
async def count(websocket: WebSocket) -> None:
    global connections
    connections += 1
    await websocket.accept()
    await websocket.send_json({"connection": connections})
    await websocket.close()
"""


def test_a_fresh_app_check_sees_no_state_from_the_checks_before_it(tmp_path: Path) -> None:
    (tmp_path / "counter.yaml").write_text(SPEC, encoding="utf-8")
    (tmp_path / "counter.py").write_text(APP, encoding="utf-8")
    result = grade(load_exercise(tmp_path / "counter.yaml"), tmp_path / "counter.py", Options())
    assert [(c.name, c.status) for c in result.checks] == [
        ("the first connection is number 1", Status.PASSED),
        ("state carries over between checks", Status.PASSED),
        ("a fresh app starts from 1 again", Status.PASSED),
        ("later checks share that fresh app", Status.PASSED),
    ], [c.failure for c in result.checks]
