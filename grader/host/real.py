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
uvicorn logs it, and where it sent to a client that had already left). The judge pairs a connection with its client by a header
the client sends and the observer removes before the app sees the scope.

The judge may ask where an endpoint is waiting (``where``, as of the relay
host): the observer knows each connection's task, and the answer is that
task's learner lines. A thread reads the judge's words, so a question gets
an answer even while a blocking call holds the event loop: then the answer
is the learner's line running on the loop and how long the loop has been
held (``blocked_ms``), which the judge reports as the default mode reports a
frozen app. Any other word from the judge, or its end of the wire closing,
stops uvicorn as Ctrl-C would.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import sys
import threading
import time
import traceback
from typing import Any

from grader import wire
from grader.host.learner import LearnerCode

CONN_HEADER = b"x-grader-conn"
# Real seconds between the loop's signs of life, and how long without one means a blocking call holds it
# (the judge only asks once a client has waited a step's whole timeout, seconds at least).
BEAT_SECONDS = 0.05
HELD_SECONDS = 0.5
# Real time, taken before the app's clocks replace time.monotonic (grader/host/clock.py).
_MONOTONIC = time.monotonic


class Sender:
    """The wire to the judge, written from the loop and from the reading thread: one frame at a time."""

    def __init__(self, channel: wire.Blocking) -> None:
        self.channel = channel
        self.lock = threading.Lock()

    def send(self, header: dict[str, Any]) -> None:
        with self.lock:
            self.channel.send(header)


class Pulse:
    """When the event loop last ran a callback of its own, and what its thread is running now."""

    def __init__(self, code: LearnerCode) -> None:
        self.code = code
        self.last = _MONOTONIC()
        self.thread = threading.get_ident()

    async def beat(self) -> None:
        self.thread = threading.get_ident()
        while True:
            self.last = _MONOTONIC()
            await asyncio.sleep(BEAT_SECONDS)

    def held(self) -> tuple[float, list[dict[str, Any]]]:
        """How long the loop has been held in the learner's code, and where (0 and no lines when it is not)."""
        held = _MONOTONIC() - self.last
        frame = sys._current_frames().get(self.thread)
        if held < HELD_SECONDS or frame is None:
            return 0.0, []
        lines = self.code.stack(traceback.extract_stack(frame))
        return (held, lines) if lines else (0.0, [])


class Observer:
    """ASGI middleware reporting what each WebSocket endpoint did, and nothing else."""

    def __init__(self, app: Any, channel: Sender, code: LearnerCode) -> None:
        self.app = app
        self.channel = channel
        self.code = code
        self.tasks: dict[int, asyncio.Task[Any]] = {}  # each open connection's task: where is it waiting?
        self.departed: dict[int, list[dict[str, Any]]] = {}  # where an endpoint sent to a client that had left

    def sender_of(self, task: asyncio.Task[Any] | None) -> int | None:
        """The connection whose endpoint runs as ``task``."""
        return next((conn for conn, running in self.tasks.items() if running is task), None)

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
            kind = message.get("type") if isinstance(message, dict) else None
            try:
                await send(message)  # uvicorn validates it first: what it refuses raises in the app, as always
            except OSError:
                # uvicorn's ClientDisconnected: this client has gone. If another client's endpoint was
                # sending (a broadcast), that endpoint learns where it sent to someone who had left.
                sender = self.sender_of(asyncio.current_task())
                if kind == "websocket.send" and sender is not None:
                    self.departed[sender] = self.code.stack(traceback.extract_stack())[-1:]
                raise
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
            self.emit({"op": "ended", "conn": conn, "error": error, "departed_at": self.departed.pop(conn, [])})


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
    sender = Sender(channel)
    observer = Observer(app, sender, code)
    # A bounded graceful shutdown: endpoints that ignore uvicorn's 1012 do not keep it (or the judge) waiting.
    config = uvicorn.Config(observer, lifespan="auto", log_level="warning",
                            ws="websockets-sansio", access_log=False, timeout_graceful_shutdown=4)
    server = uvicorn.Server(config)
    pulse = Pulse(code)

    def stop() -> None:
        server.should_exit = True  # uvicorn's main loop reads it every tenth of a second

    def answer(ask: Any, conn: Any) -> None:
        # On uvicorn's loop, between the app's own steps: the task is suspended, never running.
        sender.send({"op": "at", "ask": ask, "lines": observer.waiting_at(conn)})

    def listen(loop: asyncio.AbstractEventLoop) -> None:
        reader = wire.Reader()
        while True:
            chunk = b""
            with contextlib.suppress(OSError):
                chunk = os.read(wire_fd, 1 << 16)
            for header, _payload in reader.feed(chunk):
                if header.get("op") != "where":
                    stop()
                    continue
                held, lines = pulse.held()
                if held:
                    sender.send({"op": "at", "ask": header.get("ask"), "lines": lines, "blocked_ms": int(held * 1000)})
                else:
                    with contextlib.suppress(RuntimeError):  # the loop has closed: nobody is waiting
                        loop.call_soon_threadsafe(answer, header.get("ask"), header.get("conn"))
            if not chunk or reader.error is not None:
                stop()  # the judge has gone, or said something no judge says
                return

    async def main() -> None:
        loop = asyncio.get_running_loop()
        beating = asyncio.ensure_future(pulse.beat())
        threading.Thread(target=listen, args=(loop,), name="grader-wire", daemon=True).start()
        serving = asyncio.ensure_future(server.serve(sockets=[sock]))
        while not server.started and not serving.done():
            await asyncio.sleep(0.01)  # real time: uvicorn says nothing when its startup is done
        if server.started:
            sender.send({"op": "started"})
        else:
            sender.send({"op": "setup_failed", "reason": "failed",
                         "message": "uvicorn logged 'Application startup failed. Exiting.'"})
        try:
            await serving
        finally:
            beating.cancel()

    asyncio.run(main())
    with contextlib.suppress(OSError):
        sender.send({"op": "stopped"})
