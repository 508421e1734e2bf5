"""YAML → plain Python values that remember where each came from.

``yaml.compose`` keeps a mark on every node; this module turns nodes into
``Located`` values (value + :class:`~grader.errors.Mark`) so that every later
check of a spec can point at ``file:line:column``. It only ever uses the safe
constructor, caps size, depth and node count (aliases can otherwise expand
exponentially), and turns every YAML problem into a :class:`SpecError`.
Plain scalars mean what YAML 1.2 says they mean (see ``dialect``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml

from grader.errors import Mark, SpecError
from grader.spec import dialect

MAX_BYTES = 1 << 20
MAX_DEPTH = 64
MAX_NODES = 200_000

_STANDARD_TAGS = {
    dialect.TAG + name
    for name in ("str", "int", "float", "bool", "null", "map", "seq", "timestamp")
}


@dataclass(frozen=True)
class Located:
    """A value from a YAML file and the place it starts at.

    Mappings hold ``dict[str, Located]`` and sequences ``list[Located]``, so
    marks survive all the way down.
    """

    value: Any
    mark: Mark
    # For mappings: where each key is written (unknown-key errors point there).
    key_marks: dict[str, Mark] | None = None

    def key_mark(self, key: str) -> Mark:
        if self.key_marks and key in self.key_marks:
            return self.key_marks[key]
        return self.mark

    def plain(self) -> Any:
        """The value with every mark stripped."""
        if isinstance(self.value, dict):
            return {k: v.plain() for k, v in self.value.items()}
        if isinstance(self.value, list):
            return [v.plain() for v in self.value]
        return self.value

    @property
    def kind(self) -> str:
        return describe(self.value)


def describe(value: Any) -> str:
    """How a value is named in messages: the YAML/JSON word for its type."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return type(value).__name__


def mark_of(file: str, node_mark: Any) -> Mark:
    return Mark(file, node_mark.line + 1, node_mark.column + 1)


def mark_at(file: str, text: str, offset: int) -> Mark:
    line_start = text.rfind("\n", 0, offset) + 1
    return Mark(file, text.count("\n", 0, offset) + 1, offset - line_start + 1)


def load(text: str, file: str, loader: type | None = None) -> tuple[Located, list[SpecError]]:
    """Parse one YAML document into located values and the problems of its structure (duplicate keys...).

    A file that cannot be parsed at all raises SpecError, worded the same
    whichever parser read it. ``loader`` is for tests: libyaml's by default.
    """
    loader = loader or dialect.LOADER
    start = Mark(file, 1, 1)
    if len(text.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        raise SpecError(start, f"the spec is larger than {MAX_BYTES // 1024} KiB")
    try:
        node = yaml.compose(text, Loader=loader)
    except yaml.MarkedYAMLError as exc:
        where = exc.problem_mark or exc.context_mark
        if "quoted scalar" in (exc.context or "") and exc.context_mark is not None:
            where = exc.context_mark  # the opening quote: the parsers stop at different places inside
        limit = where.index if where is not None else len(text)
        tab = _tab(text, loader, limit)
        if tab is not None:
            raise SpecError(mark_at(file, text, tab), dialect.TAB) from None
        # From the offset: the parsers count lines differently at the end of a file.
        mark = mark_at(file, text, min(where.index, len(text))) if where is not None else start
        raise SpecError(mark, dialect.plain_problem(exc, text)) from None
    except yaml.YAMLError as exc:
        raise SpecError(start, f"invalid YAML: {exc}") from None
    except RecursionError:
        raise SpecError(start, "invalid YAML: nested too deeply") from None
    if node is None:
        raise SpecError(start, "the spec is empty")
    tab = _tab(text, loader, len(text))
    if tab is not None:
        raise SpecError(mark_at(file, text, tab), dialect.TAB)
    converter = _Converter(file)
    if "*" in text:
        # An alias is the anchored node itself once composed; where it was written comes from the events.
        converter.aliases = [mark_of(file, event.start_mark) for event in yaml.parse(text, Loader=loader)
                             if isinstance(event, yaml.AliasEvent)]
    return converter.convert(node, 0), converter.errors


def _tab(text: str, loader: type, limit: int) -> int | None:
    """The first tab outside values and comments up to ``limit``; one parser may take it, the other not."""
    if "\t" not in text[: limit + 1]:
        return None
    spans, _ = dialect.token_spans(text, loader)
    found = dialect.tab_outside_values(text[: limit + 1], [s for s in spans if s[0] <= limit])
    return found


class _Converter:
    def __init__(self, file: str) -> None:
        self.file = file
        self.nodes = 0
        self.errors: list[SpecError] = []
        self.aliases: list[Mark] = []  # where each alias was written, in document order
        self._seen: set[int] = set()

    def convert(self, node: yaml.Node, depth: int, alias: Mark | None = None) -> Located:
        mark = alias or mark_of(self.file, node.start_mark)
        if alias is None:
            # Conversion walks the document in order, so the n-th node met again is the n-th alias:
            # it and everything in it are reported where the alias stands, not at its anchor.
            if id(node) in self._seen and self.aliases:
                mark = alias = self.aliases.pop(0)
            self._seen.add(id(node))
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise SpecError(mark, f"the spec has more than {MAX_NODES} values (aliases expand)")
        if depth > MAX_DEPTH:
            raise SpecError(mark, f"the spec is nested more than {MAX_DEPTH} levels deep")
        if node.tag not in _STANDARD_TAGS:
            self.errors.append(SpecError(
                mark,
                f"YAML tag {node.tag!r} is not allowed: matchers are plain data, "
                "e.g. {$type: int} or {$re: '...'}",
            ))
            return Located(None, mark)
        if isinstance(node, yaml.MappingNode):
            key_marks: dict[str, Mark] = {}
            return Located(self._mapping(node, depth, key_marks, alias), mark, key_marks)
        if isinstance(node, yaml.SequenceNode):
            return Located([self.convert(item, depth + 1, alias) for item in node.value], mark)
        try:
            value = dialect.scalar(node)
        except ValueError as exc:
            self.errors.append(SpecError(mark, f"invalid value: {exc}"))
            value = node.value
        return Located(value, mark)

    def _mapping(
        self, node: yaml.MappingNode, depth: int, key_marks: dict[str, Mark], alias: Mark | None = None
    ) -> dict[str, Located]:
        result: dict[str, Located] = {}
        for key_node, value_node in node.value:
            key_mark = alias or mark_of(self.file, key_node.start_mark)
            if not isinstance(key_node, yaml.ScalarNode):
                self.errors.append(SpecError(key_mark, "mapping keys must be plain strings"))
                continue
            key = str(key_node.value)
            if key == "<<" and not key_node.style:
                self.errors.append(SpecError(key_mark, "merge keys (<<) are not supported: write the keys out "
                                                       "(steps shared between checks can go in include:)"))
                continue
            if key in result:
                self.errors.append(SpecError(key_mark, f"duplicate key {key!r} (first at line "
                                                       f"{key_marks[key].line}); only one can count"))
                continue
            key_marks[key] = key_mark
            result[key] = self.convert(value_node, depth + 1, alias)
        return result
