"""Pinned: how the judge reads a conversation, and what the host lets an app do.

Real FastAPI (and raw ASGI) apps, served by the real host code: in a thread
(the ``converse`` fixture) where that is enough, in a real sandboxed host
(``grade``) for what only a real host does (lifespan errors, the run's
deadline, output, the virtual wall clock). Each test fails if the behaviour
it names breaks; tests/mutate.py holds the mutants that prove it.
"""

from __future__ import annotations

import asyncio
import importlib.util
import os
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI, WebSocket, WebSocketDisconnect

from grader import Kind, Limits, Options, Status, grade, load_exercise
from grader.result import CheckResult

HEAD = "version: 1\nid: demo\ntitle: Demo\ntrack: 1\nlesson: 1\nxp: 5\nfile: demo.py\ninstructions: x\n"


def failed(result: CheckResult, kind: Kind) -> Any:
    """The failure of a check that must have failed for this kind of reason."""
    assert result.status is Status.FAILED, "the check passed"
    assert result.failure is not None and result.failure.kind is kind, result.failure
    return result.failure


def one_route(endpoint: Any, path: str = "/ws") -> FastAPI:
    app = FastAPI()
    app.add_api_websocket_route(path, endpoint)
    return app


# --- what is compared --------------------------------------------------------------------------------------------


def test_the_close_reason_is_compared(converse) -> None:
    async def closer(websocket: WebSocket) -> None:
        await websocket.accept()
        await websocket.receive_text()
        await websocket.close(code=4001, reason="done")

    app = one_route(closer)
    right, _ = converse(app, "- connect: /ws\n- send_text: bye\n- expect_close: {code: 4001, reason: done}\n")
    assert right.passed, right.failure
    wrong, _ = converse(app, "- connect: /ws\n- send_text: bye\n- expect_close: {code: 4001, reason: see you}\n")
    failure = failed(wrong, Kind.MISMATCH)
    assert failure.message == "the close reason is not the expected one"
    assert (failure.expected, failure.actual) == ('reason "see you"', "code 4001, reason 'done'")


def test_the_subprotocol_the_server_picked_is_compared(converse) -> None:
    async def chooser(websocket: WebSocket) -> None:
        await websocket.accept(subprotocol="chat.v1")
        async for _ in websocket.iter_text():
            pass

    result, _ = converse(one_route(chooser), "- connect: {path: /ws, subprotocols: [chat.v1, chat.v2], subprotocol: chat.v2}\n")
    failure = failed(result, Kind.MISMATCH)
    assert (failure.message, failure.expected, failure.actual) == (
        "the server picked the wrong subprotocol", '"chat.v2"', '"chat.v1"')


def test_an_accepted_handshake_fails_where_a_refusal_is_expected(converse) -> None:
    async def welcoming(websocket: WebSocket) -> None:
        await websocket.accept()
        async for _ in websocket.iter_text():
            pass

    result, _ = converse(one_route(welcoming), "- connect: {path: /ws, refused: 1008}\n")
    failure = failed(result, Kind.REFUSED)
    assert failure.message == "the server accepted the connection to /ws; it should have refused it"
    assert failure.expected == "the endpoint closes before accepting (code 1008)"


def test_the_reason_of_a_refusal_is_shown(converse) -> None:
    async def guard(websocket: WebSocket) -> None:
        await websocket.close(code=4003, reason="no token")

    result, _ = converse(one_route(guard), "- connect: /ws\n")
    assert failed(result, Kind.REFUSED).actual == "refused: HTTP 403 (closed with code 4003 'no token')"


async def sends_bytes(websocket: WebSocket) -> None:
    await websocket.accept()
    await websocket.receive_text()
    await websocket.send_bytes(b'{"type": "pong"}')
    await websocket.receive_text()


def test_a_binary_frame_is_never_a_text_answer(converse) -> None:
    result, _ = converse(one_route(sends_bytes), "- connect: /ws\n- send_text: ping\n- expect_text: {$any: true}\n")
    assert failed(result, Kind.MISMATCH).message == "a text message was expected but a binary one arrived"


def test_a_binary_frame_holding_json_is_not_a_json_answer(converse) -> None:
    result, _ = converse(one_route(sends_bytes), "- connect: /ws\n- send_text: ping\n- expect_json: {type: pong}\n")
    failure = failed(result, Kind.MISMATCH)
    assert failure.message.startswith("a JSON text message was expected but a binary one arrived")


