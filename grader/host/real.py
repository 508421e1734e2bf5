"""The learner's app under a real uvicorn (``grade ID --server uvicorn``).

The host still imports the app inside its sandbox, but instead of serving
ASGI events over the wire it hands the app to uvicorn on a listening socket
the judge opened on its own loopback (a socket keeps the network namespace
it was made in, so the sandbox's empty network does not matter). Clients
reach the app over real TCP, on real time, with uvicorn's own protocol code.

What no client can see is reported over the wire by a thin observer around
the app, with the same operations the relay host uses: that the endpoint
accepted, closed, answered with an HTTP response, and ended (with what it
raised, which then escapes to uvicorn exactly as without the observer, so
uvicorn logs it). The judge pairs a connection with its client by a header
the client sends and the observer removes before the app sees the scope.

The judge may ask where an endpoint is waiting (``where``, as of the relay
host): the observer knows each connection's task, and the answer is that
task's learner lines. Any other word from the judge, or its end of the wire
closing, stops uvicorn as Ctrl-C would.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
from typing import Any

from grader import wire
from grader.host.learner import LearnerCode

CONN_HEADER = b"x-grader-conn"


class Observer:
    """ASGI middleware reporting what each WebSocket endpoint did, and nothing else."""

    def __init__(self, app: Any, channel: wire.Blocking, code: LearnerCode) -> None:
        self.app = app
        self.channel = channel
        self.code = code
        self.tasks: dict[int, asyncio.Task[Any]] = {}  # each open connection's task: where is it waiting?

    def waiting_at(self, conn: Any) -> list[dict[str, Any]]:
        """The learner's lines where the endpoint of ``conn`` is suspended (empty if it is not running)."""
        task = self.tasks.get(conn) if isinstance(conn, int) else None
        if task is None or task.done():
            return []
        return self.code.suspended_at(task.get_coro())

    def emit(self, header: dict[str, Any]) -> None:
        with contextlib.suppress(OSError):  # the judge has gone: uvicorn serves on regardless
            self.channel.send(header)

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        conn = _conn_of(scope) if scope.get("type") == "websocket" else None
        if conn is None:
            await self.app(scope, receive, send)
            return
        scope = {**scope, "headers": [(k, v) for k, v in scope["headers"] if k.lower() != CONN_HEADER]}

        async def observed_send(message: Any) -> None:
            await send(message)  # uvicorn validates it first: what it refuses raises in the app, as always
            kind = message.get("type") if isinstance(message, dict) else None
            if kind == "websocket.accept":
                self.emit({"op": "accept", "conn": conn, "subprotocol": message.get("subprotocol")})
            elif kind == "websocket.close":
                # Before accept uvicorn sends no reason at all (FastAPI passes a list there).
                reason = message.get("reason")
                self.emit({"op": "close", "conn": conn, "code": message.get("code", 1000),
                           "reason": reason if isinstance(reason, str) else ""})
            elif kind == "websocket.http.response.start":
                self.emit({"op": "http_start", "conn": conn, "status": message["status"]})
            elif kind == "websocket.http.response.body":
                self.emit({"op": "http_body", "conn": conn, "more": bool(message.get("more_body"))})

        error = None
        task = asyncio.current_task()
        if task is not None:
            self.tasks[conn] = task
        try:
            await self.app(scope, receive, observed_send)
        except BaseException as exc:
            stops = type(exc).__name__ if isinstance(exc, SystemExit | KeyboardInterrupt) else None
            error = {"errors": self.code.raised(exc), "exit": stops}
            raise
        finally:
            self.tasks.pop(conn, None)
            self.emit({"op": "ended", "conn": conn, "error": error})


def _conn_of(scope: dict[str, Any]) -> int | None:
    for key, value in scope.get("headers", []):
        if key.lower() == CONN_HEADER:
            with contextlib.suppress(ValueError):
                return int(value)
    return None


def serve(app: Any, code: LearnerCode, channel: wire.Blocking, wire_fd: int, listen_fd: int) -> None:
    """Run uvicorn on the judge's socket until the judge says shutdown (or goes away)."""
    import uvicorn

    sock = socket.socket(fileno=listen_fd)
    # A bounded graceful shutdown: endpoints that ignore uvicorn's 1012 do not keep it (or the judge) waiting.
    observer = Observer(app, channel, code)
    config = uvicorn.Config(observer, lifespan="auto", log_level="warning",
                            ws="websockets-sansio", access_log=False, timeout_graceful_shutdown=4)
    server = uvicorn.Server(config)
    reader = wire.Reader()

    def readable() -> None:
        chunk = b""
        with contextlib.suppress(OSError):
            chunk = os.read(wire_fd, 1 << 16)
        frames = reader.feed(chunk)
        for header, _payload in frames:
            if header.get("op") == "where":
                # Answered on uvicorn's loop, between the app's own steps: the task is suspended, never running.
                channel.send({"op": "at", "ask": header.get("ask"), "lines": observer.waiting_at(header.get("conn"))})
            else:
                server.should_exit = True
        if not chunk or reader.error is not None:
            server.should_exit = True  # the judge has gone, or said something no judge says

    async def main() -> None:
        asyncio.get_running_loop().add_reader(wire_fd, readable)
        serving = asyncio.ensure_future(server.serve(sockets=[sock]))
        while not server.started and not serving.done():
            await asyncio.sleep(0.01)  # real time: uvicorn says nothing when its startup is done
        if server.started:
            channel.send({"op": "started"})
        else:
            channel.send({"op": "setup_failed", "reason": "failed",
                          "message": "uvicorn logged 'Application startup failed. Exiting.'"})
        await serving

    asyncio.run(main())
    with contextlib.suppress(OSError):
        channel.send({"op": "stopped"})
