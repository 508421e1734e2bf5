"""Matcher operators, one module each, registered in one table.

An operator's module says what its operand is (the JSON Schema), how a
spec's operand is checked at load time, how a value is matched, how the
operator reads in words, and which kinds of value it can ever match.
``grader/spec/match.py`` walks a matcher and asks this table about every
``$name`` in it; it keeps only the templates (``$var``, ``$ref``,
``$concat``), which are filled in before anything is matched.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

if TYPE_CHECKING:
    from grader.errors import Mark, SpecError
    from grader.spec.mismatch import Mismatch
    from grader.spec.yamlnodes import Located

# The recursion the operators hand back to match.py: validate, match, explain, never_matches.
Validate = Callable[["Located"], None]


class Match(Protocol):
    """How an operator matches what it holds: the recursion, with the captures of the match under way."""

    captures: dict[str, Any]

    def __call__(self, expected: Any, actual: Any, path: str) -> Mismatch | None: ...

    def literal(self, expected: Any, actual: Any, path: str) -> Mismatch | None:
        """Plain data, no operator read inside it."""
        ...

    def keys(self, expected: dict[str, Any], actual: dict[str, Any], path: str) -> Mismatch | None:
        """At least these keys, each value matched (extra keys allowed)."""
        ...

    def trying(self) -> Match:
        """The same recursion with captures of its own, to keep only if it matched."""
        ...


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

    def later_forms(self, operand: Located) -> list[tuple[Mark, str, float]]:
        """Forms of the operand newer than the operator: where, what, and the spec version that brought it."""
        return []

    def texts(self, operand: Located) -> list[dict[str, str]]:
        """Learner-facing words the operand gives per language (``en`` always), for reports in other languages."""
        return []


def _operators() -> tuple[Operator, ...]:
    from grader.spec.operators.any_ import AnyValue
    from grader.spec.operators.capture import Capture
    from grader.spec.operators.datetime_ import DateTime
    from grader.spec.operators.eq import Eq
    from grader.spec.operators.len_ import Len
    from grader.spec.operators.not_ import Not
    from grader.spec.operators.numeric import Approx, Between, Gt, Gte, Lt, Lte
    from grader.spec.operators.one_of import OneOf
    from grader.spec.operators.re_ import Re
    from grader.spec.operators.subset import Subset
    from grader.spec.operators.type_ import Type

    # In the format's order: "did you mean" and the JSON Schema list them so.
    return (Re(), Type(), AnyValue(), Subset(), Eq(), OneOf(), DateTime(), Gt(), Gte(), Lt(), Lte(), Between(),
            Approx(), Capture(), Not(), Len())


OPERATORS: dict[str, Operator] = {op.name: op for op in _operators()}
