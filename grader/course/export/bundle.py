"""What every export carries: the grader's code, the lessons and the course's limits, pinned dependencies, a README.

Nothing else of the course travels: no reference solution, no variant, no
progress. The grader's package holds none of them (they live
beside it, in the course folder), and :func:`check_no_course_code` proves
it for every package before it is written.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterable
from dataclasses import fields
from importlib.metadata import PackageNotFoundError, distribution
from pathlib import Path

import yaml

import grader
from grader.course.config import Course
from grader.errors import UsageError
from grader.spec import Exercise, load_exercise

GRADER_DIR = "grader-src"  # on PYTHONPATH on the platform: the grader's package, as it was exported
COURSE_DIR = "course"  # grader.toml and exercises/<id>.yaml

_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[([^\]]*)\])?")
_EXTRA = re.compile(r"""extra\s*==\s*['"]([^'"]+)['"]""")


def copy_grader(target: Path) -> None:
    """The grader's package (code and schema), without caches."""
    source = Path(grader.__file__).resolve().parent
    shutil.copytree(source, target / GRADER_DIR / "grader", ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))


def write_course(target: Path, course: Course, exercises: Iterable[Exercise], keep_hidden: bool = True) -> None:
    """A course of the given lessons: their specs (hidden checks left out unless kept) and the course's limits."""
    folder = target / COURSE_DIR
    (folder / "exercises").mkdir(parents=True, exist_ok=True)
    limits = "\n".join(f"{f.name} = {getattr(course.limits, f.name)!r}" for f in fields(course.limits))
    (folder / "grader.toml").write_text(
        f"[course]\ntitle = {_toml_string(course.title)}\n\n[limits]\n{limits}\n", encoding="utf-8")
    for exercise in exercises:
        spec = folder / "exercises" / f"{exercise.id}.yaml"
        text = course.spec_path(exercise.id).read_text(encoding="utf-8")
        if not keep_hidden and any(c.hidden for c in exercise.checks):
            data = yaml.safe_load(text)
            data["checks"] = [c for c in data["checks"] if not (isinstance(c, dict) and c.get("hidden"))]
            text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
        spec.write_text(text, encoding="utf-8")
        load_exercise(spec)  # an export never ships a spec the grader would refuse


def requirements() -> str:
    """Every package the grader needs at run time, pinned to the version installed here.

    The closure of the grader's own requirements (test extras left out),
    walked through each installed package's metadata, so the platform
    installs exactly what was graded with here, not whatever its index
    resolves that day. A requirement behind an environment marker keeps
    its marker (pip evaluates it there); one that is not installed here
    because its marker excludes this machine (``exceptiongroup`` before
    Python 3.11) is left to that marker.
    """
    pinned: dict[str, str] = {}  # canonical name: "Name==version"
    markers: dict[str, set[str]] = {}  # canonical name: the markers it is required under ("" = always)
    pending: list[tuple[str, frozenset[str], str]] = [("grader", frozenset(), "")]
    seen: set[tuple[str, frozenset[str], str]] = set()
    while pending:
        name, extras, marker = pending.pop()
        key = (_canonical(name), extras, marker)
        if key in seen:
            continue
        seen.add(key)
        try:
            dist = distribution(name)
        except PackageNotFoundError:
            if marker:
                continue
            raise UsageError(f"the grader's dependency {name} is not installed here; install the grader first") from None
        if name != "grader":
            pinned[_canonical(name)] = f"{dist.metadata['Name']}=={dist.version}"
            markers.setdefault(_canonical(name), set()).add(marker)
        for requirement in dist.requires or []:
            spec, _, condition = requirement.partition(";")
            wanted = _EXTRA.findall(condition)
            if wanted and not set(wanted) & extras:
                continue  # an optional part nobody asked for (the grader's own test extra among them)
            match = _NAME.match(spec)
            if match is None:
                continue
            inner = frozenset(e.strip() for e in (match.group(2) or "").split(",") if e.strip())
            rest = _EXTRA.sub("", condition).strip()
            rest = re.sub(r"^\s*(and\s+)+|(\s+and)+\s*$", "", rest).strip() if wanted else rest
            pending.append((match.group(1), inner, rest if rest not in ("", "()") else ""))
    lines = []
    for key, line in sorted(pinned.items()):
        conditions = markers[key]
        # Needed under any one of its markers; always, if some path needs it unconditionally.
        when = "" if "" in conditions else " or ".join(f"({m})" for m in sorted(conditions))
        lines.append(f"{line} ; {when}\n" if when else f"{line}\n")
    return "".join(lines)


def write_readme(target: Path, title: str, sections: dict[str, str]) -> None:
    """The package's README.md: what it is, how the platform runs it, which protections it expects."""
    body = "\n\n".join(f"## {heading}\n\n{text.strip()}" for heading, text in sections.items())
    (target / "README.md").write_text(f"# {title}\n\n{body}\n", encoding="utf-8")


def check_no_course_code(root: Path, course: Course) -> None:
    """Refuse to write a package holding a copy of one of the course's reference solutions or variants.

    Compared by content, so a copy under any name is found.
    """
    secrets = {p.read_bytes() for folder in (course.solutions, course.variants)
               if folder.is_dir() for p in folder.rglob("*.py") if p.is_file()}
    secrets.discard(b"")
    for path in root.rglob("*"):
        if path.is_file() and path.suffix == ".py" and path.read_bytes() in secrets:
            raise UsageError(f"{path.relative_to(root)} is a copy of one of the course's reference solutions "
                             "or variants; an export never ships them")


def write_script(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    path.chmod(0o755)


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _toml_string(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'
