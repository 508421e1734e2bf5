"""Grade one submission on a platform and write its results file, whatever happens.

Run by the exported scripts as ``python -m grader.course.export.runner
PLATFORM --exercise ID --course DIR --submission DIR --output FILE``. It
finds the learner's file in the submission folder, grades it with hidden
checks, and writes the platform's format. A learner's broken file is a
failed check like any other; if the grader itself fails, the file still
appears and says so plainly (not a traceback, not a grade against the
learner), and the exit status is 0 as the platforms expect.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path

PLATFORM_FORMATS = {"gradescope": "gradescope", "exercism": "exercism", "classroom": "json"}
GRADER_FAILED = ("The grader itself failed while grading this submission; this is not the submission's fault, "
                 "and it was not given a grade. Please tell your instructor. ({error})")


def find_app(submission: Path, file_name: str) -> Path:
    """The learner's file: the lesson's file name anywhere in the folder, else its only Python file."""
    from grader.course.intake import find

    return find(submission, file_name)  # no linked folder walked; a link found is refused when graded


def grade_to_text(platform: str, exercise_id: str, course_dir: Path, submission: Path) -> str:
    from grader.course import config
    from grader.judge.run import Options, grade
    from grader.render import RENDERERS
    from grader.spec import load_exercise

    course = config.load(course_dir / config.FILE_NAME)
    exercise = load_exercise(course.spec_path(exercise_id))
    result = grade(exercise, find_app(submission, exercise.file), Options(limits=course.limits, run_hidden=True,
                                                                               intake_root=submission))
    return RENDERERS[PLATFORM_FORMATS[platform]](result, exercise)


def failed_text(platform: str, error: str) -> str:
    message = GRADER_FAILED.format(error=error)
    if platform == "gradescope":
        return json.dumps({"score": 0, "output": message, "tests": []}, indent=2)
    if platform == "exercism":
        return json.dumps({"version": 3, "status": "error", "message": message, "tests": []}, indent=2)
    return json.dumps({"grader_failed": message, "checks": []}, indent=2)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m grader.course.export.runner")
    parser.add_argument("platform", choices=sorted(PLATFORM_FORMATS))
    parser.add_argument("--exercise", required=True)
    parser.add_argument("--course", required=True, type=Path)
    parser.add_argument("--submission", required=True, type=Path)
    parser.add_argument("--output", required=True, type=Path)
    opts = parser.parse_args(argv)
    try:
        text = grade_to_text(opts.platform, opts.exercise, opts.course, opts.submission)
    except Exception as exc:  # noqa: BLE001 - whatever broke, the platform gets a results file that says so
        # One line in the platform's log; learners can read some platforms' logs, so no traceback.
        error = f"{type(exc).__name__}: {exc}"
        print(f"grade: the grader itself failed: {error}", file=sys.stderr)
        text = failed_text(opts.platform, error)
    opts.output.parent.mkdir(parents=True, exist_ok=True)
    temporary = opts.output.with_name(f".{opts.output.name}.{os.getpid()}.tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, opts.output)
    return 0


if __name__ == "__main__":
    sys.exit(main())
