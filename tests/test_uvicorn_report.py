"""`--server uvicorn` reports read like the default mode's: the learner's own lines, not uvicorn's.

Through the real `grade` command, on a file written as learners write them.
"""

from __future__ import annotations

import json
import re
import textwrap
from pathlib import Path

from conftest import run_grade

RAISES = """\
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
    """


def test_uvicorns_traceback_is_cut_to_the_learners_frames(course: Path) -> None:
    (course / "t3l2.py").write_text(textwrap.dedent(RAISES), encoding="utf-8")
    proc = run_grade("t3l2", "--app", "t3l2.py", "--server", "uvicorn", "--format", "json", "--output", "r.json",
                     cwd=course, timeout=300)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    # What each check made the app print is cut the same way (the JSON, HTML and platform formats show it).
    checks = json.loads((course / "r.json").read_text(encoding="utf-8"))["checks"]
    printed = [check["output"] for check in checks if "KeyError" in check["output"]]
    assert len(printed) == 2, checks
    for text in printed:
        assert 'File "t3l2.py", line 10, in router' in text and "site-packages" not in text, text
        assert [line for line in text.splitlines() if line.lstrip().startswith("File ")] == [
            '  File "t3l2.py", line 10, in router'], text
    printed = proc.stdout.split("What your app printed:\n", 1)[1].split("\n\n", 1)[0].splitlines()
    assert "  ERROR:    Exception in ASGI application" in printed
    assert '    File "t3l2.py", line 10, in router' in printed and "  KeyError: 'type'" in printed
    # Two checks raised it, and uvicorn logged it twice: shown once, with the count.
    assert printed.count("  KeyError: 'type'") == 1 and "  (uvicorn logged this 2 times in all)" in printed, printed
    # Only the learner's frames: no uvicorn, Starlette or FastAPI file, no sandbox path.
    assert [line for line in printed if line.lstrip().startswith("File ")] == [
        '    File "t3l2.py", line 10, in router'] * printed.count("  KeyError: 'type'")
    assert "site-packages" not in proc.stdout and "/learner/" not in proc.stdout


def test_the_transcript_shows_what_the_client_offered(course: Path) -> None:
    (course / "t5l2.py").write_text(textwrap.dedent("""\
        from fastapi import FastAPI, WebSocket

        app = FastAPI()


        @app.websocket("/ws/chat")
        async def chat(websocket: WebSocket):
            await websocket.accept()
            await websocket.close()
        """), encoding="utf-8")
    english = run_grade("t5l2", "--app", "t5l2.py", "--no-record", cwd=course)
    assert "ws · offers subprotocols chat.v1, chat.v2" in english.stdout, english.stdout
    korean = run_grade("t5l2", "--app", "t5l2.py", "--no-record", "--lang", "ko", cwd=course)
    assert "ws · 제안한 subprotocol: chat.v1, chat.v2" in korean.stdout, korean.stdout


NEVER_ANSWERS = """\
    from fastapi import FastAPI, WebSocket

    app = FastAPI()


    @app.websocket("/ws")
    async def echo(websocket: WebSocket) -> None:
        await websocket.accept()
        while True:
            data = await websocket.receive_text()
            print("got", data)
    """


def test_a_timeout_says_where_the_endpoint_waits_as_the_default_mode_does(course: Path) -> None:
    (course / "t3l1.py").write_text(textwrap.dedent(NEVER_ANSWERS), encoding="utf-8")
    waiting = "your endpoint is waiting at t3l1.py:10 (data = await websocket.receive_text())"
    default = run_grade("t3l1", "--app", "t3l1.py", "--no-record", cwd=course)
    real = run_grade("t3l1", "--app", "t3l1.py", "--no-record", "--server", "uvicorn", cwd=course, timeout=300)
    assert default.returncode == real.returncode == 1, real.stdout + real.stderr
    assert waiting in default.stdout, default.stdout
    assert f"no message arrived within 2 s; {waiting}" in real.stdout, real.stdout
    # The server's answer to the grader's own close after the check is not something the server did.
    assert "server closed the connection" not in real.stdout, real.stdout
    korean = run_grade("t3l1", "--app", "t3l1.py", "--no-record", "--server", "uvicorn", "--lang", "ko",
                       cwd=course, timeout=300)
    assert "t3l1.py:10 (data = await websocket.receive_text())" in korean.stdout, korean.stdout


SPINS = """\
    from fastapi import FastAPI, WebSocket

    app = FastAPI()


    @app.websocket("/ws")
    async def echo(websocket: WebSocket) -> None:
        await websocket.accept()
        text = await websocket.receive_text()
        while text:
            pass
    """


