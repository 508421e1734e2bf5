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
import os
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from grader import wire
from grader.judge import hostframes as hf
from grader.judge.budget import DEFAULT_BYTES, TRANSIT_COPIES, Budget, Holding
from grader.judge.framestream import PING_SEEN, PONG
from grader.judge.hostframes import AppError, lines_from_wire, raised_from_wire
from grader.result import SourceLine

__all__ = ["AppError", "Death", "HostGone", "Link", "RelayConn", "ServerSide", "lines_from_wire", "raised_from_wire"]

# The largest message a client may send: uvicorn's default ws_max_size (16 MiB).
MAX_INCOMING = 16 * 1024 * 1024
WHERE_SECONDS = 2.0  # real time: how long a real uvicorn's host may take to say where an endpoint waits


class Death(StrEnum):
    EXITED = "exited"  # the host process ended (its reaper said how, or the socket closed)
    STALLED = "stalled"  # no sign of life within the real-time limit: its loop is frozen
    PROTOCOL = "protocol"  # it sent something no host would: the learner's process broke the protocol
    OVERTIME = "overtime"  # still working when the whole run's real-time budget ran out
    FLOOD = "flood"  # it sent more than the judge's memory budget holds


class HostGone(Exception):
    """The app host died, froze or broke the protocol while a check waited on it."""


@dataclass
class ServerSide:
    """What the endpoint did on one connection, as the judge saw it arrive."""

    accepted: bool = False
    subprotocol: str | None = None  # the one the endpoint accepted with
    close: tuple[int, str] | None = None
    status: int | None = None  # the HTTP status of a denial response the endpoint sent
    responded: bool = False  # that response is complete
    error: AppError | None = None
    ended: bool = False
    departed_at: SourceLine | None = None


@dataclass
class RelayConn:
    """One connection between the relay (in the judge) and the learner's endpoint (in the host)."""

    id: int
    side: ServerSide = field(default_factory=ServerSide)
    outgoing: asyncio.Queue[dict[str, Any] | None] = field(default_factory=asyncio.Queue)
    on_change: Callable[[], None] = lambda: None
    holding: Holding = field(default_factory=lambda: Holding(Budget()))  # its share of the link's budget
    pings: collections.deque[bytes] = field(default_factory=collections.deque)  # payloads the host has yet to answer


