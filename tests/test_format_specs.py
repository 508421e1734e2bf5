"""Each output format follows its public specification, checked on real gradings.

Gradescope's autograder results.json and Exercism's test runner results.json
(version 3) are validated against JSON Schemas written from their published
field lists (tests/formats/); JUnit XML must parse whatever the learner
printed.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest

from conftest import run_grade
from grader import Options, Result, grade, load_exercise
from grader.render import RENDERERS
from grader.render.exercism import TRUNCATED
from grader.result import Status
from grader.spec import Exercise

SCHEMAS = Path(__file__).resolve().parent / "formats"
GRADESCOPE = json.loads((SCHEMAS / "gradescope-results.schema.json").read_text(encoding="utf-8"))
EXERCISM = json.loads((SCHEMAS / "exercism-results-v3.schema.json").read_text(encoding="utf-8"))

SPEC = """\
version: 1
id: shout
title: Shout
track: 1
lesson: 1
xp: 5
file: shout.py
instructions: |
  # Instructions

  ## 1. Answer in capitals

  Answer every text message in capitals.

  ## 2. Say goodbye

  Close with 1000 after "bye".
checks:
  - name: answers in capitals
    task: 1
    steps:
      - connect: /ws
      - send_text: hi
      - expect_text: HI
  - name: says goodbye
    task: 2
    steps:
      - connect: /ws
      - send_text: bye
      - expect_text: BYE
      - expect_close: 1000
  - name: reads with iter_text
    source: {calls: [iter_text]}
  - name: the secret
    hidden: true
    points: 3
    source: {calls: [close]}
"""

APP = """\
from fastapi import FastAPI, WebSocket

app = FastAPI()


@app.websocket("/ws")
async def shout(websocket: WebSocket):
    await websocket.accept()
    async for text in websocket.iter_text():
        print("{prefix}" + text)
        await websocket.send_text(text.{method}())
        if text == "bye":
            {close}
            return
