"""What a step kind's argument may be, declared once.

A step kind says what its argument is with one of these (as a docutils
directive declares its ``option_spec``); the JSON Schema and the loader's
checks are both read from that declaration, so they cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from grader.spec.yamlnodes import Located

MAX_SECONDS = 3600


class Reader(Protocol):
    """The loader's side of reading an argument: where errors go, and its shared readers."""

    def error(self, mark: Any, message: str) -> None: ...

    def seconds(self, node: Located | None, what: str, default: float) -> float: ...


class Arg(Protocol):
    def schema(self) -> dict[str, Any]: ...

    def read(self, reader: Reader, node: Located, what: str) -> Any: ...


@dataclass(frozen=True)
class Seconds:
    """A number of seconds of the grader's clock, above 0 and at most an hour."""

    description: str
    default: float = 1.0

    def schema(self) -> dict[str, Any]:
        return {"type": "number", "exclusiveMinimum": 0, "maximum": MAX_SECONDS, "description": self.description}

    def read(self, reader: Reader, node: Located, what: str) -> float:
        return reader.seconds(node, what, self.default)
