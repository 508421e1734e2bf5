"""YAML → plain Python values that remember where each came from.

``yaml.compose`` keeps a mark on every node; this module turns nodes into
``Located`` values (value + :class:`~grader.errors.Mark`) so that every later
check of a spec can point at ``file:line:column``. It only ever uses the safe
constructor, caps size, depth and node count (aliases can otherwise expand
exponentially), and turns every YAML problem into a :class:`SpecError`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml

from grader.errors import Mark, SpecError

# libyaml's parser when PyYAML has it: about 25 times faster, same nodes and marks.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
MAX_BYTES = 1 << 20
MAX_DEPTH = 64
MAX_NODES = 200_000

_STANDARD_TAGS = {
    "tag:yaml.org,2002:" + name
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


def load(text: str, file: str) -> Located:
    """Parse one YAML document into located values, or raise SpecError."""
    start = Mark(file, 1, 1)
    if len(text.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        raise SpecError(start, f"the spec is larger than {MAX_BYTES // 1024} KiB")
    try:
        node = yaml.compose(text, Loader=_LOADER)
    except yaml.MarkedYAMLError as exc:
        where = exc.problem_mark or exc.context_mark
        mark = mark_of(file, where) if where is not None else start
        problem = exc.problem or exc.context or "invalid YAML"
        raise SpecError(mark, f"invalid YAML: {problem}") from None
    except yaml.YAMLError as exc:
        raise SpecError(start, f"invalid YAML: {exc}") from None
    except RecursionError:
        raise SpecError(start, "invalid YAML: nested too deeply") from None
    if node is None:
        raise SpecError(start, "the spec is empty")
    return _Converter(file).convert(node, 0)


class _Converter:
    def __init__(self, file: str) -> None:
        self.file = file
        self.nodes = 0
        self.constructor = yaml.SafeLoader("")

    def convert(self, node: yaml.Node, depth: int) -> Located:
        mark = mark_of(self.file, node.start_mark)
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise SpecError(mark, f"the spec has more than {MAX_NODES} values (aliases expand)")
        if depth > MAX_DEPTH:
            raise SpecError(mark, f"the spec is nested more than {MAX_DEPTH} levels deep")
        if node.tag not in _STANDARD_TAGS:
            raise SpecError(
                mark,
                f"YAML tag {node.tag!r} is not allowed: matchers are plain data, "
                "e.g. {$type: int} or {$re: '...'}",
            )
        if isinstance(node, yaml.MappingNode):
            key_marks: dict[str, Mark] = {}
            return Located(self._mapping(node, depth, key_marks), mark, key_marks)
        if isinstance(node, yaml.SequenceNode):
            return Located([self.convert(item, depth + 1) for item in node.value], mark)
        try:
            value = self.constructor.construct_object(node, deep=True)
        except yaml.YAMLError as exc:
            raise SpecError(mark, f"invalid value: {exc}") from None
        if not isinstance(value, str | int | float | bool | type(None)):
            # Timestamps and friends: keep the text the author wrote.
            value = node.value
        return Located(value, mark)

    def _mapping(
        self, node: yaml.MappingNode, depth: int, key_marks: dict[str, Mark]
    ) -> dict[str, Located]:
        result: dict[str, Located] = {}
        for key_node, value_node in node.value:
            key_mark = mark_of(self.file, key_node.start_mark)
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise SpecError(key_mark, "merge keys (<<) are not supported in specs")
            if not isinstance(key_node, yaml.ScalarNode):
                raise SpecError(key_mark, "mapping keys must be plain strings")
            key = str(key_node.value)
            if key in result:
                raise SpecError(key_mark, f"duplicate key {key!r}")
            key_marks[key] = key_mark
            result[key] = self.convert(value_node, depth + 1)
        return result
