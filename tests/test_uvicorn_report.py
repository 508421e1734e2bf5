"""`--server uvicorn` reports read like the default mode's: the learner's own lines, not uvicorn's.

Through the real `grade` command, on a file written as learners write them.
"""

from __future__ import annotations

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
    proc = run_grade("t3l2", "--app", "t3l2.py", "--server", "uvicorn", cwd=course, timeout=300)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    printed = proc.stdout.split("What your app printed:\n", 1)[1].split("\n\n", 1)[0].splitlines()
    assert "  ERROR:    Exception in ASGI application" in printed
    assert '    File "t3l2.py", line 10, in router' in printed and "  KeyError: 'type'" in printed
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
