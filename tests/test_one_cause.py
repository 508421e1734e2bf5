"""One cause, one message: a mistake is named once, first, with its line and its fix.

Through the real `grade` command on the learner's kind of mistakes.
"""

from __future__ import annotations

import json
import re
import textwrap
from pathlib import Path

from conftest import ROOT, run_grade


def graded(course: Path, code: str, *args: str) -> list[str]:
    app = course / "t3l2.py"
    app.write_text(textwrap.dedent(code), encoding="utf-8")
    # From the learner's folder: their file is named as they would type it.
    proc = run_grade("t3l2", "--app", "t3l2.py", "--no-record", *args, cwd=course)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stdout + proc.stderr
    return proc.stdout.splitlines()


def blocks(lines: list[str]) -> list[list[str]]:
    """The report's failure blocks: from a line starting with ✗ and a name to the next blank line."""
    found: list[list[str]] = []
    current: list[str] | None = None
    for line in lines:
        if line.startswith("✗ ") and " — " in line:
            current = [line]
            found.append(current)
        elif current is not None and line:
            current.append(line)
        else:
            current = None
    return found


NO_ACCEPT = """\
    from fastapi import FastAPI, WebSocket

    app = FastAPI()


    @app.websocket("/ws")
    async def router(websocket: WebSocket):
        async for message in websocket.iter_json():
            await websocket.send_json(message)
    """


def test_one_exception_behind_many_checks_is_reported_once_naming_them(course: Path) -> None:
    lines = graded(course, NO_ACCEPT)
    failures = blocks(lines)
    assert [block[0] for block in failures] == ["✗ ping gets pong — failed"]
    block = failures[0]
    assert block[1] == ("  (the same for 7 more: ping with extra keys still gets a bare pong, other messages come back "
                        "in an echo envelope, the echo keeps nested values and unicode, an object without a type is "
                        "echoed, many messages on one connection, two clients are served independently, ends cleanly "
                        "when the client leaves)")
    assert sum("Need to call \"accept\" first" in line for line in lines) == 2  # the message and the exception
    assert not any(line.startswith("  hint:") for line in block)  # it never reached what it tests


def test_a_handshake_failure_shows_no_hint_of_the_check(course: Path) -> None:
    lines = graded(course, """\
        from fastapi import FastAPI, WebSocket

        app = FastAPI()


        @app.websocket("/ws")
        async def router(websocket: WebSocket):
            await websocket.close(code=1008)
        """)
    source_rule, refused = blocks(lines)
    assert source_rule[0] == "✗ reads messages with iter_json — failed"
    assert refused[0] == "✗ ping gets pong — failed" and refused[1].startswith("  (the same for 7 more:")
    assert not any("hint:" in line for line in refused)


def test_a_missing_await_is_named_first_with_its_line_and_fix(course: Path) -> None:
    lines = graded(course, """\
        from fastapi import FastAPI, WebSocket

        app = FastAPI()


        @app.websocket("/ws")
        async def router(websocket: WebSocket):
            await websocket.accept()
            async for message in websocket.iter_json():
                if message.get("type") == "ping":
                    websocket.send_json({"type": "pong"})
                else:
                    await websocket.send_json({"type": "echo", "data": message})
        """)
    assert lines[2] == ("! t3l2.py:11: send_json(...) is called without await, so it never runs (Python warned: "
                        "coroutine 'WebSocket.send_json' was never awaited). Write await before it: "
                        "await websocket.send_json(...)")


def test_plain_def_endpoints_and_http_decorators_are_named_first(course: Path) -> None:
    lines = graded(course, """\
        from fastapi import APIRouter, FastAPI, WebSocket

        app = FastAPI()
        router = APIRouter()


        @app.websocket("/ws")
        def endpoint(websocket: WebSocket):
            pass


        @router.get("/other")
        async def other(socket: WebSocket):
            await socket.accept()


        @app.get("/health")
        async def health():
            return {"ok": True}
        """)
    assert lines[2:5] == [
        "! t3l2.py:8: the WebSocket endpoint endpoint() is a plain def; FastAPI awaits WebSocket endpoints, so it "
        "must be async def endpoint(...) (and await receive and send inside)",
        "! t3l2.py:12: other() takes a WebSocket but is declared with @router.get(...), an HTTP route; a WebSocket "
        "endpoint is declared with @router.websocket(\"/path\")",
        "",
    ]


