"""Spec strength: the real `grade` command passes every correct variant and
fails every wrong one for the intended check."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import ROOT, grade_json

from grader.variants import Variant, find_variants

VARIANTS = find_variants(Path(__file__).parent / "variants")


def test_every_exercise_has_at_least_four_wrong_and_two_correct_variants() -> None:
    for exercise in ("t3l1", "t3l2"):
        mine = [v for v in VARIANTS if v.exercise == exercise]
        assert sum(v.fails is not None for v in mine) >= 4, exercise
        assert sum(v.fails is None for v in mine) >= 2, exercise


@pytest.mark.parametrize("variant", VARIANTS, ids=lambda v: f"{v.exercise}-{v.name}")
def test_variant(variant: Variant) -> None:
    code, report = grade_json(variant.exercise, "--app", str(variant.path))
    statuses = {c["name"]: c["status"] for c in report["checks"]}
    if variant.fails is None:
        assert code == 0, [c["message"] for c in report["checks"] if not c["passed"]]
        assert report["passed"] is True
        return
    assert code == 1
    assert variant.fails in statuses, f"no check named {variant.fails!r} in {variant.exercise}"
    assert statuses[variant.fails] == "failed", statuses


@pytest.mark.parametrize("exercise", ["t3l1", "t3l2"])
def test_reference_solution_passes_and_starter_fails(exercise: str) -> None:
    code, report = grade_json(exercise, "--app", str(ROOT / "solutions" / f"{exercise}.py"))
    assert code == 0 and report["passed"], report
    assert report["points"] == report["max_points"]
    code, report = grade_json(exercise, "--app", str(ROOT / "starters" / f"{exercise}.py"))
    assert code == 1 and not report["passed"]
