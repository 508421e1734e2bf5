"""``grade export``: one lesson packaged for a platform that already runs one container per submission.

- ``gradescope``: an autograder zip (``setup.sh``, ``run_autograder``).
- ``exercism``: a test-runner folder (``bin/run.sh SLUG INPUT_DIR OUTPUT_DIR``, a Dockerfile).
- ``classroom``: a GitHub Classroom workflow, one autograding test per check.

Every package carries a copy of the grader's own code, the lesson's spec and
the course's limits, and pins the grader's dependencies to the versions it
was exported with; on the platform, :mod:`grader.course.export.runner` grades
one submission and always leaves a results file.
"""

from __future__ import annotations

from pathlib import Path

from grader.course.config import Course
from grader.spec import Exercise

from . import classroom, exercism, gradescope

PLATFORMS = {
    "gradescope": gradescope.export,
    "exercism": exercism.export,
    "classroom": classroom.export,
}


def export(platform: str, course: Course, exercise: Exercise, out: Path) -> Path:
    """Write the package for ``platform`` to ``out``; what was written (a zip or a folder)."""
    return PLATFORMS[platform](course, exercise, out)


__all__ = ["PLATFORMS", "export"]
