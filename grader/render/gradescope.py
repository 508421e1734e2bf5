"""``--format gradescope``: the autograder's results.json.

Top level: score, max_score, execution_time, output, tests; each test: name,
score, max_score, status (passed/failed), output, visibility. Hidden checks
are ``after_published``: their names, results and output are only in their
own test, which students see once grades are published. The top-level
``output`` speaks of visible checks only, so it tells nothing of hidden
results. ``score`` and ``max_score`` are always the sums over ``tests``:
hidden checks that were not run (a local run without ``--all-checks``)
are one test worth their points, with no status.
"""

from __future__ import annotations

import json

from grader.result import Result, Status

from .report import failure_text

HIDDEN = "after_published"


def render(result: Result) -> str:
    tests: list[dict[str, object]] = [
        {
            "name": check.name,
            "score": check.points,
            "max_score": check.max_points,
            "status": "passed" if check.status is Status.PASSED else "failed",
            "output": failure_text(check),
            "visibility": HIDDEN if check.hidden else "visible",
        }
        for check in result.checks
    ]
    if result.hidden_pending:
        tests.append({
            "name": f"{result.hidden_pending} hidden check(s), not run",
            "score": 0,
            "max_score": result.hidden_points,
            "output": "Hidden checks run when grading with --all-checks.",
            "visibility": HIDDEN,
        })
    visible = [c for c in result.checks if not c.hidden]
    summary = f"{sum(c.passed for c in visible)}/{len(visible)} visible checks passed"
    hidden = sum(c.hidden for c in result.checks) + result.hidden_pending
    if hidden:
        summary += f"; {hidden} hidden check(s) are shown when grades are published"
    if result.unprotected:
        summary = result.protection_note() + "\n" + summary
    data = {
        "score": result.points,  # the sum over tests
        "max_score": result.max_points + result.hidden_points,  # the sum over tests, pending hidden ones included
        "execution_time": round(result.wall_seconds, 3),
        "output": summary,
        "tests": tests,
        # Stored with the submission, never shown to the student: the sandbox this grade was made in.
        "extra_data": {"protections": dict(result.protections), "unprotected": list(result.unprotected)},
    }
    return json.dumps(data, ensure_ascii=False, indent=2)
