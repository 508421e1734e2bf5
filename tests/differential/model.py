"""What a differential case is (an app and a scripted client) and what a run of it observed.

Both runners (``real.py``: real uvicorn and the ``websockets`` client;
``judged.py``: the grader's judge, relay and host) play the same script and
describe what their client saw as an :class:`Observation`. Two observations
are equal when every compared field is; ``notes`` (exception types, log
lines, the grader's refusal close code, ...) are shown, never compared.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import metadata
from typing import Any

from packaging.version import Version

# --- the scripted client ----------------------------------------------------------


@dataclass(frozen=True)
class SendText:
    text: str


@dataclass(frozen=True)
class SendBytes:
    data: bytes

    def __repr__(self) -> str:  # a 17 MiB payload must not fill a pytest report
        return f"SendBytes(<{len(self.data)} bytes>)" if len(self.data) > 64 else f"SendBytes({self.data!r})"


@dataclass(frozen=True)
class Recv:
    """Wait up to ``timeout`` seconds for the next frame; records the frame, ``silence`` or nothing once ended."""

    timeout: float = 1.0


@dataclass(frozen=True)
class Close:
    """The client closes with ``code`` (no reason: the grader's client cannot send one)."""

    code: int = 1000


@dataclass(frozen=True)
class Wait:
    seconds: float


@dataclass(frozen=True)
class SendFrame:
    """One frame written byte by byte (grader.spec.rawframe): invalid UTF-8, fragments, reserved bits..."""

    opcode: int
    payload: bytes = b""
    fin: bool = True
    rsv: int = 0
    masked: bool = True


@dataclass(frozen=True)
class Ping:
    """A ping; the pong that answers it within ``timeout`` is recorded among the frames ("pong b'..'")."""

    payload: bytes = b""
    timeout: float = 1.0


@dataclass(frozen=True)
class CloseRaw:
    """The client's close frame with this payload as it is (b"": no code at all); the client is done."""

    payload: bytes = b""


Action = SendText | SendBytes | Recv | Close | Wait | SendFrame | Ping | CloseRaw


@dataclass(frozen=True)
class Case:
    id: str
    checks: str  # what the case checks, one line
    build: Callable[[], Any]  # a fresh ASGI app per run
    script: tuple[Action, ...] = ()
    path: str = "/ws"
    query: str = ""
    headers: tuple[tuple[str, str], ...] = ()
    subprotocols: tuple[str, ...] = ()
    # Response headers of an accepted handshake worth comparing (lower-case names).
    want_headers: tuple[str, ...] = ()
    # The app's lifespan must run (it then gets a uvicorn server of its own).
    lifespan: bool = False
    # A uvicorn server of its own anyway (an endpoint that outlives the case must not slow the next one).
    own_server: bool = False
    # After the script, how long to wait for more frames and the end of the connection.
    drain: float = 0.3
    # The client is still sending when uvicorn fails the connection: the close frame can be lost to a
    # TCP reset (the client then sees 1006). The real runner tries again and keeps the close frame.
    tcp_reset_race: bool = False
    # Real seconds this case may take on uvicorn (the corpus keeps to 0.5 s unless time is the point).
    budget: float = 0.5
    # What the endpoint itself heard, read from the app once it ended (the ``app`` field); None: not compared.
    report: Callable[[Any], str] | None = None
    # Asserted under uvicorn's wsproto too: the fields where it shows otherwise than websockets-sansio, with
    # what it shows (() when it shows the same). None: wsproto is only recorded.
    wsproto: tuple[tuple[str, str], ...] | None = None


# --- what the client saw -------------------------------------------------------------

ACCEPTED = "accepted"
NO_ANSWER = "no answer to the handshake"
ABORTED = "aborted by the client"
NOT_OPENED = "-"
OPEN = "open"
NO_CLOSE_FRAME = "1006 (no close frame)"
NOTHING = "nothing"
ENDED = "ended"
STILL_RUNNING = "still running"
EXCEPTION = "exception"
ERROR = "error"


@dataclass(frozen=True)
class Observation:
    handshake: str  # "accepted", "accepted, subprotocol 'x'", "refused HTTP 403", ABORTED, NO_ANSWER
    headers: tuple[tuple[str, str], ...]  # the wanted response headers of an accepted handshake
    received: tuple[str, ...]  # frames in order ("text 'hi'", "bytes b'..'"), "silence" for a Recv that timed out
    end: str  # "server closed 1000 'bye'", "client closed 1000", NO_CLOSE_FRAME, OPEN, NOT_OPENED
    logged: str  # NOTHING, EXCEPTION ("Exception in ASGI application"), ERROR (another ERROR record), or both
    # Once the client was done (closed, or left after the script): did the endpoint end within a second?
    endpoint: str = "ended"  # or STILL_RUNNING
    notes: tuple[str, ...] = field(default=(), compare=False)
    app: str = "-"  # what the endpoint heard (Case.report), "-" when the case does not say

    def fields(self) -> dict[str, str]:
        return {
            "handshake": self.handshake,
            "headers": ", ".join(f"{k}: {v}" for k, v in self.headers) or "-",
            "received": "; ".join(self.received) or "-",
            "end": self.end,
            "logged": self.logged,
            "endpoint": self.endpoint,
            "app": self.app,
        }

    def short(self) -> str:
        """One line: the compared fields, then the notes in brackets."""
        parts = [f"{k}={v}" for k, v in self.fields().items()
                 if not (k in ("headers", "app") and v == "-") and not (k == "endpoint" and v == "ended")]
        text = " | ".join(parts)
        return text + (f"  [{'; '.join(self.notes)}]" if self.notes else "")

    def diff(self, other: Observation) -> list[str]:
        mine, theirs = self.fields(), other.fields()
        return [k for k in mine if mine[k] != theirs[k]]


def show_frame(data: str | bytes, limit: int = 60) -> str:
    """A frame as a short, stable string: short payloads verbatim, long ones by length and digest."""
    kind = "bytes" if isinstance(data, bytes | bytearray) else "text"
    raw = bytes(data) if kind == "bytes" else str(data).encode("utf-8", "surrogatepass")
    shown = repr(bytes(data)) if kind == "bytes" else repr(data)
    if len(shown) <= limit:
        return f"{kind} {shown}"
    return f"{kind} <{len(raw)} bytes sha1 {hashlib.sha1(raw).hexdigest()[:10]}>"


def summarised(received: list[str], keep: int = 3, limit: int = 40) -> tuple[str, ...]:
    """A long run of frames as its first and last few plus a count and digest of the whole."""
    if len(received) <= limit:
        return tuple(received)
    digest = hashlib.sha1("\n".join(received).encode("utf-8", "surrogatepass")).hexdigest()[:10]
    return (*received[:keep], f"… {len(received)} entries in all, sha1 {digest} …", *received[-keep:])


def closed(by: str, code: int, reason: str = "") -> str:
    if code == 1006:
        return NO_CLOSE_FRAME
    return f"{by} closed {code}" + (f" {reason!r}" if reason else "")


def logged(kinds: set[str]) -> str:
    return "+".join(sorted(kinds)) if kinds else NOTHING


# Differences the grader keeps on purpose (listed in the README): the one field
# that differs, what uvicorn (websockets-sansio) shows, what the grader shows, and why.
_DENIAL = ("uvicorn's websockets-sansio logs 'ASGI callable returned without completing handshake' after a complete "
           "denial response (its handshake_complete stays False when initial_response is used; wsproto does not): a "
           "correct refusal is not the learner's error, so the grader does not count it as one")
# uvicorn 0.55 fixed that log line: from then on the grader and uvicorn agree.
_UVICORN = Version(metadata.version("uvicorn"))
_NOT_UTF8 = ("uvicorn's websockets-sansio logs 'Invalid UTF-8 sequence received from client.' at ERROR when a client "
             "sends a text message that is not UTF-8 (wsproto logs nothing): the client broke the protocol, not the app, "
             "so the grader does not count it against the app")
DELIBERATE: dict[str, tuple[str, str, str, str]] = {
    **{case_id: ("logged", "error", "nothing", _DENIAL)
       for case_id in ("refuse-denial-response", "refuse-http-exception", "dep-http-exception")
       if Version("0.55") > _UVICORN},
    **{case_id: ("logged", "error", "nothing", _NOT_UTF8)
       for case_id in ("raw-text-not-utf8", "raw-fragments-not-utf8", "raw-not-utf8-then-send")},
    "raw-not-utf8-then-close": ("logged", "error+exception", "exception", _NOT_UTF8),
}
