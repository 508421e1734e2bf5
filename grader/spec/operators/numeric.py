"""The comparisons of numbers: ``$gt``, ``$gte``, ``$lt``, ``$lte``, ``$between``, ``$approx``.

One module for the six, as they share what they accept (a JSON number,
never ``true`` or ``false``), their words and their load-time checks; each
is its own operator in the table.

```yaml
- expect_json: {count: {$gte: 1}, ratio: {$between: [0, 1]}, mean: {$approx: {value: 0.3, tol: 0.001}}}
```
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from grader.errors import SpecError
from grader.spec.mismatch import Mismatch, is_number, show
from grader.spec.operators import Match, Operator, Validate
from grader.spec.yamlnodes import Located

_WORDS = {"$gt": "above", "$gte": "at least", "$lt": "below", "$lte": "at most"}
_DESCRIPTIONS = {"$gt": "A number above this.", "$gte": "A number at least this.", "$lt": "A number below this.",
                 "$lte": "A number at most this."}


class Comparison(Operator):
    """A number compared with the operand; subclasses say how."""

    def schema(self) -> dict[str, Any]:
        return {"type": "number", "description": _DESCRIPTIONS[self.name]}

    def validate(self, operand: Located, errors: list[SpecError], validate: Validate) -> None:
        if not is_number(operand.value):
            errors.append(SpecError(operand.mark, f"{self.name} takes a number, not {operand.kind}"))

    def holds(self, operand: Any, value: float) -> bool:
        raise NotImplementedError

    def match(self, operand: Any, actual: Any, path: str, match: Match) -> Mismatch | None:
        return None if is_number(actual) and self.holds(operand, actual) else Mismatch(
            path, self.explain(operand, str), show(actual))

    def explain(self, operand: Any, explain: Callable[[Any], str]) -> str:
        return f"a number {_WORDS[self.name]} {operand:g}"

    def never(self, operand: Any, kinds: frozenset[str], never: Callable[[Any, frozenset[str]], bool]) -> bool:
        return "number" not in kinds


class Gt(Comparison):
    name: ClassVar[str] = "$gt"

    def holds(self, operand: Any, value: float) -> bool:
        return value > operand


class Gte(Comparison):
    name: ClassVar[str] = "$gte"

    def holds(self, operand: Any, value: float) -> bool:
        return value >= operand


class Lt(Comparison):
    name: ClassVar[str] = "$lt"

    def holds(self, operand: Any, value: float) -> bool:
        return value < operand


class Lte(Comparison):
    name: ClassVar[str] = "$lte"

    def holds(self, operand: Any, value: float) -> bool:
        return value <= operand


class Between(Comparison):
    name: ClassVar[str] = "$between"

    def schema(self) -> dict[str, Any]:
        return {"type": "array", "items": {"type": "number"}, "minItems": 2, "maxItems": 2,
                "description": "A number from LOW to HIGH, both included."}

    def validate(self, operand: Located, errors: list[SpecError], validate: Validate) -> None:
        value = operand.value
        if not (isinstance(value, list) and len(value) == 2 and all(is_number(v.value) for v in value)):
            errors.append(SpecError(operand.mark, "$between takes [LOW, HIGH], two numbers"))
        elif value[0].value > value[1].value:
            errors.append(SpecError(operand.mark, f"$between [{value[0].value}, {value[1].value}] is empty: "
                                                  "write the lower bound first"))

    def holds(self, operand: Any, value: float) -> bool:
        return bool(operand[0] <= value <= operand[1])

    def explain(self, operand: Any, explain: Callable[[Any], str]) -> str:
        return f"a number from {operand[0]:g} to {operand[1]:g}"


class Approx(Comparison):
    name: ClassVar[str] = "$approx"

    def schema(self) -> dict[str, Any]:
        return {"type": "object", "properties": {"value": {"type": "number"}, "tol": {"type": "number", "minimum": 0}},
                "required": ["value", "tol"], "additionalProperties": False,
                "description": "A number within tol of value."}

    def validate(self, operand: Located, errors: list[SpecError], validate: Validate) -> None:
        fields = operand.value if isinstance(operand.value, dict) else {}
        if set(fields) != {"value", "tol"} or not all(is_number(fields[k].value) for k in fields):
            errors.append(SpecError(operand.mark, "$approx takes {value: NUMBER, tol: NUMBER}"))
        elif fields["tol"].value < 0:
            errors.append(SpecError(fields["tol"].mark, "tol is a distance: a number ≥ 0"))

    def holds(self, operand: Any, value: float) -> bool:
        return bool(abs(value - operand["value"]) <= operand["tol"])

    def explain(self, operand: Any, explain: Callable[[Any], str]) -> str:
        return f"a number within {operand['tol']:g} of {operand['value']:g}"
