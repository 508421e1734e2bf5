"""The app host: runs the learner's app and relays its ASGI events; judges nothing.

The judge starts it (spawned, or forked from a warm template) with two
descriptors: the wire, a socket to the judge, and the trace, a pipe where
faulthandler and ``os._exit`` leave notes about where the app froze or quit.
The host says ``ready``, takes one job, enters its sandbox, imports the
learner's file and serves: each ``open`` from the judge becomes a call of the
learner's ASGI app, whose ``receive`` is fed by the judge and whose ``send``
goes back to it. Nothing here can make a verdict better: the judge decides
from what it saw arrive, and only believes the host's word about exceptions,
which can only fail a check.
"""

from __future__ import annotations

import asyncio
import contextlib
import faulthandler
import io
import os
import sys
import tokenize
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn

# Imported while the template waits for a job, so that no learner pays for them.
import anyio._backends._asyncio  # noqa: F401 - every endpoint runs on it; anyio loads it at the first call
import fastapi  # noqa: F401
import starlette.websockets  # noqa: F401

with contextlib.suppress(ImportError):
    # What FastAPI imports on an app's first lifespan event, where it has it.
    import fastapi.telemetry._runtime  # noqa: F401

from grader import wire
from grader.host import real, sandbox, warmup
from grader.host.clock import HostLoop, follow_wall_clock, hold_clock_for_anyio_threads, install_clocks
from grader.host.learner import LearnerCode, LoadFailed, import_app, websocket_paths
from grader.host.lifespan import Lifespan, LifespanFailed

# FastAPI reads each endpoint's source lines (inspect, so tokenize) at its first request:
# tokenize compiles its patterns once per process, here rather than in every host.
for _token in tokenize.generate_tokens(io.StringIO("async def warm(): pass\n").readline):
    pass

# After a cancelled endpoint ignores its cancellation for this many loop
# iterations, the judge is told it will never stop.
_RUNAWAY_ITERATIONS = 50


class ClientDisconnected(OSError):
    """Raised into the app when it sends after the client left, as uvicorn does."""


@dataclass
class Conn:
    """One connection, as the app sees it."""

    id: int
    inbox: asyncio.Queue[dict[str, Any]] = field(default_factory=asyncio.Queue)
    task: asyncio.Task[None] | None = None
    # As uvicorn sees the client: its close frame arrived ("closing"), and one
    # loop iteration later the connection is gone ("disconnected").
    closing: bool = False
    disconnected: bool = False
    # As uvicorn sees the app: what it has sent so far.
    accepted: bool = False
    responding: bool = False  # a denial response (HTTP) has started
    closed: bool = False
    cancelled: bool = False
    # Where this connection's endpoint tried to send to a client that had left
    # (Starlette turns it into WebSocketDisconnect(1006), which it may catch).
    departed_at: list[dict[str, Any]] = field(default_factory=list)