def test_binary_frames_are_compared_byte_for_byte(converse) -> None:
    result, _ = converse(one_route(sends_bytes), '- connect: /ws\n- send_text: ping\n- expect_bytes: \'{"type": "pang"}\'\n')
    failure = failed(result, Kind.MISMATCH)
    assert failure.message == "the binary message differs (first difference at byte 11: expected 0x61, got 0x6f)"


def test_a_failed_check_scores_nothing(converse) -> None:
    result, _ = converse(one_route(sends_bytes), "- connect: /ws\n- send_text: ping\n- expect_text: pong\n")
    assert (result.status, result.points, result.max_points) == (Status.FAILED, 0, 1)


# --- closing ----------------------------------------------------------------------------------------------------


def test_a_message_before_the_close_frame_fails_expect_close(converse) -> None:
    async def chatty(websocket: WebSocket) -> None:
        await websocket.accept()
        await websocket.receive_text()
        await websocket.send_text("bye!")
        await websocket.close()

    result, _ = converse(one_route(chatty), "- connect: /ws\n- send_text: bye\n- expect_close: 1000\n")
    failure = failed(result, Kind.MISMATCH)
    assert (failure.message, failure.actual) == ("the server sent a message instead of closing the connection", 'text "bye!"')


def test_an_endpoint_that_raises_where_a_close_is_expected_is_named(converse) -> None:
    async def broken(websocket: WebSocket) -> None:
        await websocket.accept()
        message = await websocket.receive_json()
        await websocket.close(reason=message["reason"])

    result, _ = converse(one_route(broken), "- connect: /ws\n- send_json: {}\n- expect_close:\n")
    failure = failed(result, Kind.ERROR)
    assert failure.message.startswith("your endpoint raised KeyError: 'reason'")
    assert failure.errors[-1].where is not None and failure.errors[-1].where.code == 'await websocket.close(reason=message["reason"])'


def test_disconnect_sends_its_close_code_to_the_app(converse) -> None:
    def room() -> FastAPI:
        clients: dict[str, WebSocket] = {}
        app = FastAPI()

        @app.websocket("/ws/{name}")
        async def member(websocket: WebSocket, name: str) -> None:
            await websocket.accept()
            clients[name] = websocket
            while (message := await websocket.receive())["type"] != "websocket.disconnect":
                pass
            del clients[name]
            for other in list(clients.values()):
                await other.send_text(f"{name} left with {message['code']}")

        return app

    result, _ = converse(room(), """\
        - {connect: /ws/a, client: a}
        - {connect: /ws/b, client: b}
        - {connect: /ws/c, client: c}
        - {disconnect: 4001, client: a}
        - {expect_text: a left with 4001, client: b}
        - {expect_text: a left with 4001, client: c}
        - {disconnect: null, client: c}
        - {expect_text: c left with 1000, client: b}
        """)
    assert result.passed, result.failure


def test_sys_exit_in_an_endpoint_is_named_as_such(converse) -> None:
    async def quitter(websocket: WebSocket) -> None:
        await websocket.accept()
        await websocket.receive_text()
        sys.exit(3)

    result, _ = converse(one_route(quitter), "- connect: /ws\n- send_text: bye\n- expect_text: see you\n")
    message = failed(result, Kind.ERROR).message
    assert message.startswith("your code called sys.exit() while serving a client (SystemExit: exit code 3 at ")


# --- what the host lets an app send (uvicorn's rules) ------------------------------------------------------------


async def raw_app(scope: dict[str, Any], receive: Any, send: Any, script: list[dict[str, Any]]) -> None:
    """A bare ASGI app: takes the handshake, sends ``script``, then waits for the client to leave."""
    if scope["type"] != "websocket":
        return
    await receive()
    for message in script:
        await send(message)
    while (await receive())["type"] != "websocket.disconnect":
        pass


def scripted(*script: dict[str, Any]) -> Any:
    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        await raw_app(scope, receive, send, list(script))

    return app


ACCEPT = {"type": "websocket.accept"}
HELLO = {"type": "websocket.send", "text": "hello"}


def test_sending_before_accepting_raises_in_the_app(converse) -> None:
    result, _ = converse(scripted(HELLO), "- connect: /ws\n")
    failure = failed(result, Kind.ERROR)
    assert "Expected ASGI message 'websocket.accept', 'websocket.close' or 'websocket.http.response.start' but got " \
           "'websocket.send'" in failure.message


