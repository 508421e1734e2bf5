"""`grade try`: the learner's app under a real uvicorn, talked to from the terminal.

Through the real `grade` command, with what a person would type piped in.
"""

from __future__ import annotations

import subprocess
import textwrap
from pathlib import Path

from conftest import ROOT, grade_bin


def typed(lines: str, *args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run([grade_bin(), "try", *args], cwd=cwd, input=textwrap.dedent(lines), capture_output=True,
                          text=True, timeout=60)


def frames(stdout: str) -> list[str]:
    """The transcript lines, without their times: `→ text "hi"`, `← ...`, `· ...`."""
    return [line.split("s ", 1)[1] for line in stdout.splitlines() if line[:9].strip().endswith("s")
            and line.strip()[:1].isdigit()]


def test_text_json_and_binary_go_out_and_the_answers_come_back(tmp_path: Path) -> None:
    proc = typed("""\
        hello
        /json {"type": "ping", "n": 1}
        //slash
        /nonsense
        /json {oops
        """, "t3l1", "--app", "solutions/t3l1.py", "--transcript", str(tmp_path / "t.txt"))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.startswith("Your app is served by uvicorn at ws://127.0.0.1:")
    seen = frames(proc.stdout)
    # At the end of the input the answers still on their way are shown, then the client closes.
    assert seen[0] == "· connected" and seen[-1] == "· closed by you: code 1000"
    sent = [f for f in seen if f[0] == "→"]
    answers = [f for f in seen if f[0] == "←"]
    assert sent == ['→ text "hello"', '→ text "{\\"type\\":\\"ping\\",\\"n\\":1}"', '→ text "/slash"']
    assert answers == ['← text "Message text was: hello"',
                       '← text "Message text was: {\\"type\\":\\"ping\\",\\"n\\":1}"',
                       '← text "Message text was: /slash"']
    assert "unknown command /nonsense" in proc.stdout and "not sent: that is not JSON" in proc.stdout
    saved = (tmp_path / "t.txt").read_text(encoding="utf-8").splitlines()
    assert [line.split("s ", 1)[1] for line in saved] == seen


def test_close_sends_the_code_and_reason_typed() -> None:
    proc = typed("/close 4001 see you\n", "t3l1", "--app", "solutions/t3l1.py")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert frames(proc.stdout) == ["· connected", "· closed by you: code 4001 'see you'"]


def test_the_server_closing_ends_the_session_and_the_apps_output_is_shown(tmp_path: Path) -> None:
    app = tmp_path / "t3l1.py"
    app.write_text(textwrap.dedent("""\
        from fastapi import FastAPI, WebSocket

        app = FastAPI()


        @app.websocket("/ws")
        async def once(websocket: WebSocket):
            await websocket.accept()
            print("one message only \\x1b[31m")
            text = await websocket.receive_text()
            await websocket.send_bytes(text.encode())
            await websocket.close(code=4000, reason="bye")
        """), encoding="utf-8")
    proc = typed("hi\n", "t3l1", "--app", str(app))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert frames(proc.stdout)[-2:] == ["← binary 2 bytes: 68 69", "· the server closed the connection: code 4000 'bye'"]
    assert "  │ one message only ?[31m" in proc.stdout.splitlines()  # shown, never obeyed
    assert "\x1b" not in proc.stdout


def test_an_exception_shows_uvicorns_log_cut_to_the_learners_lines(tmp_path: Path) -> None:
    proc = typed("/hex 00 ff\n", "t3l1", "--app", "solutions/t3l1.py")
    lines = proc.stdout.splitlines()
    assert "  │ ERROR:    Exception in ASGI application" in lines
    assert '  │   File "t3l1.py", line 11, in echo' in lines and "  │ KeyError: 'text'" in lines
    assert not any("site-packages" in line for line in lines)


def test_a_file_that_does_not_import_is_said_as_grade_says_it(tmp_path: Path) -> None:
    app = tmp_path / "t3l1.py"
    app.write_text("from fastapi import FastAPI\napp = FastAPI(\n", encoding="utf-8")
    proc = typed("hi\n", "t3l1", "--app", str(app))
    assert proc.returncode == 1
    assert "t3l1.py has a syntax error" in proc.stdout and "Traceback" not in proc.stdout + proc.stderr
