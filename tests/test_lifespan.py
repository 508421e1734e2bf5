"""The app's lifespan runs around the checks, as a server would run it."""

from __future__ import annotations

from contextlib import asynccontextmanager

from fastapi import FastAPI, WebSocket

from grader.host.lifespan import Lifespan, LifespanFailed
from grader.judge.clock import VirtualClockLoop


def test_lifespan_state_is_there_for_the_endpoint(converse) -> None:
    events: list[str] = []

    @asynccontextmanager
    async def lifespan(app: FastAPI):  # type: ignore[no-untyped-def]
        events.append("startup")
        app.state.greeting = "hello"
        yield
        events.append("shutdown")

    app = FastAPI(lifespan=lifespan)

    @app.websocket("/ws")
    async def greet(websocket: WebSocket) -> None:
        await websocket.accept()
        await websocket.send_text(websocket.app.state.greeting)

    result, _ = converse(app, "- connect: /ws\n- expect_text: hello\n")
    assert result.passed, result.failure
    assert events == ["startup", "shutdown"]


def test_a_failing_startup_is_reported_with_the_error() -> None:
    @asynccontextmanager
    async def lifespan(app: FastAPI):  # type: ignore[no-untyped-def]
        raise RuntimeError("database missing")
        yield

    app = FastAPI(lifespan=lifespan)

    async def main() -> str:
        try:
            await Lifespan(app).startup()
        except LifespanFailed as exc:
            return f"{exc.reason}: {exc.message} / {exc.error!r}"
        return "started"

    outcome = VirtualClockLoop().run_until_complete(main())
    assert outcome.startswith("failed: ") and "database missing" in outcome


def test_an_app_without_lifespan_support_is_fine() -> None:
    async def bare_app(scope, receive, send):  # type: ignore[no-untyped-def]
        assert scope["type"] == "websocket"

    async def main() -> None:
        life = Lifespan(bare_app)
        await life.startup()
        await life.shutdown()

    VirtualClockLoop().run_until_complete(main())
