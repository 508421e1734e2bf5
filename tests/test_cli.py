"""The real `grade` command, end to end, as learners and CI run it."""

from __future__ import annotations

import json
import textwrap
import time
from pathlib import Path

import pytest

from conftest import ROOT, grade_json, run_grade

ECHO_PREFIX = "from fastapi import FastAPI, WebSocket, WebSocketDisconnect\n\napp = FastAPI()\n\n"
# An endpoint that sends frames nobody asked for as fast as its loop turns, until the client leaves.
FLOOD = """\
    import asyncio


    @app.websocket("/ws")
    async def flood(websocket: WebSocket):
        await websocket.accept()
        try:
            while True:
                await websocket.send_text("x" * 100)
                await asyncio.sleep(0)
        except WebSocketDisconnect:
            return
    """


def learner_file(folder: Path, body: str, prefix: str = "") -> Path:
    path = folder / "t3l1.py"
    path.write_text(prefix + textwrap.dedent(body), encoding="utf-8")
    return path


def assert_no_grader_traceback(text: str) -> None:
    assert "Traceback (most recent call last)" not in text
    assert "grader/" not in text


def test_grading_the_reference_solution_passes() -> None:
    proc = run_grade("t3l2", "--app", "solutions/t3l2.py")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "✓ reads messages with iter_json" in proc.stdout
    assert "All 9 checks you can run here passed" in proc.stdout  # one more check is hidden
    proc = run_grade("t3l2", "--app", "solutions/t3l2.py", "--all-checks")
    assert "All 10 checks passed" in proc.stdout and "20 XP" in proc.stdout


def test_json_report_lists_every_check_in_spec_order() -> None:
    code, report = grade_json("t3l2", "--app", "solutions/t3l2.py")
    assert code == 0
    assert report["format"] == "grader-result/1"
    assert report["exercise"] == "t3l2" and report["passed"] is True and report["xp"] == 20
    names = [c["name"] for c in report["checks"]]
    assert names[0] == "reads messages with iter_json"
    assert names[-1] == "ends cleanly when the client leaves"
    assert all({"name", "passed", "message"} <= c.keys() for c in report["checks"])


def test_a_failing_check_shows_step_expected_got_transcript_and_hint(tmp_path: Path) -> None:
    app = learner_file(tmp_path, prefix=ECHO_PREFIX, body="""\
        @app.websocket("/ws")
        async def echo(websocket: WebSocket):
            await websocket.accept()
            async for text in websocket.iter_text():
                await websocket.send_text(f"Message: {text}")
        """)
    proc = run_grade("t3l1", "--app", str(app))
    assert proc.returncode == 1
    out = proc.stdout
    assert "✗ answers a message" in out
    assert "at step 3, expect_text (t3l1.yaml:" in out
    assert 'expected: "Message text was: hello"' in out
    assert 'got:      "Message: hello"' in out
    assert "transcript:" in out and '→ text "hello"' in out
    assert "hint: The answer is the text" in out
    assert_no_grader_traceback(out + proc.stderr)


def test_the_report_is_plain_text_without_a_terminal(tmp_path: Path) -> None:
    proc = run_grade("t3l1", "--app", "solutions/t3l1.py")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "  ✓ answers a message" in proc.stdout.splitlines()
    assert "\x1b[" not in proc.stdout


def test_output_file_gets_the_format_while_the_terminal_gets_the_report(tmp_path: Path) -> None:
    target = tmp_path / "report.json"
    proc = run_grade("t3l1", "--app", "solutions/t3l1.py", "--format", "json", "--output", str(target))
    assert proc.returncode == 0
    assert json.loads(target.read_text())["passed"] is True
    assert "✓ answers a message" in proc.stdout


def test_the_korean_report_uses_the_specs_korean_texts(tmp_path: Path) -> None:
    code, report = grade_json("t3l1", "--app", str(learner_file(tmp_path, ECHO_PREFIX)), "--lang", "ko")
    assert code == 1
    assert report["title"] == "Echo 서버"
    assert "답은" in report["checks"][0]["hint"]


def test_learner_code_that_blocks_the_loop_gets_a_verdict_at_its_line(tmp_path: Path, course: Path) -> None:
    app = learner_file(tmp_path, prefix=ECHO_PREFIX, body="""\
        import time


        @app.websocket("/ws")
        async def echo(websocket: WebSocket):
            await websocket.accept()
            async for text in websocket.iter_text():
                time.sleep(60)
        """)
    started = time.monotonic()
    proc = run_grade("t3l1", "--app", str(app), cwd=course)
    assert time.monotonic() - started < 40  # a verdict, not a hang
    assert proc.returncode == 1
    assert "your endpoint stopped responding" in proc.stdout
    assert "t3l1.py:12 (time.sleep(60))" in proc.stdout
    assert "at step 3, expect_text" in proc.stdout
    assert_no_grader_traceback(proc.stdout + proc.stderr)


