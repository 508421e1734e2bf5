"""``--format json``: the Result as one JSON object (format ``grader-result/1``).

Top-level keys: format, exercise, title, app, xp, passed, complete, points,
max_points, wall_seconds, output, output_dropped, hidden_pending,
hidden_points, diagnoses (classic mistakes named with their line and fix),
and checks (spec order), each with name, passed, status,
message, points, max_points, hidden, hint, failure (kind, message, step,
expected, actual, errors) and transcript. ``passed`` means every check that
ran passed; ``complete`` that no hidden check was left out.
"""

from __future__ import annotations

import json

from grader.result import Result


def render(result: Result) -> str:
    return json.dumps(result.to_dict(), ensure_ascii=False, indent=2)
