"""What a host's frames may contain, checked field by field before the judge believes any of it.

Every value here came from the learner's process, so each reader is total:
a field of the wrong type, a number out of range, a list where a mapping
belongs or a missing key is a :class:`wire.ProtocolError` (the learner's
process broke the protocol), or, where the field only words a report, is
dropped; nothing else can escape into the judge. Texts are cut to size so a
report holds no more than it shows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from grader import wire
from grader.result import Raised, SourceLine

# The host numbers nothing larger (connection ids, asks, frame counts, nanoseconds).
MAX_INT = (1 << 63) - 1
# Lifecycle events: what a host says about itself outside any connection.
EVENTS = frozenset({"ready", "loaded", "load_failed", "started", "setup_failed", "crashed", "stopped",
                    "shutdown_failed"})
# Fields of a lifecycle event the judge words its reports from, each cut to this many characters.
_EVENT_TEXTS = {"reason": 40, "message": 2000, "module": 200, "attr": 200, "kind": 80, "value": 200, "exit": 40}


@dataclass(frozen=True)
class AppError:
    """What escaped the learner's endpoint, as the host described it (learner frames only)."""

    errors: tuple[Raised, ...]
    exit: str | None = None  # "SystemExit" or "KeyboardInterrupt": the code meant to stop the server

    @property
    def type(self) -> str:
        return self.errors[-1].type if self.errors else "Exception"

    @property
    def message(self) -> str:
        return self.errors[-1].message if self.errors else ""

    def headline(self) -> str:
        return self.errors[-1].headline() if self.errors else self.type


def want(condition: bool, what: str) -> None:
    if not condition:
        raise wire.ProtocolError(what)


def number(header: dict[str, Any], key: str, low: int = 0, high: int = MAX_INT) -> int:
    """An integer field within [low, high] (booleans are not numbers here)."""
    value = header.get(key)
    want(type(value) is int and low <= value <= high,
         f"a {header['op']} message whose {key} is not a number from {low} to {high}")
    return int(value)


def maybe_number(header: dict[str, Any], key: str) -> int | None:
    return None if header.get(key) is None else number(header, key)


def text(header: dict[str, Any], key: str, default: str | None = "") -> str | None:
    value = header.get(key, default)
    want(value is None or isinstance(value, str), f"a {header['op']} message whose {key} is not text")
    return value


def header_pairs(header: dict[str, Any]) -> list[tuple[bytes, bytes]]:
    """HTTP headers as the host sent them: a list of [name, value] text pairs."""
    value = header.get("headers", [])
    want(isinstance(value, list) and len(value) <= 1000, f"a {header['op']} with malformed headers")
    pairs = []
    for pair in value:
        want(isinstance(pair, list) and len(pair) == 2 and all(isinstance(p, str) for p in pair),
             f"a {header['op']} with a malformed header")
        pairs.append((pair[0].encode("latin-1", "replace"), pair[1].encode("latin-1", "replace")))
    return pairs


def lines_from_wire(data: Any) -> list[SourceLine]:
    """Source lines as the host sent them, each field cut to size; malformed entries are left out."""
    if not isinstance(data, list):
        return []
    lines = []
    for f in data[:64]:
        if not isinstance(f, dict):
            continue
        line = f.get("line")
        if type(line) is not int or not 0 <= line <= MAX_INT:
            continue
        lines.append(SourceLine(_cut(f.get("file"), 500), line, _cut(f.get("function"), 200), _cut(f.get("code"), 500)))
    return lines


def raised_from_wire(data: Any) -> tuple[Raised, ...]:
    """Exceptions as the host described them (first cause first), each field cut to size."""
    if not isinstance(data, list):
        return ()
    return tuple(Raised(_cut(e.get("type"), 200) or "Exception", _cut(e.get("message"), 2000),
                        tuple(lines_from_wire(e.get("frames", []))))
                 for e in data[:8] if isinstance(e, dict))


def app_error(data: Any) -> AppError | None:
    """The error an ``ended`` frame reports, if any."""
    if data is None:
        return None
    want(isinstance(data, dict), "an ended whose error is not an object")
    stops = data.get("exit")
    return AppError(raised_from_wire(data.get("errors", [])), stops if stops in ("SystemExit", "KeyboardInterrupt")
                    else None)


def event_from_wire(header: dict[str, Any]) -> dict[str, Any]:
    """A lifecycle event as the judge keeps it: only the fields its reports read, each of its type and size."""
    event: dict[str, Any] = {"op": header["op"]}
    for key, limit in _EVENT_TEXTS.items():
        if key in header and header[key] is not None:
            event[key] = _cut(header[key], limit)
    if "errors" in header:
        # Kept in the wire's shape, already checked: its readers call raised_from_wire again.
        event["errors"] = [{"type": r.type, "message": r.message,
                            "frames": [{"file": f.file, "line": f.line, "function": f.function, "code": f.code}
                                       for f in r.frames]}
                           for r in raised_from_wire(header["errors"])]
    if isinstance(header.get("found"), list):
        event["found"] = [_cut(f, 200) for f in header["found"][:10]]
    if header["op"] == "loaded":
        routes = header.get("routes", [])
        protections = header.get("protections", {})
        want(isinstance(routes, list) and isinstance(protections, dict), "a loaded with malformed routes")
        event["routes"] = [_cut(r, 500) for r in routes[:200]]
        event["protections"] = {_cut(k, 100): bool(v) for k, v in list(protections.items())[:50]}
    return event


def _cut(value: Any, limit: int) -> str:
    """A text field as text, cut to ``limit`` characters; anything that is not text becomes ``""``."""
    if isinstance(value, str):
        return value[:limit]
    if value is None or isinstance(value, bool) or not isinstance(value, int | float):
        return ""
    # Numbers are shown as the host wrote them (str() of an int is bounded by the header's size).
    return str(value)[:limit]
