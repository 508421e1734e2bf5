"""``{$subset: {...}}``: an object with at least these keys (extra keys allowed), each value matched.

Objects otherwise match exactly (the same keys): ``$subset`` is how a spec
says that an answer may carry more than it checks.

```yaml
- expect_json: {$subset: {type: joined, room: lobby}}   # a timestamp or an id may come along
```
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from grader.errors import SpecError
from grader.spec.mismatch import Mismatch, show
from grader.spec.operators import Match, Operator, Validate
from grader.spec.yamlnodes import Located


class Subset(Operator):
    name: ClassVar[str] = "$subset"

    def schema(self) -> dict[str, Any]:
        return {"type": "object", "additionalProperties": {"$ref": "#/$defs/matcher"},
                "description": "An object with at least these keys."}

    def validate(self, operand: Located, errors: list[SpecError], validate: Validate) -> None:
        if not isinstance(operand.value, dict):
            errors.append(SpecError(operand.mark, f"$subset needs a mapping, not {operand.kind}"))
            return
        for item in operand.value.values():
            validate(item)

    def match(self, operand: Any, actual: Any, path: str, match: Match) -> Mismatch | None:
        if not isinstance(actual, dict):
            return Mismatch(path, "an object", show(actual))
        return match.keys(operand, actual, path)

    def explain(self, operand: Any, explain: Callable[[Any], str]) -> str:
        from grader.spec.match import literal_view

        return f"an object with at least {show(literal_view(operand))}"

    def never(self, operand: Any, kinds: frozenset[str], never: Callable[[Any, frozenset[str]], bool]) -> bool:
        return "object" not in kinds
