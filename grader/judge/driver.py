"""The WebSocket conversation: named clients driving the app over httpx-ws.

Each client is a task of its own with its own ``ASGIWebSocketTransport``
(the transport keeps the handshake scope on itself, so two clients sharing
one would race). The transport's app is the relay (``grader/judge/relay.py``),
which runs the learner's endpoint in the app host. A client's reader starts
before the first send and buffers every frame the server sends into an
inbox, stamped with the grader's clock. Every wait has a deadline. What the
endpoint did on each connection (accepted, closed, ended, raised, even after
the client left, which httpx-ws swallows) is the connection's ``side``.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import math
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import anyio
import httpcore
import httpx
import httpx_ws
import wsproto.events
from httpx_ws.transport import ASGIWebSocketTransport

from grader.judge.framestream import ServerStream, Session
from grader.judge.link import AppError, HostGone, Link, RelayConn, ServerSide
from grader.judge.relay import relay
from grader.judge.waiters import Waiters, wake
from grader.result import Frame
from grader.spec import Connect, jsonsafe
from grader.spec.match import show
from grader.spec.rawframe import CLOSE, PING, RawFrame

T = TypeVar("T")

MAX_MESSAGE_BYTES = 64 << 20
INBOX_LIMIT_MESSAGES = 100_000  # uvicorn delivers whatever was queued; only an endless flood is cut
INBOX_LIMIT_BYTES = 128 << 20
# After the endpoint returns, frames it sent may still be crossing the
# transport; this much of the grader's clock lets them land (free in virtual time).
SETTLE = 0.05
# Where a learner's app is served by `uvicorn app:app` (uvicorn's defaults): what the app sees as its server.
SERVER_URL = "http://127.0.0.1:8000"


@dataclass
class Message:
    """One frame's payload; when it crossed the wire is the transcript's business."""

    data: str | bytes
    cost: int = 0  # what it holds of the link's memory budget while in the inbox
    at: float = 0.0  # when it arrived, on the grader's clock (the conversation's)

    @property
    def kind(self) -> str:
        return "bytes" if isinstance(self.data, bytes) else "text"

    def describe(self) -> str:
        if isinstance(self.data, bytes):
            return f"binary frame of {len(self.data)} bytes {show(self.data, 60)}"
        return f"text {shown_text(self.data)}"

    def preview(self) -> Message | Preview:
        """What a transcript keeps of it: the message itself if small, else only what describe() shows."""
        return self if len(self.data) <= PREVIEW_LIMIT else Preview(self)


# A transcript keeps messages up to this size whole; of a larger one only what it shows.
PREVIEW_LIMIT = 1024


class Preview:
    """A large message as a transcript shows it, without holding the message."""

    def __init__(self, message: Message) -> None:
        data = message.data
        if isinstance(data, bytes):
            # As Message.describe() words it (show() of more than 60 bytes).
            self.text = f"binary frame of {len(data)} bytes {data[:60]!r}… ({len(data)} bytes)"
        else:
            # Whether the whole text is JSON is not worth a parse of megabytes: its brackets say enough.
            stripped = data.strip()
            looks_json = stripped[:1] in ("{", "[") and stripped[-1:] in ("}", "]")
            head = data[:200] if looks_json else jsonsafe.dumps(data[:200])
            self.text = f"text {head}… ({len(data)} characters)"

    def describe(self) -> str:
        return self.text


def shown_text(text: str, limit: int = 200) -> str:
    """A text frame for transcripts: JSON as it was written, other text quoted."""
    stripped = text.strip()
    if stripped[:1] in ("{", "[") and stripped[-1:] in ("}", "]"):
        with contextlib.suppress(ValueError):
            jsonsafe.loads(stripped)
            return text if len(text) <= limit else text[:limit] + f"… ({len(text)} characters)"
    return show(text, limit)


class _DroppableStream(ServerStream):
    """httpx-ws's in-memory stream, reading frames as uvicorn does (see framestream.py), that can end without a close
    frame."""

    def __init__(self, app: Any, scope: dict[str, Any], *args: Any) -> None:
        # wsproto checks the request target as sent on the wire (percent-encoded);
        # the app gets the decoded path, as from any server.
        raw = scope.get("raw_path")
        target = raw.decode("latin-1") if isinstance(raw, bytes) else scope["path"]
        super().__init__(app, {**scope, "path": target}, *args)
        self.scope = scope


class _Transport(ASGIWebSocketTransport):
    """httpx-ws's ASGI transport, with streams that can drop (uvicorn closes sockets without a close frame)."""

    async def _create_asgi_websocket_async_network_stream(self, *, task_status: Any) -> None:
        stream = _DroppableStream(self.app, self.scope, self._task_group,  # type: ignore[arg-type]
                                  self._initial_receive_timeout)
        assert self._exit_stack is not None
        task_status.started(await self._exit_stack.enter_async_context(stream))


