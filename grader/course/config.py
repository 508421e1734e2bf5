"""The course configuration, ``grader.toml``: where things are and the limits.

Found by walking up from the current directory, so ``grade`` works from any
folder of a course checkout.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from grader.course.progress import Rules, rules_from
from grader.errors import UsageError
from grader.judge.run import Limits

FILE_NAME = "grader.toml"


@dataclass(frozen=True)
class Course:
    root: Path
    title: str
    exercises: Path  # folder of YAML specs
    solutions: Path  # folder of reference solutions
    starters: Path  # folder of starter files
    variants: Path  # folder of known variants, one subfolder per exercise
    workspace: Path  # where learners' files live
    limits: Limits
    rules: Rules  # levels and achievements

    def tracks(self) -> dict[str, int]:
        """Each exercise id and its track, read cheaply (no validation) for progress rules."""
        import yaml

        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        found: dict[str, int] = {}
        for path in self.spec_paths():
            try:
                data = yaml.load(path.read_text(encoding="utf-8"), Loader=loader)  # noqa: S506 - a safe loader
            except (OSError, yaml.YAMLError):
                continue
            if isinstance(data, dict) and isinstance(data.get("track"), int):
                found[path.stem] = data["track"]
        return found

    def spec_path(self, exercise_id: str) -> Path:
        return self.exercises / f"{exercise_id}.yaml"

    def spec_paths(self) -> list[Path]:
        return sorted(self.exercises.glob("*.yaml"))


def find(start: Path | None = None) -> Path | None:
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        candidate = folder / FILE_NAME
        if candidate.is_file():
            return candidate
    return None


def load(path: Path | None = None) -> Course:
    path = path or find()
    if path is None:
        raise UsageError(f"no {FILE_NAME} here or in any parent folder: run grade inside a course checkout")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise UsageError(f"{path}: {exc}") from None
    root = path.parent
    course = _table(data, "course", path)
    paths = _table(data, "paths", path)
    known_limits = {f.name: f.type for f in fields(Limits)}
    raw_limits = _table(data, "limits", path)
    for key, value in raw_limits.items():
        if key not in known_limits:
            raise UsageError(f"{path}: unknown limit {key!r}; known: {', '.join(known_limits)}")
        if not isinstance(value, int | float) or isinstance(value, bool) or value < 0:
            raise UsageError(f"{path}: limits.{key} must be a number ≥ 0")
    limits = Limits(**raw_limits)
    return Course(
        root=root,
        title=str(course.get("title", "Course")),
        exercises=root / paths.get("exercises", "exercises"),
        solutions=root / paths.get("solutions", "solutions"),
        starters=root / paths.get("starters", "starters"),
        variants=root / paths.get("variants", "tests/variants"),
        workspace=root / paths.get("workspace", "workspace"),
        limits=limits,
        rules=rules_from(data, str(path)),
    )


def _table(data: dict[str, Any], name: str, path: Path) -> dict[str, Any]:
    value = data.get(name, {})
    if not isinstance(value, dict):
        raise UsageError(f"{path}: [{name}] must be a table")
    return value
