"""send_frame, ping / expect_pong and disconnect with a raw payload (spec 1.2): how each is written, what the loader
refuses, and the same verdict from the grader's own server and from a real uvicorn.

What uvicorn does with each frame is measured in tests/differential/cases.py (group ``raw``) under both of its
protocols; here a spec written with the new steps is graded both ways.
"""

from __future__ import annotations

import asyncio
import textwrap
from collections.abc import Iterator
from pathlib import Path

import anyio
import jsonschema
import pytest
from test_link_frames import Pair, frame

from grader import Options, Status, grade, load_exercise
from grader.errors import SpecErrors
from grader.judge.framestream import PING_SEEN, PONG, Channel
from grader.judge.link import Death
from grader.render.text import transcript_label
from grader.spec import parse_exercise, schema, yamlnodes
from grader.spec.rawframe import PING, TEXT, RawFrame

HEAD = 'version: "1.2"\nid: demo\ntitle: Demo\ntrack: 1\nlesson: 1\nxp: 5\nfile: demo.py\ninstructions: x\n'


def spec(steps: str, head: str = HEAD) -> str:
    return head + "checks:\n  - name: x\n    steps:\n" + textwrap.indent(textwrap.dedent(steps), "      ")


def problems(text: str) -> list[str]:
    with pytest.raises(SpecErrors) as caught:
        parse_exercise(text, Path("demo.yaml"))
    return [str(e) for e in caught.value.errors]


# --- the loader ------------------------------------------------------------------------------------------------------


def test_every_new_form_loads_and_the_schema_accepts_it() -> None:
    text = spec("""\
        - connect: /ws
        - send_frame: {opcode: text, payload: hel, fin: false}
        - send_frame: {opcode: continuation, payload: {hex: "6c6f"}}
        - send_frame: {opcode: 3, rsv: 4, masked: false}
        - send_frame: {opcode: pong}
        - ping: are you there
        - expect_pong:
        - ping:
        - expect_pong: {hex: ""}
        - disconnect: {payload: {hex: "03e8"}}
        """)
    exercise = parse_exercise(text, Path("demo.yaml"))
    root, _ = yamlnodes.load(text, "demo.yaml")
    jsonschema.validate(root.plain(), schema.build())
    actions = [step.action for step in exercise.checks[0].steps]
    assert actions[1:] == ["send_frame"] * 4 + ["ping", "expect_pong", "ping", "expect_pong", "disconnect"]
    first = exercise.checks[0].steps[1].arg
    assert (first.opcode, first.fin, first.raw().payload) == (1, False, b"hel")
    assert exercise.checks[0].steps[-1].arg.payload == {"hex": "03e8"}


@pytest.mark.parametrize(("step", "where", "says"), [
    ("send_frame: {opcode: txt}", "13:30", "did you mean 'text'?"),
    ("send_frame: {opcode: close}", "13:30", "a close frame is the disconnect step"),
    ("send_frame: {opcode: 8}", "13:30", "opcode 8 is a close frame"),
    ("send_frame: {opcode: 16}", "13:30", "a number from 0 to 15, not 16"),
    ("send_frame: {payload: x}", "13:21", "needs the key 'opcode'"),
    ("send_frame: {opcode: text, fin: no}", "13:41", "fin is true or false, not \"no\""),
    ("send_frame: {opcode: text, rsv: 8}", "13:41", "from 0 to 7"),
    ("send_frame: {opcode: text, rsv: [4]}", "13:41", "from 0 to 7 (RSV1 is 4), not [4]"),
    ("send_frame: {opcode: {x: 1}}", "13:30", 'a number from 0 to 15, not {"x": 1}'),
    ("send_frame: {opcode: text, payload: {hex: zz}}", "13:", "hex"),
    ("send_frame: {opcode: text, mask: false}", "13:", "did you mean 'masked'?"),
    ("ping: {hex: 'zz'}", "13:", "hex"),
    ("ping: {generate: repeat, size: 126, byte: 65}", "13:", "at most 125 bytes"),
    ("expect_pong: {base64: '!!'}", "13:", "base64"),
    ("disconnect: {payload: x, code: 1000}", "13:", "either payload"),
    ("disconnect: {payload: {hex: 'q'}}", "13:", "hex"),
])
def test_bad_arguments_are_reported_where_written(step: str, where: str, says: str) -> None:
    found = problems(spec(f"- connect: /ws\n- {step}\n"))
    assert any(f"demo.yaml:{where}" in line and says in line for line in found), found