def test_accepting_twice_raises_in_the_app(converse) -> None:
    result, _ = converse(scripted(ACCEPT, ACCEPT, HELLO), "- connect: /ws\n- expect_text: hello\n")
    failure = failed(result, Kind.ERROR)
    assert "Expected ASGI message 'websocket.send' or 'websocket.close', but got 'websocket.accept'" in failure.message


def test_sending_after_closing_raises_in_the_app(converse) -> None:
    result, _ = converse(scripted(ACCEPT, {"type": "websocket.close"}, HELLO),
                         "- connect: /ws\n- expect_close: 1000\n- ends_cleanly:\n")
    failure = failed(result, Kind.UNCLEAN)
    assert "Unexpected ASGI message 'websocket.send', after sending 'websocket.close'" in failure.message


def test_a_close_code_no_peer_may_receive_raises_in_the_app(converse) -> None:
    result, _ = converse(scripted(ACCEPT, {"type": "websocket.close", "code": 1005}), "- connect: /ws\n- expect_close: 1005\n")
    assert "invalid status code 1005" in failed(result, Kind.ERROR).message


def test_a_close_without_a_code_is_a_normal_closure(converse) -> None:
    result, _ = converse(scripted(ACCEPT, {"type": "websocket.close"}), "- connect: /ws\n- expect_close: 1000\n")
    assert result.passed, result.failure


# --- expect_file: only a regular file in the work folder counts -----------------------------------------------------


def writer(workdir: Path, make: Any) -> FastAPI:
    async def upload(websocket: WebSocket) -> None:
        await websocket.accept()
        data = await websocket.receive_bytes()
        make(workdir, data)
        await websocket.send_text("FILE_RECEIVED")
        await websocket.receive_text()

    return one_route(upload)


FILE_STEPS = """\
    - connect: /ws
    - send_bytes: "payload"
    - expect_text: FILE_RECEIVED
    - expect_file: {path: %s, content: "payload"}
    """


def test_a_regular_file_with_the_right_bytes_passes(converse, tmp_path: Path) -> None:
    result, _ = converse(writer(tmp_path, lambda d, data: (d / "received_file.bin").write_bytes(data)),
                         FILE_STEPS % "received_file.bin")
    assert result.passed, result.failure


def test_a_file_with_other_bytes_fails(converse, tmp_path: Path) -> None:
    result, _ = converse(writer(tmp_path, lambda d, data: (d / "received_file.bin").write_bytes(data[:-1] + b"!")),
                         FILE_STEPS % "received_file.bin")
    failure = failed(result, Kind.FILE)
    assert failure.message == "received_file.bin does not hold the expected bytes (first difference at byte 6: expected 0x64, got 0x21)"


def test_a_file_that_was_not_written_fails(converse, tmp_path: Path) -> None:
    result, _ = converse(writer(tmp_path, lambda d, data: None), FILE_STEPS % "received_file.bin")
    assert failed(result, Kind.FILE).message == "your app did not write received_file.bin in its working directory"


def test_a_symbolic_link_is_not_a_written_file(converse, tmp_path: Path) -> None:
    def link(folder: Path, data: bytes) -> None:
        (folder / "real.bin").write_bytes(data)
        (folder / "received_file.bin").symlink_to(folder / "real.bin")

    result, _ = converse(writer(tmp_path, link), FILE_STEPS % "received_file.bin")
    assert failed(result, Kind.FILE).message == "received_file.bin is a link out of the working directory; write a regular file"


def test_a_linked_folder_cannot_lead_out_of_the_work_folder(converse, tmp_path: Path,
                                                             tmp_path_factory: pytest.TempPathFactory) -> None:
    outside = tmp_path_factory.mktemp("outside")

    def escape(folder: Path, data: bytes) -> None:
        (outside / "data.bin").write_bytes(data)
        (folder / "out").symlink_to(outside, target_is_directory=True)

    result, _ = converse(writer(tmp_path, escape), FILE_STEPS % "out/data.bin")
    assert failed(result, Kind.FILE).message == "out/data.bin is a link out of the working directory; write a regular file"


# --- the clock and the inbox -------------------------------------------------------------------------------------


