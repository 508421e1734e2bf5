"""``grade validate``: every problem in every spec, as file:line:column lines.

Beyond what loading checks (shape, unknown keys and operators, conversation
order, duplicate names, ids matching file names), a spec that lives in a
course's exercises folder must have its reference solution, its starter and
the known variants the course asks for (see ``grader.course.variants``).
Warnings (a text without Korean, variants of no exercise) do not fail it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from grader.course import config
from grader.course.variants import find_variants, too_few, unknown_checks
from grader.errors import Mark, SpecError, SpecErrors
from grader.spec import Exercise, load_exercise


@dataclass
class Findings:
    errors: list[SpecError] = field(default_factory=list)
    warnings: list[SpecError] = field(default_factory=list)
    specs: int = 0


def spec_files(paths: list[Path]) -> list[Path]:
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files += sorted(p for p in path.iterdir() if p.suffix in (".yaml", ".yml"))
        else:
            files.append(path)
    return files


def course_of(exercise: Exercise) -> config.Course | None:
    """The course whose exercises folder holds this spec, if any."""
    found = config.find(exercise.path.parent)
    if found is None:
        return None
    course = config.load(found)
    return course if exercise.path.resolve().parent == course.exercises.resolve() else None


def course_files(exercise: Exercise, course: config.Course) -> list[SpecError]:
    """The solution, starter and variants a course spec needs, reported at its id."""
    mark = exercise.id_mark or Mark(str(exercise.path), 1, 1)
    errors = []
    for role, folder in (("reference solution", course.solutions), ("starter", course.starters)):
        wanted = folder / f"{exercise.id}.py"
        if not wanted.is_file():
            errors.append(SpecError(mark, f"missing {role}: {wanted.relative_to(course.root)}"))
    return errors + variant_problems(course, exercise)


def variant_problems(course: config.Course, exercise: Exercise, *, unknown: bool = True) -> list[SpecError]:
    """Unreadable headers, unknown check names (unless ``unknown`` is false) and missing variants of one exercise."""
    folder = course.variants_of(exercise.id)
    variants, problems = find_variants(course.variants, exercise.id)
    if unknown:
        problems += unknown_checks(exercise.id, [c.name for c in exercise.checks], variants)
    mark = exercise.id_mark or Mark(str(exercise.path), 1, 1)
    return problems + too_few(exercise.id, mark, variants, course.minimums, os.path.relpath(folder, course.root))


def stray_variants(courses: list[config.Course], known: set[str]) -> list[SpecError]:
    """Variant folders named after no exercise: probably a renamed lesson."""
    warnings = []
    for course in courses:
        if not course.variants.is_dir():
            continue
        for folder in sorted(p for p in course.variants.iterdir() if p.is_dir()):
            if folder.name not in known and any(folder.glob("*.py")):
                warnings.append(SpecError(Mark(str(folder), 1, 1),
                                          f"variants for {folder.name!r}, but the course has no such exercise"))
    return warnings


def validate_paths(paths: list[Path]) -> Findings:
    """All errors and warnings of all specs under ``paths``."""
    findings = Findings()
    files = spec_files(paths)
    findings.specs = len(files)
    courses: dict[Path, config.Course] = {}
    known: set[str] = set()
    for file in files:
        if not file.exists():
            findings.errors.append(SpecError(Mark(str(file), 1, 1), "no such file"))
            continue
        try:
            exercise = load_exercise(file)
        except SpecErrors as exc:
            findings.errors += exc.errors
            known.add(file.stem)
            continue
        known.add(exercise.id)
        findings.warnings += exercise.warnings
        course = course_of(exercise)
        if course is not None:
            findings.errors += course_files(exercise, course)
            courses[course.root] = course
    # Only when a whole exercises folder was read can a variant folder be called stray.
    whole = [c for c in courses.values() if {p.stem for p in c.spec_paths()} <= known]
    findings.warnings += stray_variants(whole, known)
    findings.errors.sort(key=lambda e: e.mark)
    findings.warnings.sort(key=lambda e: e.mark)
    return findings