def test_a_blocked_event_loop_is_named_with_its_line_as_the_default_mode_does(course: Path) -> None:
    # The loop never comes back, so however slow the machine, it is held when the client gives up.
    (course / "t3l1.py").write_text(textwrap.dedent(SPINS), encoding="utf-8")
    default = run_grade("t3l1", "--app", "t3l1.py", "--no-record", cwd=course)
    real = run_grade("t3l1", "--app", "t3l1.py", "--no-record", "--server", "uvicorn", cwd=course, timeout=300)
    assert default.returncode == real.returncode == 1, real.stdout + real.stderr
    headline = re.compile(r"your endpoint stopped responding: it blocked the event loop for more than [\d.]+ s of real "
                          r"time at t3l1\.py:10 \(while text:\)\. Blocking calls")
    # (The default mode names the line when its watchdog's dump arrived in time; under uvicorn it always can.)
    assert "your endpoint stopped responding: it blocked the event loop for more than" in default.stdout, default.stdout
    assert headline.search(real.stdout), real.stdout
    assert "    Blocked: event loop blocked" in real.stdout.splitlines(), real.stdout
    assert "got:      the server froze" in real.stdout and "no message arrived" not in real.stdout, real.stdout
    # Every check it sank is named under the one cause.
    assert "(the same for 3 more: answers many messages on one connection" in real.stdout, real.stdout
    korean = run_grade("t3l1", "--app", "t3l1.py", "--no-record", "--server", "uvicorn", "--lang", "ko",
                       cwd=course, timeout=300)
    assert "이벤트 루프를 막았어요" in korean.stdout and "t3l1.py:10 (while text:)" in korean.stdout, korean.stdout
    assert "    Blocked: 이벤트 루프가 막혔어요" in korean.stdout.splitlines(), korean.stdout


CHAT = """\
    import json

    from fastapi import FastAPI, WebSocket, WebSocketDisconnect

    app = FastAPI()
    clients: list[WebSocket] = []


    @app.websocket("/ws/{client_id}")
    async def chat(websocket: WebSocket, client_id: int):
        await websocket.accept()
        clients.append(websocket)
        try:
            while True:
                message = json.loads(await websocket.receive_text())
                for client in clients:
                    await client.send_text(f"{client_id}: {message}")
        except WebSocketDisconnect:
            clients.remove(websocket)
            for client in clients:
                await client.send_text(f"{client_id} left")
    """


def test_a_long_log_is_cut_to_the_learners_lines_before_its_size_limit(course: Path) -> None:
    # Every check raises, and uvicorn logs long tracebacks: far more than the 16 KB kept of a log.
    (course / "t4l1.py").write_text(textwrap.dedent(CHAT), encoding="utf-8")
    proc = run_grade("t4l1", "--app", "t4l1.py", "--no-record", "--server", "uvicorn", "--format", "json",
                     cwd=course, timeout=300)
    result = json.loads(proc.stdout)
    assert result["output"].startswith("ERROR:    Exception in ASGI application\n"), result["output"]
    for text in [result["output"], *(check["output"] for check in result["checks"])]:
        assert "site-packages" not in text and "/learner/" not in text and "grader/" not in text, text
        for line in text.splitlines():
            assert not line.lstrip().startswith("File ") or line.lstrip().startswith('File "t4l1.py"'), text
    # The same exception from the same line is one record in the whole log, however often it was logged.
    assert result["output"].count("JSONDecodeError: Expecting value") == 1, result["output"]
    assert re.search(r"\(uvicorn logged this \d+ times in all\)", result["output"]), result["output"]


def test_a_send_to_a_client_that_left_is_named_with_its_line_under_uvicorn_too() -> None:
    # The endpoint catches the failed send to a departed client and returns: only the server knows where it sent.
    variant = "tests/variants/t4l1/never_forgets.py"
    said = ('your endpoint returned after it tried to send to a client that had already left (' + variant
            + ':17: await connection.send_text(f"Client #{client_id} says: {text}")) (Starlette raises '
            'WebSocketDisconnect with code 1006 there, and your code caught it)')
    default = run_grade("t4l1", "--app", variant, "--no-record")
    real = run_grade("t4l1", "--app", variant, "--no-record", "--server", "uvicorn", timeout=300)
    assert said in default.stdout, default.stdout
    assert said in real.stdout, real.stdout
    assert "did the loop stop after one message" not in real.stdout, real.stdout
