"""The two ends of httpx-ws's in-memory connection, taught the frames real clients send.

- :class:`ServerStream`: httpx-ws's in-memory server reads client frames as
  uvicorn's websockets-sansio does (:mod:`grader.judge.clientframes`): a
  ping is answered with a pong once the host's event loop has seen it (see
  :data:`PING_SEEN`), a fragmented message reaches the app whole, and a frame no server accepts
  fails the connection (the relay hears a disconnect marked ``failed`` and
  answers the client with that close frame, see ``Link.forward``).
- :class:`Session`: httpx-ws's client session, which answers the server's
  pings itself but takes every pong for an answer to one of its own
  keepalive pings (a pong it did not ask for raises ``KeyError`` in its
  reader). Here a pong for a ping the session did not send is handed to
  ``heard`` instead: those answer the pings a spec sends.
"""

from __future__ import annotations

import asyncio
import math
from collections import deque
from collections.abc import Callable
from typing import Any

import anyio
import httpx_ws
import wsproto.events
from httpx_ws._ping import AsyncPingManager
from httpx_ws.transport import ASGIWebSocketAsyncNetworkStream

from grader.judge.clientframes import ClientFrames, Failed, Left, Message, Pong
from grader.judge.waiters import Waiters

# uvicorn answers a ping in its event loop's data_received, so a loop the endpoint blocks answers late
# or, once the endpoint has returned, not at all. The stream hands each ping to the relay as PING_SEEN;
# the link asks the host, whose loop answers when it runs, and the link then queues a PONG for the client.
PING_SEEN = "grader.ping"
PONG = "grader.pong"


class Channel:
    """One direction of httpx-ws's in-memory connection, in place of the anyio memory stream it makes.

    It keeps what the relay and httpx-ws rely on: items arrive in order; once
    the sending side is closed (``close_sending``, the relay dropping the
    connection) the receiver reads what is left and then ``EndOfStream``; once
    closed (``aclose``, httpx-ws ending the connection) every send and receive
    raises ``ClosedResourceError``. What it leaves out is the cost: an anyio
    stream looks its backend up, makes an event and yields to the loop on
    every send and every receive, so each message took several more turns
    of the judge's loop than it needs.
    """

    def __init__(self) -> None:
        self._items: deque[Any] = deque()
        self._waiters = Waiters()
        self._sending_closed = False
        self._closed = False

    async def send(self, item: Any) -> None:
        if self._closed or self._sending_closed:
            raise anyio.ClosedResourceError
        self._items.append(item)
        self._waiters.wake_all()

    async def receive(self) -> Any:
        while True:
            if self._closed:
                raise anyio.ClosedResourceError
            if self._items:
                return self._items.popleft()
            if self._sending_closed:
                raise anyio.EndOfStream
            waiter = self._waiters.new(asyncio.get_running_loop())
            try:
                await waiter
            finally:
                self._waiters.forget(waiter)

    def close_sending(self) -> None:
        self._sending_closed = True
        self._waiters.wake_all()

    async def aclose(self) -> None:
        self._closed = True
        self._waiters.wake_all()


class ServerStream(ASGIWebSocketAsyncNetworkStream):
    """httpx-ws's in-memory server stream, reading client frames as uvicorn's default protocol does."""

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        # Client to app (the relay's receive) and app to client (the relay's send, read here).
        self._receive_queue: Channel = Channel()  # type: ignore[assignment]
        self._send_queue: Channel = Channel()  # type: ignore[assignment]
        self.frames = ClientFrames()

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        for event in self.frames.feed(buffer):
            if isinstance(event, Message):
                key = "text" if isinstance(event.data, str) else "bytes"
                await self.send({"type": "websocket.receive", key: event.data})
            elif isinstance(event, Pong):
                await self.send({"type": PING_SEEN, "bytes": event.payload})
            elif isinstance(event, Left):
                await self.send({"type": "websocket.disconnect", "code": event.code, "reason": event.reason})
            elif isinstance(event, Failed):
                await self.send({"type": "websocket.disconnect", "code": event.code, "reason": event.reason,
                                 "failed": True})

    async def receive(self, timeout: float | None = None) -> dict[str, Any]:
        # httpx-ws wraps every wait in ``anyio.fail_after``, an infinite one when no timeout is
        # given (every read of a frame): a cancel scope per message, for nothing.
        if timeout is None or timeout == math.inf:
            return await self._send_queue.receive()  # type: ignore[no-any-return]
        return await super().receive(timeout)

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        while True:
            try:
                message = await self.receive(timeout=timeout)
            except anyio.EndOfStream:
                # The relay ended the server's side (see relay._drop): to httpx-ws, an
                # empty read is a lost connection, which its client reports as such.
                return b""
            data = self._encode(message)
            if data:
                return data

    def _encode(self, message: dict[str, Any]) -> bytes:
        kind = message["type"]
        connection = self.connection
        if kind == PONG:
            if connection.state is not wsproto.connection.ConnectionState.OPEN:
                return b""  # the server has sent its close frame: no pong follows it
            return connection.send(wsproto.events.Pong(payload=message["bytes"]))
        if kind == "websocket.send":
            text = message.get("text")
            event: wsproto.events.Event = (wsproto.events.TextMessage(text) if text is not None
                                           else wsproto.events.BytesMessage(message.get("bytes") or b""))
            return connection.send(event)
        if kind == "websocket.close":
            return connection.send(wsproto.events.CloseConnection(message["code"], message.get("reason")))
        raise httpx_ws.transport.UnhandledASGIMessageType(message)


class _Pongs(AsyncPingManager):
    """The session's keepalive pings, and a place for every other pong."""

    def __init__(self) -> None:
        super().__init__()
        self.heard: Callable[[bytes], None] = lambda payload: None

    def ack(self, ping_id: bytes | bytearray) -> None:
        own = self._pings.pop(bytes(ping_id), None)
        if own is not None:
            own.set()
        else:
            self.heard(bytes(ping_id))


class Session(httpx_ws.AsyncWebSocketSession):
    """httpx-ws's session; pongs it did not ask for go to :meth:`on_pong`'s callback."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._ping_manager = _Pongs()

    def on_pong(self, heard: Callable[[bytes], None]) -> None:
        assert isinstance(self._ping_manager, _Pongs)
        self._ping_manager.heard = heard
