"""Every output format, parsed back and checked field by field."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from dataclasses import replace
from pathlib import Path

import pytest

from conftest import ROOT, run_grade
from grader import Options, Result, grade, load_exercise
from grader.render import RENDERERS
from grader.result import Failure, Kind, Status

T3L2 = load_exercise(ROOT / "exercises" / "t3l2.yaml")
WRONG = ROOT / "tests" / "variants" / "t3l2" / "answers_once.py"


@pytest.fixture(scope="module")
def failing() -> Result:
    return grade(T3L2, WRONG, Options(run_hidden=True))


@pytest.fixture(scope="module")
def passing() -> Result:
    return grade(T3L2, ROOT / "solutions" / "t3l2.py", Options(run_hidden=True))


def test_json_round_trips(failing: Result) -> None:
    data = json.loads(RENDERERS["json"](failing, T3L2))
    assert data["format"] == "grader-result/1"
    again = Result.from_dict(data)
    assert again == failing


def test_junit_has_one_testcase_per_check(failing: Result) -> None:
    root = ET.fromstring(RENDERERS["junit"](failing, T3L2))
    (suite,) = root.findall("testsuite")
    cases = suite.findall("testcase")
    assert [c.get("name") for c in cases] == [c.name for c in failing.checks]
    failed = [c for c in cases if c.find("failure") is not None]
    assert len(failed) == int(suite.get("failures") or 0) == len(failing.checks) - failing.passed_count
    assert suite.get("tests") == str(len(failing.checks))
    text = failed[0].find("failure").text or ""  # type: ignore[union-attr]
    assert "expected:" in text and "transcript:" in text


def test_gradescope_results(failing: Result, passing: Result) -> None:
    data = json.loads(RENDERERS["gradescope"](failing, T3L2))
    assert set(data) == {"score", "max_score", "execution_time", "output", "tests", "extra_data"}
    assert set(data["extra_data"]) == {"protections", "unprotected"}
    assert data["score"] == failing.points and data["max_score"] == 20
    for test, check in zip(data["tests"], failing.checks, strict=True):
        assert set(test) == {"name", "score", "max_score", "status", "output", "visibility"}
        assert test["name"] == check.name
        assert test["status"] == ("passed" if check.passed else "failed")
        assert test["visibility"] == ("after_published" if check.hidden else "visible")
        assert (test["output"] != "") == (not check.passed)
    assert json.loads(RENDERERS["gradescope"](passing, T3L2))["score"] == 20
    local = grade(T3L2, ROOT / "solutions" / "t3l2.py", Options())  # the hidden check is not run here
    assert (local.max_points, local.hidden_points) == (19, 1)
    assert json.loads(RENDERERS["gradescope"](local, T3L2))["max_score"] == 20


def test_exercism_results_version_3(failing: Result) -> None:
    data = json.loads(RENDERERS["exercism"](failing, T3L2))
    assert data["version"] == 3 and data["status"] == "fail"
    assert "message" not in data
    for test, check in zip(data["tests"], failing.checks, strict=True):
        assert test["status"] == ("pass" if check.passed else "fail")
        assert "task_id" not in test  # t3l2's instructions have no numbered task headings
        assert (test["message"] is None) == check.passed
        if check.hidden:  # its place and status, never its name or steps
            assert test["name"] == "hidden check 1" and "hidden check" in test["test_code"]
            continue
        assert test["name"] == check.name
        # The steps, one a line, in the spec's words: no names, hints, points or translations.
        assert test["test_code"].split("\n")[0].startswith(("connect: /ws", "source: calls iter_json"))
        assert not any(word in test["test_code"] for word in ("name:", "hint", "points", "ko:", "en:"))


def test_exercism_error_when_nothing_could_run(tmp_path: Path) -> None:
    broken = tmp_path / "t3l2.py"
    broken.write_text("print('x' * 2000)\nimport missing_module_for_sure\n")
    result = grade(T3L2, broken, Options())
    data = json.loads(RENDERERS["exercism"](result, T3L2))
    assert data["status"] == "error"
    assert "missing_module_for_sure" in data["message"]
    assert all("output" not in test for test in data["tests"])  # no test ran, so none printed anything


def test_output_file_and_terminal_report_from_one_run(tmp_path: Path) -> None:
    target = tmp_path / "results.json"
    proc = run_grade("t3l2", "--app", str(WRONG), "--format", "gradescope", "--output", str(target))
    assert proc.returncode == 1
    assert json.loads(target.read_text())["tests"]
    assert "✗ many messages on one connection" in proc.stdout


def with_check(result: Result, index: int, **changes: object) -> Result:
    """The result with one check changed as another run would have left it."""
    checks = list(result.checks)
    checks[index] = replace(checks[index], **changes)  # type: ignore[arg-type]
    return replace(result, checks=tuple(checks))


def test_gradescope_warns_in_its_output_when_a_protection_was_off(passing: Result) -> None:
    warned = replace(passing, unprotected=("network namespace",))
    output = json.loads(RENDERERS["gradescope"](warned, T3L2))["output"]
    assert output.startswith("Sandbox warning: graded without network namespace"), output
    assert "visible checks passed" in output
    assert "Sandbox warning" not in json.loads(RENDERERS["gradescope"](passing, T3L2))["output"]


def test_junit_keeps_what_a_failed_check_printed_in_its_testcase(failing: Result) -> None:
    index = next(i for i, c in enumerate(failing.checks) if not c.passed)
    printed = with_check(failing, index, output="debug: got hi\n")
    root = ET.fromstring(RENDERERS["junit"](printed, T3L2))
    case = root.findall("testsuite/testcase")[index]
    assert case.find("failure") is not None and case.findtext("system-out") == "debug: got hi\n"


def test_junit_counts_a_blocked_event_loop_as_an_error(failing: Result) -> None:
    index = next(i for i, c in enumerate(failing.checks) if not c.passed)
    hung = with_check(failing, index, failure=replace(failing.checks[index].failure or Failure(Kind.HANG, ""),
                                                      kind=Kind.HANG, message="blocked the event loop"))
    root = ET.fromstring(RENDERERS["junit"](hung, T3L2))
    (suite,) = root.findall("testsuite")
    case = suite.findall("testcase")[index]
    assert case.find("error") is not None and case.find("failure") is None
    assert int(suite.get("errors") or 0) >= 1


@pytest.mark.parametrize(("size", "cut"), [(499, False), (500, False), (501, True)])
def test_exercism_cuts_a_tests_output_only_past_500_characters(failing: Result, size: int, cut: bool) -> None:
    index = next(i for i, c in enumerate(failing.checks) if not c.hidden)
    printed = with_check(failing, index, output="x" * size)
    test = json.loads(RENDERERS["exercism"](printed, T3L2))["tests"][index]
    assert len(test["output"]) <= 500
    assert test["output"].endswith("Please limit to 500 chars.") is cut, test["output"]
    if not cut:
        assert test["output"] == "x" * size


def test_exercism_says_fail_not_error_when_some_checks_ran(failing: Result) -> None:
    # After a freeze the remaining checks are not run: the tests that ran still say what is wrong.
    ran = next(i for i, c in enumerate(failing.checks) if not c.passed)
    later = with_check(failing, len(failing.checks) - 1, status=Status.NOT_RUN, points=0)
    assert ran != len(failing.checks) - 1
    data = json.loads(RENDERERS["exercism"](later, T3L2))
    assert data["status"] == "fail" and "message" not in data, data
