"""Pinned: the scores and statuses each output format reports, hidden checks pending included.

One real grading run of a small lesson (a source rule that passes, an answer
that raises, an answer that differs, a hidden check not run locally), and one
of a file that cannot be imported, rendered by every format through
``grader.render.RENDERERS``. Each test fails if the behaviour it names breaks
(see tests/mutate.py).
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest

from grader import Options, Result, grade, load_exercise
from grader.render import RENDERERS
from grader.spec import Exercise

SPEC = """\
version: 1
id: demo
title: Demo
track: 1
lesson: 1
xp: 5
file: demo.py
instructions: Echo what you receive.
checks:
  - name: reads with iter_text
    source: {calls: [iter_text]}
  - name: survives a bad message
    steps:
      - connect: /ws
      - send_text: boom
      - expect_text: boom
  - name: echoes
    steps:
      - connect: /ws
      - send_text: a
      - expect_text: a!
  - name: secret
    hidden: true
    points: 2
    source: {calls: [close]}
"""

APP = """\
from fastapi import FastAPI, WebSocket

app = FastAPI()


@app.websocket("/ws")
async def echo(websocket: WebSocket):
    await websocket.accept()
    async for text in websocket.iter_text():
        if text == "boom":
            raise KeyError(text)
        await websocket.send_text(text)
"""


@pytest.fixture(scope="module")
def lesson(tmp_path_factory: pytest.TempPathFactory) -> tuple[Exercise, Result, Result]:
    folder = tmp_path_factory.mktemp("formats")
    (folder / "demo.yaml").write_text(SPEC, encoding="utf-8")
    (folder / "demo.py").write_text(APP, encoding="utf-8")
    (folder / "broken.py").write_text("def (:\n", encoding="utf-8")
    exercise = load_exercise(folder / "demo.yaml")
    local = grade(exercise, folder / "demo.py", Options())  # as a learner grades: the hidden check is not run
    broken = grade(exercise, folder / "broken.py", Options())
    return exercise, local, broken


def test_the_local_run_is_what_the_formats_are_fed(lesson: tuple[Exercise, Result, Result]) -> None:
    _, local, broken = lesson
    assert [(c.name, c.status.value, c.failure.kind.value if c.failure else None) for c in local.checks] == [
        ("reads with iter_text", "passed", None),
        ("survives a bad message", "failed", "error"),
        ("echoes", "failed", "mismatch"),
    ]
    assert (local.points, local.max_points, local.hidden_pending, local.hidden_points) == (1, 3, 1, 2)
    assert [c.status.value for c in broken.checks] == ["failed", "not_run", "not_run"]  # the source rule still reads it


def test_gradescope_max_score_counts_the_hidden_points_a_local_run_leaves_out(lesson: tuple[Exercise, Result, Result]) -> None:
    exercise, local, _ = lesson
    data = json.loads(RENDERERS["gradescope"](local, exercise))
    assert (data["score"], data["max_score"]) == (1, 5)
    assert [(t["name"], t["score"], t["max_score"], t.get("status")) for t in data["tests"]] == [
        ("reads with iter_text", 1, 1, "passed"),
        ("survives a bad message", 0, 1, "failed"),
        ("echoes", 0, 1, "failed"),
        ("1 hidden check(s), not run", 0, 2, None),  # so that score and max_score are sums over tests
    ]


def test_exercism_tells_an_exception_from_a_wrong_answer(lesson: tuple[Exercise, Result, Result]) -> None:
    exercise, local, _ = lesson
    data = json.loads(RENDERERS["exercism"](local, exercise))
    assert data["status"] == "fail" and "message" not in data
    assert [(t["name"], t["status"]) for t in data["tests"]] == [
        ("reads with iter_text", "pass"), ("survives a bad message", "error"), ("echoes", "fail")]


def test_junit_counts_errors_failures_and_checks_not_run(lesson: tuple[Exercise, Result, Result]) -> None:
    exercise, local, broken = lesson
    suite = ET.fromstring(RENDERERS["junit"](local, exercise)).find("testsuite")
    assert suite is not None
    assert {k: suite.get(k) for k in ("tests", "failures", "errors", "skipped")} == {
        "tests": "3", "failures": "1", "errors": "1", "skipped": "0"}
    assert [[child.tag for child in case] for case in suite.findall("testcase")] == [[], ["error"], ["failure"]]
    assert suite.find("properties/property[@name='hidden_checks_not_run']").get("value") == "1"  # type: ignore[union-attr]

    suite = ET.fromstring(RENDERERS["junit"](broken, exercise)).find("testsuite")
    assert suite is not None
    assert {k: suite.get(k) for k in ("tests", "failures", "errors", "skipped")} == {
        "tests": "3", "failures": "1", "errors": "2", "skipped": "0"}  # a file that will not import is an error
    assert [[child.tag for child in case] for case in suite.findall("testcase")] == [["failure"], ["error"], ["error"]]

