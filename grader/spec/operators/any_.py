"""``{$any: true}``: anything at all (the value must be there; its content is not checked).

```yaml
- expect_json: {type: welcome, session: {$any: true}}
```
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from grader.errors import SpecError
from grader.spec.mismatch import Mismatch
from grader.spec.operators import Match, Operator, Validate
from grader.spec.yamlnodes import Located


class AnyValue(Operator):
    name: ClassVar[str] = "$any"

    def schema(self) -> dict[str, Any]:
        return {"const": True, "description": "Anything."}

    def validate(self, operand: Located, errors: list[SpecError], validate: Validate) -> None:
        if operand.value is not True:
            errors.append(SpecError(operand.mark, "$any takes the value true"))

    def match(self, operand: Any, actual: Any, path: str, match: Match) -> Mismatch | None:
        return None

    def explain(self, operand: Any, explain: Callable[[Any], str]) -> str:
        return "any value"
