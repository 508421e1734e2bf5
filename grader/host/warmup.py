"""Run FastAPI's first-use paths once in a process that will fork hosts.

Importing a FastAPI app for the first time in a process costs far more than
the next time: ``FastAPI()`` compiles the regular expressions of its own
routes (``/openapi.json``, ``/docs``...), the first route and the first
WebSocket connection fill caches of signatures, dependencies and encoders,
and the first lifespan event imports more of FastAPI; a spec on the
grader's clock (``wall_clock: virtual``) loads ``time_machine``. A host that
has done all this before it says ready, or was forked from a template that
has, pays only for the learner's own code.

What runs here is the grader's own small app, driven through plain ASGI calls
on a throwaway event loop, before any learner file is near: it leaves no
thread, no event loop and no object reachable from a learner's app, only the
libraries' own caches (the ``re`` module's cache, typing's, pydantic's),
which change how fast things are, never what they do. Warnings raised
meanwhile are kept from the warnings registry, so the learner sees every
warning their own code causes.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import warnings
from typing import Any

from fastapi import FastAPI, WebSocket

from grader.host.clock import HostLoop, load_time_machine

_done = False


def _app() -> FastAPI:
    app = FastAPI()

    @app.websocket("/ws")
    async def echo(websocket: WebSocket) -> None:
        await websocket.accept()
        data = await websocket.receive_json()
        await websocket.send_json(data)
        await websocket.send_text(await websocket.receive_text())
        await websocket.send_bytes(await websocket.receive_bytes())
        await websocket.close(code=1000, reason="done")

    return app


async def _drive(app: FastAPI) -> None:
    async def run(scope: dict[str, Any], events: list[dict[str, Any]]) -> None:
        inbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        for event in events:
            inbox.put_nowait(event)

        async def send(_message: dict[str, Any]) -> None:
            return None

        await app(scope, inbox.get, send)

    lifespan = {"type": "lifespan", "asgi": {"version": "3.0", "spec_version": "2.0"}, "state": {}}
    await run(lifespan, [{"type": "lifespan.startup"}, {"type": "lifespan.shutdown"}])
    scope = {"type": "websocket", "asgi": {"version": "3.0", "spec_version": "2.4"}, "http_version": "1.1",
             "scheme": "ws", "server": ("127.0.0.1", 8000), "client": ("127.0.0.1", 50000), "root_path": "",
             "path": "/ws", "raw_path": b"/ws", "query_string": b"", "headers": [(b"host", b"127.0.0.1:8000")],
             "subprotocols": [], "state": {}, "extensions": {"websocket.http.response": {}}}
    await run(scope, [
        {"type": "websocket.connect"},
        {"type": "websocket.receive", "text": '{"type": "ping", "n": [1, 2.5, null, true]}'},
        {"type": "websocket.receive", "text": "hello"},
        {"type": "websocket.receive", "bytes": b"\x00\x01"},
        {"type": "websocket.disconnect", "code": 1000},
    ])


def rehearse() -> None:
    """The warm-up once more, in a forked host that waits for its go (a host started ahead).

    A fork shares the template's memory until it writes to it, and the first
    time a fork runs a path it copies every page that path writes to (reference
    counts, caches): a fresh fork's first app, first event loop and first
    lifespan cost several times what they cost the second time. Run here, on a
    loop of the host's own kind, those copies are made while the host waits,
    not once the learner's file is being imported. It leaves what
    :func:`warm_up` leaves: no thread, no loop, no descriptor, only caches.
    """
    # Only ever a matter of speed: a rehearsal that fails (it ran once in the template already) leaves
    # the host as it was, and must not end it before the learner's file is even near.
    with warnings.catch_warnings(), contextlib.suppress(Exception):
        warnings.simplefilter("ignore")
        loop = HostLoop(lambda _data: None, None, 0.0)  # what it would tell a judge goes nowhere
        try:
            loop.run_until_complete(_drive(_app()))
        finally:
            loop.close()
            asyncio.set_event_loop(None)
    gc.collect(1)


def warm_up() -> None:
    """Once per process: the first-use costs of a FastAPI WebSocket app and the wall clock's library."""
    global _done
    if _done:
        return
    _done = True
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        loop = asyncio.new_event_loop()
        try:
            loop.run_until_complete(_drive(_app()))
        finally:
            loop.close()
            asyncio.set_event_loop(None)
    # What a spec with ``wall_clock: virtual`` (most of them) loads after the job.
    load_time_machine()
    # The warm-up's own garbage is young: a young collection frees it (a full one costs 0.1 s).
    gc.collect(1)
