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

import math
from collections.abc import Callable
from typing import Any

import anyio
import httpx_ws
import wsproto.events
from httpx_ws._ping import AsyncPingManager
from httpx_ws.transport import ASGIWebSocketAsyncNetworkStream

from grader.judge.clientframes import ClientFrames, Failed, Left, Message, Pong

# uvicorn answers a ping in its event loop's data_received, so a loop the endpoint blocks answers late
# or, once the endpoint has returned, not at all. The stream hands each ping to the relay as PING_SEEN;
# the link asks the host, whose loop answers when it runs, and the link then queues a PONG for the client.
PING_SEEN = "grader.ping"
PONG = "grader.pong"


class ServerStream(ASGIWebSocketAsyncNetworkStream):
    """httpx-ws's in-memory server stream, reading client frames as uvicorn's default protocol does."""

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
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
            return await self._send_queue.receive()
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
