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
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from grader.course import intake
from grader.errors import GraderError, UsageError
from grader.judge.pool import grade_many
from grader.judge.run import Limits, Options, not_taken
from grader.result import Failure, Kind, Result, printable
from grader.spec import Exercise


@dataclass(frozen=True)
class Submission:
    name: str
    path: Path
    # The folder below which no link is followed (the class's folder, or the learner's); None: a file
    # the instructor named on the command line, read as named.
    root: Path | None = None


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
    """Files, zips, folders holding the learner's file, or folders of such folders (or of zips).

    The paths named here are the instructor's; below them no link is followed: a learner's folder that
    is a link, or a file that is one, is found as it is and refused by name when graded.
    """
    found: list[Submission] = []
    for path in paths:
        if path.is_file() and path.suffix.lower() == ".zip":
            found.append(Submission(path.stem, path, path.parent))
        elif path.is_file():
            name = path.parent.name if path.name == exercise.file else path.stem
            found.append(Submission(name, path))
        elif os.path.lexists(path / exercise.file):
            found.append(Submission(path.name, path / exercise.file, path))
        elif path.is_dir():
            for entry in sorted(path.iterdir(), key=_natural):
                if entry.is_symlink() or entry.is_dir():
                    # A linked folder is a learner's row too: grading says it is not taken in.
                    target = entry / exercise.file if entry.is_symlink() else intake.find(entry, exercise.file)
                    if not entry.is_symlink() and not os.path.lexists(target):
                        # A folder holding only the zip the learner uploaded (as learning platforms export).
                        zips = [z for z in entry.iterdir() if z.suffix.lower() == ".zip" and z.is_file()
                                and not z.is_symlink()]
                        target = zips[0] if len(zips) == 1 else target
                    found.append(Submission(entry.name, target, path))
                elif entry.suffix.lower() == ".zip" and entry.is_file():
                    found.append(Submission(entry.stem, entry, path))
        else:
            raise UsageError(f"no such submission: {path}")
    return found


def _natural(path: Path) -> list[object]:
    """learner2 before learner10."""
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", path.name)]


def run(exercise: Exercise, submissions: list[Submission], limits: Limits, jobs: int,
        transcripts: bool = False, lang: str = "en") -> list[Row]:
    """Grade every submission (hidden checks included), ``jobs`` judge processes at once.

    ``transcripts`` keeps every check's conversation, passed or not, for HTML reports; ``lang`` is the
    language their failure messages are written in (the pages' language).
    """
    options = Options(limits=limits, run_hidden=True, transcripts=transcripts, lang=lang)
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="grader-batch-") as unzipped:
        tasks, refused = _tasks(exercise, submissions, Path(unzipped), limits)
        outcomes = iter(grade_many([(exercise, path, root) for path, root in tasks], options, jobs))
        for number, submission in enumerate(submissions):
            rows.append(_row(submission, refused[number] if number in refused else next(outcomes)))
    return rows


def _tasks(exercise: Exercise, submissions: list[Submission], unzipped: Path,
           limits: Limits) -> tuple[list[tuple[Path, Path | None]], dict[int, Result]]:
    """What to grade for each submission (file and its root; a zip's file taken out into ``unzipped``),
    and the results of the zips refused before grading."""
    tasks: list[tuple[Path, Path | None]] = []
    refused: dict[int, Result] = {}
    for number, submission in enumerate(submissions):
        if submission.path.suffix.lower() != ".zip" or submission.root is None:
            tasks.append((submission.path, submission.root))
            continue
        folder = unzipped / str(number)
        taken = intake.unzip(submission.path, exercise.file, folder, limits.app_kb * 1024)
        if taken.path is None:
            refused[number] = not_taken(exercise, submission.path, Options(run_hidden=True),
                                            Failure(Kind.IMPORT, taken.refused))
        else:
            tasks.append((taken.path, folder))
    return tasks, refused


def _row(submission: Submission, outcome: Result | GraderError) -> Row:
    if isinstance(outcome, GraderError):
        return Row(submission, None, 0.0, str(outcome))
    error = next((c.failure.message for c in outcome.checks if c.failure and c.failure.kind.value == "import"), "")
    return Row(submission, outcome, outcome.wall_seconds, error)


def gradebook_json(exercise: Exercise, rows: list[Row]) -> str:
    data = {
        "exercise": exercise.id,
        "max_points": exercise.points,
        "checks": [c.name for c in exercise.checks],
        "submissions": [row.as_dict(exercise) for row in rows],
    }
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def gradebook_csv(exercise: Exercise, rows: list[Row]) -> str:
    """The gradebook for spreadsheets: every text cell quoted (numbers stay numbers) and made inert."""
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_NONNUMERIC)
    names = [c.name for c in exercise.checks]
    writer.writerow([cell(n) for n in ["submission", "path", "passed", "points", "max_points", *names, "seconds",
                                       "error"]])
    for row in rows:
        data = row.as_dict(exercise)
        writer.writerow([
            cell(data["submission"]), cell(data["path"]), "yes" if data["passed"] else "no", data["points"],
            data["max_points"], *(cell(data["checks"][n]) for n in names), data["seconds"], cell(data["error"]),
        ])
    return out.getvalue()


# What a spreadsheet reads as the start of a formula: =, +, -, @, tab, carriage return (OWASP's "CSV
# Injection" page; OWASP ASVS 5.0 requirement 1.2.10, 0x10-V1-Encoding-and-Sanitization.md, also names
# NUL, which printable() writes out as text); fullwidth forms are read the same way by some spreadsheets.
_FORMULA = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def cell(text: str) -> str:
    """A text cell no spreadsheet runs: one starting like a formula gets a leading ' (OWASP's rule, which
    spreadsheets show as text), and control characters are written out."""
    text = printable(text)
    return "'" + text if text.startswith(_FORMULA) else text


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
