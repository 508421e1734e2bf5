"""Run an ASGI app's lifespan (startup before the checks, shutdown after).

httpx-ws's transport does not run it, yet apps that open resources in a
``lifespan`` handler need it. This speaks the ASGI lifespan protocol, so it
works for any ASGI app, and treats an app that does not support lifespan as
having nothing to start.
"""

from __future__ import annotations

import asyncio
from typing import Any


class LifespanFailed(Exception):
    """Startup or shutdown went wrong: ``reason`` is "timeout", "failed" or "raised"."""

    def __init__(self, reason: str, message: str = "", error: BaseException | None = None) -> None:
        super().__init__(message or reason)
        self.reason = reason
        self.message = message
        self.error = error


class Lifespan:
    def __init__(self, app: Any, timeout: float = 10.0) -> None:
        self.app = app
        self.timeout = timeout
        # What the app yields from its lifespan reaches every connection's scope, as uvicorn does it.
        self.state: dict[str, Any] = {}
        self._to_app: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self._from_app: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None
        self._error: BaseException | None = None
        self._supported = True

    async def _run(self) -> None:
        scope = {"type": "lifespan", "asgi": {"version": "3.0", "spec_version": "2.0"}, "state": self.state}
        try:
            await self.app(scope, self._to_app.get, self._from_app.put)
        except BaseException as exc:  # noqa: BLE001 - reported by startup()/shutdown()
            self._error = exc
        finally:
            await self._from_app.put({"type": "lifespan.ended"})

    async def _reply(self) -> dict[str, Any]:
        return await asyncio.wait_for(self._from_app.get(), self.timeout)

    async def startup(self) -> None:
        self._task = asyncio.create_task(self._run())
        await self._to_app.put({"type": "lifespan.startup"})
        try:
            message = await self._reply()
        except TimeoutError:
            raise LifespanFailed("timeout", f"{self.timeout:g}") from None
        kind = message["type"]
        if kind == "lifespan.startup.complete":
            return
        if kind == "lifespan.startup.failed":
            raise LifespanFailed("failed", str(message.get("message", "")), self._error)
        # The app returned or raised before answering: it does not do lifespan,
        # unless it raised something of its own making.
        if self._error is not None and not _is_unsupported(self._error):
            raise LifespanFailed("raised", "", self._error)
        self._supported = False

    async def shutdown(self) -> None:
        if not self._supported or self._task is None or self._task.done():
            return
        await self._to_app.put({"type": "lifespan.shutdown"})
        try:
            message = await self._reply()
        except TimeoutError:
            self._task.cancel()
            raise LifespanFailed("timeout", f"{self.timeout:g}") from None
        if message["type"] == "lifespan.shutdown.failed" or self._error is not None:
            raise LifespanFailed("failed", str(message.get("message", "")), self._error)


def _is_unsupported(exc: BaseException) -> bool:
    # Plain ASGI callables typically assert on scope["type"] or raise KeyError/ValueError.
    return isinstance(exc, AssertionError | KeyError | ValueError | TypeError | NotImplementedError)