class Host:
    def __init__(self, fd: int, code: LearnerCode, app: Any, loop: HostLoop, lifespan: Lifespan,
                 leave: Callable[[int], None] = os._exit) -> None:
        self.fd = fd
        # What to do when the judge is gone or garbled the wire: end the process.
        self.leave = leave
        self.code = code
        self.app = app
        self.loop = loop
        self.lifespan = lifespan
        self.reader = wire.Reader()
        self.conns: dict[int, Conn] = {}
        self.by_task: dict[asyncio.Task[Any], Conn] = {}
        self.stopping: asyncio.Future[None] = loop.create_future()
        self.grace: float | None = None  # a shutdown step: how long the endpoints may take to end

    # -- the wire --

    def emit(self, header: dict[str, Any], payload: bytes = b"") -> None:
        header["t"] = self.loop.clock.now_ns()  # the judge's clock follows the host's real work
        data = wire.encode(header, payload)
        if self.loop.is_running():
            self.loop.queue_frame(data)
        else:
            self.loop.flush()
            self.write(data)

    def write(self, data: bytes) -> None:
        try:
            wire.write_all(self.fd, data)
        except OSError:
            self.leave(0)  # the judge is gone: nothing left to serve

    def readable(self) -> None:
        try:
            data = os.read(self.fd, 1 << 20)
        except BlockingIOError:
            return
        except OSError:
            data = b""
        if not data:
            self.leave(0)
            return
        try:
            frames = wire.read_frames(self.reader, data)
        except wire.ProtocolError:
            self.leave(3)
            return
        for header, payload in frames:
            self.loop.seen += 1
            self.loop.set_time(int(header.get("t", 0)))
            self.handle(header, payload)

    def handle(self, header: dict[str, Any], payload: bytes) -> None:
        op = header["op"]
        conn = self.conns.get(header.get("conn", -1))
        if op == "open":
            conn = Conn(header["conn"])
            self.conns[conn.id] = conn
            scope = wire.decode_scope(header["scope"])
            scope["state"] = dict(self.lifespan.state)
            scope["extensions"] = {"websocket.http.response": {}}  # uvicorn offers denial responses
            conn.task = self.loop.create_task(self.run_conn(conn, scope))
            self.by_task[conn.task] = conn
        elif op == "receive" and conn is not None:
            message = _asgi_receive(header, payload)
            conn.inbox.put_nowait(message)
            if message["type"] == "websocket.disconnect" and not conn.closing:
                conn.closing = True
                if header.get("failed") is True:
                    # The server failed the connection (the client broke the protocol): uvicorn has sent its
                    # own close frame, so until it learns the socket is gone, a send or close raises.
                    conn.closed = True
                # uvicorn queues the disconnect, then closes the socket; it learns the
                # connection is lost on the loop's next iteration, after the endpoint's
                # wake-up (the order matters: a close() right away is dropped quietly).
                self.loop.call_soon(setattr, conn, "disconnected", True)
        elif op == "ping" and conn is not None:
            # uvicorn's protocol answers in the loop that runs the endpoint, while the connection is there.
            if conn.task is not None and not conn.task.done() and not conn.disconnected:
                self.emit({"op": "pong", "conn": conn.id})
        elif op == "cancel" and conn is not None and conn.task is not None and not conn.task.done():
            conn.cancelled = True
            conn.task.cancel()
            self.loop.create_task(self._watch_cancel(conn))
        elif op == "where":
            task = conn.task if conn is not None else None
            lines = self.code.suspended_at(task.get_coro()) if task is not None and not task.done() else []
            self.emit({"op": "at", "ask": header.get("ask"), "lines": lines})
        elif op == "stall":
            self.loop.set_stall_seconds(float(header["seconds"]))
        elif op == "shutdown" and not self.stopping.done():
            grace = header.get("grace")
            self.grace = float(grace) if isinstance(grace, int | float) and not isinstance(grace, bool) else None
            self.stopping.set_result(None)

    # -- serving --

    async def serve(self) -> None:
        try:
            await self.lifespan.startup()
        except LifespanFailed as exc:
            self.emit({"op": "setup_failed", "reason": exc.reason, "message": exc.message,
                       "errors": self.code.raised(exc.error) if exc.error else []})
            return
        self.emit({"op": "started"})
        await self.stopping
        if self.grace is not None:
            # uvicorn waits for the connections' tasks (they were told 1012), then cancels what is left.
            running = [c.task for c in self.conns.values() if c.task is not None and not c.task.done()]
            if running:
                _, late = await asyncio.wait(running, timeout=self.grace)
                for conn in self.conns.values():
                    if conn.task in late:
                        conn.cancelled = True  # the server's doing, not an error of the endpoint
                        conn.task.cancel()
                if late:
                    await asyncio.wait(late, timeout=self.grace)
        try:
            await self.lifespan.shutdown()
        except LifespanFailed as exc:
            self.emit({"op": "shutdown_failed", "reason": exc.reason, "message": exc.message,
                       "errors": self.code.raised(exc.error) if exc.error else []})
        self.emit({"op": "stopped"})

    async def run_conn(self, conn: Conn, scope: dict[str, Any]) -> None:
        async def receive() -> dict[str, Any]:
            return await conn.inbox.get()

        async def send(message: dict[str, Any]) -> None:
            out = _outgoing(conn, message)
            if isinstance(out, ClientDisconnected):
                sender = self.by_task.get(asyncio.current_task())  # type: ignore[arg-type]
                if sender is not None and message.get("type") == "websocket.send":
                    sender.departed_at = self.code.stack(traceback.extract_stack())[-1:]
                raise out
            if out is not None:
                self.emit(*out)

        error: dict[str, Any] | None = None
        try:
            returned = await self.app(scope, receive, send)
            if returned is not None:
                # uvicorn logs this as an error of the application.
                error = {"errors": [{"type": "ASGIReturnValue", "frames": [],
                                     "message": f"ASGI callable should return None, but returned '{returned!s:.60}'."}],
                         "exit": None}
        except asyncio.CancelledError as exc:
            if not conn.cancelled:
                error = {"errors": self.code.raised(exc), "exit": None}
        except ClientDisconnected:
            pass  # uvicorn lets this one end the connection quietly
        except BaseException as exc:  # noqa: BLE001 - everything the app raises is reported, nothing escapes
            stops = type(exc).__name__ if isinstance(exc, SystemExit | KeyboardInterrupt) else None
            error = {"errors": self.code.raised(exc), "exit": stops}
        finally:
            self.by_task.pop(asyncio.current_task(), None)  # type: ignore[arg-type]
            # uvicorn closes the transport once the endpoint is done: another endpoint sending
            # to this socket later (a broadcast) gets ClientDisconnected, as after a disconnect.
            conn.disconnected = True
        self.emit({"op": "ended", "conn": conn.id, "error": error, "departed_at": conn.departed_at})

    async def _watch_cancel(self, conn: Conn) -> None:
        for _ in range(_RUNAWAY_ITERATIONS):
            if conn.task is None or conn.task.done():
                return
            await asyncio.sleep(0)
        # An endpoint that swallows cancellation keeps this loop busy for good.
        self.emit({"op": "runaway", "conn": conn.id})


