"""``grade batch``: grade a class's submissions in parallel and write a gradebook.

Each submission is graded in its own child (forked from one warm template, so
FastAPI is imported once for the whole class), hidden checks included. A
submission that cannot be graded gets a row with its error: one broken
submission never stops the batch.
"""

from __future__ import annotations

import csv
import io
import json
import re
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from grader.errors import GraderError, UsageError
from grader.judge.launch import Template
from grader.judge.run import Limits, Options, grade
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
    with Template() as template:
        options = Options(limits=limits, launcher=template, run_hidden=True)

        def one(submission: Submission) -> Row:
            started = time.perf_counter()
            try:
                result = grade(exercise, submission.path, options)
            except GraderError as exc:
                return Row(submission, None, time.perf_counter() - started, str(exc))
            except Exception as exc:  # noqa: BLE001 - a grader bug must not lose the rest of the class
                return Row(submission, None, time.perf_counter() - started, f"grader error: {exc!r}")
            error = next((c.failure.message for c in result.checks if c.failure and c.failure.kind.value == "import"), "")
            return Row(submission, result, time.perf_counter() - started, error)

        with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
            return list(pool.map(one, submissions))


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
