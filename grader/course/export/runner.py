"""Grade one submission on a platform and write its results file.

Run by the exported scripts as ``python -m grader.course.export.runner
PLATFORM --exercise ID --course DIR --submission DIR --output FILE``
(``--slug SLUG`` instead of ``--exercise`` for Exercism, whose runner may
carry several lessons). It finds the learner's file in the submission
folder, grades it with hidden checks and writes the platform's format.

Three outcomes, kept apart as each platform's documents ask:

- graded: the learner's file, broken, missing or hostile as it may be, is
  graded, and the results file says what works and what does not (a
  missing file says what to do on that platform);
- the platform asked for something this runner does not hold (an unknown
  Exercism slug): an ``error`` result naming the slugs it holds;
- the grader itself failed (its interpreter too old, its files damaged, a
  bug): never a grade against the learner. Gradescope documents an
  autograder that produced no valid results.json as "The autograder failed
  to execute correctly", shown to students and staff with the run's output
  (``gradescope/autograder_samples``, docs/troubleshooting.md), so no file
  is left and the cause goes to standard output, which Gradescope keeps for
  the instructor (docs/specs.md); Exercism's interface has ``error`` for
  tests that did not run (``exercism/docs``,
  building/tooling/test-runners/interface.md); in GitHub Classroom the
  grading step fails, so no score is reported for that push.

This module is written to start on any Python 3, so that an interpreter too
old for the grader is reported as such instead of as an ImportError.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from grader.result import Result

PLATFORM_FORMATS = {"gradescope": "gradescope", "exercism": "exercism", "classroom": "json"}
SLUGS_FILE = "slugs.json"  # in the course folder of an Exercism runner: {slug: lesson id}
MINIMUM = (3, 11)
GRADER_FAILED = ("The grader itself failed while grading this submission; this is not the submission's fault, "
                 "and it was not given a grade. Please tell your instructor. ({error})")
# What a learner on each platform does when the file is not there.
MISSING = {
    "gradescope": "Your submission has no {file}: submit again with {file} in it (upload the file itself, "
                  "or a zip or GitHub repository that holds it).",
    "exercism": "Your solution has no Python file to grade: save your code as {file} in the exercise's folder, "
                "then submit it again (in the editor, or with `exercism submit {file}`).",
    "classroom": "{file} is not in your repository: add it at the top of the repository, commit and push.",
}
EXIT_GRADER_FAILED = 1


class GraderFailed(Exception):
    """The grader could not grade: not the learner's doing."""


class UnknownSlug(Exception):
    """An Exercism slug this runner holds no lesson for."""


def find_app(submission: Path, file_name: str, *other_names: str) -> Path | None:
    """The learner's file: the lesson's file name (or another name the platform gives it) anywhere in
    the folder, nearest the top first, else the folder's only Python file; None when there is none.
    No linked folder is walked, and a link found is returned as it is, to be refused by name when graded."""
    from grader.course.intake import find

    for name in (file_name, *other_names):
        found = find(submission, name)
        if os.path.lexists(found):
            return found
    return None


