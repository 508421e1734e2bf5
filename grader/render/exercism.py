"""``--format exercism``: a test runner's results.json, version 3.

Follows Exercism's test runner interface: top level version, status
(pass/fail/error) and message (only for error: the tests could not run);
each test: name, status, message, test_code (the check's steps, one per
line, as a reader wants them: no hints, points or translations), task_id
(only for a check that names its task: ``task: N`` in the spec, N being a
``## N. ...`` heading of the instructions), and output: what the learner's
code printed while that test ran, at most 500 characters with the standard
notice. Paths are shown relative to the learner's folder.

The interface has no hidden tests: every test in the file is shown, the
tests "MUST be returned in the order they are specified", ``test_code``
"MUST be present for Concept Exercises", and a failed test's ``message``
"will be displayed to the student" (``exercism/docs``,
building/tooling/test-runners/interface.md). So a hidden check keeps its
place, under a neutral name, with a ``test_code`` saying its steps are not
shown and, when it fails, a message saying what kind of failure it was,
never its inputs, expectations or what the app printed during it. The
runner exits 0 whatever the tests say (see the CLI).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from grader.result import CheckResult, Kind, Result, Status
from grader.spec import Check, Exercise

from .report import failure_text

OUTPUT_LIMIT = 500
TRUNCATED = "Output was truncated. Please limit to 500 chars."
# The program raising, hanging or dying is an error; an answer that differs is a failure.
_ERRORS = (Kind.ERROR, Kind.HANG, Kind.CRASH, Kind.IMPORT, Kind.INTERNAL)
HIDDEN_CODE = "A hidden check: it tests what the instructions ask with inputs that are not shown."
# A hidden check's failure, said without what it sent or expected.
HIDDEN_FAILED = {
    Kind.MISMATCH: "an answer was not the one the instructions ask for",
    Kind.TIMEOUT: "an answer the instructions ask for never arrived",
    Kind.CLOSED: "the connection was closed or dropped while the check still expected answers",
    Kind.REFUSED: "the connection was accepted or refused the other way from what the instructions ask",
    Kind.UNCLEAN: "the endpoint did not end cleanly after the client left",
    Kind.ERROR: "your code raised an exception",
    Kind.SOURCE: "your code does not use what the instructions ask for",
    Kind.FILE: "a file the instructions ask for was not written as asked",
    Kind.HANG: "your code blocked the event loop for too long",
    Kind.CRASH: "the process running your code died",
    Kind.IMPORT: "your file could not be imported",
    Kind.INTERNAL: "the grader itself failed (not your code's fault)",
}


def render(result: Result, exercise: Exercise | None = None) -> str:
    checks = {c.name: c for c in exercise.checks} if exercise else {}
    written = _written_checks(exercise) if exercise else {}
    relative = _relative_to(Path(result.app).parent)
    tests: list[dict[str, object]] = []
    hidden = 0
    for check in result.checks:
        status = "pass" if check.passed else ("error" if _errored(check) else "fail")
        if check.hidden:
            hidden += 1
            tests.append({"name": f"hidden check {hidden}", "status": status, "test_code": HIDDEN_CODE,
                          "message": _hidden_message(check)})
            continue
        test: dict[str, object] = {"name": check.name, "status": status,
                                   "message": relative(failure_text(check)) or None}
        spec = checks.get(check.name)
        if spec is not None:
            test["test_code"] = steps_text(spec, written.get(check.name))
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


def steps_text(check: Check, written: dict[str, Any] | None) -> str:
    """The check as a reader wants it: one line per step, in the spec's own words, English only.

    ``send_json: {"type": "ping"}``, ``expect_text: "Client #2 says: hi"  (client two)``;
    a rule about the source reads ``source: calls iter_json``.
    """
    if written is None:  # the spec cannot be read again: the parsed steps say nearly as much
        return "\n".join(f"{step.action}: {_value(step.arg)}  (client {step.client})" for step in check.steps)
    lines = []
    if isinstance(written.get("source"), dict):
        lines += [f"source: {key} {_listed(value)}" for key, value in written["source"].items()]
    lines += _step_lines(written.get("steps"), "")
    return "\n".join(lines)


def _step_lines(steps: Any, indent: str) -> list[str]:
    lines: list[str] = []
    for step in steps if isinstance(steps, list) else ():
        if not isinstance(step, dict):
            lines.append(indent + _value(step))
            continue
        options = {k: v for k, v in step.items() if k in ("client", "timeout")}
        extra = ", ".join(f"client {v}" if k == "client" else f"within {v} s" for k, v in options.items())
        nested: list[str] = []
        actions = []
        for kind, value in step.items():
            if kind in options:
                continue
            if isinstance(value, dict) and isinstance(value.get("steps"), list):
                # A step holding steps (repeat): its settings, then its steps indented under it.
                settings = ", ".join(f"{k} {_short(v)}" for k, v in value.items() if k != "steps")
                actions.append(f"{kind} ({settings}):" if settings else f"{kind}:")
                nested += _step_lines(value["steps"], indent + "  ")
            else:
                actions.append(kind if value is None else f"{kind}: {_value(value)}")
        lines.append(indent + "; ".join(actions) + (f"  ({extra})" if extra else ""))
        lines += nested
    return lines


def _listed(value: Any) -> str:
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return ", ".join(value)
    return _value(value)


def _short(value: Any) -> str:
    text = _value(value)
    if len(text) <= 60:
        return text
    return f"{len(value)} values" if isinstance(value, list) else text[:57] + "..."


def _value(value: Any) -> str:
    """A spec value as its JSON: what a message carries, in the notation the instructions use."""
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False) if value[:1] in "\"{[ " or not value.strip() else value
    return json.dumps(value, ensure_ascii=False, default=str)


def _written_checks(exercise: Exercise) -> dict[str, dict[str, Any]]:
    """Each check's mapping as written in the spec, by the check's English name."""
    try:
        data = yaml.safe_load(exercise.path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        return {}
    found: dict[str, dict[str, Any]] = {}
    items = data.get("checks") if isinstance(data, dict) else None
    for item in items if isinstance(items, list) else ():
        if isinstance(item, dict):
            name = item.get("name")
            name = name.get("en") if isinstance(name, dict) else name
            if isinstance(name, str):
                found[name] = item
    return found


def _hidden_message(check: CheckResult) -> str | None:
    if check.passed:
        return None
    kind = check.failure.kind if check.failure is not None else None
    what = HIDDEN_FAILED.get(kind, "it did not pass") if kind is not None else "it did not run"
    return (f"This hidden check failed: {what}. Its steps are not shown: read the instructions again for a case "
            "your code does not handle yet.")


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