def test_the_new_steps_need_version_1_2() -> None:
    head = HEAD.replace('version: "1.2"', "version: 1.1")
    for step in ("send_frame: {opcode: text}", "ping:", "expect_pong:", "disconnect: {payload: ''}"):
        found = problems(spec(f"- connect: /ws\n- {step}\n", head=head))
        assert any("needs version: 1.2" in line for line in found), (step, found)


@pytest.mark.parametrize(("steps", "line"), [
    ("- connect: /ws\n- expect_pong:\n", 13),
    ("- connect: /ws\n- ping: a\n- connect: /ws\n  client: b\n- expect_pong:\n  client: b\n", 16),
    ("- connect: /ws\n- ping: a\n- disconnect:\n- connect: /ws\n- expect_pong:\n", 16),
])
def test_an_expect_pong_with_no_ping_on_its_connection_is_reported_where_written(steps: str, line: int) -> None:
    found = problems(spec(steps))
    assert any(f"demo.yaml:{line}:" in entry and "expects a pong but sends no ping before it" in entry
               for entry in found), found


@pytest.mark.parametrize("steps", [
    "- connect: /ws\n- ping: a\n- expect_pong:\n- expect_pong:\n",  # more pongs than pings: found when run
    "- connect: /ws\n- send_frame: {opcode: ping, payload: a}\n- expect_pong: a\n",
    "- connect: /ws\n- repeat:\n    times: 3\n    steps:\n      - ping: a\n- expect_pong:\n- expect_pong:\n",
    "- repeat:\n    over: [a, b]\n    as: c\n    steps:\n      - connect: /ws\n        client: {$var: c}\n"
    "      - ping: x\n        client: {$var: c}\n- expect_pong:\n  client: b\n",
])
def test_an_expect_pong_after_a_ping_on_its_connection_loads(steps: str) -> None:
    exercise = parse_exercise(spec(steps), Path("demo.yaml"))
    assert exercise.checks[0].steps[-1].action == "expect_pong"


def test_a_raw_close_leaves_the_client_as_disconnect_does() -> None:
    found = problems(spec("- connect: /ws\n- disconnect: {payload: ''}\n- send_text: hi\n"))
    assert any("needs an open connection" in line for line in found), found


def test_the_in_memory_connection_keeps_order_and_ends_as_httpx_ws_expects() -> None:
    """Each direction of the judge's in-memory connection: messages in the order sent; a side the relay
    dropped reads what is left and then the end of the stream (a lost connection, to httpx-ws); a connection
    httpx-ws closed refuses both ends."""

    async def run() -> None:
        dropped, closed = Channel(), Channel()
        for item in ("one", "two", "three"):
            await dropped.send(item)
        assert [await dropped.receive() for _ in range(2)] == ["one", "two"]
        dropped.close_sending()
        assert await dropped.receive() == "three"
        with pytest.raises(anyio.EndOfStream):
            await dropped.receive()
        with pytest.raises(anyio.ClosedResourceError):
            await dropped.send("four")
        waiting = asyncio.ensure_future(closed.receive())
        await asyncio.sleep(0)
        await closed.aclose()
        with pytest.raises(anyio.ClosedResourceError):
            await waiting
        with pytest.raises(anyio.ClosedResourceError):
            await closed.send("late")

    asyncio.run(run())


