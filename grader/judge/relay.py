"""The relay: the ASGI app the judge's clients talk to, standing in for the learner's.

httpx-ws's ``ASGIWebSocketTransport`` calls it like any ASGI app. It opens a
connection in the app host, forwards every message the client side produces
(``websocket.connect``, frames, the disconnect) to the host, and replays what
the host reports (accept, frames, close) into the transport. When the
endpoint ended with an exception it raises, so the transport closes the
connection the way it does for an in-process app. If the transport gives up
on the relay (teardown), the endpoint in the host is cancelled.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from typing import Any

from grader.judge.link import Link, RelayConn


class EndpointRaised(Exception):
    """The learner's endpoint raised (in the host); the transport turns this into close 1011."""


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
        try:
            while True:
                message = await conn.outgoing.get()
                if message is None:
                    break
                await send(message)
        finally:
            forwarding.cancel()
            if not conn.side.ended:
                link.cancel(conn)
        error = conn.side.error
        if error is not None:
            raise EndpointRaised(f"{error.type}: {error.message}" if error.message else error.type)

    return app