def test_a_step_times_out_even_while_the_app_never_idles(converse) -> None:
    # The app's loop is always busy (never idle), so the clock follows real time: the 0.1 s still passes.
    async def restless(websocket: WebSocket) -> None:
        await websocket.accept()
        done = asyncio.Event()

        async def spin() -> None:
            while not done.is_set():
                await asyncio.sleep(0)

        spinner = asyncio.ensure_future(spin())
        try:
            await websocket.receive_text()
        except WebSocketDisconnect:
            pass
        finally:
            done.set()
            await spinner

    result, _ = converse(one_route(restless), "- connect: /ws\n- expect_text: hi\n  timeout: 0.1\n")
    assert failed(result, Kind.TIMEOUT).message.startswith("no message arrived within 0.1 s")


def test_the_waits_and_the_apps_real_work_take_time_on_the_graders_clock(converse) -> None:
    # The idle gaps are skipped (500 waits of 1 ms cost no real time); what the app did in between
    # costs what it took, never more than the real time of the whole check.
    async def echo(websocket: WebSocket) -> None:
        await websocket.accept()
        async for text in websocket.iter_text():
            await websocket.send_text(text)

    result, _ = converse(one_route(echo), """\
        - connect: /ws
        - repeat:
            times: 500
            steps:
              - send_text: ping
              - expect_text: ping
              - wait: 0.001
        """)
    assert result.passed, result.failure
    assert 0.5 <= result.clock_seconds <= 0.5 + result.wall_seconds


def test_a_blocking_call_moves_the_clock_by_what_it_took(converse) -> None:
    # The app's loop blocks for 0.6 s of real time (below the freeze limit): as under a real server,
    # the answer comes 0.6 s later, after the 0.3 s the step may wait.
    async def sleepy(websocket: WebSocket) -> None:
        await websocket.accept()
        await websocket.receive_text()
        time.sleep(0.6)
        await websocket.send_text("awake")
        await websocket.receive_text()

    result, _ = converse(one_route(sleepy), "- connect: /ws\n- send_text: hi\n- expect_text: awake\n  timeout: 0.3\n")
    assert failed(result, Kind.TIMEOUT).message.startswith("no message arrived within 0.3 s")
    result, _ = converse(one_route(sleepy), "- connect: /ws\n- send_text: hi\n- expect_text: awake\n  timeout: 1\n")
    assert result.passed, result.failure
    assert result.clock_seconds >= 0.6


@pytest.mark.skipif(os.environ.get("GRADER_SLOW_TESTS") != "1",
                    reason="ten seconds of frames; GRADER_SLOW_TESTS=1 runs it (tests/mutate.py does, for the driver, "
                           "the conversation and the step kinds)")