# --- the same verdict from both servers -------------------------------------------------------------------------------

IMPORTS = ("import asyncio, time\nfrom fastapi import FastAPI, WebSocket, WebSocketDisconnect\n\napp = FastAPI()\n"
           "last = []\n\n")

ECHO = """
    @app.websocket("/ws")
    async def ws(websocket: WebSocket):
        await websocket.accept()
        try:
            while True:
                await websocket.send_text("echo " + await websocket.receive_text())
        except WebSocketDisconnect as exc:
            last.append(exc.code)

    @app.websocket("/last")
    async def report(websocket: WebSocket):
        await websocket.accept()
        await websocket.send_text(f"last {last[-1] if last else None}")
        await websocket.close()
    """

RETURNS = """
    @app.websocket("/ws")
    async def ws(websocket: WebSocket):
        await websocket.accept()
        await websocket.receive_text()
    """

BLOCKS = """
    @app.websocket("/ws")
    async def ws(websocket: WebSocket):
        await websocket.accept()
        time.sleep(1.0)  # blocks the event loop, and with it uvicorn's answer to a ping
        while True:
            await websocket.send_text("echo " + await websocket.receive_text())
    """

# (name, endpoint code, steps of one check, whether that check passes)
CASES = [
    ("a message in fragments is echoed once", ECHO, """\
        - connect: /ws
        - send_frame: {opcode: text, payload: "hel", fin: false}
        - send_frame: {opcode: continuation, payload: "lo"}
        - expect_text: echo hello
        """, True),
    ("a character split across fragments arrives intact", ECHO, """\
        - connect: /ws
        - send_frame: {opcode: text, payload: {hex: "68c3"}, fin: false}
        - send_frame: {opcode: continuation, payload: {hex: "a96c6c6f"}}
        - expect_text: echo héllo
        """, True),
    ("text that is not UTF-8 is closed with 1007, and the endpoint hears 1007", ECHO, """\
        - connect: /ws
        - send_frame: {opcode: text, payload: {hex: "fffe"}}
        - expect_close: 1007
        - connect: /last
          client: two
        - expect_text: last 1007
          client: two
        """, True),
    ("a spec that expects an echo of text that is not UTF-8 fails", ECHO, """\
        - connect: /ws
        - send_frame: {opcode: text, payload: {hex: "ff"}}
        - expect_text: echo x
        """, False),
    ("a close frame with no code: the endpoint hears 1005", ECHO, """\
        - connect: /ws
        - disconnect: {payload: ""}
        - ends_cleanly:
        - connect: /last
          client: two
        - expect_text: last 1005
          client: two
        """, True),
    ("a close payload of one byte: the endpoint hears 1002", ECHO, """\
        - connect: /ws
        - disconnect: {payload: {hex: "03"}}
        - ends_cleanly:
        - connect: /last
          client: two
        - expect_text: last 1002
          client: two
        """, True),
    ("messages sent back to back reach the app in the order they were sent", ECHO, """\
        - connect: /ws
        - send_text: one
        - send_text: two
        - send_text: three
        - expect_text: echo one
        - expect_text: echo two
        - expect_text: echo three
        """, True),
    ("a ping is answered with its payload, and the echo still works", ECHO, """\
        - connect: /ws
        - ping: are you there
        - expect_pong:
        - send_text: hi
        - expect_text: echo hi
        """, True),
    ("pongs come in the order of the pings, each expect_pong takes the next", ECHO, """\
        - connect: /ws
        - ping: one
        - ping: two
        - ping: three
        - expect_pong:
        - expect_pong: two
        - expect_pong:
        - send_text: hi
        - expect_text: echo hi
        """, True),
    ("an expect_pong past the pings sent waits for nothing that comes", ECHO, """\
        - connect: /ws
        - ping: once
        - expect_pong:
        - expect_pong:
          timeout: 0.5
        """, False),
    ("a pong with another payload than the spec says fails", ECHO, """\
        - connect: /ws
        - ping: a
        - expect_pong: b
        """, False),
    ("an unmasked frame is a protocol error: 1002", ECHO, """\
        - connect: /ws
        - send_frame: {opcode: text, payload: x, masked: false}
        - expect_close: 1002
        """, True),
    ("no pong once the endpoint returned: the connection is gone", RETURNS, """\
        - connect: /ws
        - send_text: bye
        - expect_close: 1006
        """, True),
    ("a ping after the endpoint returned finds no pong", RETURNS, """\
        - connect: /ws
        - send_text: bye
        - wait: 0.2
        - ping: x
        - expect_pong:
        """, False),
    ("a ping while the endpoint blocks its loop: no pong until the loop is free", BLOCKS, """\
        - connect: /ws
        - ping: a
        - expect_pong:
          timeout: 0.3
        """, False),
    ("a ping while the endpoint blocks its loop: the pong comes once the loop is free", BLOCKS, """\
        - connect: /ws
        - ping: a
        - expect_pong:
          timeout: 10
        - send_text: hi
        - expect_text: echo hi
        """, True),
]


