"""What the grader sees: the same case app served by the real host code, driven by the judge's client.

Exactly the path ``bench/__main__.py`` (``row_round_trip``) takes: a
``grader.testing.ThreadHost`` serves the app over a real socket pair, and a
``grader.judge.driver.Client`` talks to it through the relay, on the judge's
virtual clock (so waits cost no real time). The same script as
``real.py`` is played, and what the client saw becomes an
:class:`Observation`.

Read from the driver as it reports them: the handshake (``Handshake``:
accepted and subprotocol, the HTTP ``status`` of a refusal, ``aborted`` when
a real client would give up, ``timed_out``), the frames, the end
(``Closed``: code and reason, ``dropped`` when no close frame came, which is
what a real client reports as 1006; its reason text is not compared).
"uvicorn logged 'Exception in ASGI application'" is ``client.side.error``
once the endpoint ended (``_ends_cleanly`` in grader/judge/conversation.py
fails on exactly that). uvicorn's other ERROR record, "ASGI callable
returned without completing handshake.", is ``error`` when the endpoint
ended without an exception, an accept, a close or a denial response: the
condition on which ``Conversation._connect`` tells the learner that uvicorn
logs it (the driver has no field of its own for it).

The adapter is small and lives here, not in grader/: the response headers of
the handshake are read from the driver's httpx-ws session (``client._ws``),
which the driver does not expose, and the close code a client sends carries
no reason (``Client.leave`` takes a code only).
"""

from __future__ import annotations

import asyncio
import dataclasses
from pathlib import Path
from typing import Any

from grader.judge.driver import Client, Transcript
from grader.judge.link import Link
from grader.spec import Connect
from grader.spec.rawframe import PING, RawFrame
from grader.testing import ThreadHost

