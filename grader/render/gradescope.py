"""``--format gradescope``: the autograder's results.json.

Top level: score, max_score, execution_time, output, tests; each test: name,
score, max_score, status (passed/failed), output, visibility. Hidden checks
are ``after_published``: students see them once grades are released.
"""

from __future__ import annotations

import json

from grader.result import Result, Status

from .report import failure_text


def render(result: Result) -> str:
    tests = [
        {
            "name": check.name,
            "score": check.points,
            "max_score": check.max_points,
            "status": "passed" if check.status is Status.PASSED else "failed",
            "output": failure_text(check),
            "visibility": "after_published" if check.hidden else "visible",
        }
        for check in result.checks
    ]
    summary = f"{result.passed_count}/{len(result.checks)} checks passed, {result.points}/{result.max_points} points"
    data = {
        "score": result.points,
        "max_score": result.max_points + result.hidden_points,
        "execution_time": round(result.wall_seconds, 3),
        "output": summary,
        "tests": tests,
    }
    return json.dumps(data, ensure_ascii=False, indent=2)
