"""The catalog's shape: ten lessons, each with a reference, a starter, at least
four wrong and two correct variants.

Grading them all is the pytest plugin's job (``exercises/`` is in testpaths):
each reference and correct variant must pass every check, each wrong variant
must fail the check it names, each starter must fail.
"""

from __future__ import annotations

import pytest

from conftest import ROOT
from grader.course import config
from grader.course.catalog import subjects
from grader.spec import load_exercise

COURSE = config.load(ROOT / "grader.toml")
EXERCISES = [load_exercise(p) for p in COURSE.spec_paths()]
SUBJECTS = subjects(EXERCISES, COURSE.solutions, COURSE.starters, COURSE.variants)


def test_the_catalog_has_the_ten_lessons() -> None:
    assert [e.id for e in EXERCISES] == [
        "t3l1", "t3l2", "t3l3", "t3l4", "t3l5", "t3l6", "t3l7", "t3l8", "t4l1", "t4l2",
    ]


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda e: e.id)
def test_every_exercise_has_four_wrong_and_two_correct_variants(exercise) -> None:  # type: ignore[no-untyped-def]
    mine = [s for s in SUBJECTS if s.exercise.id == exercise.id]
    assert sum(s.role == "wrong" for s in mine) >= 4
    assert sum(s.role == "correct" for s in mine) >= 2
    assert all(s.path.is_file() for s in mine if s.role in ("reference", "starter"))
