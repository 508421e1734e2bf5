"""``{$one_of: [M, ...]}``: a value any one of the matchers matches (the first that does keeps its captures).

```yaml
- expect_json: {status: {$one_of: [ok, queued]}}
```
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from grader.errors import SpecError
from grader.spec.mismatch import Mismatch, show
from grader.spec.operators import Match, Operator, Validate
from grader.spec.yamlnodes import Located


class OneOf(Operator):
    name: ClassVar[str] = "$one_of"

    def schema(self) -> dict[str, Any]:
        return {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/matcher"}}

    def validate(self, operand: Located, errors: list[SpecError], validate: Validate) -> None:
        if not isinstance(operand.value, list) or not operand.value:
            errors.append(SpecError(operand.mark, "$one_of needs a non-empty list of matchers"))
            return
        for item in operand.value:
            validate(item)

    def match(self, operand: Any, actual: Any, path: str, match: Match) -> Mismatch | None:
        for m in operand:
            tried = match.trying()  # what a branch that did not match captured is dropped with it
            if tried(m, actual, path) is None:
                match.captures.update(tried.captures)
                return None
        return Mismatch(path, self.explain(operand, _explain), show(actual))

    def explain(self, operand: Any, explain: Callable[[Any], str]) -> str:
        return " or ".join(explain(m) for m in operand)

    def never(self, operand: Any, kinds: frozenset[str], never: Callable[[Any, frozenset[str]], bool]) -> bool:
        return all(never(m, kinds) for m in operand)


def _explain(matcher: Any) -> str:
    from grader.spec.match import explain

    return explain(matcher)
