"""Conversations against real FastAPI apps over the real httpx-ws transport.

Each test names a behaviour of the driver or a trap of in-process WebSocket
testing, and shows the verdict a learner would get.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest
from fastapi import Depends, FastAPI, WebSocket, WebSocketDisconnect

from grader.result import CheckResult, Kind, Status
from grader.spec import parse_exercise
from grader.testing import converse as serve_in_thread


def echo_app() -> FastAPI:
    app = FastAPI()

    @app.websocket("/ws")
    async def echo(websocket: WebSocket) -> None:
        await websocket.accept()
        async for text in websocket.iter_text():
            await websocket.send_text(f"Message text was: {text}")

    return app


def test_a_correct_conversation_passes(converse) -> None:
    result, _ = converse(echo_app(), """\
        - connect: /ws
        - send_text: hi
        - expect_text: "Message text was: hi"
        - disconnect:
        - ends_cleanly:
        """)
    assert result.status is Status.PASSED, result.failure
    assert result.points == 1


def test_a_wrong_answer_says_expected_and_got_with_a_transcript(converse) -> None:
    result, _ = converse(echo_app(), """\
        - connect: /ws
        - send_text: hi
        - expect_text: "Message was: hi"
        """)
    failure = result.failure
    assert failure is not None and failure.kind is Kind.MISMATCH
    assert failure.step is not None and failure.step.startswith("step 3, expect_text")
    assert failure.expected == '"Message was: hi"'
    assert failure.actual == '"Message text was: hi"'
    assert [f.direction for f in result.transcript] == ["event", "event", "sent", "received"]


def test_concurrent_clients_on_different_paths_are_not_mixed_up(converse) -> None:
    """One shared transport would race: it keeps the handshake scope on itself."""
    app = FastAPI()

    for name in ("a", "b", "c"):
        def make(name: str):  # type: ignore[no-untyped-def]
            async def endpoint(websocket: WebSocket) -> None:
                await websocket.accept()
                await websocket.send_text(f"I am {name}")
                async for _ in websocket.iter_text():
                    pass
            return endpoint

        app.add_api_websocket_route(f"/{name}", make(name))

    result, _ = converse(app, """\
        - {connect: /a, client: a}
        - {connect: /b, client: b}
        - {connect: /c, client: c}
        - {expect_text: I am c, client: c}
        - {expect_text: I am a, client: a}
        - {expect_text: I am b, client: b}
        """)
    assert result.status is Status.PASSED, result.failure


def test_an_exception_after_the_client_left_is_caught_although_httpx_ws_swallows_it(converse) -> None:
    app = FastAPI()

    @app.websocket("/ws")
    async def leaky(websocket: WebSocket) -> None:
        await websocket.accept()
        while True:
            text = await websocket.receive_text()
            await websocket.send_text(text)

    result, _ = converse(app, """\
        - connect: /ws
        - send_text: x
        - expect_text: x
        - disconnect:
        - ends_cleanly:
        """)
    failure = result.failure
    assert failure is not None and failure.kind is Kind.UNCLEAN
    assert "WebSocketDisconnect escaped your endpoint" in failure.message
    assert "uvicorn" in failure.message
    (error,) = failure.errors
    assert error.type == "WebSocketDisconnect"
    assert error.where is not None and error.where.code == "text = await websocket.receive_text()"


def test_sending_after_the_client_left_is_reported(converse) -> None:
    app = FastAPI()

    @app.websocket("/ws")
    async def rude(websocket: WebSocket) -> None:
        await websocket.accept()
        try:
            await websocket.receive_text()
        except WebSocketDisconnect:
            await websocket.send_text("are you there?")

    result, _ = converse(app, """\
        - connect: /ws
        - disconnect:
        - ends_cleanly:
        """)
    failure = result.failure
    assert failure is not None and failure.kind is Kind.UNCLEAN
    assert failure.errors and failure.errors[-1].where is not None
    assert "send_text" in failure.errors[-1].where.code


def test_an_endpoint_that_ignores_the_disconnect_fails_without_hanging(converse) -> None:
    app = FastAPI()

    @app.websocket("/ws")
    async def deaf(websocket: WebSocket) -> None:
        await websocket.accept()
        while True:
            await asyncio.sleep(1)

    result, clock = converse(app, """\
        - connect: /ws
        - disconnect:
        - ends_cleanly:
        """)
    failure = result.failure
    assert failure is not None and failure.kind is Kind.UNCLEAN
    assert "still running 2 s after the client left" in failure.message
    assert "await asyncio.sleep(1)" in failure.message  # where it was waiting
    assert clock < 10  # torn down, not waited on forever


def test_an_endpoint_that_never_accepts(converse) -> None:
    app = FastAPI()

    @app.websocket("/ws")
    async def shy(websocket: WebSocket) -> None:
        await asyncio.sleep(3600)

    result, _ = converse(app, """\
        - connect: /ws
        """)
    failure = result.failure
    assert failure is not None and failure.kind is Kind.TIMEOUT
    assert "neither accepted nor refused" in failure.message
    assert "await asyncio.sleep(3600)" in failure.message


def test_an_endpoint_that_returns_without_answering(converse) -> None:
    app = FastAPI()

    @app.websocket("/ws")
    async def once(websocket: WebSocket) -> None:
        await websocket.accept()
        await websocket.send_text(await websocket.receive_text())

    result, clock = converse(app, """\
        - connect: /ws
        - send_text: one
        - expect_text: one
        - send_text: two
        - expect_text: two
        """)
    failure = result.failure
    assert failure is not None and failure.kind is Kind.CLOSED
    assert "returned while the client was still waiting" in failure.message
    assert clock < 1  # known at once, not after the timeout


def test_an_endpoint_that_returns_without_closing(converse) -> None:
    app = FastAPI()

    @app.websocket("/ws")
    async def quitter(websocket: WebSocket) -> None:
        await websocket.accept()
        await websocket.receive_text()

    result, _ = converse(app, """\
        - connect: /ws
        - send_text: bye
        - expect_close: 1000
        """)
    failure = result.failure
    assert failure is not None and failure.kind is Kind.CLOSED
    assert "without closing" in failure.message


def test_close_code_and_reason(converse) -> None:
    app = FastAPI()

    @app.websocket("/ws")
    async def closer(websocket: WebSocket) -> None:
        await websocket.accept()
        await websocket.receive_text()
        await websocket.close(code=4001, reason="done")

    ok, _ = converse(app, """\
        - connect: /ws
        - send_text: bye
        - expect_close: {code: 4001, reason: done}
        - ends_cleanly:
        """)
    assert ok.status is Status.PASSED, ok.failure
    wrong, _ = converse(app, """\
        - connect: /ws
        - send_text: bye
        - expect_close: 1000
        """)
    assert wrong.failure is not None and "closed with code 4001, not 1000" in wrong.failure.message


def test_a_refused_handshake_with_its_code(converse) -> None:
    app = FastAPI()

    @app.websocket("/ws")
    async def guarded(websocket: WebSocket, token: str | None = None) -> None:
        if token != "secret":
            await websocket.close(code=1008)
            return
        await websocket.accept()
        await websocket.send_text("welcome")

    result, _ = converse(app, """\
        - connect: {path: /ws, refused: 1008}
        - connect: {path: /ws, query: {token: secret}}
          client: insider
        - expect_text: welcome
          client: insider
        """)
    assert result.status is Status.PASSED, result.failure
    wrong, _ = converse(app, """\
        - connect: {path: /ws, refused: 1003}
        """)
    assert wrong.failure is not None and wrong.failure.kind is Kind.REFUSED
    assert "code 1008, not 1003" in wrong.failure.message


def test_a_wrong_path_names_the_routes_the_app_has(converse) -> None:
    result, _ = converse(echo_app(), """\
        - connect: /websocket
        """)
    failure = result.failure
    assert failure is not None and failure.kind is Kind.REFUSED
    assert "no WebSocket route of your app matches /websocket: it has /ws" in failure.message


def test_headers_cookies_and_subprotocols_reach_the_app(converse) -> None:
    app = FastAPI()

    @app.websocket("/ws")
    async def who(websocket: WebSocket) -> None:
        await websocket.accept(subprotocol="chat.v2")
        await websocket.send_json({
            "agent": websocket.headers.get("x-agent"),
            "session": websocket.cookies.get("session"),
            "offered": websocket.scope["subprotocols"],
            "q": websocket.query_params.get("q"),
        })

    result, _ = converse(app, """\
        - connect:
            path: /ws
            query: {q: 5}
            headers: {x-agent: grader}
            cookies: {session: abc}
            subprotocols: [chat.v1, chat.v2]
            subprotocol: chat.v2
        - expect_json: {agent: grader, session: abc, offered: [chat.v1, chat.v2], q: "5"}
        """)
    assert result.status is Status.PASSED, result.failure


def test_ten_seconds_of_silence_take_ten_seconds_of_the_virtual_clock(converse) -> None:
    app = FastAPI()

    @app.websocket("/ws")
    async def heartbeat(websocket: WebSocket) -> None:
        await websocket.accept()
        while True:
            try:
                text = await asyncio.wait_for(websocket.receive_text(), 10)
            except TimeoutError:
                await websocket.send_text("HEARTBEAT")
            except WebSocketDisconnect:
                return
            else:
                await websocket.send_text(f"ACK: {text}")

    result, clock = converse(app, """\
        - connect: /ws
        - expect_silence: 9.5
        - expect_text: HEARTBEAT
          timeout: 1
        - wait: 5
        - send_text: hi
        - expect_text: "ACK: hi"
        - expect_silence: 9.5
        - expect_text: HEARTBEAT
          timeout: 1
        - disconnect:
        - ends_cleanly:
        """)
    assert result.status is Status.PASSED, result.failure
    assert 24.9 < result.clock_seconds < 25.1
    assert clock >= 25


def test_a_message_during_expected_silence_is_reported_with_its_time(converse) -> None:
    app = FastAPI()

    @app.websocket("/ws")
    async def eager(websocket: WebSocket) -> None:
        await websocket.accept()
        await asyncio.sleep(3)
        await websocket.send_text("HEARTBEAT")
        await websocket.receive_text()

    result, _ = converse(app, """\
        - connect: /ws
        - expect_silence: 9.5
        """)
    failure = result.failure
    assert failure is not None and "after 3.00 s" in failure.message


def test_sync_dependencies_in_threads_take_the_time_they_took(converse) -> None:
    # As under uvicorn: a sync dependency sleeping 0.3 s in a worker thread misses a 0.1 s handshake
    # deadline and meets a 1 s one; nothing is skipped while it runs.
    app = FastAPI()

    def slow_dependency() -> str:
        time.sleep(0.3)
        return "ready"

    @app.websocket("/ws")
    async def patient(websocket: WebSocket, state: str = Depends(slow_dependency)) -> None:
        await websocket.accept()
        await websocket.send_text(state)

    result, _ = converse(app, "- connect: /ws\n  timeout: 0.1\n")
    assert result.status is Status.FAILED and result.failure is not None
    assert result.failure.kind is Kind.TIMEOUT, result.failure
    result, _ = converse(app, "- connect: /ws\n  timeout: 1\n- expect_text: ready\n  timeout: 0.1\n")
    assert result.status is Status.PASSED, result.failure
    assert result.clock_seconds >= 0.3


def test_binary_frames_and_generated_payloads(converse, tmp_path: Path) -> None:
    app = FastAPI()

    @app.websocket("/ws")
    async def store(websocket: WebSocket) -> None:
        await websocket.accept()
        async for data in websocket.iter_bytes():
            Path("received_file.bin").write_bytes(data)
            await websocket.send_bytes(b"FILE_RECEIVED")

    import os

    here = os.getcwd()
    os.chdir(tmp_path)
    try:
        result, _ = converse(app, """\
            - connect: /ws
            - send_bytes: {generate: all_bytes}
            - expect_bytes: FILE_RECEIVED
            - expect_file: {path: received_file.bin, content: {generate: all_bytes}}
            - send_bytes: {generate: random, size: 1048576, seed: 7}
            - expect_bytes: {hex: "46 49 4c 45 5f 52 45 43 45 49 56 45 44"}
            - expect_file: {path: received_file.bin, content: {generate: random, size: 1048576, seed: 7}}
            """)
    finally:
        os.chdir(here)
    assert result.status is Status.PASSED, result.failure


def test_text_where_binary_was_expected(converse) -> None:
    result, _ = converse(echo_app(), """\
        - connect: /ws
        - send_text: x
        - expect_bytes: {$any: true}
        """)
    assert result.failure is not None and "a text one arrived" in result.failure.message


def test_json_is_matched_as_data_and_diffed_by_key_path(converse) -> None:
    app = FastAPI()

    @app.websocket("/ws")
    async def answer(websocket: WebSocket) -> None:
        await websocket.accept()
        await websocket.receive_json()
        await websocket.send_text('{"type":"echo","data":{"n":"2"}}')

    result, _ = converse(app, """\
        - connect: /ws
        - send_json: {n: 2}
        - expect_json: {type: echo, data: {n: 2}}
        """)
    failure = result.failure
    assert failure is not None and 'at $.data.n: expected 2, got "2"' in failure.message


def test_a_name_error_copied_from_a_sample_shows_the_first_cause_first(converse) -> None:
    app = FastAPI()

    @app.websocket("/ws")
    async def chat(websocket: WebSocket) -> None:
        await websocket.accept()
        try:
            while True:
                text = await websocket.receive_text()
                await websocket.send_text(f"[{datetime.now()}] {text}")  # type: ignore[name-defined] # noqa: F821
        except WebSocketDisconnectt:  # type: ignore[name-defined] # noqa: F821
            pass

    result, _ = converse(app, """\
        - connect: /ws
        - send_text: hi
        - expect_text: {$re: ".*hi"}
        """)
    failure = result.failure
    assert failure is not None and failure.kind is Kind.ERROR
    first, second = failure.errors
    assert first.type == "NameError" and "datetime" in first.message
    assert first.where is not None and "datetime.now()" in first.where.code
    assert second.type == "NameError" and "WebSocketDisconnectt" in second.message


def test_many_messages_on_one_connection(converse) -> None:
    result, _ = converse(echo_app(), """\
        - connect: /ws
        - repeat:
            times: 500
            as: i
            steps:
              - send_text: {$concat: ["n", {$var: i}]}
              - expect_text: {$concat: ["Message text was: n", {$var: i}]}
        """)
    assert result.status is Status.PASSED, result.failure


def test_a_failure_inside_repeat_names_the_round(converse) -> None:
    app = FastAPI()

    @app.websocket("/ws")
    async def tired(websocket: WebSocket) -> None:
        await websocket.accept()
        for _ in range(2):
            await websocket.send_text(await websocket.receive_text())
        await websocket.receive_text()

    result, _ = converse(app, """\
        - connect: /ws
        - repeat:
            over: [a, b, c]
            as: m
            steps:
              - send_text: {$var: m}
              - expect_text: {$var: m}
        """)
    failure = result.failure
    assert failure is not None and failure.step is not None
    assert "round 3 of 3" in failure.step and 'm = "c"' in failure.step


def test_executor_threads_in_the_app_move_the_clock_by_what_they_took(converse) -> None:
    # The app's thread works for 1 s of real time: nothing is skipped meanwhile, so a 0.5 s timeout
    # pending on the grader's side fires, as a real client's would, and a 2 s one does not.
    app = FastAPI()

    @app.websocket("/ws")
    async def patient(websocket: WebSocket) -> None:
        await websocket.accept()
        await websocket.receive_text()
        await asyncio.to_thread(time.sleep, 1.0)
        await websocket.send_text("done")

    steps = "- connect: /ws\n- send_text: go\n- expect_text: done\n  timeout: %s\n"
    result, _ = converse(app, steps % 0.5)
    assert result.status is Status.FAILED and result.failure is not None
    assert result.failure.kind is Kind.TIMEOUT, result.failure
    result, clock = converse(app, steps % 2)
    assert result.status is Status.PASSED, result.failure
    assert clock >= 1.0


def test_without_threads_the_same_wait_times_out(converse) -> None:
    # The counterpart: a coroutine that sleeps 0.3 s of the clock misses the 0.1 s deadline.
    app = FastAPI()

    @app.websocket("/ws")
    async def slow(websocket: WebSocket) -> None:
        await websocket.accept()
        await websocket.receive_text()
        await asyncio.sleep(0.3)
        await websocket.send_text("done")

    result, _ = converse(app, """\
        - connect: /ws
        - send_text: go
        - expect_text: done
          timeout: 0.1
        """)
    assert result.failure is not None and result.failure.kind is Kind.TIMEOUT


# --- what a client of uvicorn (websockets-sansio) would see ------------------------


def test_an_endpoint_that_raises_after_accept_drops_the_connection(converse) -> None:
    app = FastAPI()

    @app.websocket("/ws")
    async def boom(websocket: WebSocket) -> None:
        await websocket.accept()
        await websocket.receive_text()
        raise ValueError("boom")

    result, _ = converse(app, """\
        - connect: /ws
        - send_text: hi
        - expect_text: hi
        """)
    failure = result.failure
    assert failure is not None and failure.kind is Kind.ERROR
    assert "ValueError: boom" in failure.message
    assert failure.actual is not None and "1006" in failure.actual and "Exception in ASGI application" in failure.actual
    assert any("without a close frame" in f.text for f in result.transcript)


def test_returning_without_closing_is_seen_as_1006(converse) -> None:
    app = FastAPI()

    @app.websocket("/ws")
    async def leaves(websocket: WebSocket) -> None:
        await websocket.accept()
        await websocket.receive_text()

    dropped, _ = converse(app, """\
        - connect: /ws
        - send_text: bye
        - expect_close: 1006
        """)
    assert dropped.status is Status.PASSED, dropped.failure
    wanted_close, _ = converse(app, """\
        - connect: /ws
        - send_text: bye
        - expect_close: 1000
        """)
    failure = wanted_close.failure
    assert failure is not None and failure.kind is Kind.CLOSED
    assert "returned without closing the connection" in failure.message and "1006" in (failure.actual or "")


def test_returning_without_accepting_is_an_http_500(converse) -> None:
    app = FastAPI()

    @app.websocket("/ws")
    async def rude(websocket: WebSocket) -> None:
        return

    result, _ = converse(app, "- connect: /ws\n")
    failure = result.failure
    assert failure is not None and failure.kind is Kind.REFUSED
    assert "HTTP 500" in failure.message and "returned without accepting" in failure.message


def test_a_close_before_accept_is_an_http_403_with_its_asgi_code(converse) -> None:
    app = FastAPI()

    @app.websocket("/ws")
    async def guard(websocket: WebSocket) -> None:
        await websocket.close(code=1008)

    refused, _ = converse(app, "- connect: {path: /ws, refused: 1008}\n")
    assert refused.status is Status.PASSED, refused.failure
    expected_accept, _ = converse(app, "- connect: /ws\n")
    failure = expected_accept.failure
    assert failure is not None and "HTTP 403" in failure.message and "1008" in failure.message


def test_a_denial_response_reaches_the_client_with_its_status(converse) -> None:
    from starlette.responses import PlainTextResponse

    app = FastAPI()

    @app.websocket("/ws")
    async def deny(websocket: WebSocket) -> None:
        await websocket.send_denial_response(PlainTextResponse("no token", status_code=401))

    refused, _ = converse(app, "- connect: {path: /ws, refused: true}\n")
    assert refused.status is Status.PASSED, refused.failure
    expected_accept, _ = converse(app, "- connect: /ws\n")
    failure = expected_accept.failure
    assert failure is not None and "HTTP 401" in failure.message


def test_a_subprotocol_the_client_did_not_offer_aborts_the_handshake(converse) -> None:
    app = FastAPI()

    @app.websocket("/ws")
    async def pushy(websocket: WebSocket) -> None:
        await websocket.accept(subprotocol="v9")
        async for _ in websocket.iter_text():
            pass

    result, _ = converse(app, "- connect: {path: /ws, subprotocols: [v1]}\n")
    failure = result.failure
    assert failure is not None and failure.kind is Kind.REFUSED
    assert "would abort" in failure.message and "'v9'" in failure.message
    assert "KeyError" not in failure.message


def test_closing_after_the_client_left_is_quiet_only_without_an_await_in_between(converse) -> None:
    # uvicorn closes the socket as the client's close frame arrives and learns
    # the connection is lost one loop iteration later: a close() right away is
    # dropped quietly, one after an await raises (WebSocketDisconnect 1006, logged).
    def app(pause: bool) -> FastAPI:
        made = FastAPI()

        @made.websocket("/ws")
        async def polite(websocket: WebSocket) -> None:
            await websocket.accept()
            try:
                async for _ in websocket.iter_text():
                    pass
                raise WebSocketDisconnect(1000)
            except WebSocketDisconnect:
                if pause:
                    await asyncio.sleep(0)
                await websocket.close()

        return made

    steps = "- connect: /ws\n- disconnect:\n- ends_cleanly:\n"
    quiet, _ = converse(app(False), steps)
    assert quiet.status is Status.PASSED, quiet.failure
    loud, _ = converse(app(True), steps)
    failure = loud.failure
    assert failure is not None and failure.kind is Kind.UNCLEAN
    assert failure.errors and failure.errors[-1].type == "WebSocketDisconnect"


def test_a_message_over_16_mib_is_refused_with_1009(converse) -> None:
    app = FastAPI()

    @app.websocket("/ws")
    async def sink(websocket: WebSocket) -> None:
        await websocket.accept()
        try:
            async for _ in websocket.iter_bytes():
                pass
        except WebSocketDisconnect:
            pass

    result, _ = converse(app, """\
        - connect: /ws
        - send_bytes: {generate: repeat, size: 17825792, byte: 65}
        - expect_close: 1009
        - ends_cleanly:
        """)
    assert result.status is Status.PASSED, result.failure


def test_twenty_thousand_queued_frames_all_arrive(converse) -> None:
    app = FastAPI()

    @app.websocket("/ws")
    async def burst(websocket: WebSocket) -> None:
        await websocket.accept()
        for number in range(20_000):
            await websocket.send_text(str(number))
        await websocket.close()

    result, _ = converse(app, """\
        - connect: /ws
        - repeat:
            times: 20000
            as: n
            steps:
              - expect_text: {$re: '[0-9]+'}
        - expect_close: 1000
        """)
    assert result.status is Status.PASSED, result.failure


def test_a_refusal_can_be_expected_by_the_http_status_a_client_sees(converse) -> None:
    app = FastAPI()

    @app.websocket("/ws")
    async def guard(websocket: WebSocket) -> None:
        await websocket.close(code=1008)

    as_seen, _ = converse(app, "- connect: {path: /ws, status: 403}\n")
    assert as_seen.status is Status.PASSED, as_seen.failure
    other, _ = converse(app, "- connect: {path: /ws, status: 401}\n")
    failure = other.failure
    assert failure is not None and failure.kind is Kind.REFUSED
    assert "HTTP 403, not 401" in failure.message


def test_the_client_can_close_with_a_reason(converse) -> None:
    # What the endpoint heard reaches the judge only as frames: a second client asks for it.
    app = FastAPI()
    heard: list[str] = []

    @app.websocket("/log")
    async def log(websocket: WebSocket) -> None:
        await websocket.accept()
        await websocket.send_text(" | ".join(heard))

    @app.websocket("/ws2")
    async def remember(websocket: WebSocket) -> None:
        await websocket.accept()
        try:
            await websocket.receive_text()
        except WebSocketDisconnect as gone:
            heard.append(f"{gone.code} {gone.reason}")

    result, _ = converse(app, """\
        - connect: /ws2
        - disconnect: {code: 4000, reason: "going home"}
        - wait: 0.1
        - connect: {path: /log}
          client: other
        - expect_text: "4000 going home"
          client: other
        """)
    assert result.status is Status.PASSED, result.failure


# --- timing windows, points and captures ------------------------------------------------------------------------


def paced_app(pause: float) -> FastAPI:
    """Answers each message after ``pause`` seconds (on the grader's clock)."""
    app = FastAPI()

    @app.websocket("/ws")
    async def paced(websocket: WebSocket) -> None:
        await websocket.accept()
        async for text in websocket.iter_text():
            await asyncio.sleep(pause)
            await websocket.send_text(text)

    return app


def timed(app: FastAPI, window: str, tmp_path: Path) -> CheckResult:
    """One check of spec version 1.2 (where after: and within: are known): send hi, expect hi within ``window``."""
    text = ("version: 1.2\nid: demo\ntitle: Demo\ntrack: 1\nlesson: 1\nxp: 5\nfile: demo.py\ninstructions: x\n"
            "checks:\n  - name: the check\n    steps:\n      - connect: /ws\n      - send_text: hi\n"
            f"      - expect_text: hi\n        timeout: 60\n        {window}\n")
    check = parse_exercise(text, Path("demo.yaml")).checks[0]
    return serve_in_thread(app, check, tmp_path, Path(__file__))[0]


@pytest.mark.timeout(120)  # served in this process: a clock that never moves fails here
def test_an_answer_sooner_than_after_fails_as_too_early(tmp_path: Path) -> None:
    early = timed(paced_app(1), "after: 5", tmp_path)
    assert early.failure is not None and early.failure.kind is Kind.TIMING, early.failure
    assert early.failure.message.startswith("it arrived too early: 1")
    assert early.failure.expected == "no sooner than 5 s after the previous step"
    in_time = timed(paced_app(6), "after: 5", tmp_path)
    assert in_time.passed, in_time.failure


@pytest.mark.timeout(120)  # served in this process: a clock that never moves fails here
def test_an_answer_later_than_within_fails_as_too_late(tmp_path: Path) -> None:
    late = timed(paced_app(10), "within: 5", tmp_path)
    assert late.failure is not None and late.failure.kind is Kind.TIMING, late.failure
    assert late.failure.message.startswith("it arrived too late: 10")
    assert late.failure.expected == "at most 5 s after the previous step"
    in_time = timed(paced_app(2), "within: 5", tmp_path)
    assert in_time.passed, in_time.failure


def test_a_failed_conversation_scores_no_points(converse) -> None:
    result, _ = converse(echo_app(), "- connect: /ws\n- send_text: hi\n- expect_text: bye\n")
    assert (result.status, result.points, result.max_points) == (Status.FAILED, 0, 1)


def test_a_captured_value_is_compared_by_a_later_ref(converse) -> None:
    app = FastAPI()
    tokens = iter(["t-1", "t-2"])

    @app.websocket("/ws")
    async def tokened(websocket: WebSocket) -> None:
        await websocket.accept()
        await websocket.send_json({"token": next(tokens)})
        await websocket.receive_text()
        await websocket.send_json({"echo": websocket.query_params.get("repeat", "t-1")})
        await websocket.receive_text()

    steps = """\
        - connect: /ws
        - expect_json: {token: {$capture: tok}}
        - send_text: again
        - expect_json: {echo: {$ref: tok}}
        """
    same, _ = converse(app, steps)
    assert same.passed, same.failure  # t-1 captured, t-1 echoed
    other, _ = converse(app, steps)
    assert other.failure is not None and other.failure.kind is Kind.MISMATCH, other.failure
    assert other.failure.actual is not None and "t-1" in other.failure.actual  # t-2 captured this time


def test_a_text_mismatch_numbers_the_first_differing_character_from_one(converse) -> None:
    result, _ = converse(echo_app(), "- connect: /ws\n- send_text: hi\n- expect_text: \"Message test was: hi\"\n")
    assert result.failure is not None and result.failure.kind is Kind.MISMATCH, result.failure
    # "Message te?t": the eleventh character is the first that differs ("s" written, "x" sent).
    assert ': they first differ at character 11, where "s" was expected and "x" arrived' in result.failure.message


def test_a_space_at_the_first_difference_is_named_in_words(converse) -> None:
    result, _ = converse(echo_app(), "- connect: /ws\n- send_text: hi\n- expect_text: \"Message text was:hi\"\n")
    assert result.failure is not None and result.failure.kind is Kind.MISMATCH, result.failure
    assert ': they first differ at character 18, where "h" was expected and a space arrived' in result.failure.message
