"""``grade validate``: every problem in every spec, as file:line:column lines.

Beyond what loading checks (shape, unknown keys and operators, conversation
order, duplicate names, ids matching file names), a spec that lives in a
course's exercises folder must have its reference solution and its starter.
"""

from __future__ import annotations

from pathlib import Path

from grader.course import config
from grader.errors import Mark, SpecError, SpecErrors
from grader.spec import Exercise, load_exercise


def spec_files(paths: list[Path]) -> list[Path]:
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files += sorted(p for p in path.iterdir() if p.suffix in (".yaml", ".yml"))
        else:
            files.append(path)
    return files


def course_files(exercise: Exercise) -> list[SpecError]:
    """The solution and starter a course spec needs, reported at its id."""
    found = config.find(exercise.path.parent)
    if found is None:
        return []
    course = config.load(found)
    if exercise.path.resolve().parent != course.exercises.resolve():
        return []
    mark = exercise.id_mark or Mark(str(exercise.path), 1, 1)
    errors = []
    for role, folder in (("reference solution", course.solutions), ("starter", course.starters)):
        wanted = folder / f"{exercise.id}.py"
        if not wanted.is_file():
            errors.append(SpecError(mark, f"missing {role}: {wanted.relative_to(course.root)}"))
    return errors


def validate_paths(paths: list[Path]) -> tuple[list[SpecError], int]:
    """All errors of all specs under ``paths`` and how many specs were read."""
    errors: list[SpecError] = []
    files = spec_files(paths)
    for file in files:
        if not file.exists():
            errors.append(SpecError(Mark(str(file), 1, 1), "no such file"))
            continue
        try:
            exercise = load_exercise(file)
        except SpecErrors as exc:
            errors += exc.errors
            continue
        errors += course_files(exercise)
    return sorted(errors, key=lambda e: e.mark), len(files)
