"""One cause, one message: which failed checks share a root cause, and when a check's hint applies.

Every renderer asks here, so the text report and the HTML page group the
same checks and show the same hints. A cause shared by several checks (an
exception at one line, a refusal, a crash left over from an earlier check,
a client an earlier exception left behind, an endpoint that returns after one message) is reported once, naming the
checks it sank, and with at most the one hint that is about that cause:
each hint is about what its own check tests.
"""

from __future__ import annotations

import re

from grader.result import CheckResult, Failure, Kind

Key = tuple[object, ...]

# A client leaving, or a send to one that left: never the root of a chain other checks share.
_DISCONNECTS = frozenset({"WebSocketDisconnect", "WebSocketDisconnected", "ClientDisconnected"})

# Exception names written in a hint ("... lets WebSocketDisconnect escape", "so it doesn't raise KeyError").
# A Korean particle may follow the name directly (`WebSocketDisconnect로`): the name ends where ASCII does.
_EXCEPTION = re.compile(r"(?<![A-Za-z0-9_])([A-Z][A-Za-z0-9_]*(?:Error|Exception|Disconnect|Disconnected|Interrupt|Exit))"
                        r"(?![A-Za-z0-9_])")


def cause(check: CheckResult) -> Key | None:
    """What one failure comes down to, when checks can share it; None for a failure of this check alone."""
    failure = check.failure
    if failure is None:
        return None
    if failure.errors:
        error = failure.errors[-1]
        frame = error.frames[-1] if error.frames else None
        return ("raised", error.type, error.message, frame.file if frame else "", frame.line if frame else 0)
    if failure.step is None:
        return (check.status.value, failure.kind.value, failure.message)
    if failure.kind is Kind.REFUSED:
        return ("refused", failure.message, failure.actual)
    if failure.kind in (Kind.CLOSED, Kind.TIMEOUT, Kind.CRASH, Kind.HANG):
        # The same event word for word (the endpoint returned, the server closed with the same code, nothing
        # arrived): the app did one thing, whatever each check was about to test.
        return ("event", failure.kind.value, failure.message, failure.expected, failure.actual)
    return None


def groups(checks: list[CheckResult]) -> list[list[CheckResult]]:
    """Failed checks grouped by cause, in report order; a group's first check carries the message."""
    found: dict[object, list[CheckResult]] = {}
    for index, check in enumerate(checks):
        key = cause(check)
        root = _root(check)
        if root is not None and root in found:
            key = root  # a later failure that leads back to the exception an earlier check was sunk by
        found.setdefault(index if key is None else key, []).append(check)
    return list(found.values())


def _root(check: CheckResult) -> Key | None:
    """The first exception of a chain, when the chain has more (see ``grader.judge.leftover``)."""
    failure = check.failure
    if failure is None or len(failure.errors) < 2 or failure.errors[0].type in _DISCONNECTS:
        return None
    error = failure.errors[0]
    frame = error.frames[-1] if error.frames else None
    return ("raised", error.type, error.message, frame.file if frame else "", frame.line if frame else 0)


def reached(failure: Failure) -> bool:
    """Did the check get as far as what it tests? Before that (no import, a refused handshake, a freeze),
    its hint is about something the learner cannot look at yet."""
    if failure.kind not in (Kind.MISMATCH, Kind.TIMEOUT, Kind.TIMING, Kind.CLOSED, Kind.UNCLEAN, Kind.ERROR, Kind.SOURCE,
                            Kind.FILE):
        return False
    return not (failure.step and ", connect" in failure.step.split("(", 1)[0])


def hint_for(group: list[CheckResult]) -> str | None:
    """The one hint to show under a group's message, if any applies.

    A check alone keeps its hint when it applies. A cause shared by several
    checks shows only a hint that is about that cause: the first check whose
    hint names the one exception that escaped (the KeyError a check about
    messages without "type" warns of, which also sank another check).
    """
    if len(group) == 1:
        return group[0].hint if hint_applies(group[0], shared=False) else None
    for check in group:
        failure = check.failure
        if (check.hint and failure is not None and len(failure.errors) == 1 and reached(failure)
                and failure.errors[0].type in _EXCEPTION.findall(check.hint)):
            return check.hint
    return None


def hint_applies(check: CheckResult, shared: bool) -> bool:
    """Show the check's hint only when the check failed at what the hint is about.

    Not when the cause is shared with other checks, nor before the check
    reached what it tests. A hint that names an exception is about that
    exception escaping: it applies when that exception, and only it, escaped
    (not when it was caught and the handler raised again, nor when another
    one escaped); a hint that names none is not about an exception, so it
    does not apply when the code raised.
    """
    failure = check.failure
    if not check.hint or failure is None or shared or not reached(failure):
        return False
    named = set(_EXCEPTION.findall(check.hint))
    if failure.errors:
        return len(failure.errors) == 1 and failure.errors[0].type in named
    return not named or failure.kind is Kind.UNCLEAN