def _asgi_receive(header: dict[str, Any], payload: bytes) -> dict[str, Any]:
    kind = header["type"]
    if kind == "websocket.receive":
        if header.get("kind") == "text":
            return {"type": kind, "text": payload.decode("utf-8", "replace")}
        return {"type": kind, "bytes": payload}
    if kind == "websocket.disconnect":
        return {"type": kind, "code": int(header.get("code", 1005)), "reason": str(header.get("reason") or "")}
    return {"type": kind}


def _outgoing(conn: Conn, message: Any) -> tuple[dict[str, Any], bytes] | ClientDisconnected | None:
    """What uvicorn (websockets-sansio) does with an ASGI message from the app, as a frame for the judge.

    Returns the frame to send, None when uvicorn would silently drop the
    message, or the ClientDisconnected to raise in the app; raises what
    uvicorn would raise (with its wording) for messages no server accepts.
    """
    if conn.disconnected:
        return ClientDisconnected()
    kind = message.get("type") if isinstance(message, dict) else None
    if not conn.accepted and not conn.responding and not conn.closed:
        if kind == "websocket.accept":
            subprotocol = message.get("subprotocol")
            headers = [[_header(k), _header(v)] for k, v in message.get("headers") or []]
            conn.accepted = True
            return {"op": "accept", "conn": conn.id, "subprotocol": subprotocol, "headers": headers}, b""
        if kind == "websocket.close":
            conn.closed = True  # a refusal: uvicorn answers HTTP 403
            return {"op": "close", "conn": conn.id, "code": message.get("code", 1000),
                    "reason": str(message.get("reason") or "")}, b""
        if kind == "websocket.http.response.start":
            conn.responding = True
            headers = [[_header(k), _header(v)] for k, v in message.get("headers") or []]
            return {"op": "http_start", "conn": conn.id, "status": int(message["status"]), "headers": headers}, b""
        raise RuntimeError("Expected ASGI message 'websocket.accept', 'websocket.close' or "
                           f"'websocket.http.response.start' but got '{kind}'.")
    if conn.responding and not conn.closed:
        if kind != "websocket.http.response.body":
            raise RuntimeError(f"Expected ASGI message 'websocket.http.response.body' but got '{kind}'.")
        more = bool(message.get("more_body", False))
        conn.closed = not more
        return {"op": "http_body", "conn": conn.id, "more": more}, bytes(message.get("body", b""))
    if conn.closed:
        raise RuntimeError(f"Unexpected ASGI message '{kind}', after sending 'websocket.close'.")
    if kind == "websocket.send":
        if conn.closing:
            return ClientDisconnected()  # the protocol is closing: uvicorn's InvalidState
        text, data = message.get("text"), message.get("bytes")
        if data is not None:
            if not isinstance(data, bytes | bytearray | memoryview):
                raise TypeError(f"data must be bytes-like, not {type(data).__name__}")
            return {"op": "send", "conn": conn.id, "kind": "bytes"}, bytes(data)
        if text is not None:
            # As uvicorn encodes it: anything but str fails here, in the app.
            return {"op": "send", "conn": conn.id, "kind": "text"}, text.encode()
        return None  # uvicorn sends nothing for a message with neither
    if kind == "websocket.close":
        if conn.closing:
            return None  # the socket is already closing: uvicorn drops it silently
        code = message.get("code", 1000)
        reason = message.get("reason", "") or ""
        _check_close(code, reason)
        conn.closed = True
        return {"op": "close", "conn": conn.id, "code": code, "reason": reason}, b""
    raise RuntimeError(f"Expected ASGI message 'websocket.send' or 'websocket.close', but got '{kind}'.")