@pytest.mark.parametrize(("name", "code", "steps", "passes"), CASES, ids=[c[0] for c in CASES])
def test_both_servers_give_the_verdict_a_real_client_would(tmp_path: Path, name: str, code: str, steps: str,
                                                            passes: bool) -> None:
    spec_file = tmp_path / "demo.yaml"
    spec_file.write_text(spec(steps), encoding="utf-8")
    app = tmp_path / "demo.py"
    app.write_text(IMPORTS + textwrap.dedent(code), encoding="utf-8")
    exercise = load_exercise(spec_file)
    ours = grade(exercise, app, Options()).checks[0]
    theirs = grade(exercise, app, Options(uvicorn=True)).checks[0]
    want = Status.PASSED if passes else Status.FAILED
    assert (ours.status, theirs.status) == (want, want), (ours.failure, theirs.failure)
    if not passes:
        assert ours.failure is not None and theirs.failure is not None
        assert ours.failure.kind == theirs.failure.kind, (ours.failure, theirs.failure)


# --- pongs come from the host, and the host says only when -------------------------------------------------------------


@pytest.fixture
def pair() -> Iterator[Pair]:
    """A link whose host is played by the test (tests/test_link_frames.py)."""
    made = Pair()
    yield made
    made.close()


def test_the_host_says_when_and_the_judge_says_what(pair: Pair) -> None:
    conn = pair.opened()
    pair.say(frame("accept", conn=conn.id))
    conn.outgoing.get_nowait()  # the accept
    pair.link.forward(conn, {"type": PING_SEEN, "bytes": b"first"})
    pair.link.forward(conn, {"type": PING_SEEN, "bytes": b"second"})
    pair.say(frame("pong", conn=conn.id))
    assert pair.link.dead is None
    assert conn.outgoing.get_nowait() == {"type": PONG, "bytes": b"first"}
    pair.say(frame("pong", conn=conn.id))
    assert conn.outgoing.get_nowait() == {"type": PONG, "bytes": b"second"}


@pytest.mark.parametrize(("before", "pong"), [
    ((), frame("pong", conn=1)),                                    # no ping was sent: a forgery
    (("accept",), frame("pong", conn=1)),
    (("accept", "ping"), frame("pong", b"forged", conn=1)),         # the payload is the client's, never the host's
    (("ping",), frame("pong", conn=1)),                             # before accept
    (("accept", "ping", "ended"), frame("pong", conn=1)),           # after the endpoint ended
])
def test_a_forged_pong_is_a_protocol_error(pair: Pair, before: tuple[str, ...], pong: bytes) -> None:
    conn = pair.opened()
    assert conn.id == 1
    for step in before:
        if step == "ping":
            pair.link.forward(conn, {"type": PING_SEEN, "bytes": b"p"})
        else:
            pair.say(frame(step, conn=conn.id))
    assert pair.link.dead is None
    pair.say(pong)
    assert pair.link.dead is Death.PROTOCOL, pair.link.why