@dataclass
class Handshake:
    accepted: bool
    subprotocol: str | None = None
    code: int | None = None  # the ASGI close code of a refusal (no real client sees it)
    reason: str | None = None
    timed_out: bool = False
    status: int | None = None  # the HTTP status a real client gets when it is not accepted
    aborted: str | None = None  # why a real client would give up on an accepted handshake


@dataclass
class Closed:
    code: int
    reason: str
    dropped: bool = False  # no close frame: the connection was lost (a real client sees 1006)
    at: float = 0.0  # when it was seen, on the grader's clock (the conversation's)


class Transcript:
    """What crossed the wire, kept cheaply: the last ``limit`` lines, described only when shown."""

    def __init__(self, clock: Callable[[], float], limit: int = 60) -> None:
        self.clock = clock
        self.entries: deque[tuple[float, str, str, str | Message | Preview]] = deque(maxlen=limit)
        self.total = 0

    def add(self, client: str, direction: str, item: str | Message) -> None:
        self.total += 1
        self.entries.append((self.clock(), client, direction, item if isinstance(item, str) else item.preview()))

    def frames(self) -> tuple[Frame, ...]:
        frames = tuple(
            Frame(round(at, 3), client, direction, item if isinstance(item, str) else item.describe())
            for at, client, direction, item in self.entries
        )
        dropped = self.total - len(self.entries)
        if dropped and frames:
            frames = (Frame(frames[0].at, "", "event", f"… {dropped} earlier lines not shown"), *frames)
        return frames


