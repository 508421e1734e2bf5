"""The judge's link believes only well-formed host frames, holds no more than its budget, and never raises."""

from __future__ import annotations

import asyncio
import socket
import struct
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI, WebSocket
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from grader import Options, grade, load_exercise, wire
from grader.judge import driver
from grader.judge.budget import TRANSIT_COPIES
from grader.judge.clock import VirtualClockLoop
from grader.judge.link import Death, Link, RelayConn

SCOPE = {"type": "websocket", "path": "/ws", "headers": [], "client": None, "server": None}


class Pair:
    """A link and the host's end of its socket, the host played by the test."""

    def __init__(self, budget: int = 1 << 20) -> None:
        self.judge, self.host = socket.socketpair()
        self.loop = asyncio.new_event_loop()
        self.link = Link(self.judge, self.loop, stall_seconds=2.0, budget_bytes=budget)

    def say(self, *frames: bytes) -> None:
        """The host writes ``frames`` in one write; the judge reads them as its loop would."""
        data = b"".join(frames)
        self.host.setblocking(True)
        self.host.sendall(data)
        while self.link.dead is None and self._pending():
            self.link._readable()

    def _pending(self) -> bool:
        self.judge.setblocking(False)
        try:
            return bool(self.judge.recv(1, socket.MSG_PEEK))
        except BlockingIOError:
            return False

    def opened(self) -> RelayConn:
        return self.link.open(SCOPE)

    def close(self) -> None:
        self.link.close()
        self.loop.close()
        self.host.close()
        self.judge.close()


@pytest.fixture
def pair() -> Iterator[Pair]:
    made = Pair()
    yield made
    made.close()


def frame(op: str, payload: bytes = b"", **fields: object) -> bytes:
    return wire.encode({"op": op, **fields}, payload)


def test_a_message_for_a_connection_never_opened_is_a_protocol_error(pair: Pair) -> None:
    pair.say(frame("accept", conn=7))
    assert pair.link.dead is Death.PROTOCOL
    assert "not open" in pair.link.why


def test_a_message_for_a_connection_that_ended_is_a_protocol_error(pair: Pair) -> None:
    conn = pair.opened()
    pair.say(frame("accept", conn=conn.id), frame("ended", conn=conn.id))
    assert pair.link.dead is None and conn.side.ended
    pair.say(frame("send", b"late", conn=conn.id, kind="text"))
    assert pair.link.dead is Death.PROTOCOL
    assert "not open" in pair.link.why


def test_a_message_before_accept_is_a_protocol_error(pair: Pair) -> None:
    conn = pair.opened()
    pair.say(frame("send", b"x", conn=conn.id, kind="text"))
    assert pair.link.dead is Death.PROTOCOL


def test_frames_before_a_broken_one_in_the_same_read_are_delivered(pair: Pair) -> None:
    conn = pair.opened()
    broken = struct.pack(">II", 4 + 30_000, 30_000) + b"[" * 30_000
    pair.say(frame("accept", conn=conn.id), frame("send", b"kept", conn=conn.id, kind="text"), broken)
    assert pair.link.dead is Death.PROTOCOL
    assert conn.side.accepted
    delivered = [conn.outgoing.get_nowait() for _ in range(conn.outgoing.qsize())]
    assert {"type": "websocket.send", "text": "kept"} in delivered


@pytest.mark.parametrize("bad", [
    frame("accept", conn=[1]),                        # an id that is no number
    frame("accept", conn=True),
    frame("accept", conn=1, headers={"a": "b"}),      # a mapping where pairs belong
    frame("accept", conn=1, headers=[["a"]]),
    frame("accept", conn=1, subprotocol=5),
    frame("close", conn=1, code=1e300),
    frame("close", conn=1, code=1000, reason=["r"]),
    frame("http_start", conn=1, status=10**30),
    frame("ended", conn=1, error=[1, 2]),
    frame("idle", seen="all"),
    frame("idle", seen=0, next=-5),
    frame("idle", seen=10**6),                        # more frames seen than were ever sent
    frame("exit", status=10**40, peak_mb=1),
    frame("at", ask={"x": 1}),
    frame("runaway", conn=99),
    frame("ready", b"payload"),                       # a lifecycle message carries no payload
    frame("teleport"),
    frame("accept"),                                  # no connection id at all
])
def test_a_malformed_frame_ends_the_link_as_a_protocol_error(pair: Pair, bad: bytes) -> None:
    pair.opened()
    pair.say(bad)
    assert pair.link.dead is Death.PROTOCOL