# 200 100 messages cross the relay: ten seconds on a quiet machine, two minutes on a busy one, more than a
# conversation's usual limit (tests/conftest.py); the limit is there to fail a clock that never moves.
@pytest.mark.timeout(900)
def test_a_client_stops_reading_after_a_hundred_thousand_unread_messages(converse) -> None:
    async def flood(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "websocket":
            return
        await receive()
        await send(ACCEPT)
        await receive()
        for number in range(100_050):
            await send({"type": "websocket.send", "text": str(number)})
        while (await receive())["type"] != "websocket.disconnect":
            pass

    # Nobody reads while the app floods (wait); past the cap the client reads no further, and
    # the flood is the verdict whichever step comes next (the first message would match).
    for step in ("expect_silence: 1", "expect_text: '0'"):
        result, _ = converse(flood, f"- connect: /ws\n- send_text: go\n- wait: 30\n- {step}\n")
        failure = failed(result, Kind.MISMATCH)
        assert failure.message == "the server flooded the client with messages nobody asked for"
        assert failure.actual == "more than 100001 unread messages"
        received = [frame.text for frame in result.transcript if frame.direction == "received"]
        assert received[-1] == 'text "100000"'  # the 100 001st message: the client read no further


# --- a real host: lifespan, output, wall clock, routes, the run's deadline --------------------------------------------


def graded(tmp_path: Path, checks: str, app: str, *, extra: str = "", limits: Limits | None = None) -> list[CheckResult]:
    spec = tmp_path / "demo.yaml"
    spec.write_text(HEAD + extra + "checks:\n" + textwrap.indent(textwrap.dedent(checks), "  "), encoding="utf-8")
    learner = tmp_path / "demo.py"
    learner.write_text(textwrap.dedent(app), encoding="utf-8")
    result = grade(load_exercise(spec), learner, Options(limits=limits or Limits()))
    return [*result.checks, result]  # type: ignore[list-item]


def test_the_lifespan_runs_around_the_checks_on_the_virtual_wall_clock(tmp_path: Path) -> None:
    *checks, result = graded(tmp_path, extra="wall_clock: virtual\n", checks="""\
        - name: the lifespan's state reaches the endpoint
          steps:
            - connect: /ws
            - expect_text: hello
        - name: fifty minutes pass on the app's wall clock
          steps:
            - connect: /clock
            - expect_text: "3000"
              timeout: 3600
        - name: a wrong path names the routes
          steps:
            - connect: /nowhere
        - name: $datetime reads the clock the app reads
          steps:
            - connect: /now
            - expect_json: {now: {$datetime: {within: 60}}}
              timeout: 900
        """, app="""\
        import asyncio
        import time
        from datetime import datetime
        from contextlib import asynccontextmanager

        from fastapi import FastAPI, WebSocket


        @asynccontextmanager
        async def lifespan(app):
            yield {"greeting": "hello"}
            print("pool closed")


        app = FastAPI(lifespan=lifespan)


        @app.websocket("/ws")
        async def greet(websocket: WebSocket):
            await websocket.accept()
            await websocket.send_text(websocket.state.greeting)
            await websocket.receive_text()


        @app.websocket("/clock")
        async def clock(websocket: WebSocket):
            await websocket.accept()
            started = time.time()
            await asyncio.sleep(3000)
            await websocket.send_text(str(round(time.time() - started)))
            await websocket.receive_text()


        @app.websocket("/now")
        async def now(websocket: WebSocket):
            await websocket.accept()
            await asyncio.sleep(600)
            await websocket.send_json({"now": str(datetime.now())})
            await websocket.receive_text()
        """)
    state, hour, wrong_path, now = checks
    assert state.passed, state.failure
    assert hour.passed, hour.failure
    assert now.passed, now.failure  # ten virtual minutes later on both sides
    assert failed(wrong_path, Kind.REFUSED).message.endswith("no WebSocket route of your app matches /nowhere: it has /ws, /clock, /now")
    assert result.output == "pool closed\n"  # type: ignore[attr-defined]


ONE_CHECK = """\
    - name: answers
      steps:
        - connect: /ws
    """


def test_a_lifespan_that_raises_its_own_error_fails_every_check(tmp_path: Path) -> None:
    *checks, _ = graded(tmp_path, ONE_CHECK, """\
        async def app(scope, receive, send):
            if scope["type"] == "lifespan":
                raise RuntimeError("no database")
        """)
    (check,) = checks
    failure = failed(check, Kind.ERROR)
    assert failure.message == "the app's lifespan startup raised an exception"
    assert [(e.type, e.message) for e in failure.errors] == [("RuntimeError", "no database")]


def test_a_lifespan_that_never_finishes_starting_fails_every_check(tmp_path: Path) -> None:
    *checks, _ = graded(tmp_path, ONE_CHECK, """\
        import asyncio
        from contextlib import asynccontextmanager

        from fastapi import FastAPI


        @asynccontextmanager
        async def lifespan(app):
            await asyncio.Event().wait()
            yield


        app = FastAPI(lifespan=lifespan)
        """)
    (check,) = checks
    assert failed(check, Kind.ERROR).message == "the app's lifespan startup did not finish within 10 s"


def test_the_run_stops_at_its_deadline(tmp_path: Path) -> None:
    # An app that never idles and never answers: past run_seconds, what remains is not run.
    *checks, _ = graded(tmp_path, """\
        - name: first
          steps:
            - connect: /ws
            - expect_text: hi
              timeout: 60
        - name: second
          steps:
            - connect: /ws
            - expect_text: hi
              timeout: 60
        """, """\
        import asyncio
        from fastapi import FastAPI, WebSocket

        app = FastAPI()


        @app.websocket("/ws")
        async def restless(websocket: WebSocket):
            await websocket.accept()
            while True:
                await asyncio.sleep(0)
        """, limits=Limits(run_seconds=4))  # room for a slow start on a busy machine
    first, second = checks
    assert first.status is Status.FAILED and first.failure is not None
    # The app never blocked its loop: it was busy, and the message says so (not "froze").
    assert first.failure.message.startswith("grading took longer than 4 s in all and your app was still busy")
    assert "blocked the event loop" not in first.failure.message
    assert second.status is Status.NOT_RUN and second.failure is not None
    assert second.failure.message.startswith("not run: grading took longer than 4 s in all")



COUNTED = """\
    import asyncio
    from fastapi import FastAPI, WebSocket

    app = FastAPI()
    connections = 0  # module state: it lives as long as the process that imported the app


    @app.websocket("/ws")
    async def counted(websocket: WebSocket):
        global connections
        connections += 1
        await websocket.accept()
        await websocket.send_text(str(connections))
        STOP
    """
TWICE = """\
    - name: first
      steps:
        - connect: /ws
        - expect_text: "1"
    - name: second
      steps:
        - connect: /ws
        - expect_text: "1"
    """


def test_a_host_whose_endpoint_ignores_cancellation_grades_no_further_check(tmp_path: Path) -> None:
    # Checks share one host (module state and all) unless one of its endpoints would not stop
    # when cancelled: that process is done for, and the next check gets an app imported anew.
    polite = COUNTED.replace("STOP", "await websocket.receive_text()")
    *shared, _ = graded(tmp_path, TWICE, polite)
    assert shared[0].passed, shared[0].failure
    assert failed(shared[1], Kind.MISMATCH).actual == '"2"'  # the same process answered both checks
    runaway = COUNTED.replace("STOP", "while True:\n"
                                      "            try:\n"
                                      "                await asyncio.sleep(3600)\n"
                                      "            except asyncio.CancelledError:\n"
                                      "                pass  # swallowed: the endpoint goes on for ever")
    *fresh, _ = graded(tmp_path, TWICE, runaway)
    assert fresh[0].passed, fresh[0].failure
    assert fresh[1].passed, fresh[1].failure  # a new process, whose count starts again at 1


def test_an_import_error_shows_only_the_learners_lines(tmp_path: Path) -> None:
    # Python's import machinery ("<frozen importlib._bootstrap>") is nobody's file, though the
    # sandbox's working folder lies inside the learner's.
    check, _ = graded(tmp_path, """\
        - name: answers
          steps:
            - connect: /ws
        """, """\
        import no_such_module_here
        """)
    assert check.failure is not None
    frames = [(f.file, f.line) for error in check.failure.errors for f in error.frames]
    assert frames == [(str(tmp_path / "demo.py"), 1)]  # outside the current folder: the whole path


def test_a_loop_that_never_idles_still_lets_time_pass_by_the_cpu_it_uses(tmp_path: Path) -> None:
    # The app's loop is never idle, so the clock cannot jump; it follows the CPU the app burns
    # (a starved app on a busy machine moves it less, never a timer early), and the wait ends.
    check, _ = graded(tmp_path, """\
        - name: spins
          steps:
            - connect: /ws
            - expect_text: never
              timeout: 1
        """, """\
        import asyncio
        from fastapi import FastAPI, WebSocket

        app = FastAPI()


        @app.websocket("/ws")
        async def spin(websocket: WebSocket):
            await websocket.accept()
            while True:
                await asyncio.sleep(0)
        """)
    failure = failed(check, Kind.TIMEOUT)
    assert failure.message.startswith("no message arrived within 1 s"), failure.message


def test_a_library_installed_inside_the_learners_folder_is_not_their_code(converse, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    # A virtualenv in the project folder: its site-packages lies inside the learner's folder.
    library = tmp_path / "venv" / "lib" / "python3.11" / "site-packages"
    library.mkdir(parents=True)
    (library / "helper.py").write_text("def explode():\n    raise ValueError('deep inside a library')\n", encoding="utf-8")
    (tmp_path / "demo.py").write_text(textwrap.dedent("""\
        from fastapi import FastAPI, WebSocket
        app = FastAPI()
        @app.websocket("/ws")
        async def ws(websocket: WebSocket) -> None:
            await websocket.accept()
            helper.explode()
        """), encoding="utf-8")
    modules = {}
    for name, path in (("helper", library / "helper.py"), ("demo", tmp_path / "demo.py")):
        spec = importlib.util.spec_from_file_location(f"pinned_{name}", path)
        assert spec is not None and spec.loader is not None
        modules[name] = importlib.util.module_from_spec(spec)
        if name == "demo":
            modules["demo"].helper = modules["helper"]  # type: ignore[attr-defined]
        spec.loader.exec_module(modules[name])
    result, _ = converse(modules["demo"].app, "- connect: /ws\n- expect_text: hello\n", owner=str(tmp_path / "demo.py"))
    assert result.failure is not None and result.failure.kind is Kind.ERROR, result.failure
    frames = [(f.file, f.line) for error in result.failure.errors for f in error.frames]
    assert frames == [("demo.py", 6)], result.failure
    assert result.failure.message == "your endpoint raised ValueError: deep inside a library at demo.py:6"
