"""``{$eq: VALUE}``: exactly VALUE, with no operators read inside it.

For data whose keys start with ``$`` (which would otherwise read as an
operator); values a ``$var`` or ``$ref`` fills in are compared this way too.

```yaml
- expect_json: {$eq: {$schema: "v1"}}
```
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from grader.errors import SpecError
from grader.spec.mismatch import Mismatch, show
from grader.spec.operators import Match, Operator, Validate
from grader.spec.yamlnodes import Located


class Eq(Operator):
    name: ClassVar[str] = "$eq"

    def schema(self) -> dict[str, Any]:
        return {"description": "Exactly this value; operators inside are not read."}

    def validate(self, operand: Located, errors: list[SpecError], validate: Validate) -> None:
        pass  # any value: nothing inside it is read as an operator

    def match(self, operand: Any, actual: Any, path: str, match: Match) -> Mismatch | None:
        return match.literal(operand, actual, path)

    def explain(self, operand: Any, explain: Callable[[Any], str]) -> str:
        return show(operand)

    def never(self, operand: Any, kinds: frozenset[str], never: Callable[[Any, frozenset[str]], bool]) -> bool:
        from grader.spec.match import kind

        return kind(operand) not in kinds
