"""The one result model every renderer, the progress store and CI read.

A grading run produces a :class:`Result`: one :class:`CheckResult` per check
in spec order. A failed check carries a :class:`Failure` (which step, what was
expected, what arrived, the learner's own error if their code raised) and the
transcript of frames up to the failure. Results cross the process boundary
as JSON (``to_dict`` / ``from_dict``), so they hold only plain data.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, replace
from enum import Enum, StrEnum
from typing import Any

RESULT_FORMAT = "grader-result/1"


class Status(StrEnum):
    PASSED = "passed"
    FAILED = "failed"
    NOT_RUN = "not_run"  # could not run (e.g. the app never imported); never counts as passed


class Kind(StrEnum):
    """Why a check failed; renderers and hints key on it."""

    MISMATCH = "mismatch"  # a message arrived but was not the expected one
    TIMEOUT = "timeout"  # nothing arrived in time
    TIMING = "timing"  # it arrived, but outside the time window the spec gives (after/within)
    CLOSED = "closed"  # the server closed (or returned) when it should not have
    REFUSED = "refused"  # the handshake went the other way than expected
    UNCLEAN = "unclean"  # the endpoint did not end cleanly after the client left
    ERROR = "error"  # the learner's code raised
    SOURCE = "source"  # a rule about the learner's source code
    FILE = "file"  # a file the app should have written
    HANG = "hang"  # blocked the event loop past the wall-clock limit
    CRASH = "crash"  # the grading process died (exit, signal, memory)
    IMPORT = "import"  # the learner's file could not be imported
    INTERNAL = "internal"  # the grader's own machinery failed: not the learner's fault


@dataclass(frozen=True)
class SourceLine:
    file: str
    line: int
    function: str
    code: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line} in {self.function}"


@dataclass(frozen=True)
class Raised:
    """One exception from learner code, with only the learner's frames."""

    type: str
    message: str
    frames: tuple[SourceLine, ...] = ()

    @property
    def where(self) -> SourceLine | None:
        return self.frames[-1] if self.frames else None

    def headline(self) -> str:
        where = self.where
        at = f" at {where.file}:{where.line}" if where else ""
        return f"{self.type}: {self.message}{at}" if self.message else f"{self.type}{at}"


@dataclass(frozen=True)
class Frame:
    """One line of a transcript: what crossed the wire, when, on which client."""

    at: float  # seconds of the grader's clock since the check began
    client: str
    direction: str  # "sent", "received" or "event"
    text: str


@dataclass(frozen=True)
class Failure:
    kind: Kind
    message: str
    step: str | None = None  # e.g. "step 3, expect_json (t3l2.yaml:25)"
    expected: str | None = None
    actual: str | None = None
    # First cause first: the exception that started it, then what it led to.
    errors: tuple[Raised, ...] = ()


@dataclass(frozen=True)
class CheckResult:
    name: str
    status: Status
    max_points: int
    points: int = 0
    hidden: bool = False
    hint: str | None = None
    failure: Failure | None = None
    transcript: tuple[Frame, ...] = ()
    clock_seconds: float = 0.0  # the grader's (virtual) clock
    wall_seconds: float = 0.0
    output: str = ""  # what the learner's code printed while this check ran (part of Result.output)
    title: str = ""  # the name in the report's language (the spec's `name: {en, ko}`); `name` stays English

    @property
    def shown(self) -> str:
        return self.title or self.name

    @property
    def passed(self) -> bool:
        return self.status is Status.PASSED


@dataclass(frozen=True)
class Result:
    exercise: str
    title: str
    app: str
    xp: int
    checks: tuple[CheckResult, ...]
    output: str = ""  # what the learner's code printed, possibly cut
    output_dropped: int = 0  # bytes of output not kept
    wall_seconds: float = 0.0
    # Hidden checks that were not run here (they run on submission): how many
    # and their points. Their names and contents are never part of a result.
    hidden_pending: int = 0
    hidden_points: int = 0
    # Classic mistakes named with their line and fix (a missing await, a plain def endpoint...).
    diagnoses: tuple[str, ...] = ()
    # The sandbox's protections, by name: on or off for this run (what `grade doctor` lists,
    # plus what the judge itself made sure of), and those a class's grading needs that were off.
    protections: tuple[tuple[str, bool], ...] = ()
    unprotected: tuple[str, ...] = ()

    @property
    def passed(self) -> bool:
        """Every check that ran passed."""
        return bool(self.checks) and all(c.passed for c in self.checks)

    @property
    def complete(self) -> bool:
        """Every check of the exercise ran: the score is the full score."""
        return self.hidden_pending == 0

    @property
    def points(self) -> int:
        return sum(c.points for c in self.checks)

    @property
    def max_points(self) -> int:
        return sum(c.max_points for c in self.checks)

    @property
    def passed_count(self) -> int:
        return sum(1 for c in self.checks if c.passed)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data = {
            "format": RESULT_FORMAT,
            **data,
            "passed": self.passed,
            "complete": self.complete,
            "points": self.points,
            "max_points": self.max_points,
        }
        data["protections"] = dict(self.protections)
        for check in data["checks"]:
            check["passed"] = check["status"] == Status.PASSED
            check["message"] = _message(check)
        return _plain(data)

    def protection_note(self) -> str:
        """One sentence for every format when a protection a class's grading needs was off; else ""."""
        if not self.unprotected:
            return ""
        return ("Sandbox warning: graded without " + ", ".join(self.unprotected) + " (see `grade doctor`); "
                "a hostile submission could have changed this result.")

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Result:
        return cls(
            exercise=data["exercise"],
            title=data["title"],
            app=data["app"],
            xp=data["xp"],
            checks=tuple(check_from_dict(c) for c in data["checks"]),
            output=data.get("output", ""),
            output_dropped=data.get("output_dropped", 0),
            wall_seconds=data.get("wall_seconds", 0.0),
            hidden_pending=data.get("hidden_pending", 0),
            hidden_points=data.get("hidden_points", 0),
            diagnoses=tuple(str(d) for d in data.get("diagnoses", [])),
            protections=tuple((str(k), bool(v)) for k, v in dict(data.get("protections", {})).items()),
            unprotected=tuple(str(n) for n in data.get("unprotected", [])),
        )


