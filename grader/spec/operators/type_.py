"""``{$type: NAME}``: a value of a JSON type: int, number, str, bool, null, object, array.

``int`` takes a whole number written either way (``2`` or ``2.0``, as JSON
does not tell them apart); no number type takes ``true`` or ``false``.

```yaml
- expect_json: {id: {$type: int}, name: {$type: str}, tags: {$type: array}}
```
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, ClassVar

from grader.errors import SpecError
from grader.spec.mismatch import Mismatch, is_number, show
from grader.spec.operators import Match, Operator, Validate
from grader.spec.suggest import did_you_mean
from grader.spec.yamlnodes import Located

TYPES: dict[str, str] = {
    "int": "an integer",
    "number": "a number",
    "str": "a string",
    "bool": "a boolean",
    "null": "null",
    "object": "a JSON object",
    "array": "a JSON array",
}
_KIND_OF_TYPE = {"int": "number", "number": "number", "str": "str", "bool": "bool", "null": "null",
                 "object": "object", "array": "array"}


class Type(Operator):
    name: ClassVar[str] = "$type"

    def schema(self) -> dict[str, Any]:
        return {"enum": list(TYPES), "description": "A JSON type."}

    def validate(self, operand: Located, errors: list[SpecError], validate: Validate) -> None:
        if not isinstance(operand.value, str) or operand.value not in TYPES:
            errors.append(
                SpecError(operand.mark, f"unknown type {operand.value!r}{did_you_mean(str(operand.value), TYPES)}")
            )

    def match(self, operand: Any, actual: Any, path: str, match: Match) -> Mismatch | None:
        return None if _has_type(operand, actual) else Mismatch(path, TYPES[operand], show(actual))

    def explain(self, operand: Any, explain: Callable[[Any], str]) -> str:
        return TYPES[operand]

    def never(self, operand: Any, kinds: frozenset[str], never: Callable[[Any, frozenset[str]], bool]) -> bool:
        return _KIND_OF_TYPE.get(operand, operand) not in kinds


def _has_type(name: str, value: Any) -> bool:
    if name == "int":
        return is_number(value) and (isinstance(value, int) or (math.isfinite(value) and value.is_integer()))
    if name == "number":
        return is_number(value)
    if name == "str":
        return isinstance(value, str)
    if name == "bool":
        return isinstance(value, bool)
    if name == "null":
        return value is None
    if name == "object":
        return isinstance(value, dict)
    if name == "array":
        return isinstance(value, list)
    return False
