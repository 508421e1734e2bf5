"""The relay: the ASGI app the judge's clients talk to, standing in for the learner's.

httpx-ws's ``ASGIWebSocketTransport`` calls it like any ASGI app. It opens a
connection in the app host, forwards every message the client side produces
(``websocket.connect``, frames, the disconnect) to the host, and replays
what the host reports (accept, frames, close, a denial response) into the
transport. When the endpoint ends, the client sees what a client of uvicorn
sees: an endpoint that ends without completing the handshake is answered
with HTTP 500; one that ends after accepting without sending a close frame
(returned or raised) drops the connection, and the client sees 1006. If the
transport gives up on the relay (teardown), the endpoint in the host is
cancelled.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from typing import Any

from grader.judge.framestream import Channel
from grader.judge.link import Link, RelayConn


def relay(link: Link, opened: Callable[[RelayConn], None]) -> Any:
    """An ASGI app relaying one connection at a time to the host behind ``link``."""

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        conn = link.open(scope)
        opened(conn)

        async def pump() -> None:
            with contextlib.suppress(Exception):
                while True:
                    message = await receive()
                    link.forward(conn, message)
                    if message.get("type") == "websocket.disconnect":
                        return

        forwarding = asyncio.ensure_future(pump())
        finished = False  # a close frame or a whole denial response went out
        try:
            while True:
                message = await conn.outgoing.get()
                if message is None:
                    break
                if finished:
                    if message["type"] == "websocket.send":
                        conn.holding.dropped()
                    continue
                await send(message)
                kind = message["type"]
                finished = kind == "websocket.close" or (kind == "websocket.http.response.body"
                                                         and not message.get("more_body"))
        finally:
            forwarding.cancel()
            if not conn.side.ended:
                link.cancel(conn)
        side = conn.side
        if finished:
            return
        if not side.accepted:
            # uvicorn: "ASGI callable returned without completing handshake" (or an
            # exception before it), answered with HTTP 500.
            if side.status is None:
                await send({"type": "websocket.http.response.start", "status": 500, "headers": []})
            await send({"type": "websocket.http.response.body", "body": b"Internal Server Error"})
            return
        # Accepted, never closed: uvicorn closes the socket without a close frame.
        _drop(send)

    return app


def _drop(send: Any) -> None:
    """End the transport's stream to the client without a close frame: the client sees the connection lost.

    ``send`` is the bound ``send`` of the transport's message channel (see
    ``framestream.Channel``); closing its sending side makes the client's
    reader hit end-of-stream, which httpx-ws reports as a network error (what
    a dropped TCP connection is).
    """
    channel = getattr(send, "__self__", None)
    if isinstance(channel, Channel):
        channel.close_sending()
