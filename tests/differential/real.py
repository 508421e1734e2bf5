"""The truth: a case app under real uvicorn on 127.0.0.1, driven by the ``websockets`` client.

One :class:`RealServer` (uvicorn in a thread of this process, on its own event
loop and a free port) serves every case of a protocol, each under a prefix
of its own: :class:`Dispatcher` strips ``/c/<run>`` from the scope, so the
case app sees exactly the scope it would see as the top-level app. A case
whose lifespan matters gets a server of its own (``lifespan="on"``).

uvicorn's verdict on the app is what it logs: a handler on the
``uvicorn.error`` logger keeps the ERROR records of the server's thread
("Exception in ASGI application" with the exception, or another error such
as "ASGI callable returned without completing handshake.").
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import itertools
import logging
import socket
import threading
import time
from typing import Any

import uvicorn
import websockets.exceptions
import websockets.sync.client

from grader.spec.rawframe import CLOSE, RawFrame

from .model import (
    ABORTED,
    ACCEPTED,
    ENDED,
    EXCEPTION,
    NO_ANSWER,
    NO_CLOSE_FRAME,
    NOT_OPENED,
    OPEN,
    STILL_RUNNING,
    Case,
    Close,
    CloseRaw,
    Observation,
    Ping,
    Recv,
    SendBytes,
    SendFrame,
    SendText,
    Wait,
    closed,
    logged,
    show_frame,
    summarised,
)

PROTOCOLS = ("websockets-sansio", "wsproto")
OPEN_TIMEOUT = 2.0
# Runs of a case whose close frame can be lost to a TCP reset (see Case.tcp_reset_race).
RESET_ATTEMPTS = 8
# The websockets client logs a lost connection as an internal error; the observation says it already.
CLIENT_LOGGER = logging.getLogger("differential.client")
CLIENT_LOGGER.setLevel(logging.CRITICAL)
CLIENT_LOGGER.propagate = False
# How long uvicorn may take to end a case's endpoint task once the client is done.
ENDED_TIMEOUT = 1.0


class Dispatcher:
    """One ASGI app serving many case apps, each under ``/c/<key>``, with the prefix stripped."""

    def __init__(self) -> None:
        self.apps: dict[str, Any] = {}

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> Any:
        if scope["type"] == "lifespan":  # uvicorn runs with lifespan="off"; never reached
            return None
        _, prefix, key, *rest = scope["path"].split("/", 3)
        assert prefix == "c", scope["path"]
        app = self.apps[key]
        strip = len(f"/c/{key}")
        inner = dict(scope)
        inner["path"] = scope["path"][strip:] or "/"
        raw = scope.get("raw_path")
        if raw is not None:
            inner["raw_path"] = raw[strip:] or b"/"
        return await app(inner, receive, send)  # what the app returns, uvicorn judges


class Records(logging.Handler):
    """ERROR records of ``uvicorn.error`` logged by one server thread."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.thread: int | None = None
        self.records: list[logging.LogRecord] = []
        self.guard = threading.Lock()

    def emit(self, record: logging.LogRecord) -> None:
        if self.thread is None or record.thread == self.thread:
            with self.guard:
                self.records.append(record)

    def take(self) -> list[logging.LogRecord]:
        with self.guard:
            taken, self.records = self.records, []
        return taken


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class RealServer:
    """uvicorn serving ``app`` from a thread; ``ws`` is the WebSocket protocol implementation."""

    def __init__(self, app: Any, ws: str, lifespan: str = "off") -> None:
        self.ws = ws
        self.app = app
        self.port = free_port()
        logger = logging.getLogger("uvicorn.error")
        if logger.level == logging.NOTSET or logger.level > logging.INFO:
            logger.setLevel(logging.INFO)
        self.records = Records()
        logger.addHandler(self.records)
        self.config = uvicorn.Config(app, host="127.0.0.1", port=self.port, ws=ws, lifespan=lifespan,
                                     log_config=None, log_level=None, access_log=False,
                                     timeout_graceful_shutdown=1)
        self.server = uvicorn.Server(self.config)
        self.loop: asyncio.AbstractEventLoop | None = None
        self.failed: BaseException | None = None
        self.thread = threading.Thread(target=self._run, name=f"uvicorn-{ws}", daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if self.failed is not None or not self.thread.is_alive() or time.monotonic() > deadline:
                self.close()
                raise RuntimeError(f"uvicorn ({ws}) did not start: {self.failed!r}")
            time.sleep(0.005)

    def _run(self) -> None:
        self.records.thread = threading.get_ident()
        self.loop = asyncio.new_event_loop()
        try:
            self.loop.run_until_complete(self.server.serve())
        except BaseException as exc:  # noqa: BLE001 - reported by __init__
            self.failed = exc
        finally:
            self.loop.close()

    def busy(self) -> bool:
        """Whether an endpoint (or an HTTP cycle) of this server is still running."""
        for _ in range(10):
            try:
                return any(not task.done() for task in list(self.server.server_state.tasks))
            except RuntimeError:  # the set changed while copied
                continue
        return True

    def settle(self, timeout: float = ENDED_TIMEOUT) -> bool:
        deadline = time.monotonic() + timeout
        while self.busy():
            if time.monotonic() > deadline:
                return False
            time.sleep(0.002)
        return True

    def close(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
        logging.getLogger("uvicorn.error").removeHandler(self.records)


class Servers:
    """One shared server per protocol (started on first use), plus one per lifespan case run."""

    def __init__(self) -> None:
        self.shared: dict[str, tuple[RealServer, Dispatcher]] = {}
        self.keys = itertools.count()

    def shared_for(self, ws: str) -> tuple[RealServer, Dispatcher]:
        if ws not in self.shared:
            dispatcher = Dispatcher()
            self.shared[ws] = (RealServer(dispatcher, ws), dispatcher)
        return self.shared[ws]

    def close(self) -> None:
        for server, _ in self.shared.values():
            server.close()
        self.shared.clear()


def observe_real(case: Case, ws: str, servers: Servers) -> Observation:
    """Play ``case`` against real uvicorn with the ``ws`` protocol; what the client saw and uvicorn logged."""
    observation = _observe_once(case, ws, servers)
    lost = 0
    while case.tcp_reset_race and observation.end == NO_CLOSE_FRAME and lost < RESET_ATTEMPTS:
        lost += 1
        observation = _observe_once(case, ws, servers)
    if lost:
        note = f"the close frame was lost to a TCP reset in {lost} earlier run(s)"
        observation = dataclasses.replace(observation, notes=(*observation.notes, note))
    return observation


def _observe_once(case: Case, ws: str, servers: Servers) -> Observation:
    app = case.build()
    if case.lifespan or case.own_server:
        server = RealServer(app, ws, lifespan="on" if case.lifespan else "off")
        try:
            return _heard(case, app, _observe(case, server, ""))
        finally:
            server.close()
    server, dispatcher = servers.shared_for(ws)
    key = f"{case.id}-{next(servers.keys)}"
    dispatcher.apps[key] = app
    try:
        return _heard(case, app, _observe(case, server, f"/c/{key}"))
    finally:
        del dispatcher.apps[key]


def _heard(case: Case, app: Any, observation: Observation) -> Observation:
    """The ``app`` field: what the endpoint heard, read once it ended (``_observe`` waited for that)."""
    return dataclasses.replace(observation, app=case.report(app)) if case.report is not None else observation


def _observe(case: Case, server: RealServer, prefix: str) -> Observation:
    server.settle()
    server.records.take()  # anything a previous case left behind is not this one's
    uri = f"ws://127.0.0.1:{server.port}{prefix}{case.path}" + (f"?{case.query}" if case.query else "")
    notes: list[str] = []
    received: list[str] = []
    headers: tuple[tuple[str, str], ...] = ()
    end = NOT_OPENED
    try:
        with websockets.sync.client.connect(
                uri, subprotocols=list(case.subprotocols) or None, additional_headers=list(case.headers) or None,
                open_timeout=OPEN_TIMEOUT, close_timeout=1, max_size=None, ping_interval=None, proxy=None,
                compression=None, logger=CLIENT_LOGGER) as ws:
            handshake = ACCEPTED + (f", subprotocol {ws.subprotocol!r}" if ws.subprotocol else "")
            response = ws.response
            assert response is not None
            headers = tuple((name, response.headers.get(name, "<absent>")) for name in case.want_headers)
            end = _converse(case, ws, received)
    except websockets.exceptions.InvalidStatus as exc:
        handshake = f"refused HTTP {exc.response.status_code}"
        body = bytes(exc.response.body or b"")
        if body:
            notes.append(f"body {body[:80]!r}")
    except websockets.exceptions.InvalidHandshake as exc:
        handshake = ABORTED
        notes.append(f"{type(exc).__name__}: {exc}")
    except TimeoutError:
        handshake = NO_ANSWER
    endpoint = ENDED if server.settle() else STILL_RUNNING
    records = server.records.take()
    kinds = set()
    for record in records:
        if record.getMessage().startswith("Exception in ASGI application"):
            kinds.add(EXCEPTION)
            if record.exc_info and record.exc_info[1] is not None:
                error = record.exc_info[1]
                notes.append(f"uvicorn logged {type(error).__name__}: {str(error)[:80]}")
        else:
            kinds.add("error")
            notes.append(f"uvicorn logged {record.getMessage().strip()[:80]!r}")
    return Observation(handshake, headers, summarised(received), end, logged(kinds), endpoint, tuple(notes))


def _converse(case: Case, ws: websockets.sync.client.ClientConnection, received: list[str]) -> str:
    """Play the script on an open connection; how it ended, as the client saw it."""
    ended = False
    client_first: int | None = None
    # The caller's ``with`` closes the connection once this returns.
    for action in case.script:
        if isinstance(action, SendText | SendBytes):
            if not ended:
                with contextlib.suppress(websockets.exceptions.ConnectionClosed):
                    ws.send(action.text if isinstance(action, SendText) else action.data)
        elif isinstance(action, Recv):
            if not ended:
                ended = _receive(ws, action.timeout, received, silence=True)
        elif isinstance(action, Close):
            if not ended and ws.protocol.close_rcvd is None:
                client_first = action.code
                ws.close(action.code)
                ended = True
        elif isinstance(action, Wait):
            time.sleep(action.seconds)
        elif isinstance(action, SendFrame):
            if not ended:
                _write(ws, RawFrame(action.opcode, action.payload, action.fin, action.rsv, action.masked))
        elif isinstance(action, Ping):
            if not ended:
                # The websockets client's own ping: it sets the event when the pong with this payload arrives.
                try:
                    answered = ws.ping(action.payload).wait(action.timeout)
                except websockets.exceptions.ConnectionClosed:
                    answered = False
                received.append(f"pong {action.payload!r}" if answered else "no pong")
        elif isinstance(action, CloseRaw) and not ended:
            _write(ws, RawFrame(CLOSE, action.payload))
            return "client closed raw"
    deadline = time.monotonic() + case.drain
    while not ended:
        left = deadline - time.monotonic()
        if left <= 0:
            return OPEN
        ended = _receive(ws, left, received, silence=False)
    protocol = ws.protocol
    if client_first is not None and not protocol.close_rcvd_then_sent:
        return f"client closed {client_first}"
    rcvd = protocol.close_rcvd
    if rcvd is None:
        return closed("server", 1006)
    return closed("server", int(rcvd.code), rcvd.reason)


def _write(ws: websockets.sync.client.ClientConnection, frame: RawFrame) -> None:
    """Bytes on the socket as they are, between the client library's own writes."""
    with ws.protocol_mutex, contextlib.suppress(OSError):
        ws.socket.sendall(frame.encode())


def _receive(ws: websockets.sync.client.ClientConnection, timeout: float, received: list[str], silence: bool) -> bool:
    """One frame into ``received`` (or "silence"); True when the connection has ended instead."""
    try:
        data = ws.recv(timeout=timeout)
    except TimeoutError:
        if silence:
            received.append("silence")
        return False
    except websockets.exceptions.ConnectionClosed:
        return True
    received.append(show_frame(data))
    return False