def _message(check: dict[str, Any]) -> str:
    failure = check.get("failure")
    return "" if not failure else failure["message"]


def _plain(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def check_to_dict(check: CheckResult) -> dict[str, Any]:
    data: dict[str, Any] = _plain(asdict(check))
    return data


def check_from_dict(data: dict[str, Any]) -> CheckResult:
    failure = data.get("failure")
    return CheckResult(
        name=data["name"],
        status=Status(data["status"]),
        max_points=data["max_points"],
        points=data.get("points", 0),
        hidden=data.get("hidden", False),
        hint=data.get("hint"),
        failure=failure_from_dict(failure) if failure else None,
        transcript=tuple(Frame(**f) for f in data.get("transcript", ())),
        clock_seconds=data.get("clock_seconds", 0.0),
        wall_seconds=data.get("wall_seconds", 0.0),
        output=data.get("output", ""),
        title=data.get("title", ""),
    )


def failure_from_dict(data: dict[str, Any]) -> Failure:
    return Failure(
        kind=Kind(data["kind"]),
        message=data["message"],
        step=data.get("step"),
        expected=data.get("expected"),
        actual=data.get("actual"),
        errors=tuple(
            Raised(e["type"], e["message"], tuple(SourceLine(**f) for f in e.get("frames", ()))) for e in data.get("errors", ())
        ),
    )


_CONTROL = {c: f"\\x{c:02x}" for c in (*range(0x00, 0x09), *range(0x0B, 0x20), 0x7F, *range(0x80, 0xA0))}
# Bidirectional formatting characters reorder what a terminal or an editor shows (Trojan Source,
# CVE-2021-42574): the marks, embeddings, overrides and isolates of Unicode's UAX #9.
_CONTROL.update({c: f"\\u{c:04x}" for c in (0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A))})


def printable(text: str) -> str:
    """``text`` with control characters written out (``\\x1b``, ``\\u202e``): learner bytes never steer a
    terminal or reorder what it shows. Newlines and tabs stay: reports lay out with them."""
    return text.translate(_CONTROL)


def one_line(text: str) -> str:
    """``text`` made printable on one line: newlines and tabs written out too (names in a table)."""
    return printable(text).replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def sanitized(result: Result) -> Result:
    """The result with every string that came from the learner's app made printable."""

    def failure(f: Failure | None) -> Failure | None:
        if f is None:
            return None
        return replace(
            f,
            message=printable(f.message),
            expected=printable(f.expected) if f.expected is not None else None,
            actual=printable(f.actual) if f.actual is not None else None,
            errors=tuple(
                Raised(printable(e.type), printable(e.message),
                       tuple(replace(s, file=printable(s.file), code=printable(s.code), function=printable(s.function))
                             for s in e.frames))
                for e in f.errors
            ),
        )

    checks = tuple(
        replace(c, failure=failure(c.failure), output=printable(c.output),
                transcript=tuple(replace(fr, text=printable(fr.text)) for fr in c.transcript))
        for c in result.checks
    )
    return replace(result, checks=checks, output=printable(result.output), app=printable(result.app),
                   diagnoses=tuple(printable(d) for d in result.diagnoses))


def relocated(result: Result, name: str, shown: str) -> Result:
    """``name:LINE`` locations of the learner's file written as ``shown:LINE`` (a path they can click)."""
    if name == shown:
        return result
    pattern = re.compile(r"(?<![\w./-])" + re.escape(name) + r"(?=:\d)")

    def moved(text: str) -> str:
        return pattern.sub(shown.replace("\\", "\\\\"), text)

    def failure(f: Failure | None) -> Failure | None:
        if f is None:
            return None
        return replace(
            f, message=moved(f.message), actual=moved(f.actual) if f.actual is not None else None,
            errors=tuple(replace(e, message=e.message, frames=tuple(
                replace(s, file=shown) if s.file == name else s for s in e.frames)) for e in f.errors))

    checks = tuple(replace(c, failure=failure(c.failure)) for c in result.checks)
    return replace(result, checks=checks, diagnoses=tuple(moved(d) for d in result.diagnoses))
