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

from grader.errors import Mark, SpecError
from grader.spec import consts
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
