"""``--format exercism``: a test runner's results.json, version 3.

Follows Exercism's test runner interface: top level version, status
(pass/fail/error) and message (only for error: the tests could not run);
each test: name, status, message, test_code (the check as written in the
spec), task_id (only for a check that names its task: ``task: N`` in the
spec, N being a ``## N. ...`` heading of the instructions), and output:
what the learner's code printed while that test ran, at most 500
characters with the standard notice. Paths are shown relative to the
learner's folder. A hidden check is listed under a neutral name with its
status only. The runner exits 0 whatever the tests say (see the CLI).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from grader.result import CheckResult, Kind, Result, Status
from grader.spec import Exercise

from .report import failure_text

OUTPUT_LIMIT = 500
TRUNCATED = "Output was truncated. Please limit to 500 chars."
# The program raising, hanging or dying is an error; an answer that differs is a failure.
_ERRORS = (Kind.ERROR, Kind.HANG, Kind.CRASH, Kind.IMPORT, Kind.INTERNAL)


def render(result: Result, exercise: Exercise | None = None) -> str:
    checks = {c.name: c for c in exercise.checks} if exercise else {}
    relative = _relative_to(Path(result.app).parent)
    tests: list[dict[str, object]] = []
    hidden = 0
    for check in result.checks:
        status = "pass" if check.passed else ("error" if _errored(check) else "fail")
        if check.hidden:
            hidden += 1
            tests.append({"name": f"hidden check {hidden}", "status": status})
            continue
        test: dict[str, object] = {"name": check.name, "status": status,
                                   "message": relative(failure_text(check)) or None}
        spec = checks.get(check.name)
        if exercise is not None and spec is not None:
            test["test_code"] = exercise.check_text(spec)
            if spec.task is not None:
                test["task_id"] = spec.task
        output = _output(relative(check.output))
        if output:
            test["output"] = output
        tests.append(test)
    data: dict[str, object] = {"version": 3}
    stopped = _nothing_ran(result)
    if stopped is not None:
        data.update(status="error", message=relative(stopped))
    else:
        data["status"] = "pass" if result.passed else "fail"
        if result.unprotected:
            # The interface has no field for the sandbox; its one free-text field says what was missing.
            data["message"] = result.protection_note()
    data["tests"] = tests
    return json.dumps(data, ensure_ascii=False, indent=2)


def _nothing_ran(result: Result) -> str | None:
    """Why the tests could not run (the file did not import), or None when they ran."""
    failures = [c.failure for c in result.checks if c.failure is not None]
    for failure in failures:
        if failure.kind is Kind.IMPORT:
            return failure.message
    if all(c.status is Status.NOT_RUN for c in result.checks):
        return failures[0].message if failures else "no test could run"
    return None


def _errored(check: CheckResult) -> bool:
    return check.failure is not None and check.failure.kind in _ERRORS


def _relative_to(folder: Path) -> Callable[[str], str]:
    """Removes the learner's folder from paths: a runner's output names files as the learner sees them."""
    prefixes = sorted({str(folder) + "/", str(folder.resolve()) + "/"}, key=len, reverse=True)

    def relative(text: str) -> str:
        for prefix in prefixes:
            text = text.replace(prefix, "")
        return text

    return relative


def _output(text: str) -> str | None:
    if not text:
        return None
    if len(text) <= OUTPUT_LIMIT:
        return text
    return text[: OUTPUT_LIMIT - len(TRUNCATED) - 2] + "\n\n" + TRUNCATED
