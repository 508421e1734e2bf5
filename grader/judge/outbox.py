"""The judge's writes to one app host: frames queued in one iteration of the loop go out in one write.

A base of :class:`grader.judge.link.Link`. Every frame carries the judge's
clock (``t``), from which the link also bounds how far the host's clock can
have run ahead of it.
"""

from __future__ import annotations

import asyncio
import socket
import time
from typing import Any

from grader import wire


class Outbox:
    """Frames for the host, written when the loop is about to wait, or as soon as the socket takes them."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.fd = sock.fileno()
        sock.setblocking(False)
        self.out = bytearray()
        self.sent = 0
        self._writing = False
        self._host_bound = self.now_ns() - time.monotonic_ns()

    # What the link provides.
    loop: asyncio.AbstractEventLoop
    real_time: bool
    dead: Any  # why the host is gone, once it is

    def now_ns(self) -> int:
        raise NotImplementedError

    def lost(self, why: str) -> None:
        """The socket to the host failed: the link ends."""
        raise NotImplementedError

    def send(self, header: dict[str, Any], payload: bytes = b"") -> None:
        if self.dead is not None:
            return
        header["t"] = self.now_ns()
        # The host's clock can run ahead of this time only by the real time that passes from now on.
        self._host_bound = max(self._host_bound, header["t"] - time.monotonic_ns())
        self.out += wire.encode(header, payload)
        self.sent += 1
        # Written when the loop is about to wait (see the clock), so the frames of
        # one iteration cost one write and one wake-up of the host.
        if len(self.out) >= 256 << 10 or self.real_time:
            self._flush()

    def flush(self) -> None:
        if self.out and not self._writing and self.dead is None:
            self._flush()

    def _flush(self) -> None:
        while self.out:
            try:
                written = self.sock.send(self.out)
            except (BlockingIOError, InterruptedError):
                break
            except OSError:
                self.out.clear()
                self.lost("the connection to the app's process closed")
                return
            del self.out[:written]
        if self.out and not self._writing:
            self._writing = True
            self.loop.add_writer(self.fd, self._flush)
        elif not self.out and self._writing:
            self._writing = False
            self.loop.remove_writer(self.fd)

