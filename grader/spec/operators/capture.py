"""``{$capture: NAME}``: anything, remembered as NAME for the rest of the check (``{$ref: NAME}`` reads it).

``{$capture: {as: NAME, match: M}}`` must match M too. What a step captured
is kept only when the whole step matched.

```yaml
- expect_json: {type: welcome, id: {$capture: {as: me, match: {$type: int}}}}
- send_json: {type: whois, id: {$ref: me}}
```
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, ClassVar

from grader.errors import SpecError
from grader.spec.mismatch import Mismatch, show
from grader.spec.operators import Match, Operator, Validate
from grader.spec.suggest import did_you_mean
from grader.spec.yamlnodes import Located

NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class Capture(Operator):
    name: ClassVar[str] = "$capture"

    def schema(self) -> dict[str, Any]:
        return {"description": "Anything (or what match matches), remembered under this name for the check.",
                "oneOf": [{"type": "string", "pattern": "^[A-Za-z_][A-Za-z0-9_]*$"},
                          {"type": "object", "properties": {"as": {"type": "string",
                                                                   "pattern": "^[A-Za-z_][A-Za-z0-9_]*$"},
                                                            "match": {"$ref": "#/$defs/matcher"}},
                           "required": ["as", "match"], "additionalProperties": False}]}

    def validate(self, operand: Located, errors: list[SpecError], validate: Validate) -> None:
        name = operand
        if isinstance(operand.value, dict):
            unknown = [k for k in operand.value if k not in ("as", "match")]
            for key in unknown:
                errors.append(SpecError(operand.key_mark(key), f"unknown key {key!r} in $capture{did_you_mean(key, ('as', 'match'))}"))
            if "as" not in operand.value or "match" not in operand.value:
                errors.append(SpecError(operand.mark, "$capture takes a name, or {as: NAME, match: MATCHER}"))
                return
            name = operand.value["as"]
            validate(operand.value["match"])
        if not isinstance(name.value, str) or not NAME.match(name.value):
            errors.append(SpecError(name.mark, f"a capture name is a word (letters, digits, _), not {show(name.value)}"))

    def match(self, operand: Any, actual: Any, path: str, match: Match) -> Mismatch | None:
        if isinstance(operand, dict):
            mismatch = match(operand["match"], actual, path)
            if mismatch:
                return mismatch
            operand = operand["as"]
        match.captures[operand] = actual
        return None

    def explain(self, operand: Any, explain: Callable[[Any], str]) -> str:
        return explain(operand["match"]) if isinstance(operand, dict) else "any value"

    def never(self, operand: Any, kinds: frozenset[str], never: Callable[[Any, frozenset[str]], bool]) -> bool:
        return isinstance(operand, dict) and never(operand["match"], kinds)
