"""``{$len: N}`` or ``{$len: {$gte: 1}}``: a text, list or object of that size.

A text counts its characters, a list its items, an object its keys; the
size is matched exactly or with one of the numeric operators (``$gt``,
``$gte``, ``$lt``, ``$lte``, ``$between``). For binary messages,
``expect_bytes`` has its own ``$len`` (bytes).

```yaml
- expect_json: {type: list, items: {$len: {$between: [1, 10]}}}
- expect_text: {$len: {$gte: 1}}       # any non-empty text
```
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from grader.errors import SpecError
from grader.spec.operators import Match, Operator, Validate
from grader.spec.suggest import did_you_mean
from grader.spec.yamlnodes import Located

COMPARISONS = ("$gt", "$gte", "$lt", "$lte", "$between")


class Len(Operator):
    name: ClassVar[str] = "$len"
    since = 1.2

    def schema(self) -> dict[str, Any]:
        return {"description": "A text, list or object of this size (characters, items, keys).",
                "anyOf": [{"type": "integer", "minimum": 0},
                          *({"type": "object", "properties": {op: {"$ref": "#/$defs/matcher"}}, "required": [op],
                             "additionalProperties": False} for op in COMPARISONS)]}

    def validate(self, operand: Located, errors: list[SpecError], validate: Validate) -> None:
        value = operand.value
        if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
            return
        op = next(iter(value)) if isinstance(value, dict) and len(value) == 1 else None
        if op in COMPARISONS:
            validate(operand)
            return
        if isinstance(op, str) and op.startswith("$"):
            errors.append(SpecError(operand.key_mark(op), f"$len compares a size with {', '.join(COMPARISONS)}, "
                                                          f"not {op!r}{did_you_mean(op, COMPARISONS)}"))
            return
        errors.append(SpecError(operand.mark, "$len takes a size (an integer ≥ 0) or a comparison like {$gte: 1} "
                                              f"({', '.join(COMPARISONS)}), not {operand.kind}"))

    def match(self, operand: Any, actual: Any, path: str, match: Match) -> Any:
        from grader.spec.match import Mismatch, show

        if isinstance(actual, bool) or not isinstance(actual, str | list | dict):
            return Mismatch(path, self.explain(operand, _words), show(actual))
        size = len(actual)
        if match(operand, size, path) is None:  # a size is matched exactly, a comparison as numbers are
            return None
        unit = "characters" if isinstance(actual, str) else "items" if isinstance(actual, list) else "keys"
        return Mismatch(path, self.explain(operand, _words), f"{size} {unit}: {show(actual, 120)}")

    def explain(self, operand: Any, explain: Callable[[Any], str]) -> str:
        if isinstance(operand, int):
            return f"a text, list or object of size {operand}"
        return f"a text, list or object whose size is {explain(operand).removeprefix('a number ')}"

    def never(self, operand: Any, kinds: frozenset[str], never: Callable[[Any, frozenset[str]], bool]) -> bool:
        return not kinds & {"str", "array", "object"}


def _words(operand: Any) -> str:
    from grader.spec.match import explain

    return explain(operand)
