"""`grade try`: the learner's app under a real uvicorn, talked to from the terminal.

Through the real `grade` command, with what a person would type piped in.
"""

from __future__ import annotations

import os
import subprocess
import textwrap
import threading
import time
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


def test_help_lists_every_command_in_both_languages() -> None:
    for lang, marker in (("en", "  /json {...}     sent as JSON text"), ("ko", "  /json {...}     JSON 텍스트로 보내요")):
        proc = typed("/help\n", "t3l1", "--app", "solutions/t3l1.py", "--lang", lang)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        assert marker in proc.stdout.splitlines(), proc.stdout
        for command in ("/hex", "/close", "/reconnect", "/save", "/quit"):
            assert f"  {command}" in proc.stdout, (lang, command)
        assert "Traceback" not in proc.stderr


ONCE = """\
from fastapi import FastAPI, WebSocket

app = FastAPI()


@app.websocket("/ws")
async def once(websocket: WebSocket):
    await websocket.accept()
    text = await websocket.receive_text()
    await websocket.send_text(text)
    await websocket.close(code=1008, reason="one only")
"""


class Terminal:
    """`grade try` with a person at the keyboard: a line is typed only once the screen shows what it waits for."""

    def __init__(self, *args: str) -> None:
        self.proc = subprocess.Popen([grade_bin(), "try", *args], cwd=ROOT, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1)
        self.seen: list[str] = []
        assert self.proc.stdout is not None
        threading.Thread(target=lambda: self.seen.extend(iter(self.proc.stdout.readline, "")), daemon=True).start()

    def wait_for(self, text: str, count: int = 1) -> None:
        deadline = time.monotonic() + 60
        while "".join(self.seen).count(text) < count and time.monotonic() < deadline:
            if self.proc.poll() is not None and "".join(self.seen).count(text) < count:
                time.sleep(0.2)  # the last lines may still be on their way
                break
            time.sleep(0.05)
        assert "".join(self.seen).count(text) >= count, "".join(self.seen)

    def type(self, line: str) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()

    def end(self) -> int:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        return self.proc.wait(timeout=60)


def test_the_app_closing_is_said_with_its_code_and_the_session_offers_to_reconnect(tmp_path: Path) -> None:
    app = tmp_path / "t3l1.py"
    app.write_text(ONCE, encoding="utf-8")
    term = Terminal("t3l1", "--app", str(app))
    try:
        term.wait_for("· connected")
        term.type("/reconnect")
        term.wait_for("still connected")
        term.type("hi")
        term.wait_for("Type /reconnect to connect again, or /quit (Ctrl-D) to end.")
        # What the learner types next is read by the session, never left for their shell.
        term.type("ls -la")
        term.wait_for("not sent: there is no connection.")
        term.type("/reconnect")
        term.wait_for("· connected", 2)
        term.type("again")
        term.wait_for("Type /reconnect to connect again", 2)
        term.type("/quit")
        assert term.proc.wait(timeout=60) == 0
    finally:
        if term.proc.poll() is None:
            term.proc.kill()
    seen = frames("".join(term.seen))
    assert seen == ["· connected", '→ text "hi"', '← text "hi"',
                    "· the server closed the connection: code 1008 'one only'",
                    "· connected", '→ text "again"', '← text "again"',
                    "· the server closed the connection: code 1008 'one only'"], seen
    assert '→ text "ls -la"' not in seen


def test_input_ending_after_the_app_closed_ends_the_session_cleanly(tmp_path: Path) -> None:
    app = tmp_path / "t3l1.py"
    app.write_text(ONCE, encoding="utf-8")
    term = Terminal("t3l1", "--app", str(app), "--lang", "ko")
    term.wait_for("연결됨")
    term.type("hi")
    term.wait_for("/reconnect")
    assert term.end() == 0
    assert "Traceback" not in "".join(term.seen)


def test_a_grader_failure_exits_3_with_what_to_report(tmp_path: Path) -> None:
    """A planted bug of the kind /help had (a template that cannot be formatted) is the grader's, said as such."""
    (tmp_path / "sitecustomize.py").write_text(
        "from grader.i18n import MESSAGES\nMESSAGES['try_connected'] = {'en': 'connected {oops}'}\n", encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}
    proc = subprocess.run([grade_bin(), "try", "t3l1", "--app", "solutions/t3l1.py"], cwd=ROOT, input="hi\n",
                          capture_output=True, text=True, timeout=60, env=env)
    assert proc.returncode == 3, proc.stdout + proc.stderr
    assert "the grader itself failed; this is not your code's fault. Please report it:" in proc.stderr
    assert "grade try t3l1: KeyError: 'oops'" in proc.stderr


def test_a_path_without_a_slash_is_a_usage_error() -> None:
    proc = typed("hi\n", "t3l1", "--app", "solutions/t3l1.py", "--path", "ws")
    assert proc.returncode == 2 and "--path" in proc.stderr and "/ws" in proc.stderr, proc.stderr


def test_what_the_app_sends_cannot_steer_the_terminal() -> None:
    # The echo sends back C1 controls (CSI, OSC) and a bidi override, which JSON leaves as they are.
    proc = typed("a\u009b31mred\u009d0;title\u0007\u202eevil\n", "t3l1", "--app", "solutions/t3l1.py")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert not {"\u009b", "\u009d", "\u202e", "\u0007"} & set(proc.stdout), proc.stdout
    echoed = [f for f in frames(proc.stdout) if f.startswith("←")]
    assert echoed and "\\x9b" in echoed[0] and "\\u202e" in echoed[0], echoed
