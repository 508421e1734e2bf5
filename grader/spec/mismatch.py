"""What a failed match says: where the value went wrong, what was expected, what arrived (values shown cut to size).

Shared by :mod:`grader.spec.match` and every operator module
(``grader/spec/operators/``), which hold no other state in common.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from grader.spec import jsonsafe


@dataclass(frozen=True)
class Mismatch:
    """Where and how a value differs from what was expected."""

    path: str
    expected: str
    actual: str
    # True when the difference is a key an exact object does not allow ({$subset: ...} would have).
    exact: bool = False

    def __str__(self) -> str:
        where = "" if self.path == "$" else f"at {self.path}: "
        return f"{where}expected {self.expected}, got {self.actual}"


def show(value: Any, limit: int = 200) -> str:
    """A value as JSON (or repr for bytes), cut to ``limit`` characters."""
    if isinstance(value, bytes | bytearray):
        text = repr(bytes(value[:limit]))
        if len(value) > limit:
            text += f"… ({len(value)} bytes)"
        return text
    if isinstance(value, str) and len(value) > limit:
        # Cut first: answers can be megabytes long.
        return json.dumps(value[:limit], ensure_ascii=False) + f"… ({len(value)} characters)"
    try:
        text = json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        text = repr(value)
    except RecursionError:
        # An app's JSON nested thousands deep: written without the call stack, and only as far as shown.
        text = jsonsafe.dumps(value, limit + 1)
    if len(text) > limit:
        text = text[:limit] + f"… ({len(text)} characters)"
    return text


def is_number(value: Any) -> bool:
    """A JSON number: an int or a float, never a boolean."""
    return isinstance(value, int | float) and not isinstance(value, bool)
