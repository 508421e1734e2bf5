"""Reproducible installs: what is pinned, what is bounded, and what `grade doctor` says of the installed versions."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from conftest import run_grade
from grader.judge.upstream import VERIFIED, packages

ROOT = Path(__file__).resolve().parent.parent


def pins() -> dict[str, str]:
    found: dict[str, str] = {}
    for line in (ROOT / "constraints.txt").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, _, version = line.partition("==")
            assert version, f"constraints.txt: {line!r} is not pinned with =="
            found[re.sub(r"[-_.]+", "-", name).lower()] = version
    return found


def test_constraints_pin_a_verified_version_of_every_modelled_package() -> None:
    pinned = pins()
    for name, versions in VERIFIED.items():
        assert pinned.get(name) in versions, f"constraints.txt pins {name}=={pinned.get(name)}; verified: {versions}"


def test_constraints_pin_every_dependency_of_the_project() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = [*project["dependencies"], *project["optional-dependencies"]["test"]]
    pinned = pins()
    for requirement in wanted:
        name = re.split(r"[<>=!~;\[ ]", requirement, maxsplit=1)[0]
        assert re.sub(r"[-_.]+", "-", name).lower() in pinned, f"{name} is a dependency but not in constraints.txt"


def test_modelled_packages_are_bounded_above() -> None:
    dependencies = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    for name in ("uvicorn", "websockets", "starlette"):
        spec = next(d for d in dependencies if re.match(rf"{name}\b", d))
        assert "<" in spec, f"{spec}: a new {name} release could change what a real client sees"


def test_the_installed_versions_are_the_pinned_ones() -> None:
    """The tests run against constraints.txt (as .ci/run and the README install them)."""
    pinned = pins()
    for package in packages():
        assert package.installed == pinned[package.name], (package, "install with: pip install -c constraints.txt")


def test_doctor_names_each_modelled_package_with_its_version() -> None:
    out = run_grade("doctor").stdout
    for package in packages():
        line = next((row for row in out.splitlines() if row.split()[:1] == [package.name]), None)
        assert line is not None, out
        assert package.installed in line and ("verified" in line) and ("NOT" not in line) == package.ok, line
