"""The learner's time.monotonic() runs on the grader's clock: code that measures with it is judged as uvicorn would.

A rate limiter written with time.monotonic(), correct under a real server,
passes; one with the wrong window fails. Graded through the real host
process (the clock is installed before the learner's file is imported).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from grader import Options, grade, load_exercise
from grader.result import Status

SPEC = """\
version: 1.1
id: limiter
title: Rate limit
track: 5
lesson: 9
xp: 5
file: limiter.py
instructions: At most 3 messages a second; beyond that, say how long to wait.
checks:
  - name: three a second, then a retry_after
    steps:
      - connect: /ws
      - repeat:
          times: 3
          steps:
            - send_text: hi
            - expect_json: {ok: true}
      - wait: 0.25
      - send_text: one too many
      - expect_json: {ok: false, retry_after: {$approx: {value: 0.75, tol: 0.01}}}
      - wait: 0.8
      - send_text: again
      - expect_json: {ok: true}
"""

LIMITER = """\
import time
from collections import deque
from time import monotonic

from fastapi import FastAPI, WebSocket

app = FastAPI()
STARTED = time.monotonic()  # at import: real time, never ahead of what the loop sees later


@app.websocket("/ws")
async def limited(websocket: WebSocket) -> None:
    await websocket.accept()
    sent = deque()
    async for text in websocket.iter_text():
        now = monotonic()
        while sent and now - sent[0] >= {window}:
            sent.popleft()
        if len(sent) >= 3:
            await websocket.send_json({"ok": False, "retry_after": round({window} - (now - sent[0]), 3)})
            continue
        sent.append(now)
        await websocket.send_json({"ok": True})
"""


@pytest.mark.parametrize(("window", "passes"), [(1.0, True), (2.0, False)])
def test_a_rate_limiter_on_time_monotonic_is_judged_on_the_graders_clock(tmp_path: Path, window: float,
                                                                          passes: bool) -> None:
    (tmp_path / "limiter.yaml").write_text(SPEC, encoding="utf-8")
    (tmp_path / "limiter.py").write_text(LIMITER.replace("{window}", str(window)), encoding="utf-8")
    result = grade(load_exercise(tmp_path / "limiter.yaml"), tmp_path / "limiter.py", Options())
    (check,) = result.checks
    assert (check.status is Status.PASSED) == passes, check.failure
    if not passes:
        # 1.75 s of the grader's clock, less the real time the app took to answer the messages in between
        assert check.failure is not None and check.failure.actual.startswith('{"ok": false, "retry_after": 1.7')
        answer = json.loads(check.failure.actual)
        assert 1.7 < answer["retry_after"] <= 1.75, answer
