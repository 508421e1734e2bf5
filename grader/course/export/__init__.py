"""``grade export``: lessons packaged for a platform that already runs one container per submission.

- ``gradescope``: an autograder zip (``setup.sh``, ``run_autograder``).
- ``exercism``: a test-runner folder (``bin/run.sh SLUG INPUT_DIR OUTPUT_DIR``, a Dockerfile);
  one runner may carry several lessons, each chosen by its slug.
- ``classroom``: a GitHub Classroom workflow, one autograding test per check.

Every package carries a copy of the grader's own code, the lesson's spec,
the course's limits, its dependencies pinned to the versions it was
exported with, and a README saying how the platform runs it; never a
reference solution or a variant. On the platform,
:mod:`grader.course.export.runner` grades one submission. What each
platform's documents ask of it is in this folder's README.md.

Platform modules are imported on use: ``python -m
grader.course.export.runner`` imports this package first, and must start
on any Python 3 to say clearly when the interpreter is too old.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from grader.course.config import Course
    from grader.spec import Exercise

PLATFORMS = ("classroom", "exercism", "gradescope")
MANY = ("exercism",)  # platforms whose package may carry several lessons


def export(platform: str, course: Course, exercises: Sequence[Exercise], out: Path,
           slugs: Sequence[str | None] = ()) -> Path:
    """Write the package for ``platform`` to ``out``; what was written (a zip or a folder)."""
    module = importlib.import_module(f"{__name__}.{platform}")
    if platform in MANY:
        return module.export(course, list(exercises), out, list(slugs) or [None] * len(exercises))
    (exercise,) = exercises
    return module.export(course, exercise, out)


__all__ = ["MANY", "PLATFORMS", "export"]
