"""``grade batch``: grade a class's submissions in parallel and write a gradebook.

Each submission is graded in its own sandboxed host (forked from a warm
template, so FastAPI is imported once per judge process), hidden checks
included, ``--jobs`` judge processes at once. A submission that cannot be
graded gets a row with its error: one broken submission never stops the
batch or changes another's row.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from grader.errors import GraderError, UsageError
from grader.judge.pool import grade_many
from grader.judge.run import Limits, Options
from grader.result import Result
from grader.spec import Exercise


@dataclass(frozen=True)
class Submission:
    name: str
    path: Path


@dataclass(frozen=True)
class Row:
    submission: Submission
    result: Result | None
    seconds: float
    error: str = ""

    def as_dict(self, exercise: Exercise) -> dict[str, Any]:
        checks = {c.name: "error" for c in exercise.checks}
        if self.result is not None:
            checks.update({c.name: c.status.value for c in self.result.checks})
        return {
            "submission": self.submission.name,
            "path": str(self.submission.path),
            "passed": bool(self.result and self.result.passed and self.result.complete),
            "points": self.result.points if self.result else 0,
            "max_points": exercise.points,
            "checks": checks,
            "seconds": round(self.seconds, 3),
            "error": self.error,
        }


def find_submissions(exercise: Exercise, paths: list[Path]) -> list[Submission]:
    """Files, folders holding the learner's file, or folders of such folders."""
    found: list[Submission] = []
    for path in paths:
        if path.is_file():
            name = path.parent.name if path.name == exercise.file else path.stem
            found.append(Submission(name, path))
        elif (path / exercise.file).is_file():
            found.append(Submission(path.name, path / exercise.file))
        elif path.is_dir():
            for folder in sorted((p for p in path.iterdir() if p.is_dir()), key=_natural):
                target = folder / exercise.file
                if not target.is_file():
                    candidates = sorted(folder.glob("*.py"))
                    target = candidates[0] if len(candidates) == 1 else target
                found.append(Submission(folder.name, target))
        else:
            raise UsageError(f"no such submission: {path}")
    return found


def _natural(path: Path) -> list[object]:
    """learner2 before learner10."""
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", path.name)]


def run(exercise: Exercise, submissions: list[Submission], limits: Limits, jobs: int) -> list[Row]:
    """Grade every submission (hidden checks included), ``jobs`` judge processes at once."""
    options = Options(limits=limits, run_hidden=True)
    rows = []
    outcomes = grade_many([(exercise, s.path) for s in submissions], options, jobs)
    for submission, outcome in zip(submissions, outcomes, strict=True):
        if isinstance(outcome, GraderError):
            rows.append(Row(submission, None, 0.0, str(outcome)))
            continue
        error = next((c.failure.message for c in outcome.checks if c.failure and c.failure.kind.value == "import"), "")
        rows.append(Row(submission, outcome, outcome.wall_seconds, error))
    return rows


def gradebook_json(exercise: Exercise, rows: list[Row]) -> str:
    data = {
        "exercise": exercise.id,
        "max_points": exercise.points,
        "checks": [c.name for c in exercise.checks],
        "submissions": [row.as_dict(exercise) for row in rows],
    }
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def gradebook_csv(exercise: Exercise, rows: list[Row]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    names = [c.name for c in exercise.checks]
    writer.writerow(["submission", "path", "passed", "points", "max_points", *names, "seconds", "error"])
    for row in rows:
        data = row.as_dict(exercise)
        writer.writerow([
            data["submission"], data["path"], "yes" if data["passed"] else "no", data["points"], data["max_points"],
            *(data["checks"][n] for n in names), data["seconds"], data["error"],
        ])
    return out.getvalue()