@dataclass
class ClientSession:
    """One named WebSocket client's connection, alive as a task from connect to teardown: the handshake, the
    session that reads every frame the server sends into the inbox, and waiting on what they change."""

    name: str
    link: Link
    transcript: Transcript
    side: ServerSide = field(default_factory=ServerSide)
    conn: RelayConn | None = None
    inbox: deque[Message] = field(default_factory=deque)
    inbox_bytes: int = 0
    pongs: deque[Message] = field(default_factory=deque)  # answers to the pings this client sent
    pinged: deque[bytes] = field(default_factory=deque)  # its pings' payloads, oldest first, until a pong is taken
    overflow: bool = False
    closed: Closed | None = None
    transport_error: Exception | None = None
    handshake: Handshake | None = None
    left: bool = False
    _task: asyncio.Task[None] | None = None
    _leave: asyncio.Event = field(default_factory=asyncio.Event)
    _leave_code: int = 1000
    _leave_reason: str = ""
    _leave_raw: bytes | None = None  # the payload of a close frame written byte by byte
    _released: bool = False
    _waiters: Waiters = field(default_factory=Waiters)
    _ws: httpx_ws.AsyncWebSocketSession | None = None

    def clock(self) -> float:
        return self.transcript.clock()

    @property
    def crash(self) -> AppError | None:
        """SystemExit or KeyboardInterrupt raised by the endpoint: code meant to stop the server."""
        error = self.side.error
        return error if error is not None and error.exit else None

    def _opened(self, conn: RelayConn) -> None:
        self.conn = conn
        self.side = conn.side
        conn.on_change = self.poke

    def log(self, direction: str, item: str | Message) -> None:
        self.transcript.add(self.name, direction, item)

    def poke(self) -> None:
        """Something changed: wake everyone waiting in :meth:`until` to look again."""
        self._waiters.wake_all()

    async def until(self, ready: Callable[[], T | None], timeout: float) -> T | None:
        """Wait (on the grader's clock) until ``ready()`` gives a value, or time runs out.

        Raises :class:`HostGone` if the app's process died or froze meanwhile.
        """
        value = ready()
        if value is not None:
            return value
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            if self.link.dead is not None:
                raise HostGone(self.link.why)
            # A bare future and a timer: far cheaper than asyncio.wait_for,
            # which wraps every wait in a task of its own.
            waiter = self._waiters.new(loop)
            timer = loop.call_at(deadline, wake, waiter) if deadline != math.inf else None
            try:
                await waiter
            finally:
                if timer is not None:
                    timer.cancel()
            value = ready()
            if value is not None or loop.time() >= deadline:
                return value

    def _http(self, spec: Connect, timeout: float) -> httpx.AsyncClient:
        """The HTTP client the WebSocket session upgrades from: here, one whose transport is the relay.

        The app sees the scope a client of ``uvicorn app:app`` gives it: the server
        127.0.0.1:8000 (its ``server``, the ``Host`` header and so ``url_for``) and a
        client address of its own on the loopback, a port per connection.
        """
        transport = _Transport(relay(self.link, self._opened), initial_receive_timeout=timeout,
                               client=("127.0.0.1", _client_port()))
        return httpx.AsyncClient(transport=transport, base_url=SERVER_URL, cookies=spec.cookies, trust_env=False)

    def _headers(self, spec: Connect) -> dict[str, str]:
        return dict(spec.headers)

    async def _refused(self) -> None:
        """The handshake was refused; a subclass may wait to learn more of it."""

    async def _session(self, spec: Connect, query: str, timeout: float) -> None:
        try:
            async with self._http(spec, timeout) as http:
                try:
                    ws: httpx_ws.AsyncWebSocketSession
                    async with httpx_ws.aconnect_ws(
                        spec.path + (f"?{query}" if query else ""),
                        http,
                        subprotocols=list(spec.subprotocols) or None,
                        headers=self._headers(spec),
                        max_message_size_bytes=MAX_MESSAGE_BYTES,
                        session_class=Session,
                    ) as ws:
                        assert isinstance(ws, Session)
                        ws.on_pong(self._pong)
                        self._ws = ws
                        self.handshake = Handshake(accepted=True, subprotocol=ws.subprotocol)
                        self.poke()
                        reader = asyncio.create_task(self._read(ws))
                        try:
                            await self._leave.wait()
                            await self._send_close(ws)
                            # Keep the transport up until the endpoint returns (or
                            # teardown gives up on it): closing it under a running
                            # endpoint makes httpx-ws cancel the endpoint itself.
                            await self.until(lambda: self.side.ended or self._released or None, math.inf)
                        finally:
                            # However the session ends, its reader ends with it and
                            # its outcome is collected here (never printed as a warning).
                            reader.cancel()
                            with contextlib.suppress(asyncio.CancelledError, Exception):
                                await reader
                except httpx_ws.WebSocketDisconnect as exc:
                    if self.handshake is None:
                        # A close before accept: uvicorn answers HTTP 403.
                        self.handshake = Handshake(accepted=False, code=exc.code, reason=exc.reason or "", status=403)
                except httpx_ws.WebSocketUpgradeError as exc:
                    if self.handshake is None:
                        await self._refused()
                        close = self.side.close if not self.side.accepted else None
                        self.handshake = Handshake(accepted=False, status=exc.response.status_code,
                                                   code=close[0] if close else None,
                                                   reason=close[1] if close else None)
                except RuntimeError as exc:
                    if self.handshake is not None or "accept" not in str(exc):
                        raise
                    self.handshake = Handshake(accepted=False, timed_out=True)
                self.poke()
                # Leaving the client waits for the endpoint to return.
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001 - the endpoint's own errors arrive through side.error
            # The endpoint's exceptions arrive through side.error, so an
            # Exception here is httpx-ws's own (it can trip over its closed
            # streams while an endpoint ignores the disconnect): not theirs.
            self.transport_error = _unwrap(exc)  # type: ignore[assignment]
        finally:
            self.poke()

    async def _read(self, ws: httpx_ws.AsyncWebSocketSession) -> None:
        while True:
            try:
                event = await ws.receive()
            except httpx_ws.WebSocketDisconnect as exc:
                self.closed = Closed(exc.code, exc.reason or "", at=self.clock())
                reason = f" {exc.reason!r}" if exc.reason else ""
                if not self.left:  # after the client's own close, the server's only completes the handshake
                    self.log("event", f"server closed the connection: code {exc.code}{reason}")
                # Answer the close as browsers do, which completes the closing
                # handshake: the endpoint then receives websocket.disconnect.
                self._leave_code = exc.code
                self._leave.set()
                self.poke()
                return
            except (httpx_ws.WebSocketNetworkError, anyio.ClosedResourceError, anyio.EndOfStream):
                self.closed = Closed(1006, "", dropped=True, at=self.clock())
                self.log("event", "the connection dropped without a close frame (a real client sees 1006)")
                self.poke()
                return
            if isinstance(event, wsproto.events.TextMessage | wsproto.events.BytesMessage):
                data = event.data if isinstance(event.data, str) else bytes(event.data)
                message = Message(data, self.conn.holding.landed() if self.conn is not None else 0, self.clock())
                self.inbox.append(message)
                self.inbox_bytes += len(data)
                self.log("received", message)
                if len(self.inbox) > INBOX_LIMIT_MESSAGES or self.inbox_bytes > INBOX_LIMIT_BYTES:
                    self.overflow = True
                    self.poke()
                    return
                self.poke()

    async def _send_close(self, ws: httpx_ws.AsyncWebSocketSession) -> None:
        """Send the close frame (or the answer to the server's) without closing the transport yet."""
        with contextlib.suppress(Exception):
            if self._leave_raw is not None:
                await _write_raw(ws, RawFrame(CLOSE, self._leave_raw))
                return
            data = ws.connection.send(wsproto.events.CloseConnection(self._leave_code, self._leave_reason))
            await ws.stream.write(data)