def test_a_busy_loop_is_stopped_too(tmp_path: Path, course: Path) -> None:
    app = learner_file(tmp_path, prefix=ECHO_PREFIX, body="""\
        @app.websocket("/ws")
        async def echo(websocket: WebSocket):
            await websocket.accept()
            while True:
                pass
        """)
    code, report = grade_json("t3l1", "--app", str(app), cwd=course)
    assert code == 1
    first, *rest = report["checks"]
    assert first["failure"]["kind"] == "hang"
    assert "t3l1.py:8 (while True:)" in first["message"] or "t3l1.py:9 (pass)" in first["message"], first["message"]
    # One freeze, one message: the checks after it are not run, and say why.
    assert rest and all(c["status"] == "not_run" for c in rest)
    assert all(f"froze in the check \u201c{first['name']}\u201d" in c["message"] for c in rest)


def test_an_error_at_import_is_the_learners_with_their_line(tmp_path: Path) -> None:
    app = learner_file(tmp_path, prefix=ECHO_PREFIX, body="value = {}['missing']\n")
    proc = run_grade("t3l1", "--app", str(app))
    assert proc.returncode == 1
    assert f"raised an error while being imported: KeyError: 'missing' at {app}:5" in proc.stdout  # a path to click
    assert "(not run)" in proc.stdout
    assert_no_grader_traceback(proc.stdout + proc.stderr)


def test_sys_exit_at_import_is_a_verdict(tmp_path: Path) -> None:
    app = learner_file(tmp_path, "import sys\nsys.exit('bye')\n")
    proc = run_grade("t3l1", "--app", str(app))
    assert proc.returncode == 1
    assert "called sys.exit() while being imported" in proc.stdout
    assert_no_grader_traceback(proc.stdout + proc.stderr)


def test_os_exit_in_a_handler_fails_only_the_checks_it_ends(tmp_path: Path, course: Path) -> None:
    app = learner_file(tmp_path, prefix=ECHO_PREFIX, body="""\
        import os


        @app.websocket("/ws")
        async def echo(websocket: WebSocket):
            await websocket.accept()
            try:
                async for text in websocket.iter_text():
                    if text == "bye":
                        os._exit(7)
                    await websocket.send_text(f"Message text was: {text}")
            except WebSocketDisconnect:
                pass
        """)
    code, report = grade_json("t3l1", "--app", str(app), cwd=course)
    assert code == 1
    by_name = {c["name"]: c for c in report["checks"]}
    assert by_name["answers a message"]["passed"]
    assert by_name["serves two clients at once"]["passed"]
    ended = by_name["ends cleanly when the client leaves"]
    assert ended["failure"]["kind"] == "crash"
    assert f"os._exit(7) at {app}:14" in ended["message"]


def test_a_syntax_error_is_shown_with_a_caret(tmp_path: Path) -> None:
    app = learner_file(tmp_path, "def broken(:\n    pass\n")
    proc = run_grade("t3l1", "--app", str(app))
    assert proc.returncode == 1
    assert "t3l1.py has a syntax error" in proc.stdout
    lines = proc.stdout.splitlines()
    code = lines.index("        def broken(:")
    assert lines[code + 1] == "                   ^"  # under the ':' where the parser stopped


def test_a_file_without_app_names_what_it_found(tmp_path: Path) -> None:
    app = learner_file(tmp_path, "from fastapi import FastAPI\n\napi = FastAPI()\n")
    proc = run_grade("t3l1", "--app", str(app))
    assert proc.returncode == 1
    assert "defines no `app`" in proc.stdout and "--app" in proc.stdout and ":api" in proc.stdout
    found = run_grade("t3l1", "--app", f"{app}:api")  # found now; the checks fail instead
    assert found.returncode == 1
    assert "defines no" not in found.stdout
    assert "no WebSocket route of your app matches /ws: it has none" in found.stdout


def test_a_missing_file_says_where_to_write(tmp_path: Path) -> None:
    proc = run_grade("t3l1", "--app", str(tmp_path / "nothing.py"))
    assert proc.returncode == 1
    assert "does not exist yet: `grade start` writes the lesson's starter there" in proc.stdout
    assert "XP" not in proc.stdout.splitlines()[-1]  # no attempt recorded for a file that is not there


def test_what_the_app_prints_is_shown_and_capped(tmp_path: Path, course: Path) -> None:
    app = learner_file(tmp_path, "print('x' * 100_000)\nprint('hello from import')\n")
    proc = run_grade("t3l1", "--app", str(app), cwd=course)
    assert proc.returncode == 1
    assert "What your app printed:" in proc.stdout
    assert "more bytes of output not shown" in proc.stdout


def test_an_unknown_exercise_is_a_usage_error() -> None:
    proc = run_grade("t9l9", "--app", "solutions/t3l1.py")
    assert proc.returncode == 2
    assert "no exercise 't9l9'" in proc.stderr and "t3l1" in proc.stderr