def test_a_failed_pong_says_what_was_expected_and_what_came(tmp_path: Path) -> None:
    spec_file = tmp_path / "demo.yaml"
    spec_file.write_text(spec("- connect: /ws\n- ping: a\n- expect_pong: b\n"), encoding="utf-8")
    app = tmp_path / "demo.py"
    app.write_text(IMPORTS + textwrap.dedent(ECHO), encoding="utf-8")
    failure = grade(load_exercise(spec_file), app, Options()).checks[0].failure
    assert failure is not None
    assert "step 3, expect_pong" in failure.step, failure
    assert (failure.expected, failure.actual) == ("a pong carrying b'b'", "a pong carrying b'a'")


@pytest.mark.parametrize(("english", "korean"), [
    ("text frame (FIN off) b'hel'", "텍스트 프레임 (FIN 꺼짐) b'hel'"),
    ("binary frame b'\\x00'", "바이너리 프레임 b'\\x00'"),
    ("continuation frame b'lo'", "continuation 프레임 b'lo'"),
    ("opcode 0x3 frame (FIN off, RSV 4, unmasked) b''", "opcode 0x3 프레임 (FIN 꺼짐, RSV 4, 마스킹 안 됨) b''"),
    ("ping frame b'are you there'", "ping 프레임 b'are you there'"),
    ("client disconnects (close frame payload b'\\x03')", "클라이언트가 연결을 끊음 (close 프레임 페이로드: b'\\x03')"),
    ("binary frame of 3 bytes b'abc'", "바이너리 프레임 3바이트 b'abc'"),  # a message the app sent, not a raw frame
])
def test_the_transcript_says_each_raw_frame_in_korean(english: str, korean: str) -> None:
    assert transcript_label(english, "ko") == korean
    assert transcript_label(english, "en") == english


def test_what_the_driver_writes_is_what_the_korean_labels_read() -> None:
    described = [RawFrame(TEXT, b"hel", fin=False).describe(), RawFrame(3, b"", rsv=4, masked=False).describe(),
                 RawFrame(PING, b"x" * 80).describe()]
    assert all(transcript_label(line, "ko") != line for line in described), described


@pytest.mark.parametrize("uvicorn", [False, True], ids=["grader", "uvicorn"])
def test_a_missing_pong_says_why_and_what_to_do(tmp_path: Path, uvicorn: bool) -> None:
    spec_file = tmp_path / "demo.yaml"
    spec_file.write_text(spec("- connect: /ws\n- ping: a\n- expect_pong:\n  timeout: 0.3\n"), encoding="utf-8")
    app = tmp_path / "demo.py"
    app.write_text(IMPORTS + textwrap.dedent(BLOCKS), encoding="utf-8")
    failure = grade(load_exercise(spec_file), app, Options(uvicorn=uvicorn)).checks[0].failure
    assert failure is not None and "step 3, expect_pong" in failure.step, failure
    assert "your endpoint kept the loop busy" in failure.message and "time.sleep" in failure.message, failure


def test_an_expect_pong_with_no_ping_says_so(tmp_path: Path) -> None:
    spec_file = tmp_path / "demo.yaml"
    spec_file.write_text(spec("- connect: /ws\n- ping: a\n- expect_pong:\n- expect_pong:\n  timeout: 0.3\n"),
                         encoding="utf-8")
    app = tmp_path / "demo.py"
    app.write_text(IMPORTS + textwrap.dedent(ECHO), encoding="utf-8")
    failure = grade(load_exercise(spec_file), app, Options()).checks[0].failure
    assert failure is not None and "step 4, expect_pong" in failure.step, failure
    assert "no ping waiting for one: write a ping step before expect_pong" in failure.message, failure
