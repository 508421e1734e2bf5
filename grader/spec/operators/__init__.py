"""Matcher operators, one module each, registered in one table.

An operator's module says what its operand is (the JSON Schema), how a
spec's operand is checked at load time, how a value is matched, how the
operator reads in words, and which kinds of value it can ever match. The
operators not yet moved here live in ``grader/spec/match.py``, which asks
this table about every other ``$name``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    from grader.errors import SpecError
    from grader.spec.match import Mismatch
    from grader.spec.yamlnodes import Located

# The recursion the operators hand back to match.py: validate, match, explain, never_matches.
Validate = Callable[["Located"], None]
Match = Callable[[Any, Any, str], "Mismatch | None"]


class Operator:
    name: ClassVar[str]
    since: ClassVar[float] = 1.0  # the spec version that introduced it
    korean: ClassVar[dict[str, str]] = {}

    def schema(self) -> dict[str, Any]:
        """The JSON Schema of the operand (``#/$defs/matcher`` names a matcher)."""
        raise NotImplementedError

    def validate(self, operand: Located, errors: list[SpecError], validate: Validate) -> None:
        """Add every problem of a spec's operand to ``errors``; ``validate`` checks a matcher inside."""
        raise NotImplementedError

    def match(self, operand: Any, actual: Any, path: str, match: Match) -> Mismatch | None:
        raise NotImplementedError

    def explain(self, operand: Any, explain: Callable[[Any], str]) -> str:
        raise NotImplementedError

    def never(self, operand: Any, kinds: frozenset[str], never: Callable[[Any, frozenset[str]], bool]) -> bool:
        """True when no value of these JSON kinds can match (a check that could never pass)."""
        return False


def _operators() -> tuple[Operator, ...]:
    from grader.spec.operators.len_ import Len
    from grader.spec.operators.not_ import Not

    return (Not(), Len())


OPERATORS: dict[str, Operator] = {op.name: op for op in _operators()}
