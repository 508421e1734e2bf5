"""``--format exercism``: a test runner's results.json, version 3.

Top level: version, status (pass/fail/error), message (for error), tests;
each test: name, status, message, output (learner output, at most 500
characters, with the standard notice), test_code (the check as written in
the spec), task_id (the check's position).
"""

from __future__ import annotations

import json

from grader.result import Kind, Result, Status
from grader.spec import Exercise

from .report import failure_text

OUTPUT_LIMIT = 500
TRUNCATED = "Output was truncated. Please limit to 500 chars."


def render(result: Result, exercise: Exercise | None = None) -> str:
    texts = {c.name: exercise.check_text(c) for c in exercise.checks} if exercise else {}
    import_failure = next(
        (c.failure for c in result.checks if c.failure is not None and c.failure.kind is Kind.IMPORT), None
    )
    tests = []
    for index, check in enumerate(result.checks, 1):
        test: dict[str, object] = {
            "name": check.name,
            "status": "pass" if check.status is Status.PASSED else ("error" if _errored(check.failure) else "fail"),
            "message": failure_text(check) or None,
            "test_code": texts.get(check.name, ""),
            "task_id": index,
        }
        output = _output(result.output) if check.status is not Status.PASSED else None
        if output:
            test["output"] = output
        tests.append(test)
    data: dict[str, object] = {"version": 3}
    if import_failure is not None:
        data.update(status="error", message=import_failure.message)
    else:
        data["status"] = "pass" if result.passed else "fail"
    data["tests"] = tests
    return json.dumps(data, ensure_ascii=False, indent=2)


def _errored(failure: object) -> bool:
    return getattr(failure, "kind", None) in (Kind.ERROR, Kind.HANG, Kind.CRASH, Kind.INTERNAL)


def _output(text: str) -> str | None:
    if not text:
        return None
    if len(text) <= OUTPUT_LIMIT:
        return text
    return text[:OUTPUT_LIMIT] + "\n\n" + TRUNCATED