def test_a_correct_app_gets_no_diagnosis() -> None:
    proc = run_grade("t3l2", "--app", "solutions/t3l2.py", "--no-record")
    assert proc.returncode == 0 and not any(line.startswith("! ") for line in proc.stdout.splitlines())


def test_a_text_mismatch_says_where_it_first_differs(course: Path) -> None:
    app = course / "t3l1.py"
    app.write_text(textwrap.dedent("""\
        from fastapi import FastAPI, WebSocket, WebSocketDisconnect

        app = FastAPI()


        @app.websocket("/ws")
        async def echo(websocket: WebSocket):
            await websocket.accept()
            async for text in websocket.iter_text():
                await websocket.send_text(f"Message text was:{text}")
        """), encoding="utf-8")
    proc = run_grade("t3l1", "--app", "t3l1.py", "--no-record", cwd=course)
    assert ("  the server's text message is not the expected one: they first differ at character 18, where a space "
            "was expected and \"h\" arrived") in proc.stdout.splitlines()


def test_an_exception_in_another_clients_endpoint_is_named_in_the_check_that_waited() -> None:
    # Announcing a departure to the client that just left raises in that client's endpoint;
    # the check fails waiting on someone else, and says why.
    proc = run_grade("t4l1", "--app", "tests/variants/t4l1/broadcast_before_remove.py", "--no-record")
    block = next(b for b in blocks(proc.stdout.splitlines()) if b[0] == "✗ a departure is announced to the others — failed")
    message = block[2]
    assert message.startswith("  no message arrived within 2 s")
    assert ("; meanwhile the endpoint of client six raised WebSocketDisconnected: Cannot call \"send\" once a close "
            "message has been sent. at tests/variants/t4l1/broadcast_before_remove.py:22") in message
    assert "        await connection.send_text(f\"Client #{client_id} left the chat\")" in block


def hints(lines: list[str]) -> list[str]:
    return [line for line in lines if line.startswith("  hint:")]


def test_the_untouched_starter_says_its_missing_loop_once(course: Path) -> None:
    lines = graded(course, (ROOT / "starters" / "t3l2.py").read_text(encoding="utf-8"))
    failures = blocks(lines)
    behaviour = [block for block in failures if "(the same for" in "".join(block)]
    assert len(behaviour) == 1, failures
    assert behaviour[0][0] == "✗ ping gets pong — failed" and "(the same for 7 more:" in behaviour[0][1]
    assert sum("did the loop stop after one message" in line for line in lines) == 1
    assert not hints(behaviour[0])  # no check's own advice for a cause they share


def test_a_caught_disconnect_then_close_is_told_what_the_code_did(course: Path) -> None:
    lines = graded(course, """\
        import asyncio

        from fastapi import FastAPI, WebSocket, WebSocketDisconnect

        app = FastAPI()


        @app.websocket("/ws")
        async def router(websocket: WebSocket):
            await websocket.accept()
            try:
                while True:
                    msg = await websocket.receive_json()
                    if msg.get("type") == "ping":
                        await websocket.send_json({"type": "pong"})
                    else:
                        await websocket.send_json({"type": "echo", "data": msg})
            except WebSocketDisconnect:
                await asyncio.sleep(0)
                await websocket.close()
        """)
    (block,) = [b for b in blocks(lines) if b[0] == "✗ ends cleanly when the client leaves — failed"]
    assert block[2] == ("  your endpoint caught WebSocketDisconnect (at t3l2.py:13), then its handler raised "
                        "WebSocketDisconnect: code 1006 at t3l2.py:20 (await websocket.close()): the client is already "
                        "gone, so there is nothing left to close or send to; let the endpoint return")
    assert not any("catch it" in line for line in lines)
    assert not hints(block)  # the hint is about WebSocketDisconnect escaping; here it was caught


def test_reading_on_after_the_servers_own_close_is_not_blamed_on_the_client(course: Path) -> None:
    lines = graded(course, """\
        from fastapi import FastAPI, WebSocket

        app = FastAPI()


        @app.websocket("/ws")
        async def router(websocket: WebSocket):
            await websocket.accept()
            async for msg in websocket.iter_json():
                if "type" not in msg:
                    await websocket.close(code=1008)
                if msg.get("type") == "ping":
                    await websocket.send_json({"type": "pong"})
                else:
                    await websocket.send_json({"type": "echo", "data": msg})
        """)
    text = "\n".join(lines)
    assert "it closed the connection itself (close code 1008) and then kept using it" in text
    assert "already left" not in text and "after the client left" not in text


