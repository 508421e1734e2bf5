"""The judge's end of the wire to one app host.

Reads the host's frames on the judge's event loop and believes as little as
it can: every frame is size-capped, every field type-checked, every message
checked against the connection's state. What the host reports of a
connection (accepted, a frame, a close, the endpoint ended with an error)
is handed to the relay, which replays it into httpx-ws's transport, so
clients see only what really arrived. A host that breaks the protocol, goes
silent past its real-time limit or dies ends its link; every wait on it
ends with :class:`HostGone`.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import math
import socket
import time
from collections.abc import Callable
from enum import StrEnum
from typing import Any

from grader import wire
from grader.judge import hostframes as hf
from grader.judge.budget import DEFAULT_BYTES, TRANSIT_COPIES, Budget
from grader.judge.hostframes import AppError, lines_from_wire, raised_from_wire
from grader.judge.liveness import Liveness
from grader.judge.outbox import Outbox
from grader.judge.relayconn import MAX_INCOMING, Connections, RelayConn, ServerSide, deliver
from grader.judge.waiters import Waiters

__all__ = ["MAX_INCOMING", "AppError", "Death", "HostGone", "Link", "RelayConn", "ServerSide", "lines_from_wire",
           "raised_from_wire"]


# The host's frames read ahead of the judge's clock at most (then its wire waits): what a socket's buffers hold.
DEFERRED_FRAMES = 2048
DEFERRED_BYTES = 1 << 20


class Death(StrEnum):
    EXITED = "exited"  # the host process ended (its reaper said how, or the socket closed)
    STALLED = "stalled"  # no sign of life within the real-time limit: its loop is frozen
    PROTOCOL = "protocol"  # it sent something no host would: the learner's process broke the protocol
    OVERTIME = "overtime"  # still working when the whole run's real-time budget ran out
    FLOOD = "flood"  # it sent more than the judge's memory budget holds


class HostGone(Exception):
    """The app host died, froze or broke the protocol while a check waited on it."""


class Link(Liveness, Outbox, Connections):
    """The wire to one host: writing frames, reading and believing them, waiting on what they say (its signs
    of life are read by :class:`Liveness`; the judge's operations on its connections are :class:`Connections`;
    its frames to the host are written by :class:`Outbox`)."""

    def __init__(self, sock: socket.socket, loop: asyncio.AbstractEventLoop, stall_seconds: float,
                 budget_bytes: int = DEFAULT_BYTES) -> None:
        Liveness.__init__(self, stall_seconds)
        Connections.__init__(self, Budget(budget_bytes), loop)
        Outbox.__init__(self, sock)  # after the loop is known: it reads the clock
        self.deadline = math.inf  # real time (monotonic) past which the whole run is over
        # A frame must fit the budget with its copies in transit before the reader keeps a byte of it.
        self.reader = wire.Reader(room=lambda: self.budget.room() // TRANSIT_COPIES)
        self.idle_seen = -1
        self.host_next: int | None = None
        self.dead: Death | None = None
        self.why = ""
        self.exit_status: tuple[int, int] | None = None
        self.runaways: list[int] = []
        self.events: list[dict[str, Any]] = []
        self.routes: list[str] = []
        self.protections: dict[str, bool] = {}
        self._waiters = Waiters()
        # Frames stamped with the host's time, waiting for the judge's clock; None: frames are read as they come.
        self.deferred: collections.deque[tuple[int, dict[str, Any], bytes]] | None = (
            collections.deque() if hasattr(loop, "advance_to_ns") else None)
        self.deferred_bytes = 0  # the payloads they hold
        self._reading = True  # the host's wire is being read (see _pace)
        loop.add_reader(self.fd, self._readable)

    # -- state the clock reads --

    @property
    def idle(self) -> bool:
        """The host has read everything sent to it and is waiting; a dead host counts as idle."""
        return self.dead is not None or (self.idle_seen == self.sent and not self.reader.partial)

    def now_ns(self) -> int:
        return int(getattr(self.loop, "now_ns", 0))

    # -- receiving --

    def _readable(self) -> None:
        try:
            data = self.sock.recv(1 << 20)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b""
        if not data:
            if self.deferred is not None:  # none on real time: frames were read as they came
                self.release_due(everything=True)  # what the host said before it ended still counts
            self.die(Death.EXITED, "the app's process ended")
            return
        self.last_heard = time.monotonic()
        # Frames read before a broken one still count: the host said them.
        for header, payload in self.reader.feed(data):
            try:
                # A frame stamped later than the judge's clock waits until the clock gets there
                # (see grader/judge/clock.py): what came before it has settled, and timers due before it fired.
                stamp, deferred = header.get("t"), self.deferred
                if deferred is not None and type(stamp) is int and (deferred or stamp > self.now_ns()):
                    deferred.append((min(stamp, self._host_bound + time.monotonic_ns()), header, payload))
                    self.deferred_bytes += len(payload)
                    continue
                self._dispatch(header, payload)
            except wire.ProtocolError as exc:
                self.die(Death.PROTOCOL, str(exc))
            except Exception as exc:  # noqa: BLE001 - a check above missed a case: still the host's frame
                self.die(Death.PROTOCOL, f"a {str(header.get('op'))[:40]} message the grader could not read "
                                         f"({type(exc).__name__})")
            if self.dead is not None:
                return
        self._pace()
        error = self.reader.error
        if isinstance(error, wire.TooLarge):
            self.flood(f"a message of {error.size} bytes")
        elif error is not None:
            self.die(Death.PROTOCOL, str(error))

    def flood(self, what: str) -> None:
        """The host sent more than the budget holds: its link ends, and the check with it."""
        self.die(Death.FLOOD, f"{what} arrived while {self.budget.used} bytes of its earlier messages were "
                              f"still held (the budget is {self.budget.describe()})")

    def release_due(self, everything: bool = False) -> None:
        """Read the deferred frames the judge's clock has reached (all of them: moving the clock to each)."""
        assert self.deferred is not None
        try:
            while self.deferred and self.dead is None:
                stamp, header, payload = self.deferred[0]
                if stamp > self.now_ns():
                    if not everything:
                        return
                    self.loop.advance_to_ns(stamp)  # type: ignore[attr-defined]
                self.deferred.popleft()
                self.deferred_bytes -= len(payload)
                self._dispatch(header, payload)
        except wire.ProtocolError as exc:
            self.die(Death.PROTOCOL, str(exc))
        except Exception as exc:  # noqa: BLE001 - a check in _dispatch missed a case: still the host's frame
            self.die(Death.PROTOCOL, f"a message the grader could not read ({type(exc).__name__})")
        self._pace()

    def _pace(self) -> None:
        """Read the host's wire only while few of its frames wait for the judge's clock, as TCP paces a sender:
        a flood then waits in the host's write, not in memory no budget bounds, ahead of the host's later frames."""
        if self.dead is not None:
            return
        backlog = self.deferred is not None and (len(self.deferred) >= DEFERRED_FRAMES
                                                  or self.deferred_bytes >= DEFERRED_BYTES)
        if backlog and self._reading:
            self._reading = False
            self.loop.remove_reader(self.fd)
        elif not backlog and not self._reading:
            self._reading = True
            self.loop.add_reader(self.fd, self._readable)

    def _dispatch(self, header: dict[str, Any], payload: bytes) -> None:
        op = header["op"]
        if op == "idle":
            seen, following = hf.number(header, "seen", 0, self.sent), hf.maybe_number(header, "next")
            self.idle_seen, self.host_next = seen, following
            if self.idle:
                self._progressed()
            return
        self.idle_seen = -1
        if op == "busy":
            # A sign of life, not of progress: see quiet_for.
            self.held = header.get("held") is True
            return
        if op in ("accept", "send", "close", "http_start", "http_body", "pong", "ended"):
            conn = self.conns.get(hf.number(header, "conn", 1))
            hf.want(conn is not None and not conn.side.ended, f"a {op} for a connection that is not open")
            assert conn is not None
            flooded = deliver(conn, op, header, payload)
            if flooded:
                self.flood(flooded)
                return
            self._progressed()
            conn.on_change()
        elif op in hf.EVENTS:
            hf.want(not payload, f"a {op} message with a payload")
            # A host says each of these once or twice in its life; more is a flood of forgeries.
            hf.want(len(self.events) < 64, f"more {op} messages than any host sends")
            event = hf.event_from_wire(header)
            if op == "loaded":
                self.routes, self.protections = event["routes"], event["protections"]
            self.events.append(event)
        elif op == "at":
            future = self._asks.pop(hf.number(header, "ask"), None)
            if future is not None and not future.done():
                # blocked_ms: a real uvicorn's loop held by a blocking call, that long, at these lines.
                self.blocked_ms = hf.number(header, "blocked_ms") if "blocked_ms" in header else 0
                future.set_result(lines_from_wire(header.get("lines")))
                self._progressed()
        elif op == "runaway":
            conn_id = hf.number(header, "conn", 1, max(self.ids, 1))
            if conn_id not in self.runaways:
                self.runaways.append(conn_id)
        elif op == "exit":
            self.exit_status = (hf.number(header, "status", -255, 255), hf.number(header, "peak_mb", 0, 1 << 40))
        else:
            raise wire.ProtocolError(f"an unknown message {op[:40]!r}")
        self._waiters.wake_all()

    # -- waiting --

    async def until(self, ready: Callable[[], Any]) -> Any:
        """Wait until ``ready()`` gives a value or the host is gone (then None)."""
        while True:
            value = ready()
            if value is not None or self.dead is not None:
                return value
            await self._waiters.new(self.loop)

    async def event(self, *ops: str, seconds: float | None = None) -> dict[str, Any] | None:
        """The next lifecycle event among ``ops`` (others are dropped); None if the host is gone.

        On real time a host silent for ``seconds`` is declared frozen (on the grader's clock
        the loop itself notices a frozen host).
        """
        if self.real_time and seconds is not None:
            try:
                return await asyncio.wait_for(self.event(*ops), seconds)
            except TimeoutError:
                self.die(Death.STALLED, f"no sign of life for {seconds:g} s")
                return None

        def ready() -> dict[str, Any] | None:
            while self.events:
                event = self.events.pop(0)
                if event["op"] in ops:
                    self._progressed()
                    return event
            return None

        result: dict[str, Any] | None = await self.until(ready)
        return result

    def lost(self, why: str) -> None:
        self.die(Death.EXITED, why)

    def die(self, how: Death, why: str = "") -> None:
        if self.dead is not None:
            return
        self.dead, self.why = how, why
        with contextlib.suppress(Exception):
            self.loop.remove_reader(self.fd)
        if self._writing:
            with contextlib.suppress(Exception):
                self.loop.remove_writer(self.fd)
        for conn in self.conns.values():
            if not conn.side.ended:
                conn.side.ended = True
                conn.outgoing.put_nowait(None)
            conn.on_change()
        for future in self._asks.values():
            if not future.done():
                future.set_result([])
        self._waiters.wake_all()

    def close(self) -> None:
        self.die(Death.EXITED, "closed by the judge")
