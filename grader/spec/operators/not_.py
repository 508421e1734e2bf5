"""``{$not: M}``: anything M does not match.

```yaml
- expect_json: {user: {$not: {$eq: ""}}}       # any user but the empty name
- expect_text: {$not: {$re: ".*error.*"}}
```

A capture inside ``$not`` would remember a value that did not match, so it
is refused.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from grader.errors import SpecError
from grader.spec.operators import Match, Operator, Validate
from grader.spec.yamlnodes import Located


class Not(Operator):
    name: ClassVar[str] = "$not"
    since = 1.2

    def schema(self) -> dict[str, Any]:
        return {"$ref": "#/$defs/matcher", "description": "Anything this matcher does not match."}

    def validate(self, operand: Located, errors: list[SpecError], validate: Validate) -> None:
        validate(operand)
        for mark in _captures(operand):
            errors.append(SpecError(mark, "$capture inside $not would remember a value that did not match: "
                                          "capture outside the $not"))

    def match(self, operand: Any, actual: Any, path: str, match: Match) -> Any:
        from grader.spec.match import Mismatch, explain, show

        if match(operand, actual, path) is None:
            return Mismatch(path, f"anything but {explain(operand)}", show(actual))
        return None

    def explain(self, operand: Any, explain: Callable[[Any], str]) -> str:
        return f"anything but {explain(operand)}"


def _captures(node: Located) -> list[Any]:
    if isinstance(node.value, dict):
        return [node.key_mark(k) for k in node.value if k == "$capture"] + [
            m for v in node.value.values() for m in _captures(v)]
    if isinstance(node.value, list):
        return [m for v in node.value for m in _captures(v)]
    return []