def test_a_broken_spec_is_reported_at_file_line_column(course: Path) -> None:
    spec = course / "exercises" / "t3l1.yaml"
    spec.write_text(spec.read_text().replace("expect_text: \"Message text was: hello\"", "expect_txt: x"))
    proc = run_grade("t3l1", "--app", str(ROOT / "solutions" / "t3l1.py"), cwd=course)
    assert proc.returncode == 2
    assert f"{spec}:" in proc.stderr and "unknown step key 'expect_txt'" in proc.stderr
    line, column = proc.stderr.split(f"{spec}:")[1].split(":")[:2]
    assert line.isdigit() and column.isdigit()
    assert_no_grader_traceback(proc.stderr)


def test_validate_reports_every_error_and_exits_2(tmp_path: Path) -> None:
    bad = tmp_path / "t5l1.yaml"
    bad.write_text("version: 1\nid: t5l2\ntitle: x\nchecks: []\nextra: 1\n")
    proc = run_grade("validate", str(bad), str(ROOT / "exercises"))
    assert proc.returncode == 2
    lines = [line for line in proc.stderr.splitlines() if line.startswith(str(bad))]
    assert len(lines) >= 4, proc.stderr
    assert "error" in proc.stderr.splitlines()[-1]


def test_validate_accepts_the_catalog() -> None:
    proc = run_grade("validate")
    assert proc.returncode == 0, proc.stderr
    assert "specs valid" in proc.stdout


def test_schema_prints_the_json_schema() -> None:
    proc = run_grade("schema")
    assert proc.returncode == 0
    schema = json.loads(proc.stdout)
    assert schema["title"].startswith("Exercise spec")


@pytest.mark.parametrize("args", [["--format", "xml", "t3l1"], ["--bogus"]])
def test_bad_arguments_exit_2(args: list[str]) -> None:
    assert run_grade(*args).returncode == 2


def test_check_prints_the_table_and_passes_for_a_proven_exercise() -> None:
    proc = run_grade("check", "t3l1", "--jobs", "2")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    header, rule, row = proc.stdout.splitlines()[:3]
    assert header.split() == ["exercise", "reference", "starter", "wrong", "caught", "correct", "accepted", "seconds"]
    assert row.split()[:5] == ["t3l1", "passes", "fails", "5/5", "2/2"]


def test_check_fails_when_a_wrong_variant_slips_through(course: Path) -> None:
    import shutil

    shutil.copytree(ROOT / "solutions", course / "solutions")
    shutil.copytree(ROOT / "starters", course / "starters")
    variants = course / "tests" / "variants" / "t3l1"
    variants.mkdir(parents=True)
    # Claims a mistake that the reference solution does not make.
    (variants / "not_wrong.py").write_text("# expect-fail: answers a message\n" + (ROOT / "solutions" / "t3l1.py").read_text())
    proc = run_grade("check", "t3l1", cwd=course)
    assert proc.returncode == 1
    assert "0/1 WRONG" in proc.stdout
    assert "should fail 'answers a message', but it passed" in proc.stdout


HIDDEN = "unusual values survive the echo"


def test_hidden_checks_never_leak_into_a_local_report(tmp_path: Path) -> None:
    text = run_grade("t3l2", "--app", "solutions/t3l2.py")
    assert text.returncode == 0
    assert HIDDEN not in text.stdout
    assert ("  … and 1 hidden check, which your instructor runs on the file you hand in (grade submit t3l2)"
            in text.stdout.splitlines())
    assert "All 9 checks you can run here passed" in text.stdout and "All 10" not in text.stdout
    code, report = grade_json("t3l2", "--app", "solutions/t3l2.py")
    assert code == 0
    assert HIDDEN not in json.dumps(report)
    assert report["complete"] is False and report["hidden_pending"] == 1
    assert report["max_points"] == 19 and report["hidden_points"] == 1


def test_hidden_checks_run_with_all_checks() -> None:
    code, report = grade_json("t3l2", "--app", "solutions/t3l2.py", "--all-checks")
    assert code == 0
    assert HIDDEN in [c["name"] for c in report["checks"]]
    assert report["complete"] is True and report["max_points"] == 20


def test_version() -> None:
    proc = run_grade("--version")
    assert proc.returncode == 0 and proc.stdout.startswith("grade 0.")


def test_grader_noise_never_reaches_the_learner(tmp_path: Path, course: Path) -> None:
    # A flood of frames nobody asked for, and a server-push loop that only
    # stops when cancelled: the judge tears both down, and nothing of its own
    # machinery (task warnings, cancellation scopes) may show in the report.
    app = learner_file(tmp_path, prefix=ECHO_PREFIX, body=FLOOD)
    proc = run_grade("t3l1", "--app", str(app), cwd=course)
    assert proc.returncode == 1
    assert "✗ answers a message" in proc.stdout
    for noise in ("Task exception was never retrieved", "ClosedResourceError", "CancelledError", "Cancelled via"):
        assert noise not in proc.stdout and noise not in proc.stderr, noise
    assert_no_grader_traceback(proc.stdout + proc.stderr)
