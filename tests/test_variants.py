"""The catalog's shape, read from the course itself: every spec in grader.toml's
exercises folder has a reference, a starter and the known variants the course
asks for (``[variants]`` in grader.toml).

Grading them all is the pytest plugin's job (``exercises/`` is in testpaths):
each reference and correct variant must pass every check, each wrong variant
must fail the check it names, each starter must fail.
"""

from __future__ import annotations

import pytest

from conftest import ROOT
from grader.course import config
from grader.course.catalog import subjects
from grader.course.validate import validate_paths
from grader.spec import load_exercise

COURSE = config.load(ROOT / "grader.toml")
EXERCISES = [load_exercise(p) for p in COURSE.spec_paths()]
SUBJECTS = subjects(EXERCISES, COURSE.solutions, COURSE.starters, COURSE.variants)


def test_the_catalog_is_whatever_the_exercises_folder_holds() -> None:
    assert EXERCISES, "the course has no exercises"
    assert [e.id for e in EXERCISES] == sorted(p.stem for p in COURSE.exercises.glob("*.yaml"))
    assert COURSE.minimums.wrong >= 4 and COURSE.minimums.correct >= 2


def test_grade_validate_finds_nothing_to_fix_in_the_catalog() -> None:
    found = validate_paths([COURSE.exercises])
    assert found.errors == [] and found.warnings == []
    assert found.specs == len(EXERCISES)


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda e: e.id)
def test_every_exercise_has_the_variants_the_course_asks_for(exercise) -> None:  # type: ignore[no-untyped-def]
    mine = [s for s in SUBJECTS if s.exercise.id == exercise.id]
    assert sum(s.role == "wrong" for s in mine) >= COURSE.minimums.wrong
    assert sum(s.role == "correct" for s in mine) >= COURSE.minimums.correct
    assert all(s.path.is_file() for s in mine if s.role in ("reference", "starter"))
