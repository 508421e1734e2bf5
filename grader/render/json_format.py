"""``--format json``: the Result as one JSON object (format ``grader-result/1``).

Top-level keys: format, exercise, title, app, xp, passed, points,
max_points, wall_seconds, output, output_dropped, notes, and checks (spec
order), each with name, passed, status, message, points, max_points,
hidden, hint, failure (kind, message, step, expected, actual, errors) and
transcript.
"""

from __future__ import annotations

import json

from ..result import Result


def render(result: Result) -> str:
    return json.dumps(result.to_dict(), ensure_ascii=False, indent=2)