from .model import (
    ABORTED,
    ACCEPTED,
    ENDED,
    ERROR,
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

# The case apps' own file: its folder is "the learner's" (their frames are reported).
OWNER = Path(__file__).resolve().parent / "cases.py"
CONNECT_TIMEOUT = 2.0  # seconds of the grader's clock
ENDED_TIMEOUT = 1.0  # as real.py's
TEARDOWN_TIMEOUT = 2.0


def observe_judged(case: Case) -> Observation:
    """Play ``case`` against the grader's judge and host; what its client saw and the host reported."""
    app = case.build()
    host = ThreadHost(app, OWNER)

    async def session(link: Link) -> Observation:
        return await _session(case, link)

    observation, _virtual_seconds = host.run(session, timeout=120)
    if case.report is not None:
        observation = dataclasses.replace(observation, app=case.report(app))
    return observation


async def _session(case: Case, link: Link) -> Observation:
    loop = asyncio.get_running_loop()
    client = Client("ws", link, Transcript(loop.time, limit=20))
    spec = Connect(case.path, query=case.query or {}, headers=dict(case.headers),  # type: ignore[arg-type]
                   subprotocols=tuple(case.subprotocols))
    notes: list[str] = []
    received: list[str] = []
    headers: tuple[tuple[str, str], ...] = ()
    end = NOT_OPENED
    try:
        handshake = await client.connect(spec, CONNECT_TIMEOUT)
        status = getattr(handshake, "status", None)
        aborted = getattr(handshake, "aborted", None)
        if handshake.accepted:
            shown = ACCEPTED + (f", subprotocol {handshake.subprotocol!r}" if handshake.subprotocol else "")
            headers = _headers(client, case.want_headers)
            end = await _converse(case, client, received, notes)
            if end == OPEN:
                await client.leave(1000)  # the client is done, as real.py's closes its connection
        elif aborted:
            shown = ABORTED
            notes.append(f"grader: {aborted}")
        elif handshake.timed_out:
            shown = NO_ANSWER
        elif status is not None:
            shown = f"refused HTTP {status}"
        else:
            shown = "refused, no HTTP status"
        if not handshake.accepted and handshake.code is not None:
            notes.append(f"grader: ASGI close code {handshake.code}" + (f" {handshake.reason!r}" if handshake.reason else ""))
        if client.transport_error is not None:
            notes.append(f"grader transport error {type(client.transport_error).__name__}: "
                         f"{str(client.transport_error)[:80]}")
        ended = await client.until(lambda: client.side.ended or None, ENDED_TIMEOUT) if client.conn else True
    finally:
        stopped = await client.teardown(TEARDOWN_TIMEOUT)
    if not stopped:
        notes.append("grader: the endpoint would not stop, even at teardown")
    side = client.side
    error = side.error
    kinds = set()
    if error is not None:
        # A value returned by the app is an ERROR line in uvicorn's log, not an exception.
        kinds.add(ERROR if error.type == "ASGIReturnValue" else EXCEPTION)
        notes.append(f"grader side.error {error.type}: {error.message[:80]}")
    elif side.ended and not side.accepted and side.close is None and getattr(side, "status", None) is None:
        kinds.add(ERROR)
        notes.append("grader: the endpoint ended without completing the handshake")
    return Observation(shown, headers, summarised(received), end, logged(kinds), ENDED if ended else STILL_RUNNING,
                       tuple(notes))


def _headers(client: Client, wanted: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    ws: Any = client._ws  # the driver keeps its httpx-ws session private
    response = getattr(ws, "response", None)
    found = response.headers if response is not None else {}
    return tuple((name, found.get(name, "<absent>")) for name in wanted)


async def _converse(case: Case, client: Client, received: list[str], notes: list[str]) -> str:
    client_first: int | None = None

    def ended() -> bool:
        # As a real client: the server's close is seen once the frames before it are read.
        return client_first is not None or (client.closed is not None and not client.inbox)

    for action in case.script:
        if isinstance(action, SendText):
            if not ended():
                await client.send_text(action.text)
        elif isinstance(action, SendBytes):
            if not ended():
                await client.send_bytes(action.data)
        elif isinstance(action, Recv):
            if not ended():
                await _receive(client, action.timeout, received, silence=True)
        elif isinstance(action, Close):
            if client_first is None and client.closed is None:
                client_first = action.code
                await client.leave(action.code)
        elif isinstance(action, Wait):
            await asyncio.sleep(action.seconds)
        elif isinstance(action, SendFrame):
            if not ended():
                await client.send_frame(RawFrame(action.opcode, action.payload, action.fin, action.rsv, action.masked))
        elif isinstance(action, Ping):
            if not ended():
                sent = action.payload
                await client.send_frame(RawFrame(PING, sent))
                pong = await client.until(lambda sent=sent: next((p for p in client.pongs if p.data == sent), None),
                                          action.timeout)
                received.append(f"pong {sent!r}" if pong is not None else "no pong")
        elif isinstance(action, CloseRaw) and not ended():
            await client.leave(raw=action.payload)
            return "client closed raw"
    loop = asyncio.get_running_loop()
    deadline = loop.time() + case.drain
    while not ended():
        left = deadline - loop.time()
        if left <= 0:
            if client.side.ended:
                notes.append("grader: the endpoint ended, no close frame reached the client")
            return OPEN
        await _receive(client, left, received, silence=False)
    if client_first is not None:
        return f"client closed {client_first}"
    assert client.closed is not None
    if getattr(client.closed, "dropped", False):
        return NO_CLOSE_FRAME
    return closed("server", client.closed.code, client.closed.reason)


async def _receive(client: Client, timeout: float, received: list[str], silence: bool) -> None:
    """One frame into ``received`` (or "silence"); nothing when the connection ended instead."""
    state = await client.until(lambda: "frame" if client.inbox else ("end" if client.closed else None), timeout)
    if state == "frame":
        message = client.take()
        assert message is not None
        received.append(show_frame(message.data))
    elif state is None and silence:
        received.append("silence")