def test_garbled_reports_in_a_lifecycle_event_are_read_without_an_escape(pair: Pair) -> None:
    pair.say(frame("load_failed", reason=["x"], errors=[{"type": 1, "message": None, "frames": [
        {"file": 3, "line": "ten", "function": None, "code": {}}, {"file": "a.py", "line": 2}]}, "junk", 7],
        found="not a list", module={"m": 1}))
    assert pair.link.dead is None
    event = pair.link.events[0]
    assert event["op"] == "load_failed" and event["reason"] == ""
    assert event["errors"] == [{"type": "1", "message": "", "frames": [
        {"file": "a.py", "line": 2, "function": "", "code": ""}]}]


def test_forged_lifecycle_events_do_not_pile_up(pair: Pair) -> None:
    pair.say(*(frame("started") for _ in range(200)))
    assert pair.link.dead is Death.PROTOCOL
    assert len(pair.link.events) <= 64


def test_a_frame_over_the_budget_is_refused_before_it_is_read() -> None:
    pair = Pair(budget=1 << 20)
    try:
        conn = pair.opened()
        pair.say(frame("accept", conn=conn.id))
        # Only the length of a 64 MiB frame: the judge refuses it without waiting for the rest.
        pair.say(struct.pack(">I", 64 << 20))
        assert pair.link.dead is Death.FLOOD
        assert len(pair.link.reader.buffer) == 0
        assert pair.link.budget.used <= pair.link.budget.limit
    finally:
        pair.close()


def test_messages_nobody_reads_fill_the_budget_and_end_the_link() -> None:
    pair = Pair(budget=1 << 20)
    try:
        conn = pair.opened()
        pair.say(frame("accept", conn=conn.id))
        chunk = b"m" * (32 << 10)
        for _ in range(64):
            pair.say(frame("send", chunk, conn=conn.id, kind="bytes"))
            if pair.link.dead is not None:
                break
        assert pair.link.dead is Death.FLOOD
        assert "1 MiB" in pair.link.why
        assert pair.link.budget.peak <= pair.link.budget.limit
        # What arrived was charged for its copies in transit.
        queued = [m for m in conn.outgoing._queue if m is not None and m["type"] == "websocket.send"]  # type: ignore[attr-defined]
        assert queued and conn.holding.held == len(queued) * len(chunk) * TRANSIT_COPIES
        # The connection's end gives it all back.
        conn.holding.release()
        assert pair.link.budget.used == 0
    finally:
        pair.close()


def test_the_budget_is_given_back_as_the_inbox_is_read() -> None:
    pair = Pair(budget=1 << 20)
    try:
        conn = pair.opened()
        pair.say(frame("accept", conn=conn.id))
        for _ in range(100):  # far more than the budget holds at once, read as it comes
            pair.say(frame("send", b"m" * (64 << 10), conn=conn.id, kind="bytes"))
            size = conn.holding.landed()
            conn.holding.taken(size)
        assert pair.link.dead is None
        assert pair.link.budget.used == 0
    finally:
        pair.close()


_OPS = ["accept", "send", "close", "http_start", "http_body", "pong", "ended", "idle", "busy", "at", "runaway", "exit",
        "ready", "loaded", "load_failed", "started", "setup_failed", "crashed", "stopped", "shutdown_failed", "open"]
_json = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-(2**70), max_value=2**70) | st.floats() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=8,
)
_fields = st.dictionaries(st.sampled_from(["conn", "kind", "code", "reason", "status", "headers", "subprotocol",
                                           "error", "errors", "seen", "next", "held", "ask", "lines", "more",
                                           "routes", "protections", "peak_mb", "departed_at", "found"]),
                          _json | st.integers(min_value=0, max_value=3), max_size=5)


def _encoded(op: str, fields: dict[str, object], payload: bytes) -> bytes:
    body = wire.json.dumps({**fields, "op": op}).encode()  # NaN and Infinity too, as a forger would write them
    return struct.pack(">II", 4 + len(body) + len(payload), len(body)) + body + payload


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(_OPS) | st.text(max_size=5), _fields, st.binary(max_size=16)),
                min_size=1, max_size=8),
       st.binary(max_size=40))
def test_random_host_frames_never_make_the_link_raise(frames: list[tuple[str, dict[str, object], bytes]],
                                                      tail: bytes) -> None:
    pair = Pair()
    try:
        pair.opened()
        pair.opened()
        pair.say(*(_encoded(op, fields, payload) for op, fields, payload in frames), tail)
        assert pair.link.dead in (None, Death.PROTOCOL, Death.FLOOD)
        assert pair.link.budget.used <= pair.link.budget.limit
    finally:
        pair.close()


# -- the clock held by a host that only says it is busy ------------------------------------------------


@pytest.fixture
def sleeper() -> Iterator[int]:
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    yield proc.pid
    proc.kill()
    proc.wait()