# Close codes a WebSocket endpoint may send (RFC 6455 7.4, as the websockets library checks them).
_SENDABLE = {1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014}


class ProtocolError(Exception):
    """What the websockets library raises under uvicorn for a close no peer may receive."""


def _check_close(code: Any, reason: Any) -> None:
    if not isinstance(code, int) or not (code in _SENDABLE or 3000 <= code < 5000):
        raise ProtocolError(f"invalid status code {code}")
    if not isinstance(reason, str):
        raise TypeError(f"close reason must be str, not {type(reason).__name__}")
    if len(reason.encode()) > 123:
        raise ProtocolError("close reason is too long")


def _header(value: Any) -> str:
    # uvicorn decodes header names and values as bytes: a str fails there, in the app.
    if not isinstance(value, bytes | bytearray):
        raise AttributeError(f"'{type(value).__name__}' object has no attribute 'decode'")
    return bytes(value).decode("latin-1")


# -- the process --


def run(wire_fd: int, trace_fd: int, template_fd: int | None = None) -> NoReturn:
    """Say ready, take a job, sandbox, import, serve; never returns.

    A host spawned with ``template_fd`` may instead be told to become a warm
    template (``{"op": "template"}``) before any job: it has imported FastAPI
    and nothing of a learner's, so every later host of the grading is forked
    from it rather than from a second interpreter.
    """
    channel = wire.Blocking(wire_fd)
    # FastAPI's first-use costs, paid before the learner's file is near (and, in a host that
    # becomes a template, once for all its forks).
    warmup.warm_up()
    # Looked up before the job, not on the way to the learner's import (and once for every fork of a template).
    with contextlib.suppress(OSError):
        sandbox.c_library()
    try:
        channel.send({"op": "ready"})
        got = channel.recv()
    except (OSError, wire.ProtocolError):
        os._exit(0)
    if got is None:
        os._exit(0)
    job = got[0]
    if job.get("op") == "template" and template_fd is not None:
        _become_template(wire_fd, trace_fd, template_fd)
    if template_fd is not None:
        os.close(template_fd)
    listen_fd = job.get("listen_fd")
    keep = (wire_fd, trace_fd) if listen_fd is None else (wire_fd, trace_fd, int(listen_fd))
    # A host started ahead of its check sandboxes itself, then waits to be told to go on.
    entered = sandbox.enter(job["sandbox"], keep=keep, hold=(lambda: _hold(channel)) if job.get("hold") else None)
    trace = os.fdopen(trace_fd, "wb", buffering=0)
    app_path = Path(entered["app_dir"]) / job["file"]
    code = LearnerCode(app_path)
    _note_os_exit(code, trace_fd)
    hold_clock_for_anyio_threads()
    clock = install_clocks()  # before the import: `from time import monotonic` must get the app's clock
    faulthandler.dump_traceback_later(float(job["import_seconds"]) * 0.6, exit=False, file=trace)
    try:
        app, _module = import_app(app_path, job.get("attr", "app"))
    except LoadFailed as failed:
        faulthandler.cancel_dump_traceback_later()
        channel.send({"op": "load_failed", **failed.facts})
        _leave(0)
    faulthandler.cancel_dump_traceback_later()
    channel.send({"op": "loaded", "routes": websocket_paths(app), "protections": entered["protections"]})
    if job.get("listen_fd") is not None:
        real.serve(app, code, channel, wire_fd, int(job["listen_fd"]))
        _leave(0)

    def write(data: bytes) -> None:
        host.write(data)

    loop = HostLoop(write, trace, float(job["stall_seconds"]), clock)
    asyncio.set_event_loop(loop)
    host = Host(wire_fd, code, app, loop, Lifespan(app))
    loop.seen = 2 if job.get("hold") else 1  # the job, and the go of a host started ahead
    for header, payload in channel.pending:  # frames that came right after the job, if any
        loop.seen += 1
        loop.set_time(int(header.get("t", 0)))
        host.handle(header, payload)
    host.reader.buffer = channel.reader.buffer
    os.set_blocking(wire_fd, False)
    loop.add_reader(wire_fd, host.readable)
    if job.get("wall_clock") == "virtual":
        follow_wall_clock(clock)
    try:
        loop.run_until_complete(host.serve())
        loop.flush()
    except BaseException as exc:  # noqa: BLE001 - learner code outside any connection (a callback, a thread)
        os.set_blocking(wire_fd, True)
        stops = type(exc).__name__ if isinstance(exc, SystemExit | KeyboardInterrupt) else None
        host.emit({"op": "crashed", "errors": code.raised(exc), "exit": stops})
    _leave(0)


