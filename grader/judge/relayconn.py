"""The connections one link carries: what each endpoint did, the host's frames that say so, and the judge's part.

Every frame about a connection is checked against what the connection
could do at that moment (no message before the accept or after a close, no
second close) before its effect reaches the relay: :func:`deliver`.
:class:`Connections` is the judge's side of the same connections (a base of
:class:`grader.judge.link.Link`): opening one, forwarding what a client
sent, shutting all down as uvicorn does, asking where an endpoint waits.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from grader import wire
from grader.judge import hostframes as hf
from grader.judge.budget import Budget, Holding
from grader.judge.framestream import PING_SEEN, PONG
from grader.judge.hostframes import AppError, lines_from_wire
from grader.result import SourceLine

if TYPE_CHECKING:
    from grader.judge.link import Death

# The largest message a client may send: uvicorn's default ws_max_size (16 MiB).
MAX_INCOMING = 16 * 1024 * 1024
WHERE_SECONDS = 2.0  # real time: how long a real uvicorn's host may take to say where an endpoint waits


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

    def release(self) -> None:
        """Its client is gone: give back what it held of the budget, and forget the messages nobody will read."""
        self.holding.release()
        kept: list[dict[str, Any] | None] = []
        while not self.outgoing.empty():
            message = self.outgoing.get_nowait()
            if message is None or message["type"] != "websocket.send":
                kept.append(message)
        for message in kept:
            self.outgoing.put_nowait(message)


def deliver(conn: RelayConn, op: str, header: dict[str, Any], payload: bytes) -> str:
    """Believe one frame about ``conn`` (raising wire.ProtocolError if it could not happen) and queue its effect.

    Returns what overflowed the connection's budget ("a message of N bytes"), or nothing.
    """
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
        if conn.holding.over:
            # Its client left and was torn down: as to a closed socket, what the endpoint still sends goes
            # nowhere, and is neither held nor charged (nobody will ever read it to give it back).
            return ""
        if not conn.holding.send(len(payload)):
            return f"a message of {len(payload)} bytes"
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
        if conn.holding.over:
            side.responded = header.get("more") is not True
            return ""
        if not conn.holding.send(len(payload)):
            return f"a response body of {len(payload)} bytes"
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
    return ""


class Connections:
    """The judge's operations on the connections of one link (the link sends the frames and waits)."""

    def __init__(self, budget: Budget, loop: asyncio.AbstractEventLoop) -> None:
        self.budget = budget
        self.loop = loop
        self.conns: dict[int, RelayConn] = {}
        self.ids = 0
        self._asks: dict[int, asyncio.Future[list[SourceLine]]] = {}
        # A host serving under uvicorn on real time: no virtual clock writes what waits at the end of each
        # iteration (so every frame is written at once) or notices it freeze; it says so when asked where.
        self.real_time = False
        self.blocked_ms = 0  # the last answer to where: how long a blocking call had held a real uvicorn's loop

    # What the link provides.
    dead: Death | None

    def send(self, header: dict[str, Any], payload: bytes = b"") -> None:
        raise NotImplementedError

    async def until(self, ready: Callable[[], Any]) -> Any:
        raise NotImplementedError

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
