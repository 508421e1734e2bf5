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


def run(exercise: Exercise, submissions: list[Submission], limits: Limits, jobs: int,
        transcripts: bool = False) -> list[Row]:
    """Grade every submission (hidden checks included), ``jobs`` judge processes at once.

    ``transcripts`` keeps every check's conversation, passed or not, for HTML reports.
    """
    options = Options(limits=limits, run_hidden=True, transcripts=transcripts)
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


def write_dashboard(exercise: Exercise, rows: list[Row], path: Path, lang: str = "en") -> list[Path]:
    """The class dashboard at ``path``, and each submission's report in a folder beside it; the files written."""
    from grader.render.html import dashboard, report

    folder = path.parent / f"{path.stem}-reports"
    folder.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    graded: list[dashboard.Graded] = []
    taken: set[str] = set()
    for row in rows:
        link = None
        if row.result is not None:
            name = _file_name(row.submission.name, taken)
            target = folder / name
            target.write_text(report.render(row.result, lang), encoding="utf-8")
            written.append(target)
            link = f"{folder.name}/{name}"
        graded.append(dashboard.Graded(row.submission.name, row.result, row.error, link))
    title = pick_title(exercise, lang)
    path.write_text(dashboard.render(exercise, title, graded, lang), encoding="utf-8")
    return [path, *written]


def pick_title(exercise: Exercise, lang: str) -> str:
    from grader.spec import pick

    return pick(exercise.title, lang)


def _file_name(name: str, taken: set[str]) -> str:
    """A safe, unique file name for a submission's report (names come from folders learners named)."""
    stem = re.sub(r"[^\w.-]", "_", name).strip("._") or "submission"
    candidate, number = f"{stem}.html", 2
    while candidate.lower() in taken:
        candidate, number = f"{stem}-{number}.html", number + 1
    taken.add(candidate.lower())
    return candidate