@pytest.mark.timeout(60)  # a wait on the link that never ends fails here instead of hanging
def test_a_host_that_says_busy_without_progress_is_frozen(sleeper: int) -> None:
    """A forger that writes "busy" every 2 ms, never idle, never moving anything, must not hold the clock."""
    judge, host = socket.socketpair()
    loop = VirtualClockLoop()
    link = Link(judge, loop, stall_seconds=0.3)
    loop.link = link
    link.pid = sleeper
    # A guard, not the assertion: were the rule broken, the run's deadline still ends the test.
    link.deadline = time.monotonic() + 20
    talking = threading.Event()
    talking.set()

    def busy_forever() -> None:
        with host:
            while talking.is_set():
                try:
                    host.sendall(frame("busy", held=False))
                except OSError:
                    return
                time.sleep(0.002)

    speaker = threading.Thread(target=busy_forever, daemon=True)
    speaker.start()
    try:
        link.send({"op": "time"})  # something for the host to work on: it is not idle

        async def wait() -> None:
            await link.until(lambda: None)

        loop.run_until_complete(wait())
        still_talking = speaker.is_alive() and talking.is_set()
    finally:
        talking.clear()
        speaker.join(5)
        loop.close()
        judge.close()
    assert link.dead is Death.STALLED, link.why
    assert still_talking
    assert "no progress" in link.why


@pytest.mark.timeout(60)  # a wait on the link that never ends fails here instead of hanging
def test_a_host_past_the_run_deadline_is_overtime(sleeper: int) -> None:
    judge, host = socket.socketpair()
    loop = VirtualClockLoop()
    link = Link(judge, loop, stall_seconds=30)
    loop.link = link
    link.pid = sleeper
    link.deadline = time.monotonic() - 1
    try:
        link.send({"op": "time"})
        loop.run_until_complete(link.until(lambda: None))
    finally:
        loop.close()
        judge.close()
        host.close()
    assert link.dead is Death.OVERTIME


# -- what the clock and the steps read from the link ------------------------------------------------------


def test_a_host_is_idle_only_once_it_has_read_everything_sent_to_it(pair: Pair) -> None:
    # An "idle" the host wrote before it read the judge's latest message says nothing about that message:
    # were it believed, the clock would skip ahead while the host is still to answer.
    pair.say(frame("idle", seen=0))
    assert pair.link.idle
    pair.link.send({"op": "time"})
    assert not pair.link.idle  # sent, not yet read by the host
    pair.say(frame("idle", seen=0))
    assert not pair.link.idle
    pair.say(frame("idle", seen=1))
    assert pair.link.idle


def test_a_wait_on_the_link_ends_when_the_host_dies(pair: Pair) -> None:
    # A plain loop, as under `--server uvicorn`: frames are read as they come, none wait for a clock.
    waited = pair.link.until(lambda: None)  # nothing will ever be ready
    pair.host.close()  # the host's end of the wire: the judge reads the end of the stream
    # A guard, not the assertion: were a dead host waited on for ever, the test fails here instead of hanging.
    assert pair.loop.run_until_complete(asyncio.wait_for(waited, 60)) is None
    assert pair.link.dead is Death.EXITED


def test_a_host_that_ends_under_a_real_uvicorn_is_named_without_a_grader_traceback(
        tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "demo.yaml").write_text(textwrap.dedent("""\
        version: 1
        id: demo
        title: Demo
        track: 1
        lesson: 1
        xp: 5
        file: demo.py
        instructions: x
        checks:
          - name: answers
            steps:
              - connect: /ws
              - expect_text: hi
        """), encoding="utf-8")
    (tmp_path / "demo.py").write_text(textwrap.dedent("""\
        import os
        from fastapi import FastAPI, WebSocket

        app = FastAPI()


        @app.websocket("/ws")
        async def leave(websocket: WebSocket):
            await websocket.accept()
            os._exit(3)
        """), encoding="utf-8")
    (check,) = grade(load_exercise(tmp_path / "demo.yaml"), tmp_path / "demo.py", Options(uvicorn=True)).checks
    assert check.failure is not None
    assert check.failure.message.startswith("your code called os._exit(3) at "), check.failure.message
    assert "Traceback" not in capfd.readouterr().err


def test_a_wrong_path_is_answered_with_the_apps_routes(converse: Any) -> None:
    app = FastAPI()

    @app.websocket("/ws")
    async def chat(websocket: WebSocket) -> None:
        await websocket.accept()
        await websocket.receive_text()

    @app.websocket("/rooms/{room}")
    async def room(websocket: WebSocket, room: str) -> None:
        await websocket.accept()
        await websocket.receive_text()

    result, _ = converse(app, "- connect: /nowhere\n")
    assert result.failure is not None
    assert result.failure.message.endswith("no WebSocket route of your app matches /nowhere: it has /ws, /rooms/{room}")


