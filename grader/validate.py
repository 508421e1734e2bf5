"""``grade validate``: every problem in every spec, as file:line:column lines."""

from __future__ import annotations

from pathlib import Path

from .errors import Mark, SpecError, SpecErrors
from .spec import load_exercise


def spec_files(paths: list[Path]) -> list[Path]:
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files += sorted(p for p in path.iterdir() if p.suffix in (".yaml", ".yml"))
        else:
            files.append(path)
    return files


def validate_paths(paths: list[Path]) -> tuple[list[SpecError], int]:
    """All errors of all specs under ``paths`` and how many specs were read."""
    errors: list[SpecError] = []
    files = spec_files(paths)
    for file in files:
        if not file.exists():
            errors.append(SpecError(Mark(str(file), 1, 1), "no such file"))
            continue
        try:
            load_exercise(file)
        except SpecErrors as exc:
            errors += exc.errors
    return errors, len(files)
