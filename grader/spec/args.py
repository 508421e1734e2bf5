"""What a step kind's argument may be, declared once.

A step kind says what its argument is with one of these (as a docutils
directive declares its ``option_spec``); the JSON Schema and the loader's
checks are both read from that declaration, so they cannot drift apart.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from grader.spec import match, payload

if TYPE_CHECKING:
    from grader.errors import Mark, SpecError
    from grader.spec.flow import Flow
    from grader.spec.loader import Step
    from grader.spec.yamlnodes import Located

MAX_SECONDS = 3600
DEFAULT_CLIENT = "ws"
CLIENT_VAR = "$var:"  # Step.client for client: {$var: NAME}, filled in by the repeat at run time
CLIENT_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")
VARIABLE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")  # as the schema's pattern reads it, in every validator


class Reader(Protocol):
    """The loader's side of reading an argument: where errors go, and its shared readers.

    ``flow`` and ``client`` are the step being read: what each client can do there, and the step's client.
    """

    errors: list[SpecError]
    flow: Flow
    client: str
    client_rounds: dict[str, str]

    def error(self, mark: Mark, message: str) -> None: ...

    def integer(self, node: Located | None, what: str, default: int = 0, minimum: int = 0) -> int: ...

    def names(self, node: Located | None, what: str) -> tuple[str, ...]: ...

    def string_map(self, node: Located | None, what: str, scalars: bool = False) -> dict[str, Any]: ...

    def matcher(self, node: Located, variables: frozenset[str]) -> bool: ...

    def never(self, node: Located, kinds: frozenset[str], why: str, instead: str = "") -> None: ...

    def steps(self, node: Located, flow: Flow, variables: frozenset[str]) -> tuple[Step, ...]: ...

    def seconds(self, node: Located | None, what: str, default: float) -> float: ...

    def string(self, node: Located | None, what: str, default: str | None = None) -> str | None: ...

    def mapping(self, node: Located, keys: dict[str, bool] | tuple[str, ...], what: str) -> dict[str, Located] | None: ...

    def newer(self, mark: Mark, what: str, since: float) -> bool: ...


class Arg(Protocol):
    def schema(self) -> dict[str, Any]: ...

    def read(self, reader: Reader, node: Located, what: str, variables: frozenset[str]) -> Any: ...


@dataclass(frozen=True)
class Seconds:
    """A number of seconds of the grader's clock, above 0 and at most an hour."""

    description: str
    default: float = 1.0

    def schema(self) -> dict[str, Any]:
        return {"type": "number", "exclusiveMinimum": 0, "maximum": MAX_SECONDS, "description": self.description}

    def read(self, reader: Reader, node: Located, what: str, variables: frozenset[str]) -> float:
        return reader.seconds(node, what, self.default)


@dataclass(frozen=True)
class Template:
    """A value to send: plain data, with ``$var``, ``$ref`` and ``$concat`` filled in; ``text`` wants a string."""

    text: bool = False

    def schema(self) -> dict[str, Any]:
        return {"$ref": "#/$defs/template"}

    def read(self, reader: Reader, node: Located, what: str, variables: frozenset[str]) -> Any:
        if self.text and not (isinstance(node.value, str)
                              or match.operator_of(node.value) in match.TEMPLATE_OPERATORS):
            reader.error(node.mark, f"{what} needs a string (or {{$var: ...}} / {{$concat: ...}}), not {node.kind}")
        for error in match.validate(node, variables, allow_match=False):
            reader.error(error.mark, error.message)
        return node.plain()


@dataclass(frozen=True)
class Payload:
    """Bytes: a string (UTF-8), or {hex}, {base64}, {generate}, {concat}, {slice} (see grader.spec.payload)."""

    def schema(self) -> dict[str, Any]:
        return {"$ref": "#/$defs/payload"}

    def read(self, reader: Reader, node: Located, what: str, variables: frozenset[str]) -> Any:
        for error in payload.validate(node):
            reader.error(error.mark, error.message)
        return node.plain()


def close_code(reader: Reader, node: Located) -> int:
    """A close code a spec names: 1000 to 4999."""
    value = node.value
    if not isinstance(value, int) or isinstance(value, bool) or not 1000 <= value <= 4999:
        reader.error(node.mark, f"a close code is an integer from 1000 to 4999, not {match.show(value)}")
        return 1000
    return value
