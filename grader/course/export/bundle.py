"""What every export carries: the grader's code, the lesson and the course's limits, pinned dependencies."""

from __future__ import annotations

import shutil
from dataclasses import fields
from importlib.metadata import PackageNotFoundError, requires, version
from pathlib import Path

import yaml

import grader
from grader.course.config import Course
from grader.errors import UsageError
from grader.spec import Exercise, load_exercise

GRADER_DIR = "grader-src"  # on PYTHONPATH on the platform: the grader's package, as it was exported
COURSE_DIR = "course"  # grader.toml and exercises/<id>.yaml


def copy_grader(target: Path) -> None:
    """The grader's package (code and schema), without caches."""
    source = Path(grader.__file__).resolve().parent
    shutil.copytree(source, target / GRADER_DIR / "grader", ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))


def write_course(target: Path, course: Course, exercise: Exercise, keep_hidden: bool = True) -> None:
    """A course of one lesson: its spec (hidden checks left out unless kept) and the course's limits."""
    folder = target / COURSE_DIR
    (folder / "exercises").mkdir(parents=True, exist_ok=True)
    limits = "\n".join(f"{f.name} = {getattr(course.limits, f.name)!r}" for f in fields(course.limits))
    (folder / "grader.toml").write_text(
        f"[course]\ntitle = {_toml_string(course.title)}\n\n[limits]\n{limits}\n", encoding="utf-8")
    spec = folder / "exercises" / f"{exercise.id}.yaml"
    text = course.spec_path(exercise.id).read_text(encoding="utf-8")
    if not keep_hidden and any(c.hidden for c in exercise.checks):
        data = yaml.safe_load(text)
        data["checks"] = [c for c in data["checks"] if not (isinstance(c, dict) and c.get("hidden"))]
        text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
    spec.write_text(text, encoding="utf-8")
    load_exercise(spec)  # an export never ships a spec the grader would refuse


def requirements() -> str:
    """The grader's dependencies, pinned to the versions installed here (graded the same way there)."""
    lines = []
    for requirement in requires("grader") or []:
        if "extra ==" in requirement:
            continue
        name = requirement.split(";")[0].split("[")[0]
        for mark in "<>=!~ ":
            name = name.split(mark)[0]
        try:
            lines.append(f"{name}=={version(name)}")
        except PackageNotFoundError:
            raise UsageError(f"the grader's dependency {name} is not installed here; install the grader first") from None
    return "\n".join(lines) + "\n"


def write_script(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    path.chmod(0o755)


def _toml_string(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'
