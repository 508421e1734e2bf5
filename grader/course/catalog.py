"""``grade check``: prove every spec against its reference, starter and variants.

For each exercise: the reference solution must pass every check, the
starter must fail, every wrong variant must fail the check it names, and
every correct variant must pass. Gradings are independent, so they go in
parallel, in judge processes of their own (see ``grader.judge.pool``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from grader.course.variants import Minimums, find_variants
from grader.errors import GraderError, SpecError
from grader.judge.pool import grade_many
from grader.judge.run import Options
from grader.result import Result, Status
from grader.spec import Exercise

if TYPE_CHECKING:
    from grader.course.config import Course


NO_MINIMUMS = Minimums(0, 0)


@dataclass(frozen=True)
class Subject:
    """One program to grade and what the grader must conclude about it."""

    exercise: Exercise
    role: str  # "reference", "starter", "wrong" or "correct"
    path: Path
    fails: str | None = None  # for "wrong": the check that must fail
    first: bool = False  # ... and be the first to fail (# expect-fail-first:)

    @property
    def label(self) -> str:
        return self.role if self.role in ("reference", "starter") else f"{self.role} {self.path.stem}"


@dataclass(frozen=True)
class Outcome:
    subject: Subject
    ok: bool
    detail: str
    seconds: float


def subjects(exercises: list[Exercise], solutions: Path, starters: Path, variants: Path) -> list[Subject]:
    """What to grade for each exercise; variants whose header cannot be read are left out (see subjects_of)."""
    found, _ = find_variants(variants)
    result = []
    for exercise in exercises:
        result.append(Subject(exercise, "reference", solutions / f"{exercise.id}.py"))
        result.append(Subject(exercise, "starter", starters / f"{exercise.id}.py"))
        for variant in found:
            if variant.exercise == exercise.id:
                role = "correct" if variant.fails is None else "wrong"
                result.append(Subject(exercise, role, variant.path, variant.fails, variant.first))
    return result


def subjects_of(course: Course, exercises: list[Exercise]) -> tuple[list[Subject], list[SpecError]]:
    """What to grade, and the variant rules the exercises break (file:line:column)."""
    from grader.course.validate import variant_problems

    problems = [p for exercise in exercises for p in variant_problems(course, exercise)]
    return subjects(exercises, course.solutions, course.starters, course.variants), sorted(problems, key=lambda p: p.mark)


def judge(subject: Subject, result: Result) -> tuple[bool, str]:
    """Did the grader conclude what it must about this subject?"""
    failed = [c for c in result.checks if c.status is not Status.PASSED]
    if subject.role in ("reference", "correct"):
        if not failed:
            return True, "passes"
        first = failed[0]
        return False, f"should pass, but {first.name!r} failed: {first.failure.message if first.failure else ''}"
    if subject.role == "starter":
        return (True, "fails") if failed else (False, "should fail, but passes every check")
    names = {c.name: c for c in result.checks}
    if subject.fails not in names:
        return False, f"names a check {subject.fails!r} that the spec does not have"
    if names[subject.fails].status is Status.PASSED:
        caught = ", ".join(repr(c.name) for c in failed) or "nothing"
        return False, f"should fail {subject.fails!r}, but it passed (failed: {caught})"
    if subject.first and failed[0].name != subject.fails:
        return False, f"should fail {subject.fails!r} first, but {failed[0].name!r} failed before it"
    return (True, f"fails {subject.fails!r} first") if subject.first else (True, f"fails {subject.fails!r}")


def run(items: list[Subject], options: Options, jobs: int) -> list[Outcome]:
    outcomes = []
    graded = grade_many([(subject.exercise, subject.path, None) for subject in items], options, jobs)
    for subject, result in zip(items, graded, strict=True):
        if isinstance(result, GraderError):
            outcomes.append(Outcome(subject, False, f"could not be graded: {result}", 0.0))
            continue
        ok, detail = judge(subject, result)
        outcomes.append(Outcome(subject, ok, detail, result.wall_seconds))
    return outcomes


def table(outcomes: list[Outcome], minimums: Minimums = NO_MINIMUMS) -> str:
    """Exercise × (reference, starter, wrong variants caught, correct variants accepted).

    A count below the course's minimum is marked ``(need N)``: proving nothing is not a pass.
    """
    rows = [("exercise", "reference", "starter", "wrong caught", "correct accepted", "seconds")]
    order: list[str] = []
    by_exercise: dict[str, list[Outcome]] = {}
    for outcome in outcomes:
        ident = outcome.subject.exercise.id
        if ident not in by_exercise:
            order.append(ident)
        by_exercise.setdefault(ident, []).append(outcome)
    for ident in order:
        mine = by_exercise[ident]

        def mark(role: str, mine: list[Outcome] = mine) -> str:
            picked = [o for o in mine if o.subject.role == role]
            if role in ("reference", "starter"):
                return ("passes" if role == "reference" else "fails") if picked and picked[0].ok else "WRONG"
            good = sum(o.ok for o in picked)
            need = minimums.wrong if role == "wrong" else minimums.correct
            return (f"{good}/{len(picked)}" + ("" if good == len(picked) else " WRONG")
                    + (f" (need {need})" if len(picked) < need else ""))

        seconds = sum(o.seconds for o in mine)
        rows.append((ident, mark("reference"), mark("starter"), mark("wrong"), mark("correct"), f"{seconds:.1f}"))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    problems = [o for o in outcomes if not o.ok]
    if problems:
        lines.append("")
        lines += [f"✗ {o.subject.exercise.id} {o.subject.label} ({o.subject.path}): {o.detail}" for o in problems]
    return "\n".join(lines) + "\n"