class Client(ClientSession):
    """One named WebSocket client, as the steps of a conversation use it: send, read, leave, tear down."""

    async def connect(self, spec: Connect, timeout: float) -> Handshake:
        query = spec.query if isinstance(spec.query, str) else _query(spec.query)
        shown = spec.path + (f"?{query}" if query else "")
        self.log("event", f"connect {shown}")
        # What the client offered is part of what the server answered to: shown, so a learner can see it.
        if spec.subprotocols:
            self.log("event", "offers subprotocols " + ", ".join(spec.subprotocols))
        if spec.headers:
            self.log("event", "sends headers " + "; ".join(f"{name}: {value}" for name, value in spec.headers.items()))
        if spec.cookies:
            self.log("event", "sends cookies " + "; ".join(f"{name}={value}" for name, value in spec.cookies.items()))
        self._task = asyncio.create_task(self._session(spec, query, timeout))
        handshake = await self.until(lambda: self.handshake or self._early_crash(), timeout + 1)
        if handshake is None:
            handshake = Handshake(accepted=False, timed_out=True)
        self.handshake = handshake
        offered = list(spec.subprotocols)
        # What the client read in the server's answer; the host's word for it when the answer had none
        # (a real client reads it from the response, which can come before the host's report).
        picked = handshake.subprotocol if handshake.accepted and handshake.subprotocol else (
            self.side.subprotocol if self.side.accepted else None)
        if picked is not None and picked not in offered:
            # Real clients (browsers, websockets) abort such a handshake.
            handshake = Handshake(accepted=False, subprotocol=picked,
                                  aborted=f"the server picked subprotocol {picked!r}, which the client "
                                          f"did not offer ({', '.join(offered) or 'it offered none'})")
            self.handshake = handshake
            await self.leave()
        if handshake.accepted:
            self.log("event", "accepted" + (f" (subprotocol {handshake.subprotocol})" if handshake.subprotocol else ""))
        elif handshake.aborted:
            self.log("event", f"handshake aborted by the client: {handshake.aborted}")
        elif handshake.timed_out:
            self.log("event", "no answer to the handshake")
        elif handshake.status is not None and handshake.code is None:
            self.log("event", f"refused: HTTP {handshake.status}")
        else:
            self.log("event", f"refused: HTTP {handshake.status or 403} (closed with code {handshake.code}"
                     + (f" {handshake.reason!r}" if handshake.reason else "") + ")")
        return handshake

    def _early_crash(self) -> Handshake | None:
        # An accept that arrived before the crash still reaches the client first.
        if self.side.accepted and not (self._task is not None and self._task.done()):
            return None
        if self.crash is not None or (self._task is not None and self._task.done()):
            return Handshake(accepted=False, code=None)
        return None

    # -- talking --

    async def send_text(self, text: str) -> None:
        self.log("sent", Message(text))
        await self._send(lambda ws: ws.send_text(text))

    async def send_json(self, value: Any) -> None:
        await self.send_text(jsonsafe.dumps(value))

    async def send_bytes(self, data: bytes) -> None:
        self.log("sent", Message(data))
        await self._send(lambda ws: ws.send_bytes(data))

    async def send_frame(self, frame: RawFrame) -> None:
        """Write one frame exactly as given (``send_frame``, ``ping``): the server judges it, the client does not."""
        self.log("sent", frame.describe())
        if frame.opcode == PING:
            self.pinged.append(frame.payload)
        await self._send(lambda ws: _write_raw(ws, frame))

    def _pong(self, payload: bytes) -> None:
        message = Message(payload, 0, self.clock())
        self.pongs.append(message)
        self.log("received", f"pong {payload!r}")
        self.poke()

    async def _send(self, do: Callable[[httpx_ws.AsyncWebSocketSession], Any]) -> None:
        assert self._ws is not None
        # Sending into a connection the server already closed is not the
        # learner's error yet: the next expect step reports the close.
        with contextlib.suppress(httpx_ws.WebSocketNetworkError, wsproto.utilities.LocalProtocolError):
            await do(self._ws)

    def take(self) -> Message | None:
        if self.inbox:
            message = self.inbox.popleft()
            self.inbox_bytes -= len(message.data)
            if self.conn is not None:
                self.conn.holding.taken(message.cost)
            return message
        return None

    async def leave(self, code: int = 1000, reason: str = "", raw: bytes | None = None) -> None:
        """Close from the client side (the ``disconnect`` step); ``raw``: the close frame's payload as it is."""
        if self.left:
            return
        self.left = True
        self._leave_code = code
        self._leave_reason = reason
        self._leave_raw = raw
        if raw is not None:
            self.log("event", f"client disconnects (close frame payload {raw!r})")
        else:
            self.log("event", f"client disconnects (code {code}" + (f", reason {reason!r})" if reason else ")"))
        self._leave.set()
        # Let the close frame reach the endpoint before the next step.
        await asyncio.sleep(0)

    async def wait_ended(self, timeout: float) -> bool:
        """Wait until the endpoint returned (or raised) after the client left."""
        return bool(await self.until(lambda: self.side.ended or self.crash is not None or None, timeout))

    async def teardown(self, timeout: float) -> bool:
        """End the connection whatever state it is in; False if the endpoint would not stop.

        An endpoint that swallows cancellation cannot be stopped from inside the
        loop (anyio retries the cancellation on every iteration, forever), so it
        is only noticed here; the caller retires the whole process.
        """
        if self._task is None:
            return True
        if not self.left:
            self.left = True
            self._leave.set()
        self.poke()
        finished, _ = await asyncio.wait({self._task}, timeout=timeout)
        stopped = bool(finished)
        if not stopped:
            # Closing the transport cancels the endpoint (and its task group).
            self._released = True
            self.poke()
            stopped = await _within_iterations(self._task)
        if not stopped:
            self._task.cancel()
            stopped = await _within_iterations(self._task)
        self.release()
        return stopped

    def release(self) -> None:
        """Give back the memory budget this client's connection held (its inbox is read no more)."""
        if self.conn is not None:
            self.conn.release()
        for message in self.inbox:
            message.cost = 0


async def _within_iterations(task: asyncio.Task[Any], iterations: int = 50) -> bool:
    """Whether ``task`` ends within a few loop iterations, without waiting on the clock."""
    for _ in range(iterations):
        if task.done():
            return True
        await asyncio.sleep(0)
    return task.done()


_PORTS = itertools.count()


def _client_port() -> int:
    """An ephemeral port, as the kernel would give a client: a different one for each connection."""
    return 49152 + next(_PORTS) % 16384


async def _write_raw(ws: httpx_ws.AsyncWebSocketSession, frame: RawFrame) -> None:
    # Behind the session's own writes (its answers to pings), never between a frame's bytes.
    # A connection already gone is not the learner's error yet: the next step that waits reports it.
    with contextlib.suppress(anyio.ClosedResourceError, anyio.BrokenResourceError, httpcore.WriteError, OSError):
        async with ws._write_lock:
            await ws.stream.write(frame.encode())


def _query(params: dict[str, Any]) -> str:
    return str(httpx.QueryParams(params))


def _unwrap(exc: BaseException) -> BaseException:
    """The first real exception inside (nested) exception groups."""
    while isinstance(exc, BaseExceptionGroup) and exc.exceptions:
        exc = exc.exceptions[0]
    return exc
