"""What the judge and the app host say to each other, and how it is framed.

The only module (with ``errors``) that both sides of the trust boundary
import. The judge trusts nothing it reads here: every frame is size-capped
and parsed defensively, and a frame it cannot read is the app host's fault,
never the grader's.

A frame is a 4-byte big-endian length, then a 4-byte length of a JSON
header, the header (an object with an ``op`` key), and the payload bytes
(message data, so the header stays small whatever the app sends)::

    judge → host   job, open, receive, cancel, time, where, shutdown
    host → judge   ready, loaded, load_failed, started, setup_failed,
                   accept, send, close, ended, runaway, idle, busy, at, exit

Times on the wire are integer nanoseconds of the judge's virtual clock.
"""

from __future__ import annotations

import json
import math
import os
import select
import struct
from collections.abc import Callable
from typing import Any

Header = dict[str, Any]

# The largest WebSocket message either side carries, and so the largest frame.
MAX_MESSAGE_BYTES = 64 << 20
MAX_HEADER_BYTES = 256 << 10
MAX_FRAME_BYTES = MAX_MESSAGE_BYTES + MAX_HEADER_BYTES + 8

# Environment of a host process: the only variables it is started with
# beyond a minimal PATH and what Python itself needs.
WIRE_FD_ENV = "GRADER_WIRE_FD"
TRACE_FD_ENV = "GRADER_TRACE_FD"
# A prestarted host may become a warm template: its end of the template channel.
TEMPLATE_FD_ENV = "GRADER_TEMPLATE_FD"

# Where the host sees things inside its sandbox (with a mount namespace).
SANDBOX_APP_DIR = "/learner"
SANDBOX_WORK_DIR = "/learner/work"

# How often a busy host says it is alive, in real seconds.
HEARTBEAT_SECONDS = 0.05

_LENGTHS = struct.Struct(">II")


def to_ns(when: float) -> int:
    """The first whole nanosecond at or after ``when`` (seconds), as a loop reads it back."""
    ns = math.ceil(when * 1e9)
    while ns / 1e9 < when:
        ns += 1
    return ns


class ProtocolError(Exception):
    """A frame that breaks the protocol: too large, not JSON, not an object, no op."""


