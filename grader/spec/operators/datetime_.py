"""``{$datetime: {within: S}}``: a local date-time string at most S seconds from now.

Written as ``str(datetime.now())`` writes it (``YYYY-MM-DD HH:MM:SS[.ffffff]``;
one with a UTC offset is turned into local time first). "Now" is the clock
the app reads: under ``wall_clock: virtual``, the grader's clock.

```yaml
- expect_json: {text: hi, sent_at: {$datetime: {within: 5}}}
```
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from datetime import datetime
from typing import Any, ClassVar

from grader.errors import SpecError
from grader.spec.mismatch import Mismatch, is_number, show
from grader.spec.operators import Match, Operator, Validate
from grader.spec.yamlnodes import Located

# What "now" is for `$datetime`: the judge's wall clock, or (under `wall_clock: virtual`)
# the one the app reads, which the grader's clock moves.
NOW: ContextVar[Callable[[], datetime]] = ContextVar("NOW", default=datetime.now)


class DateTime(Operator):
    name: ClassVar[str] = "$datetime"

    def schema(self) -> dict[str, Any]:
        return {"type": "object", "properties": {"within": {"type": "number", "exclusiveMinimum": 0}},
                "required": ["within"], "additionalProperties": False,
                "description": "A local date-time string within this many seconds of now."}

    def validate(self, operand: Located, errors: list[SpecError], validate: Validate) -> None:
        within = operand.value.get("within") if isinstance(operand.value, dict) else None
        if within is None or set(operand.value) != {"within"} or not is_number(within.value) or within.value <= 0:
            errors.append(SpecError(operand.mark, "$datetime takes {within: SECONDS}, a number above 0"))

    def match(self, operand: Any, actual: Any, path: str, match: Match) -> Mismatch | None:
        within: float = operand["within"]
        wanted = f"a local date-time within {within:g} s of now"
        if not isinstance(actual, str):
            return Mismatch(path, wanted, show(actual))
        try:
            moment = datetime.fromisoformat(actual)
        except ValueError:
            return Mismatch(path, wanted + " (YYYY-MM-DD HH:MM:SS[.ffffff])", f"{show(actual)}, which is not a date-time")
        if moment.tzinfo is not None:
            moment = moment.astimezone().replace(tzinfo=None)
        now = NOW.get()()
        off = abs((moment - now).total_seconds())
        if off > within:
            return Mismatch(path, f"{wanted} ({now})", f"{show(actual)}, {off:.0f} s away")
        return None

    def explain(self, operand: Any, explain: Callable[[Any], str]) -> str:
        return f"a local date-time like 2026-01-31 12:00:00.000000 within {operand['within']:g} s of now"

    def never(self, operand: Any, kinds: frozenset[str], never: Callable[[Any, frozenset[str]], bool]) -> bool:
        return "str" not in kinds