"""


def app(folder: Path, name: str, *, method: str = "upper", close: str = "await websocket.close()",
        prefix: str = "got ") -> Path:
    path = folder / f"{name}.py"
    path.write_text(APP.replace("{method}", method).replace("{close}", close).replace("{prefix}", prefix),
                    encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def lesson(tmp_path_factory: pytest.TempPathFactory) -> tuple[Exercise, Path]:
    folder = tmp_path_factory.mktemp("formats")
    (folder / "shout.yaml").write_text(SPEC, encoding="utf-8")
    return load_exercise(folder / "shout.yaml"), folder


@pytest.fixture(scope="module")
def graded(lesson: tuple[Exercise, Path]) -> dict[str, Result]:
    exercise, folder = lesson
    hidden = Options(run_hidden=True)
    return {
        "good": grade(exercise, app(folder, "good"), hidden),
        # Fails only the hidden check: it closes without calling close().
        "no_close": grade(exercise, app(folder, "no_close", close='await websocket.send({"type": "websocket.close", '
                                                                  '"code": 1000})'), hidden),
        "lower": grade(exercise, app(folder, "lower", method="lower", prefix="x" * 700), hidden),
        "local": grade(exercise, app(folder, "local", method="lower"), Options()),
        "broken": grade(exercise, _write(folder / "broken.py", "import os\nprint(os.getcwd())\ndef (:\n"), hidden),
    }


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def render(kind: str, result: Result, exercise: Exercise) -> dict:  # type: ignore[type-arg]
    return json.loads(RENDERERS[kind](result, exercise))  # type: ignore[no-any-return]


# --- Gradescope ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["good", "no_close", "lower", "local", "broken"])
def test_gradescope_results_follow_the_published_format(graded: dict[str, Result], lesson, name: str) -> None:  # type: ignore[no-untyped-def]
    data = render("gradescope", graded[name], lesson[0])
    jsonschema.validate(data, GRADESCOPE)
    assert data["score"] == sum(t["score"] for t in data["tests"])
    assert data["max_score"] == sum(t["max_score"] for t in data["tests"]) == 6


def test_gradescope_shows_nothing_of_a_hidden_result_outside_its_own_test(graded: dict[str, Result], lesson) -> None:  # type: ignore[no-untyped-def]
    passing, failing = (render("gradescope", graded[k], lesson[0]) for k in ("good", "no_close"))
    assert passing["output"] == failing["output"] == (
        "3/3 visible checks passed; 1 hidden check(s) are shown when grades are published")
    visible = [[t for t in data["tests"] if t["visibility"] == "visible"] for data in (passing, failing)]
    assert visible[0] == visible[1]
    (secret,) = [t for t in failing["tests"] if t["visibility"] != "visible"]
    assert secret["visibility"] == "after_published" and secret["name"] == "the secret"
    assert secret["status"] == "failed" and "close()" in secret["output"]


def test_a_local_gradescope_file_counts_the_hidden_points_it_did_not_run(graded: dict[str, Result], lesson) -> None:  # type: ignore[no-untyped-def]
    data = render("gradescope", graded["local"], lesson[0])
    pending = data["tests"][-1]
    assert pending == {"name": "1 hidden check(s), not run", "score": 0, "max_score": 3,
                       "output": "Hidden checks run when grading with --all-checks.", "visibility": "after_published"}
    assert "the secret" not in json.dumps(data)


# --- Exercism -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["good", "no_close", "lower", "local", "broken"])
def test_exercism_results_follow_the_published_interface(graded: dict[str, Result], lesson, name: str) -> None:  # type: ignore[no-untyped-def]
    jsonschema.validate(render("exercism", graded[name], lesson[0]), EXERCISM)


def test_exercism_task_ids_come_from_the_instructions_headings(graded: dict[str, Result], lesson) -> None:  # type: ignore[no-untyped-def]
    tests = render("exercism", graded["good"], lesson[0])["tests"]
    assert [(t["name"], t.get("task_id")) for t in tests] == [
        ("answers in capitals", 1), ("says goodbye", 2), ("reads with iter_text", None), ("hidden check 1", None)]


def test_exercism_shows_a_hidden_check_without_its_name_or_steps(graded: dict[str, Result], lesson) -> None:  # type: ignore[no-untyped-def]
    data = render("exercism", graded["no_close"], lesson[0])
    assert data["status"] == "fail"
    hidden = data["tests"][-1]
    assert hidden["name"] == "hidden check 1" and hidden["status"] == "fail"
    assert hidden["test_code"] == "A hidden check: it tests what the instructions ask with inputs that are not shown."
    # Failed alone, it still says something: the kind of failure, not what it looked for.
    assert hidden["message"] == ("This hidden check failed: your code does not use what the instructions ask for. "
                                 "Its steps are not shown: read the instructions again for a case your code does "
                                 "not handle yet.")
    assert "the secret" not in json.dumps(data) and "calls" not in json.dumps(hidden)


def test_exercism_output_is_what_that_test_printed_cut_at_500(graded: dict[str, Result], lesson) -> None:  # type: ignore[no-untyped-def]
    good = render("exercism", graded["good"], lesson[0])["tests"]
    assert good[0]["output"] == "got hi\n" and good[1]["output"] == "got bye\n"
    assert "output" not in good[2]  # a source rule runs no code
    lower = render("exercism", graded["lower"], lesson[0])["tests"]
    assert len(lower[0]["output"]) <= 500 and lower[0]["output"].endswith(TRUNCATED)
    assert "bye" not in lower[0]["output"]


def test_exercism_says_error_with_relative_paths_when_the_file_will_not_import(graded: dict[str, Result], lesson) -> None:  # type: ignore[no-untyped-def]
    exercise, folder = lesson
    data = render("exercism", graded["broken"], exercise)
    assert data["status"] == "error" and "broken.py" in data["message"]
    assert str(folder) not in json.dumps(data) and "Traceback" not in json.dumps(data)


def test_the_exercism_runner_exits_0_whatever_the_tests_say(lesson) -> None:  # type: ignore[no-untyped-def]
    exercise, folder = lesson
    wrong = app(folder, "wrong_cli", method="lower")
    for args in (["--format", "exercism"], ["--format", "exercism", "--output", str(folder / "results.json")]):
        proc = run_grade("shout", "--app", str(wrong), "--no-record", *args, cwd=_course(folder))
        assert proc.returncode == 0, proc.stderr
    assert json.loads((folder / "results.json").read_text())["status"] == "fail"
    assert run_grade("shout", "--app", str(wrong), "--no-record", cwd=_course(folder)).returncode == 1


def _course(folder: Path) -> Path:
    course = folder / "course"
    if not course.exists():
        (course / "exercises").mkdir(parents=True)
        (course / "grader.toml").write_text("[course]\ntitle = 't'\n", encoding="utf-8")
        (course / "exercises" / "shout.yaml").write_text(SPEC, encoding="utf-8")
    return course


# --- JUnit --------------------------------------------------------------------------------------------------------


def test_junit_is_well_formed_whatever_the_learner_printed(lesson) -> None:  # type: ignore[no-untyped-def]
    exercise, folder = lesson
    noisy = app(folder, "noisy", method="lower", prefix="\\x1b[31m\\x00\\x07\\x0b\\ufffe ")
    result = grade(exercise, noisy, Options(run_hidden=True))
    ET.fromstring(RENDERERS["junit"](result, exercise))
    # A result read back from JSON (grade batch, CI) has not been through the grader's own cleaning.
    raw = result.to_dict()
    raw["output"] = "\x00\x1b\ud800\ufffe\uffff end"
    raw["checks"][0]["output"] = "\x08bell\x07"
    root = ET.fromstring(RENDERERS["junit"](Result.from_dict(raw), exercise))
    assert root.find("testsuite/system-out").text == "\\x00\\x1b\\ud800\\ufffe\\uffff end"  # type: ignore[union-attr]


def test_junit_reports_a_file_that_will_not_import_as_errors(graded: dict[str, Result], lesson) -> None:  # type: ignore[no-untyped-def]
    suite = ET.fromstring(RENDERERS["junit"](graded["broken"], lesson[0])).find("testsuite")
    assert suite is not None
    assert [c.status for c in graded["broken"].checks].count(Status.NOT_RUN) >= 2
    assert suite.get("skipped") == "0" and int(suite.get("errors") or 0) >= 2
    assert all(case.find("skipped") is None for case in suite.findall("testcase"))
