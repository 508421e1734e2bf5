"""The course configuration, ``grader.toml``: where things are and the limits.

Found by walking up from the current directory, so ``grade`` works from any
folder of a course checkout.
"""

from __future__ import annotations

import contextlib
import json
import os
import tomllib
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from grader.course.progress import Rules, data_dir, rules_from
from grader.course.variants import Minimums
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
    minimums: Minimums = Minimums()  # variants each exercise needs, by kind

    def variants_of(self, exercise_id: str) -> Path:
        return self.variants / exercise_id

    def tracks(self) -> dict[str, int]:
        """Each exercise id and its track, for progress rules.

        Parsing every spec on each grading costs more than the grading's own
        bookkeeping, so the answer is kept beside the progress store and read
        again only when a spec file changed (by name, size or modification time).
        """
        try:
            stamp = [[p.name, st.st_mtime_ns, st.st_size] for p in self.spec_paths() for st in [p.stat()]]
        except OSError:  # a spec vanished while we looked: read what is there
            return self._read_tracks()
        cache = data_dir() / "tracks-cache.json"
        key = str(self.exercises.resolve())
        try:
            known = json.loads(cache.read_text(encoding="utf-8"))
            if known.get(key, {}).get("stamp") == stamp:
                return {str(k): int(v) for k, v in known[key]["tracks"].items()}
        except (OSError, ValueError, AttributeError, TypeError):
            known = {}
        found = self._read_tracks()
        if not isinstance(known, dict):
            known = {}
        known[key] = {"stamp": stamp, "tracks": found}
        with contextlib.suppress(OSError):
            cache.parent.mkdir(parents=True, exist_ok=True)
            temporary = cache.with_suffix(f".{os.getpid()}.tmp")
            temporary.write_text(json.dumps(known), encoding="utf-8")
            os.replace(temporary, cache)
        return found

    def _read_tracks(self) -> dict[str, int]:
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
        raise UsageError(f"no {FILE_NAME} here or in any parent folder: run grade inside a course checkout",
                         key="no_config", name=FILE_NAME)
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
    minimums = _minimums(_table(data, "variants", path), path)
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
        minimums=minimums,
    )


def _minimums(table: dict[str, Any], path: Path) -> Minimums:
    known = {"min_wrong": "wrong", "min_correct": "correct"}
    values: dict[str, int] = {}
    for key, value in table.items():
        if key not in known:
            raise UsageError(f"{path}: unknown key {key!r} in [variants]; known: {', '.join(known)}")
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise UsageError(f"{path}: variants.{key} must be a whole number ≥ 0, not {value!r}")
        values[known[key]] = value
    return Minimums(**values)


def _table(data: dict[str, Any], name: str, path: Path) -> dict[str, Any]:
    value = data.get(name, {})
    if not isinstance(value, dict):
        raise UsageError(f"{path}: [{name}] must be a table")
    return value