class Link:
    def __init__(self, sock: socket.socket, loop: asyncio.AbstractEventLoop, stall_seconds: float,
                 budget_bytes: int = DEFAULT_BYTES) -> None:
        self.sock = sock
        self.fd = sock.fileno()
        sock.setblocking(False)
        self.loop = loop
        self.stall_seconds = stall_seconds
        self.deadline = math.inf  # real time (monotonic) past which the whole run is over
        self.budget = Budget(budget_bytes)
        # A frame must fit the budget with its copies in transit before the reader keeps a byte of it.
        self.reader = wire.Reader(room=lambda: self.budget.room() // TRANSIT_COPIES)
        self.out = bytearray()
        self.sent = 0
        self.idle_seen = -1
        self.host_next: int | None = None
        self.held = False  # the host's worker threads are running (its last sign of life said so)
        self.last_heard = time.monotonic()
        # When the host last moved anything on (see quiet_for), and the clock then.
        self._progress_at = self.last_heard
        self._progress_ns = -1
        # The host process (its reaper, once sandboxed): to tell a frozen app from a starved one.
        self.pid: int | None = None
        self._probe: tuple[float, int] | None = None
        self.dead: Death | None = None
        self.why = ""
        self.exit_status: tuple[int, int] | None = None
        self.conns: dict[int, RelayConn] = {}
        self.ids = 0
        self.runaways: list[int] = []
        self.events: list[dict[str, Any]] = []
        self.routes: list[str] = []
        self.protections: dict[str, bool] = {}
        self._waiters: list[asyncio.Future[None]] = []
        self._asks: dict[int, asyncio.Future[list[SourceLine]]] = {}
        self._writing = False
        # A host serving under uvicorn on real time: no virtual clock writes what waits at the end of each
        # iteration (so every frame is written at once) or notices it freeze; it says so when asked where.
        self.real_time = False
        self.blocked_ms = 0  # the last answer to where: how long a blocking call had held a real uvicorn's loop
        self._host_bound = self.now_ns() - time.monotonic_ns()
        # Frames stamped with the host's time, waiting for the judge's clock; None: frames are read as they come.
        self.deferred: collections.deque[tuple[int, dict[str, Any], bytes]] | None = (
            collections.deque() if hasattr(loop, "advance_to_ns") else None)
        loop.add_reader(self.fd, self._readable)

    # -- state the clock reads --

    @property
    def idle(self) -> bool:
        """The host has read everything sent to it and is waiting; a dead host counts as idle."""
        return self.dead is not None or (self.idle_seen == self.sent and not self.reader.partial)

    def now_ns(self) -> int:
        return int(getattr(self.loop, "now_ns", 0))

    # -- sending --

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
                self.die(Death.EXITED, "the connection to the app's process closed")
                return
            del self.out[:written]
        if self.out and not self._writing:
            self._writing = True
            self.loop.add_writer(self.fd, self._flush)
        elif not self.out and self._writing:
            self._writing = False
            self.loop.remove_writer(self.fd)

    # -- receiving --

    def _readable(self) -> None:
        try:
            data = self.sock.recv(1 << 20)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b""
        if not data:
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
                    continue
                self._dispatch(header, payload)
            except wire.ProtocolError as exc:
                self.die(Death.PROTOCOL, str(exc))
            except Exception as exc:  # noqa: BLE001 - a check above missed a case: still the host's frame
                self.die(Death.PROTOCOL, f"a {str(header.get('op'))[:40]} message the grader could not read "
                                         f"({type(exc).__name__})")
            if self.dead is not None:
                return
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
                self._dispatch(header, payload)
        except wire.ProtocolError as exc:
            self.die(Death.PROTOCOL, str(exc))
        except Exception as exc:  # noqa: BLE001 - a check in _dispatch missed a case: still the host's frame
            self.die(Death.PROTOCOL, f"a message the grader could not read ({type(exc).__name__})")

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
            self._deliver(conn, op, header, payload)
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
        self._wake()

    def _deliver(self, conn: RelayConn, op: str, header: dict[str, Any], payload: bytes) -> None:
        side = conn.side
        hf.want(op in ("send", "http_body") or not payload, f"a {op} message with a payload")
        if op == "accept":
            hf.want(not side.accepted and side.close is None and side.status is None, "a second accept")
            subprotocol = hf.text(header, "subprotocol", None)
            headers = hf.header_pairs(header)
            side.accepted = True
            side.subprotocol = subprotocol
            conn.outgoing.put_nowait({"type": "websocket.accept", "subprotocol": subprotocol, "headers": headers})
        elif op == "send":
            hf.want(side.accepted and side.close is None, "a message outside an open connection")
            kind = header.get("kind")
            hf.want(kind in ("text", "bytes"), "a message of no known kind")
            if not conn.holding.send(len(payload)):
                self.flood(f"a message of {len(payload)} bytes")
                return
            message: dict[str, Any] = {"type": "websocket.send"}
            if kind == "text":
                message["text"] = payload.decode("utf-8", "replace")
            else:
                message["bytes"] = payload
            conn.outgoing.put_nowait(message)
        elif op == "http_start":
            hf.want(not side.accepted and side.close is None and side.status is None, "a response after the handshake")
            status = hf.number(header, "status", 100, 599)
            headers = hf.header_pairs(header)
            side.status = status
            conn.outgoing.put_nowait({"type": "websocket.http.response.start", "status": status, "headers": headers})
        elif op == "http_body":
            hf.want(side.status is not None and not side.responded, "a response body without a response")
            # Kept until the connection is over (httpx collects the whole body).
            if not conn.holding.send(len(payload)):
                self.flood(f"a response body of {len(payload)} bytes")
                return
            conn.holding.landed()
            side.responded = header.get("more") is not True
            conn.outgoing.put_nowait({"type": "websocket.http.response.body", "body": payload,
                                      "more_body": not side.responded})
        elif op == "pong":
            # The host says only when: the payload is the client's own, so a forged pong carries nothing new.
            hf.want(side.accepted and bool(conn.pings), "a pong for no ping")
            conn.outgoing.put_nowait({"type": PONG, "bytes": conn.pings.popleft()})
        elif op == "close":
            hf.want(side.close is None, "a second close")
            code, reason = hf.number(header, "code", 0, 65535), hf.text(header, "reason")
            assert reason is not None
            hf.want(len(reason) <= 1000, "a close reason longer than a close frame holds")
            side.close = (code, reason)
            conn.outgoing.put_nowait({"type": "websocket.close", "code": code, "reason": reason})
        else:  # ended
            error = hf.app_error(header.get("error"))
            departed = lines_from_wire(header.get("departed_at") or [])
            side.ended = True
            side.error = error
            side.departed_at = departed[-1] if departed else None
            conn.outgoing.put_nowait(None)

    # -- progress --

    def _progressed(self) -> None:
        self._progress_at = time.monotonic()
        self._probe = None

    def quiet_for(self, now: float) -> float:
        """Real seconds since the host last moved anything on: a frame for a client, an answer, an idle moment, or
        the clock (which follows a busy host's CPU time, and real time while its worker threads run).

        "busy" alone is no progress: a host that says it is busy while nothing moves is frozen like a silent one.
        A host whose worker threads hold the clock is judged by its signs of life, as the clock follows
        real time for it.
        """
        if self.held:
            return now - self.last_heard
        moved = self.now_ns()
        if moved != self._progress_ns:
            self._progress_ns = moved
            self._progress_at, self._probe = now, None
        # Progress is always heard, so a silence is never shorter than the quiet.
        return now - min(self._progress_at, self.last_heard)

    # -- connections --

    def open(self, scope: dict[str, Any]) -> RelayConn:
        self.ids += 1
        conn = RelayConn(self.ids, holding=Holding(self.budget))
        self.conns[conn.id] = conn
        self.send({"op": "open", "conn": conn.id, "scope": wire.encode_scope(scope)})
        if self.dead is not None:
            conn.side.ended = True
            conn.outgoing.put_nowait(None)
        return conn

    def observe(self) -> RelayConn:
        """A connection the host serves itself (under uvicorn): only what its endpoint did is reported here."""
        self.ids += 1
        conn = RelayConn(self.ids, holding=Holding(self.budget))
        self.conns[conn.id] = conn
        if self.dead is not None:
            conn.side.ended = True
        return conn

    def forward(self, conn: RelayConn, message: dict[str, Any]) -> None:
        """A message from the client's side of the transport, for the endpoint's receive()."""
        kind = message.get("type")
        if kind == PING_SEEN:
            conn.pings.append(bytes(message["bytes"]))
            self.send({"op": "ping", "conn": conn.id})
            return
        data = message.get("text") or message.get("bytes") or b""
        size = len(data.encode() if isinstance(data, str) else data)
        if kind == "websocket.receive" and size > MAX_INCOMING:
            # uvicorn's limit (ws_max_size): it fails the connection with 1009 (in
            # the websockets library's words), and the endpoint hears of it as a disconnect.
            self.fail(conn, 1009, f"frame with {size} bytes exceeds limit of {MAX_INCOMING} bytes")
            return
        if kind == "websocket.disconnect" and message.get("failed"):
            # The client broke the protocol (grader/judge/clientframes.py): the server fails the connection.
            self.fail(conn, int(message["code"]), str(message.get("reason") or ""))
            return
        if kind == "websocket.receive":
            if message.get("text") is not None:
                self.send({"op": "receive", "conn": conn.id, "type": kind, "kind": "text"},
                          message["text"].encode("utf-8", "surrogatepass"))
            else:
                self.send({"op": "receive", "conn": conn.id, "type": kind, "kind": "bytes"}, bytes(message["bytes"]))
        elif kind == "websocket.disconnect":
            # No code: the transport went away without a close frame (uvicorn says 1006).
            self.send({"op": "receive", "conn": conn.id, "type": kind, "code": message.get("code", 1006),
                       "reason": message.get("reason") or ""})
        else:
            self.send({"op": "receive", "conn": conn.id, "type": kind})

    def fail(self, conn: RelayConn, code: int, reason: str) -> None:
        """Fail the connection as uvicorn does: the endpoint hears a disconnect, the client gets that close frame."""
        self.send({"op": "receive", "conn": conn.id, "type": "websocket.disconnect", "code": code, "reason": reason,
                   "failed": True})
        conn.outgoing.put_nowait({"type": "websocket.close", "code": code, "reason": reason})

    def shut_down(self, grace: float) -> None:
        """Stop the app as uvicorn's shutdown does: close every open connection with 1012, then tell the host.

        Clients see the server's close frame (1012, service restart) and each
        endpoint hears a disconnect with that code; the host then waits up to
        ``grace`` seconds for the endpoints to end, cancels the rest, and runs
        the lifespan shutdown ("stopped" or "shutdown_failed" follows).
        """
        for conn in self.conns.values():
            side = conn.side
            if side.accepted and side.close is None and not side.ended:
                self.send({"op": "receive", "conn": conn.id, "type": "websocket.disconnect", "code": 1012, "reason": ""})
                conn.outgoing.put_nowait({"type": "websocket.close", "code": 1012, "reason": ""})
        self.send({"op": "shutdown", "grace": grace})

    def cancel(self, conn: RelayConn) -> None:
        self.send({"op": "cancel", "conn": conn.id})

    async def where(self, conn: RelayConn) -> list[SourceLine]:
        """Where the endpoint of ``conn`` is waiting, in the learner's lines (empty if unknown)."""
        if self.dead is not None:
            return []
        future: asyncio.Future[list[SourceLine]] = self.loop.create_future()
        self.ids += 1
        self._asks[ask := self.ids] = future
        self.blocked_ms = 0
        self.send({"op": "where", "conn": conn.id, "ask": ask})
        # A real uvicorn's loop answers between the app's steps; one held by a blocking call may not answer at all.
        answered = self.until(lambda: future.done() or None)
        with contextlib.suppress(TimeoutError):
            await (asyncio.wait_for(answered, WHERE_SECONDS) if self.real_time else answered)
        self._asks.pop(ask, None)
        return future.result() if future.done() else []

    # -- waiting --

    def _wake(self) -> None:
        waiters, self._waiters = self._waiters, []
        for waiter in waiters:
            if not waiter.done():
                waiter.set_result(None)

    async def until(self, ready: Callable[[], Any]) -> Any:
        """Wait until ``ready()`` gives a value or the host is gone (then None)."""
        while True:
            value = ready()
            if value is not None or self.dead is not None:
                return value
            waiter = self.loop.create_future()
            self._waiters.append(waiter)
            await waiter

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

    def cpu_seconds(self) -> float | None:
        """CPU time the learner's process has used so far (None if unknown, e.g. a host in a thread)."""
        sample = _activity(self.pid) if self.pid is not None else None
        return None if sample is None else sample[1] / _TICKS_PER_SECOND

    def frozen(self, now: float) -> bool:
        """The host has been silent past its limit: is its app frozen, or only starved of CPU?

        A loop frozen by a blocking call sleeps; one frozen by a busy loop burns
        CPU. A process that is ready to run but barely ran was starved by a busy
        machine: it gets up to four times the limit before it counts as frozen,
        so a loaded machine does not fail a learner's working app.
        """
        sample = _activity(self.pid) if self.pid is not None else None
        if sample is None or self.quiet_for(now) >= self.stall_seconds * 4:
            return True
        state, ticks = sample
        if self._probe is None:
            self._probe = (now, ticks)
            return False
        then, before = self._probe
        if now - then < 0.25:
            return False
        share = (ticks - before) / _TICKS_PER_SECOND / (now - then)
        self._probe = (now, ticks)
        return not (state == "R" and share < 0.1)

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
        self._wake()

    def close(self) -> None:
        self.die(Death.EXITED, "closed by the judge")


_TICKS_PER_SECOND = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _activity(pid: int) -> tuple[str, int] | None:
    """(scheduler state, CPU ticks used) of the process running learner code under ``pid``; None if unknown."""
    try:
        children = open(f"/proc/{pid}/task/{pid}/children").read().split()  # noqa: SIM115
        target = int(children[0]) if children else pid
        with open(f"/proc/{target}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return fields[0], int(fields[11]) + int(fields[12])
    except (OSError, ValueError, IndexError):
        return None