def test_a_raw_receive_loop_is_told_about_receive_not_websocketdisconnect(course: Path) -> None:
    lines = graded(course, """\
        import json

        from fastapi import FastAPI, WebSocket

        app = FastAPI()


        @app.websocket("/ws")
        async def router(websocket: WebSocket):
            await websocket.accept()
            while True:
                message = await websocket.receive()
                msg = json.loads(message["text"])
                if msg.get("type") == "ping":
                    await websocket.send_json({"type": "pong"})
                else:
                    await websocket.send_json({"type": "echo", "data": msg})
        """)
    (block,) = [b for b in blocks(lines) if b[0] == "✗ ends cleanly when the client leaves — failed"]
    assert "websocket.receive() does not raise when the client leaves: it returns {'type': " \
           "'websocket.disconnect'}" in block[2]
    assert not any("WebSocketDisconnect" in line for line in hints(lines))


def test_a_check_with_its_own_failure_keeps_its_hint(course: Path) -> None:
    """The hint still shows where it is about what failed: a KeyError the hint names, in that check alone."""
    lines = graded(course, """\
        from fastapi import FastAPI, WebSocket

        app = FastAPI()


        @app.websocket("/ws")
        async def router(websocket: WebSocket):
            await websocket.accept()
            async for msg in websocket.iter_json():
                if msg["type"] == "ping":
                    await websocket.send_json({"type": "pong"})
                else:
                    await websocket.send_json({"type": "echo", "data": msg})
        """)
    (block,) = [b for b in blocks(lines) if b[0] == "✗ an object without a type is echoed — failed"]
    assert any(line.startswith("  hint: A message without \"type\"") for line in block), block


def test_one_cause_is_one_card_in_the_html_report(course: Path) -> None:
    app = course / "t3l2.py"
    app.write_text((ROOT / "starters" / "t3l2.py").read_text(encoding="utf-8"), encoding="utf-8")
    proc = run_grade("t3l2", "--app", "t3l2.py", "--no-record", "--format", "html", cwd=course)
    page = proc.stdout
    assert page.count('class="failure"') == 2, page.count('class="failure"')  # the source rule, and the one cause
    assert page.count('<p class="message">your endpoint returned while the client was still waiting') == 1
    assert page.count("Failed for the same reason as ping gets pong.") == 7


def test_a_regex_mismatch_says_where_the_text_stops_fitting(tmp_path: Path) -> None:
    app = tmp_path / "t3l3.py"
    app.write_text(textwrap.dedent("""\
        from datetime import datetime

        from fastapi import FastAPI, WebSocket

        app = FastAPI()


        @app.websocket("/ws/chat")
        async def chat(websocket: WebSocket):
            await websocket.accept()
            async for text in websocket.iter_text():
                await websocket.send_text(f"[{datetime.now()}] Server got: {text}")
        """), encoding="utf-8")
    proc = run_grade("t3l3", "--app", str(app), "--no-record")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    found = re.search(r"the server's text message is not the expected one: the text fits the pattern up to "
                      r'character (\d+); from there on it does not \("got: hello"\)\n  expected: .*\n  got:      "(.*)"',
                      proc.stdout)
    assert found, proc.stdout
    assert found[2].index("got: hello") == int(found[1])  # the position is where the text leaves the pattern


def test_a_regular_expression_is_shown_in_the_instructors_words(tmp_path: Path) -> None:
    app = tmp_path / "t3l5.py"
    source = (ROOT / "solutions" / "t3l5.py").read_text(encoding="utf-8")
    app.write_text(source.replace('{"error": str(exc)}', '{"error": "  "}'), encoding="utf-8")
    proc = run_grade("t3l5", "--app", str(app), "--no-record")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "a message that is not empty" in proc.stdout, proc.stdout
    assert "(?s)" not in proc.stdout  # the pattern itself is the instructor's, not the learner's, reading


def test_says_must_be_words(tmp_path: Path) -> None:
    from grader.errors import SpecErrors
    from grader.spec import parse_exercise

    text = (ROOT / "exercises" / "t3l5.yaml").read_text(encoding="utf-8").replace(
        "says: {en: 'a message that is not empty', ko: '비어 있지 않은 메시지'}", "says: ''", 1)
    assert "says: ''" in text
    try:
        parse_exercise(text, tmp_path / "t3l5.yaml")
    except SpecErrors as exc:
        assert "$re says is the pattern in words for learners, a non-empty string" in str(exc)
    else:
        raise AssertionError("an empty `says` was accepted")


