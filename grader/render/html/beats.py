"""A check's transcript read as the steps of a sequence diagram, in the reader's language.

The judge writes each transcript line once, in English, for the text report
(``grader/judge/driver.py``); this module recognises those lines, says which
lane each goes from and to, and words them again for the page. Idle time on
the grader's clock between two lines becomes a gap, and the learner's escaped
exception and the failed step become beats of their own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from grader.i18n import say
from grader.result import CheckResult, Frame

SERVER = "server"
# Idle time on the grader's clock worth drawing as a gap (silence, waits, timers).
GAP_SECONDS = 0.5


@dataclass(frozen=True)
class Beat:
    """One row of the diagram."""

    kind: str  # connect, accept, refuse, close, drop, message, note, gap, error, failure
    at: float
    source: str | None  # a lane; None for a row across every lane
    target: str | None  # a lane for an arrow; None for a note on ``source``
    label: str  # what the arrow says (shortened when drawn)
    full: str  # the whole text, shown on hover and in the transcript table
    tone: str = ""  # "ok", "bad" or "" (neutral)
    dashed: bool = False
    detail: tuple[str, ...] = ()  # more lines under the label (the failed step's expected and got)
    error: str = ""  # the exception's type, on the beat where the learner's code raised it


_SERVER_CLOSED = re.compile(r"server closed the connection: code (\d+)(?: (.*))?$", re.S)
_CLIENT_CLOSES = re.compile(r"client disconnects \(code (\d+)(?:, reason (.*))?\)$", re.S)
_REFUSED = re.compile(r"refused: HTTP (\d+)(?: \(closed with code (\S+?)(?: (.*))?\))?$", re.S)
_BINARY = re.compile(r"binary frame of (\d+) bytes ?(.*)$", re.S)
_EARLIER = re.compile(r"… (\d+) earlier lines not shown$")


def beats(check: CheckResult, lang: str) -> list[Beat]:
    """The rows of ``check``'s diagram, in order."""
    rows: list[Beat] = []
    previous: float | None = None
    for frame in check.transcript:
        if previous is not None and frame.at - previous >= GAP_SECONDS:
            seconds = _seconds(frame.at - previous)
            text = say(lang, "{seconds} s of the grader's clock pass with nothing on the wire", seconds=seconds)
            rows.append(Beat("gap", previous, None, None, text, text))
        previous = frame.at
        rows.append(_beat(frame, lang))
    failure = check.failure
    if failure is None:
        return rows
    if failure.errors:
        rows.insert(_error_position(rows), _error(failure.errors[0].headline(), failure.errors[0].type,
                                                   rows[-1].at if rows else 0.0, lang))
    step = failure.step or say(lang, "before the conversation began")
    at = rows[-1].at if rows else 0.0
    detail = tuple(
        f"{name}: {value}"
        for name, value in ((say(lang, "expected"), failure.expected), (say(lang, "got"), failure.actual))
        if value is not None
    )
    rows.append(Beat("failure", at, None, None, "✗ " + step, "\n".join((failure.message, *detail)), "bad",
                     detail=detail))
    return rows


def lanes(rows: list[Beat]) -> list[str]:
    """Clients in the order they first appear, then the server."""
    found: list[str] = []
    for row in rows:
        for lane in (row.source, row.target):
            if lane and lane != SERVER and lane not in found:
                found.append(lane)
    return [*found, SERVER]


def _seconds(value: float) -> str:
    return f"{value:.1f}" if value < 100 else f"{value:.0f}"


def _beat(frame: Frame, lang: str) -> Beat:
    client, text = frame.client or SERVER, frame.text
    if frame.direction in ("sent", "received"):
        label = _payload(text, lang)
        source, target = (client, SERVER) if frame.direction == "sent" else (SERVER, client)
        return Beat("message", frame.at, source, target, label, text)
    if text.startswith("connect "):
        return Beat("connect", frame.at, client, SERVER, say(lang, "connect {path}", path=text[8:]), text, dashed=True)
    if text == "accepted" or text.startswith("accepted ("):
        sub = text[len("accepted ("):-1].removeprefix("subprotocol ") if text != "accepted" else ""
        label = say(lang, "accept") if not sub else say(lang, "accept (subprotocol {name})", name=sub)
        return Beat("accept", frame.at, SERVER, client, label, text, "ok", dashed=True)
    match = _REFUSED.match(text)
    if match:
        status, code, reason = match.groups()
        label = say(lang, "refused: HTTP {status}", status=status)
        if code:
            label += " · " + _close(code, reason, lang)
        return Beat("refuse", frame.at, SERVER, client, label, text, "bad", dashed=True)
    match = _SERVER_CLOSED.match(text)
    if match:
        code, reason = match.groups()
        label = say(lang, "close") + " · " + _close(code, reason, lang)
        return Beat("close", frame.at, SERVER, client, label, text, "" if code in ("1000", "1001") else "bad")
    match = _CLIENT_CLOSES.match(text)
    if match:
        code, reason = match.groups()
        return Beat("close", frame.at, client, SERVER, say(lang, "close") + " · " + _close(code, reason, lang), text)
    if text.startswith("the connection dropped without a close frame"):
        label = say(lang, "dropped without a close frame (a real client sees 1006)")
        return Beat("drop", frame.at, SERVER, client, label, text, "bad", dashed=True)
    if text.startswith("handshake aborted by the client: "):
        label = say(lang, "the client aborts the handshake")
        return Beat("note", frame.at, client, None, label, text, "bad")
    if text == "no answer to the handshake":
        label = say(lang, "no answer to the handshake")
        return Beat("note", frame.at, client, None, label, text, "bad")
    match = _EARLIER.match(text)
    if match:
        label = say(lang, "… {n} earlier lines not shown", n=match.group(1))
        return Beat("note", frame.at, None, None, label, label)
    return Beat("note", frame.at, client, None, text, text)


def _payload(text: str, lang: str) -> str:
    if text.startswith("text "):
        return text[5:]
    match = _BINARY.match(text)
    if match:
        size, shown = match.groups()
        return say(lang, "binary, {n} bytes", n=size) + (f" {shown}" if shown else "")
    return text


def _close(code: str, reason: str | None, lang: str) -> str:
    if reason:
        return say(lang, "close code {code}, close reason {reason}", code=code, reason=reason)
    return say(lang, "close code {code}", code=code)


def _error(headline: str, kind: str, at: float, lang: str) -> Beat:
    label = say(lang, "your code raised {error}", error=kind)
    return Beat("error", at, SERVER, None, label, headline, "bad", error=kind)


def _error_position(rows: list[Beat]) -> int:
    """Just before the close or drop the exception caused, if the conversation shows one, else at the end."""
    for index in range(len(rows) - 1, -1, -1):
        row = rows[index]
        if row.kind == "message" and row.source != SERVER:
            return len(rows)
        if row.kind in ("close", "drop", "refuse") and row.source == SERVER:
            return index
    return len(rows)
