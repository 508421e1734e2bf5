"""``include: {file: other.yaml, fixture: name}``: a fixture from another spec of the course.

The other file is any spec (or a file holding only ``fixtures:`` and
``vars:``) inside the course's exercises folder; its fixtures are read with
its own constants. Paths are relative to the including file and may not
leave the folder the top spec is in, whether by ``..``, an absolute path
or a link.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from grader.errors import Mark, SpecError
from grader.spec import consts
from grader.spec.suggest import did_you_mean
from grader.spec.yamlnodes import Located, load

SUFFIXES = (".yaml", ".yml")


@dataclass
class Library:
    """The fixtures of one other file, as read once."""

    path: Path
    fixtures: dict[str, Located] = field(default_factory=dict)
    errors: list[SpecError] = field(default_factory=list)


def locate(name: str, including: Path, root: Path, mark: Mark) -> tuple[Path | None, str]:
    """The file ``name`` names from the spec ``including``, or (None, why not)."""
    if not name.endswith(SUFFIXES):
        return None, f"include file {name!r} is not a YAML spec (.yaml or .yml)"
    if Path(name).is_absolute() or name.startswith("~"):
        return None, f"include file {name!r} must be a path relative to this spec"
    target = (including.parent / name).resolve()
    if not target.is_relative_to(root.resolve()):
        return None, f"include file {name!r} is outside the exercises folder ({root})"
    if not target.is_file():
        return None, f"include file {name!r} does not exist (looked for {target})"
    return target, ""


def read(path: Path) -> Library:
    library = Library(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        library.errors.append(SpecError(Mark(str(path), 1, 1), f"cannot read the included file: {exc}"))
        return library
    try:
        root, structure = load(text, str(path))
    except SpecError as exc:
        library.errors.append(exc)
        return library
    library.errors += structure
    if not isinstance(root.value, dict):
        library.errors.append(SpecError(root.mark, f"an included file is a mapping with fixtures:, not {root.kind}"))
        return library
    constants = consts.read(root.value.get("vars"), library.errors)
    node = root.value.get("fixtures")
    if node is None or not isinstance(node.value, dict):
        return library
    node = consts.substitute(node, constants, library.errors)
    library.fixtures = dict(node.value)
    return library


def include(builder: Any, node: Located, flow: Any, variables: frozenset[str]) -> list[Any]:
    """include: {file, fixture}: the fixture read in place by ``builder`` (the loader's); errors at both places."""
    if builder.newer(node.mark, "include: {file, fixture}", 1.2):
        return []
    fields = builder.mapping(node, {"file": True, "fixture": True}, "include")
    if fields is None or "file" not in fields or "fixture" not in fields:
        return []
    name = builder.string(fields["file"], "file") or ""
    fixture = builder.string(fields["fixture"], "fixture") or ""
    if not (name and fixture):
        return []
    target, why = locate(name, builder.here, builder.path.parent, node.mark)
    if target is None:
        builder.error(fields["file"].mark, why)
        return []
    key = f"{target}#{fixture}"
    if key in builder.including:
        chain = " → ".join([*builder.including, key])
        builder.error(fields["fixture"].mark, f"fixture {fixture!r} of {name} includes itself ({chain})")
        return []
    lib = builder.libraries.get(target)
    if lib is None:
        lib = builder.libraries[target] = read(target)
        for error in lib.errors:
            builder.error(error.mark, f"{error.message} (in the file included at {node.mark})")
    if fixture not in lib.fixtures:
        builder.error(fields["fixture"].mark, f"{name} has no fixture named {fixture!r}"
                      + (did_you_mean(fixture, sorted(lib.fixtures)) if lib.fixtures else "; it defines no fixtures"))
        return []
    known = len(builder.errors)
    saved, builder.fixtures, here, builder.here = builder.fixtures, lib.fixtures, builder.here, target
    builder.including.append(key)
    try:
        steps = list(builder.steps(lib.fixtures[fixture], flow, variables))
    finally:
        builder.including.pop()
        builder.fixtures, builder.here = saved, here
    inside = [e for e in builder.errors[known:] if e.mark.file == str(target)]
    for error in inside:
        builder.errors[builder.errors.index(error)] = SpecError(error.mark, f"{error.message} (included at {node.mark})")
    if inside:
        first = inside[0]
        builder.error(node.mark, f"the fixture {fixture!r} of {name} has {len(inside)} error"
                                 f"{'' if len(inside) == 1 else 's'} here, the first at {first.mark}: {first.message}")
    return steps
