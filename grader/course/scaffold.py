"""``grade new``: a spec, a reference solution, a starter and variants that already validate.

The scaffold is a working echo lesson in English and Korean, with the known
variants the course asks for, so ``grade validate`` and ``grade check`` pass
from the first minute and the author changes one thing at a time. The
Korean title starts with the placeholder mark, which ``grade validate``
warns about until it is translated.
"""

from __future__ import annotations

import re
from pathlib import Path

from grader.course.config import Course
from grader.errors import UsageError
from grader.spec import load_exercise
from grader.spec.loader import PLACEHOLDER

SPEC = """\
# yaml-language-server: $schema=../grader/schema.json
version: "1.2"
id: {id}
title:
  en: {title}
  ko: {title_ko}
track: {track}
lesson: {lesson}
xp: {xp}
file: {id}.py
instructions:
  en: |
    Write `{id}.py` with a FastAPI instance named `app` and a WebSocket
    endpoint at `/ws` that answers every text message `m` with `echo: m`.
    Return quietly when the client leaves.
  ko: |
    `app`이라는 FastAPI 인스턴스와 `/ws` WebSocket endpoint를 가진
    `{id}.py`를 작성하세요. 모든 텍스트 메시지 `m`에 `echo: m`으로 답하고,
    클라이언트가 떠나면 조용히 끝나야 해요.
hints:
  - en: "Loop with `async for m in websocket.iter_text():` and send_text(f\\"echo: {{m}}\\")."
    ko: "`async for m in websocket.iter_text():`로 반복하며 send_text(f\\"echo: {{m}}\\")를 호출하세요."
vars:                    # constants: {{$var: endpoint}} stands for the value wherever a value goes
  endpoint: /ws
checks:
  - name: answers a message
    steps:
      - connect: {{$var: endpoint}}
      - send_text: hello
      - expect_text: "echo: hello"
    hint:
      en: "Answer `echo: ` followed by the message."
      ko: "답은 `echo: ` 뒤에 메시지를 붙인 텍스트예요."

  - name: answers many messages on one connection
    steps:
      - connect: {{$var: endpoint}}
      - repeat:
          as: m
          over: [one, two, "안녕"]
          steps:
            - send_text: {{$var: m}}
            - expect_text: {{$concat: ["echo: ", {{$var: m}}]}}
    hint:
      en: "Keep receiving and answering in a loop: one answer per message."
      ko: "루프 안에서 계속 받고 답하세요. 메시지마다 답 하나씩이에요."

  - name: ends cleanly when the client leaves
    steps:
      - connect: {{$var: endpoint}}
      - send_text: bye
      - expect_text: "echo: bye"
      - expect_open: 1         # still open a second later: answered, not closed
      - disconnect:
      - ends_cleanly:
    hint:
      en: "Iterate with iter_text(), which ends quietly when the client leaves."
      ko: "클라이언트가 떠나면 조용히 끝나는 iter_text()로 반복하세요."
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

# Known variants that prove the scaffold's checks catch real mistakes; replace them with the new lesson's own.
_HEAD = "from fastapi import FastAPI, WebSocket, WebSocketDisconnect\n\napp = FastAPI()\n\n\n@app.websocket(\"/ws\")\n"
VARIANTS = {
    "forgot_accept.py": "# expect-fail-first: answers a message\n" + _HEAD + (
        "async def echo(websocket: WebSocket) -> None:\n"
        "    async for text in websocket.iter_text():\n"
        "        await websocket.send_text(f\"echo: {text}\")\n"),
    "wrong_prefix.py": "# expect-fail: answers a message\n" + _HEAD + (
        "async def echo(websocket: WebSocket) -> None:\n"
        "    await websocket.accept()\n"
        "    async for text in websocket.iter_text():\n"
        "        await websocket.send_text(f\"Echo: {text}\")\n"),
    "first_message_only.py": "# expect-fail: answers many messages on one connection\n" + _HEAD + (
        "async def echo(websocket: WebSocket) -> None:\n"
        "    await websocket.accept()\n"
        "    text = await websocket.receive_text()\n"
        "    await websocket.send_text(f\"echo: {text}\")\n"
        "    await websocket.receive_text()\n"),
    "unhandled_disconnect.py": "# expect-fail: ends cleanly when the client leaves\n" + _HEAD + (
        "async def echo(websocket: WebSocket) -> None:\n"
        "    await websocket.accept()\n"
        "    while True:\n"
        "        text = await websocket.receive_text()\n"
        "        await websocket.send_text(f\"echo: {text}\")\n"),
    "ok_while_loop.py": "# expect: pass\n" + _HEAD + (
        "async def echo(websocket: WebSocket) -> None:\n"
        "    await websocket.accept()\n"
        "    try:\n"
        "        while True:\n"
        "            text = await websocket.receive_text()\n"
        "            await websocket.send_text(\"echo: \" + text)\n"
        "    except WebSocketDisconnect:\n"
        "        pass\n"),
    "ok_endpoint_class.py": "# expect: pass\n" + (
        "from fastapi import FastAPI\n"
        "from starlette.endpoints import WebSocketEndpoint\n"
        "from starlette.routing import WebSocketRoute\n\n\n"
        "class Echo(WebSocketEndpoint):\n"
        "    encoding = \"text\"\n\n"
        "    async def on_receive(self, websocket, data):\n"
        "        await websocket.send_text(f\"echo: {data}\")\n\n\n"
        "app = FastAPI(routes=[WebSocketRoute(\"/ws\", Echo)])\n"),
}


def scaffold(course: Course, ident: str, title: str, xp: int = 10) -> list[Path]:
    if not re.fullmatch(r"[a-z][a-z0-9_-]*", ident):
        raise UsageError(f"exercise id {ident!r} must be lowercase letters, digits, '-' or '_' (like t5l1)")
    numbers = re.fullmatch(r"t(\d+)l(\d+)", ident)
    track, lesson = (int(numbers.group(1)), int(numbers.group(2))) if numbers else (1, 1)
    files = {
        course.spec_path(ident): SPEC.format(id=ident, title=_yaml_string(title), title_ko=_yaml_string(f"{PLACEHOLDER} {title}"),
                                               track=track, lesson=lesson, xp=xp),
        course.solutions / f"{ident}.py": SOLUTION,
        course.starters / f"{ident}.py": STARTER,
        **{course.variants_of(ident) / name: text for name, text in VARIANTS.items()},
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