def encode(header: Header, payload: bytes = b"") -> bytes:
    body = json.dumps(header, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return _LENGTHS.pack(4 + len(body) + len(payload), len(body)) + body + payload


def _no_constant(name: str) -> Any:
    # NaN and Infinity are Python's extension of JSON, never written by a host.
    raise ValueError(f"{name} is not JSON")


def parse_header(raw: bytes) -> Header:
    """A frame's header, or ProtocolError: whatever the bytes, nothing else escapes."""
    try:
        header = json.loads(raw.decode("utf-8"), parse_constant=_no_constant)
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        # RecursionError: a header nested thousands deep; ValueError also covers an
        # integer of more digits than Python converts.
        raise ProtocolError(f"a header that is not JSON ({str(exc)[:120]})") from None
    if not isinstance(header, dict) or not isinstance(header.get("op"), str):
        raise ProtocolError("a header without an op")
    return header


class Reader:
    """Turns a byte stream into (header, payload) frames, refusing anything malformed.

    A frame's claimed size is checked before a byte of it is kept (against
    ``max_frame`` and, when given, ``room()``: what the reader's owner can
    still hold), so no claim makes the reader grow past it. A broken frame
    ends the stream: :attr:`error` says why, and the frames read before it
    in the same chunk are still returned.
    """

    def __init__(self, max_frame: int = MAX_FRAME_BYTES, room: Callable[[], int] | None = None) -> None:
        self.max_frame = max_frame
        self.room = room
        self.buffer = bytearray()
        self.error: ProtocolError | None = None

    @property
    def partial(self) -> bool:
        """Bytes of an unfinished frame are waiting."""
        return bool(self.buffer)

    def feed(self, data: bytes) -> list[tuple[Header, bytes]]:
        """The frames ``data`` completes; after a broken one, none (see :attr:`error`)."""
        frames: list[tuple[Header, bytes]] = []
        if self.error is not None:
            return frames
        self.buffer += data
        try:
            while len(self.buffer) >= 4:
                (size,) = struct.unpack_from(">I", self.buffer)
                self._check_size(size)
                if len(self.buffer) < 4 + size:
                    break
                (head,) = struct.unpack_from(">I", self.buffer, 4)
                if head > min(size - 4, MAX_HEADER_BYTES):
                    raise ProtocolError(f"a header of {head} bytes in a frame of {size}")
                view = memoryview(self.buffer)
                try:
                    raw, payload = bytes(view[8 : 8 + head]), bytes(view[8 + head : 4 + size])
                finally:
                    view.release()
                if len(self.buffer) == 4 + size:
                    # A fresh buffer: deleting from the front keeps the old allocation (a whole frame's worth).
                    self.buffer = bytearray()
                else:
                    del self.buffer[: 4 + size]
                frames.append((parse_header(raw), payload))
        except ProtocolError as exc:
            self.error = exc
            self.buffer = bytearray()
        return frames

    def _check_size(self, size: int) -> None:
        if size < 4 or size > self.max_frame:
            raise ProtocolError(f"a frame of {size} bytes (at most {self.max_frame})")
        if self.room is not None and size > self.room():
            raise TooLarge(size)


class TooLarge(ProtocolError):
    """A frame larger than what its reader may still hold."""

    def __init__(self, size: int) -> None:
        super().__init__(f"a frame of {size} bytes, more than the room left for it")
        self.size = size


def read_frames(reader: Reader, data: bytes) -> list[tuple[Header, bytes]]:
    """Like ``reader.feed(data)``, raising the reader's error once its good frames are taken."""
    frames = reader.feed(data)
    if reader.error is not None and not frames:
        raise reader.error
    return frames


def write_all(fd: int, data: bytes) -> None:
    """Write a whole frame, waiting while the reader catches up (the host's side)."""
    view = memoryview(data)
    while view:
        try:
            written = os.write(fd, view)
        except BlockingIOError:
            select.select([], [fd], [])
            continue
        view = view[written:]


class Blocking:
    """Frames over a descriptor with blocking reads: start-up, before any event loop runs."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.reader = Reader()
        self.pending: list[tuple[Header, bytes]] = []

    def send(self, header: Header, payload: bytes = b"") -> None:
        write_all(self.fd, encode(header, payload))

    def recv(self) -> tuple[Header, bytes] | None:
        """The next frame; None at end of stream."""
        while not self.pending:
            chunk = os.read(self.fd, 1 << 20)
            if not chunk:
                return None
            self.pending.extend(self.reader.feed(chunk))
            if not self.pending and self.reader.error is not None:
                raise self.reader.error
        return self.pending.pop(0)


def encode_scope(scope: dict[str, Any]) -> Header:
    """The parts of an ASGI WebSocket scope a host needs, as JSON (bytes as latin-1)."""
    return {
        "path": scope["path"],
        "raw_path": _latin(scope.get("raw_path") or scope["path"].encode()),
        "root_path": scope.get("root_path", ""),
        # A WebSocket scope's scheme is ws or wss (the client library speaks of http).
        "scheme": {"http": "ws", "https": "wss"}.get(scope.get("scheme", "ws"), scope.get("scheme", "ws")),
        "query_string": _latin(scope.get("query_string", b"")),
        "headers": [[_latin(k), _latin(v)] for k, v in scope.get("headers", [])],
        "client": list(scope["client"]) if scope.get("client") else None,
        "server": list(scope["server"]) if scope.get("server") else None,
        "subprotocols": [p.strip() for p in scope.get("subprotocols", [])],
    }


def decode_scope(data: Header) -> dict[str, Any]:
    return {
        "type": "websocket",
        "asgi": {"version": "3.0", "spec_version": "2.4"},
        "http_version": "1.1",
        "path": data["path"],
        "raw_path": data["raw_path"].encode("latin-1"),
        "root_path": data["root_path"],
        "scheme": data["scheme"],
        "query_string": data["query_string"].encode("latin-1"),
        "headers": [(k.encode("latin-1"), v.encode("latin-1")) for k, v in data["headers"]],
        "client": tuple(data["client"]) if data["client"] else None,
        "server": tuple(data["server"]) if data["server"] else None,
        "subprotocols": list(data["subprotocols"]),
    }


def _latin(value: bytes | str) -> str:
    return value.decode("latin-1") if isinstance(value, bytes | bytearray) else str(value)