def test_a_step_that_times_out_says_where_the_endpoint_is_waiting(converse: Any) -> None:
    app = FastAPI()

    @app.websocket("/ws")
    async def listener(websocket: WebSocket) -> None:
        await websocket.accept()
        await websocket.receive_text()  # waits here: nothing is ever sent

    result, _ = converse(app, "- connect: /ws\n- expect_text: hello\n  timeout: 1\n", owner=__file__)
    assert result.failure is not None
    assert "; your endpoint is waiting at " in result.failure.message, result.failure.message
    assert result.failure.message.endswith("(await websocket.receive_text()  # waits here: nothing is ever sent)")


def test_the_apps_own_timer_is_waited_for_on_the_graders_clock(converse: Any) -> None:
    # The host tells the judge when its next timer is due: the clock skips to it, not to the step's timeout.
    app = FastAPI()

    @app.websocket("/ws")
    async def later(websocket: WebSocket) -> None:
        await websocket.accept()
        await asyncio.sleep(30)
        await websocket.send_text("half a minute later")
        await websocket.receive_text()

    result, clock = converse(app, "- connect: /ws\n- expect_text: half a minute later\n  timeout: 600\n")
    assert result.passed, result.failure
    assert 30 <= clock < 600


# -- a client's inbox -----------------------------------------------------------------------------------


def test_a_client_stops_reading_a_flood_of_unread_messages(converse: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(driver, "INBOX_LIMIT_MESSAGES", 50)
    app = FastAPI()

    @app.websocket("/ws")
    async def flood(websocket: WebSocket) -> None:
        await websocket.accept()
        await websocket.receive_text()
        for n in range(500):
            await websocket.send_text(f"unasked {n}")
        await websocket.receive_text()

    result, _ = converse(app, """\
        - connect: /ws
        - send_text: go
        - wait: 1
        - expect_text: "unasked 0"
    """)
    assert not result.passed
    assert "flooded the client" in result.failure.message
    assert "more than" in result.failure.actual


def test_what_a_host_said_ahead_of_the_clock_before_it_ended_still_arrives() -> None:
    # Frames stamped later than the judge's clock wait for it; a host that then exits has still said them.
    judge, host = socket.socketpair()
    loop = VirtualClockLoop()
    link = Link(judge, loop, stall_seconds=2.0)
    loop.link = link
    try:
        conn = link.open(SCOPE)
        ahead = loop.now_ns + 5_000_000
        host.sendall(frame("accept", conn=conn.id, t=ahead)
                     + frame("send", b"last words", conn=conn.id, kind="text", t=ahead + 1))
        host.close()
        for _ in range(10):
            if link.dead is not None:
                break
            link._readable()
        assert link.dead is Death.EXITED, link.why
        got = [conn.outgoing.get_nowait() for _ in range(conn.outgoing.qsize())]
        assert [m["type"] if m else None for m in got] == ["websocket.accept", "websocket.send", None], got
        assert got[1] is not None and got[1]["text"] == "last words"
    finally:
        link.close()
        loop.close()
        judge.close()


def waiting_app() -> FastAPI:
    app = FastAPI()

    @app.websocket("/ws")
    async def endpoint(websocket: WebSocket) -> None:
        await websocket.accept()
        try:
            while True:
                await websocket.receive_text()
        except Exception:  # noqa: BLE001 - the disconnect the shutdown causes ends it quietly
            return

    return app


def test_a_shutdown_closes_the_open_connections_with_1012_as_uvicorn_does(converse: Any) -> None:
    result, _ = converse(waiting_app(), """\
        - connect: /ws
        - shutdown:
        - expect_close: 1012
        """)
    assert result.failure is None, result.failure


def sizes_app() -> FastAPI:
    app = FastAPI()

    @app.websocket("/ws")
    async def endpoint(websocket: WebSocket) -> None:
        await websocket.accept()
        try:
            while True:
                await websocket.send_text(str(len(await websocket.receive_bytes())))
        except Exception:  # noqa: BLE001 - the refusal's disconnect ends it
            return

    return app


def test_a_client_message_of_exactly_16_mib_is_taken_and_one_byte_more_is_refused(converse: Any) -> None:
    # uvicorn's ws_max_size (16 MiB) is the largest message it takes: the limit itself is allowed.
    result, _ = converse(sizes_app(), """\
        - connect: /ws
        - send_bytes: {generate: repeat, size: 16777216, byte: 65}
        - expect_text: "16777216"
        - send_bytes: {generate: repeat, size: 16777217, byte: 65}
        - expect_close: 1009
        """)
    assert result.failure is None, result.failure