def _hold(channel: wire.Blocking) -> None:
    """A host started ahead: rehearse while the check before it runs, then wait for the go."""
    warmup.rehearse()
    _wait_for_go(channel)


def _wait_for_go(channel: wire.Blocking) -> None:
    """Block until the judge says go; a judge that closes the wire instead ends this host."""
    try:
        got = channel.recv()
    except (OSError, wire.ProtocolError):
        os._exit(0)
    if got is None or got[0].get("op") != "go":
        os._exit(0 if got is None else 3)


def _become_template(wire_fd: int, trace_fd: int, template_fd: int) -> NoReturn:
    import socket

    from grader.host import template

    os.close(wire_fd)
    os.close(trace_fd)
    template.serve_forks(socket.socket(fileno=template_fd))
    os._exit(0)


def _leave(status: int) -> NoReturn:
    # No interpreter teardown: learner threads and open connections must not
    # keep the process alive once everything is said.
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):  # a closed or broken stream has nothing more to say
            stream.flush()
    os._exit(status)


def _note_os_exit(code: LearnerCode, trace_fd: int) -> None:
    """Leave a note of the learner's line before ``os._exit`` ends the process."""
    real_exit = os._exit

    def _exit(status: int) -> NoReturn:
        frames = code.stack(traceback.extract_stack())
        if frames:
            last = frames[-1]
            note = f"os._exit({status}) at {last['file']}:{last['line']} ({last['code']})\n"
            with contextlib.suppress(OSError):
                os.write(trace_fd, b"GRADER-OS-EXIT " + note.encode("utf-8", "replace"))
        real_exit(status)

    os._exit = _exit  # type: ignore[assignment]
