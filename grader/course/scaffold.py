"""``grade new``: a spec, a reference solution and a starter that already validate.

The scaffold is a working echo lesson, so ``grade check`` passes from the
first minute and the author changes one thing at a time.
"""

from __future__ import annotations

import re
from pathlib import Path

from grader.course.config import Course
from grader.errors import UsageError
from grader.spec import load_exercise

SPEC = """\
# yaml-language-server: $schema=../grader/schema.json
version: 1
id: {id}
title:
  en: {title}
track: {track}
lesson: {lesson}
xp: {xp}
file: {id}.py
instructions:
  en: |
    Write `{id}.py` with a FastAPI instance named `app` and a WebSocket
    endpoint at `/ws` that answers every text message `m` with `echo: m`.
    Return quietly when the client leaves.
hints:
  - en: "Loop with `async for m in websocket.iter_text():` and send_text(f\\"echo: {{m}}\\")."
checks:
  - name: answers a message
    steps:
      - connect: /ws
      - send_text: hello
      - expect_text: "echo: hello"
    hint:
      en: "Answer `echo: ` followed by the message."

  - name: ends cleanly when the client leaves
    steps:
      - connect: /ws
      - send_text: bye
      - expect_text: "echo: bye"
      - disconnect:
      - ends_cleanly:
    hint:
      en: "Iterate with iter_text(), which ends quietly when the client leaves."
"""

SOLUTION = '''\
from fastapi import FastAPI, WebSocket

app = FastAPI()


@app.websocket("/ws")
async def echo(websocket: WebSocket) -> None:
    await websocket.accept()
    async for text in websocket.iter_text():
        await websocket.send_text(f"echo: {text}")
'''

STARTER = '''\
from fastapi import FastAPI, WebSocket

app = FastAPI()


@app.websocket("/ws")
async def echo(websocket: WebSocket) -> None:
    await websocket.accept()
    # Answer every text message m with "echo: m".
'''


def scaffold(course: Course, ident: str, title: str, xp: int = 10) -> list[Path]:
    if not re.fullmatch(r"[a-z][a-z0-9_-]*", ident):
        raise UsageError(f"exercise id {ident!r} must be lowercase letters, digits, '-' or '_' (like t5l1)")
    numbers = re.fullmatch(r"t(\d+)l(\d+)", ident)
    track, lesson = (int(numbers.group(1)), int(numbers.group(2))) if numbers else (1, 1)
    files = {
        course.spec_path(ident): SPEC.format(id=ident, title=_yaml_string(title), track=track, lesson=lesson, xp=xp),
        course.solutions / f"{ident}.py": SOLUTION,
        course.starters / f"{ident}.py": STARTER,
    }
    existing = [p for p in files if p.exists()]
    if existing:
        raise UsageError(f"not overwriting {', '.join(str(p) for p in existing)}")
    for path, text in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    load_exercise(course.spec_path(ident))  # the scaffold must validate
    return list(files)


def _yaml_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