PUBLIC_CHAT = """\
    import json
    from typing import List

    from fastapi import FastAPI, WebSocket, WebSocketDisconnect

    app = FastAPI()


    class ConnectionManager:
        def __init__(self):
            self.active_connections: List[WebSocket] = []

        async def connect(self, websocket: WebSocket):
            await websocket.accept()
            self.active_connections.append(websocket)

        def disconnect(self, websocket: WebSocket):
            self.active_connections.remove(websocket)

        async def broadcast(self, message: str):
            for connection in self.active_connections:
                await connection.send_text(message)


    manager = ConnectionManager()


    @app.websocket("/ws/{client_id}")
    async def websocket_endpoint(websocket: WebSocket, client_id: int):
        await manager.connect(websocket)
        try:
            while True:
                data = await websocket.receive_text()
                message = json.loads(data)
                await websocket.send_text(f"You wrote: {message}")
                await manager.broadcast(f"Client #{client_id} says: {message}")
        except WebSocketDisconnect:
            manager.disconnect(websocket)
            await manager.broadcast(f"Client #{client_id} left the chat")
    """

# The same mistake, but a broadcast that skips (and forgets) clients it cannot reach: nothing is left behind.
FORGIVING_BROADCAST = PUBLIC_CHAT.replace("""\
            for connection in self.active_connections:
                await connection.send_text(message)
""", """\
            for connection in list(self.active_connections):
                try:
                    await connection.send_text(message)
                except (WebSocketDisconnect, RuntimeError):
                    self.active_connections.remove(connection)
""")


def test_a_client_an_earlier_exception_left_behind_is_one_cause_with_that_exception(course: Path) -> None:
    (course / "t4l1.py").write_text(textwrap.dedent(PUBLIC_CHAT), encoding="utf-8")
    proc = run_grade("t4l1", "--app", "t4l1.py", "--no-record", "--format", "json", cwd=course)
    checks = {c["name"]: c for c in json.loads(proc.stdout)["checks"]}
    # The check a departure sinks, on its own, would blame a client that left; it names the earlier exception.
    departure = checks["a departure is announced to the others"]["failure"]
    assert departure["message"].startswith("a client of the check \u201cthe sender gets its echo, then the broadcast\u201d "
                                           "is probably still in your list of clients: its endpoint raised "
                                           "JSONDecodeError"), departure["message"]
    assert departure["errors"][0]["type"] == "JSONDecodeError" and departure["errors"][0]["frames"][-1]["line"] == 34
    assert departure["errors"][-1]["type"] in ("WebSocketDisconnect", "WebSocketDisconnected")
    # One message in the text report, naming every check that exception sank.
    text = run_grade("t4l1", "--app", "t4l1.py", "--no-record", cwd=course)
    found = blocks(text.stdout.splitlines())
    assert len(found) == 1, text.stdout
    assert found[0][1] == ("  (the same for 4 more: everyone connected gets the broadcast, a departure is announced to "
                           "the others, many messages from several clients, every endpoint ends cleanly)"), text.stdout
    assert "JSONDecodeError" in found[0][3] and "t4l1.py:34" in found[0][3]
    assert "already left" not in text.stdout
    korean = run_grade("t4l1", "--app", "t4l1.py", "--no-record", "--lang", "ko", "--format", "json", cwd=course)
    message = json.loads(korean.stdout)["checks"][3]["failure"]["message"]
    assert message.startswith("\u201c보낸 사람은 echo를 받고 나서 broadcast 메시지를 받아요\u201d 검사의 클라이언트가"), message


def test_a_broadcast_that_forgets_unreachable_clients_is_not_told_of_one_left_behind(course: Path) -> None:
    (course / "t4l1.py").write_text(textwrap.dedent(FORGIVING_BROADCAST), encoding="utf-8")
    proc = run_grade("t4l1", "--app", "t4l1.py", "--no-record", "--format", "json", cwd=course)
    checks = {c["name"]: c for c in json.loads(proc.stdout)["checks"]}
    # The departure is announced; the check fails later, at the next message, on that check's own JSONDecodeError.
    departure = checks["a departure is announced to the others"]["failure"]
    assert departure["step"].startswith("step 9, expect_text (four)"), departure
    assert [e["type"] for e in departure["errors"]] == ["JSONDecodeError"], departure
    assert "still in your list" not in proc.stdout