def lesson_for(course_dir: Path, slug: str) -> str:
    """The lesson an Exercism slug names, from the runner's own table."""
    try:
        table = json.loads((course_dir / SLUGS_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise GraderFailed(f"the runner's {SLUGS_FILE} cannot be read: {exc}") from None
    if slug not in table:
        raise UnknownSlug(f"This test runner has no exercise {slug!r}; it grades "
                          + ", ".join(repr(s) for s in sorted(table)) + ". Check the exercise's slug in the "
                          "track's config.json.")
    return str(table[slug])


def grader_fault(result: Result) -> str | None:
    """Why the grader failed on a check of a finished run, if it did: a failure of its own, never the learner's."""
    from grader.result import Kind

    for check in result.checks:
        if check.failure is not None and check.failure.kind is Kind.INTERNAL:
            return f"while running the check {check.name!r}: {check.failure.message}"
    return None


def grade_to_text(platform: str, exercise_id: str, course_dir: Path, submission: Path, slug: str | None = None) -> str:
    from dataclasses import replace

    from grader.course import config
    from grader.judge.run import Options, grade
    from grader.render import RENDERERS
    from grader.result import Kind
    from grader.spec import load_exercise

    course = config.load(course_dir / config.FILE_NAME)
    exercise = load_exercise(course.spec_path(exercise_id))
    # Exercism names the solution after the slug (json-router: json_router.py).
    app = find_app(submission, exercise.file, *([f"{slug.replace('-', '_')}.py"] if slug else []))
    result = grade(exercise, app or submission / exercise.file, Options(limits=course.limits, run_hidden=True,
                                                                        intake_root=submission))
    fault = grader_fault(result)
    if fault is not None:  # one check the grader could not judge is not a check the learner failed
        raise GraderFailed(fault)
    if app is None:
        # The judge's words for a missing file speak of the grade command; a platform user submits instead.
        message = MISSING[platform].format(file=exercise.file)
        result = replace(result, checks=tuple(
            replace(c, failure=replace(c.failure, message=message))
            if c.failure is not None and c.failure.kind is Kind.IMPORT else c for c in result.checks))
    return RENDERERS[PLATFORM_FORMATS[platform]](result, exercise)


def failed_text(platform: str, message: str) -> str | None:
    """What the results file holds when the grader failed; None: leave no file (Gradescope)."""
    if platform == "gradescope":
        return None
    if platform == "exercism":
        return json.dumps({"version": 3, "status": "error", "message": message, "tests": []}, indent=2)
    return json.dumps({"grader_failed": message, "checks": []}, indent=2)


def write(output: Path, text: str | None) -> None:
    """Atomically: the platform never reads half a file. None removes a file left by an earlier run."""
    output.parent.mkdir(parents=True, exist_ok=True)
    if text is None:
        output.unlink(missing_ok=True)
        return
    temporary = output.with_name(f".{output.name}.{os.getpid()}.tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, output)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m grader.course.export.runner")
    parser.add_argument("platform", choices=sorted(PLATFORM_FORMATS))
    which = parser.add_mutually_exclusive_group(required=True)
    which.add_argument("--exercise")
    which.add_argument("--slug")
    parser.add_argument("--course", required=True, type=Path)
    parser.add_argument("--submission", required=True, type=Path)
    parser.add_argument("--output", required=True, type=Path)
    opts = parser.parse_args(argv)
    try:
        if sys.version_info < MINIMUM:
            raise GraderFailed(f"this is Python {sys.version.split()[0]}; the grader needs Python "
                               f"{'.'.join(map(str, MINIMUM))} or newer (run the package's setup again)")
        exercise = opts.exercise or lesson_for(opts.course, opts.slug)
        text: str | None = grade_to_text(opts.platform, exercise, opts.course, opts.submission, opts.slug)
        status = 0
    except UnknownSlug as exc:
        text = json.dumps({"version": 3, "status": "error", "message": str(exc), "tests": []}, indent=2)
        status = 0
    except Exception as exc:  # noqa: BLE001 - whatever broke, it is the grader's failure, said in one line
        error = str(exc) if isinstance(exc, GraderFailed) else f"{type(exc).__name__}: {exc}"
        message = GRADER_FAILED.format(error=error)
        # One line, no traceback: learners can read some platforms' logs. Standard output is what
        # Gradescope keeps for the instructor; standard error is what a terminal and Actions show.
        print(f"grade: the grader itself failed: {error}", flush=True)
        print(f"grade: the grader itself failed: {error}", file=sys.stderr)
        text = failed_text(opts.platform, message)
        status = 0 if opts.platform == "exercism" else EXIT_GRADER_FAILED
    write(opts.output, text)
    return status


if __name__ == "__main__":
    sys.exit(main())
