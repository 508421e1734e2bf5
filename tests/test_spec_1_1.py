"""Spec 1.1, feature by feature: how each is written, what the loader refuses, and verdicts on real apps.

Captures ($capture / $ref), expect_unordered, numeric operators, binary
matchers and composed payloads, and refusals with a reason. Every 1.0 spec
still loads and grades the same (the catalog's own tests run them all).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import uuid
from pathlib import Path

import jsonschema
import pytest
from fastapi import FastAPI, WebSocket, WebSocketDisconnect, status

from conftest import HEAD
from grader.errors import SpecErrors
from grader.result import Kind, Status
from grader.spec import parse_exercise, schema, yamlnodes


def problems(steps: str) -> list[str]:
    with pytest.raises(SpecErrors) as caught:
        parse_exercise(HEAD + "checks:\n  - name: x\n    steps:\n" + steps, Path("demo.yaml"))
    return [str(e).split(": ", 1)[1] for e in caught.value.errors]


def loads(steps: str) -> None:
    text = HEAD + "checks:\n  - name: x\n    steps:\n" + steps
    parse_exercise(text, Path("demo.yaml"))
    root, _ = yamlnodes.load(text, "demo.yaml")
    jsonschema.validate(root.plain(), schema.build())  # editors accept what the loader accepts


# --- captures -----------------------------------------------------------------------------------------------------


def session_app(*, forget: bool = False) -> FastAPI:
    app = FastAPI()
    sessions: set[str] = set()

    @app.websocket("/ws")
    async def endpoint(websocket: WebSocket) -> None:
        await websocket.accept()
        token = uuid.uuid4().hex
        if not forget:
            sessions.add(token)
        await websocket.send_json({"type": "welcome", "session": token})
        async for message in websocket.iter_json():
            known = message.get("resume") in sessions
            await websocket.send_json({"type": "resumed" if known else "unknown", "session": message.get("resume")})

    return app


CAPTURE = """\
    - connect: /ws
    - expect_json: {type: welcome, session: {$capture: {as: sid, match: {$re: "[0-9a-f]{32}"}}}}
    - connect: /ws
      client: again
    - expect_json: {type: welcome, session: {$any: true}}
      client: again
    - send_json: {resume: {$ref: sid}}
      client: again
    - expect_json: {type: resumed, session: {$ref: sid}}
      client: again
    """


def test_a_value_captured_from_one_message_is_sent_and_expected_later(converse) -> None:
    result, _ = converse(session_app(), CAPTURE)
    assert result.status is Status.PASSED, result.failure


def test_a_server_that_forgets_the_captured_value_fails_at_the_step_that_uses_it(converse) -> None:
    result, _ = converse(session_app(forget=True), CAPTURE)
    assert result.failure is not None and result.failure.step is not None
    assert result.failure.step.startswith("step 6, expect_json (again)")
    assert result.failure.message.startswith('the server\'s JSON answer differs at $.type: expected "resumed", got "unknown"')


def test_a_ref_must_follow_its_capture() -> None:
    assert problems("""\
      - connect: /ws
      - send_json: {resume: {$ref: sid}}
      - expect_json: {session: {$capture: sid}}
      - send_json: {again: {$ref: sdi}}
    """) == [
        "$ref 'sid' reads a capture no earlier step of this check makes; capture it first, e.g. "
        "expect_json: {id: {$capture: sid}}",
        "$ref 'sdi' reads a capture no earlier step of this check makes; did you mean 'sid'?",
    ]


def test_a_capture_is_a_matcher_not_a_value_to_send() -> None:
    assert problems("      - connect: /ws\n      - send_json: {id: {$capture: x}}\n") == [
        "matcher '$capture' cannot be used in a value to send"]


# --- expect_unordered ---------------------------------------------------------------------------------------------


def jobs_app(*, late_binding: bool = False) -> FastAPI:
    app = FastAPI()

    @app.websocket("/ws")
    async def endpoint(websocket: WebSocket) -> None:
        await websocket.accept()
        tasks = []
        for _ in range(3):
            request = await websocket.receive_json()

            async def answer(request: dict = request) -> None:  # type: ignore[type-arg]
                await asyncio.sleep(request["delay"])
                await websocket.send_json({"id": request["id"], "done": True})

            tasks.append(asyncio.create_task(answer()))
        if late_binding:  # every answer names the last request: the bug $one_of cannot see
            for task in tasks:
                task.cancel()
            for _ in range(3):
                await websocket.send_json({"id": request["id"], "done": True})
        await asyncio.gather(*tasks, return_exceptions=True)
        with contextlib.suppress(WebSocketDisconnect):
            await websocket.receive_text()

    return app


UNORDERED = """\
    - connect: /ws
    - send_json: {id: 1, delay: 0.3}
    - send_json: {id: 2, delay: 0.1}
    - send_json: {id: 3, delay: 0.2}
    - expect_unordered:
        - json: {id: 1, done: true}
        - json: {id: 2, done: true}
        - json: {id: 3, done: true}
    """


def test_answers_in_any_order_pass(converse) -> None:
    result, _ = converse(jobs_app(), UNORDERED)
    assert result.status is Status.PASSED, result.failure


def test_the_same_answer_three_times_does_not_pass_for_three_different_ones(converse) -> None:
    result, _ = converse(jobs_app(late_binding=True), UNORDERED)
    failure = result.failure
    assert failure is not None and failure.kind is Kind.MISMATCH
    assert failure.message == ("the 3 messages on ws cannot be paired one to one with the expected ones: "
                               'none is left for {"id": 1, "done": true}')
    assert failure.actual is not None and failure.actual.count("{\"id\":3,\"done\":true}") == 3


def test_expect_unordered_needs_open_clients_and_one_kind_per_message() -> None:
    assert problems("""\
      - connect: /ws
      - expect_unordered:
          - {json: {a: 1}, client: bob}
          - {json: 1, text: "1"}
          - {text: {$type: int}}
    """) == [
        "client 'bob' is not connected here: expect_unordered needs an open connection",
        "each expect_unordered message has one of text or json (a matcher)",
        "a text message is a string, so an integer can never match it; to read it as JSON, write json: instead of text:",
    ]


# --- numbers ------------------------------------------------------------------------------------------------------


def numbers_app() -> FastAPI:
    app = FastAPI()

    @app.websocket("/ws")
    async def endpoint(websocket: WebSocket) -> None:
        await websocket.accept()
        await websocket.receive_text()
        await websocket.send_json({"sum": 0.1 + 0.2, "retry_after": 0.99999999999909, "count": 3})

    return app


def test_numbers_are_compared_with_operators_and_a_tolerance(converse) -> None:
    result, _ = converse(numbers_app(), """\
        - connect: /ws
        - send_text: go
        - expect_json: {sum: {$approx: {value: 0.3, tol: 1e-9}}, retry_after: {$between: [0.9, 1.0]},
                        count: {$gte: 3}}
        """)
    assert result.status is Status.PASSED, result.failure


def test_a_number_out_of_range_says_the_range(converse) -> None:
    result, _ = converse(numbers_app(), """\
        - connect: /ws
        - send_text: go
        - expect_json: {$subset: {count: {$gt: 3}}}
        """)
    assert result.failure is not None
    assert result.failure.message == "the server's JSON answer differs at $.count: expected a number above 3, got 3"


def test_numeric_operators_are_checked_where_written() -> None:
    assert problems("""\
      - connect: /ws
      - expect_json: {a: {$gt: "3"}, b: {$between: [2, 1]}, c: {$approx: {value: 1}}, d: {$aprox: 1}}
    """) == [
        "$gt takes a number, not a string",
        "$between [2, 1] is empty: write the lower bound first",
        "$approx takes {value: NUMBER, tol: NUMBER}",
        "unknown operator '$aprox'; did you mean '$approx'?",
    ]


# --- binary -------------------------------------------------------------------------------------------------------


def chunks_app(*, drop_last: bool = False) -> FastAPI:
    app = FastAPI()

    @app.websocket("/ws")
    async def endpoint(websocket: WebSocket) -> None:
        await websocket.accept()
        parts = []
        while True:
            message = await websocket.receive()
            if message.get("text") == "done":
                break
            parts.append(message["bytes"])
        data = b"".join(parts[:-1] if drop_last else parts)
        await websocket.send_bytes(data)
        await websocket.send_json({"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)})

    return app


CHUNKS = """\
    - connect: /ws
    - send_bytes: {slice: {of: {generate: random, size: 3000, seed: 7}, end: 1024}}
    - send_bytes: {slice: {of: {generate: random, size: 3000, seed: 7}, start: 1024}}
    - send_text: done
    - expect_bytes: {$len: 3000}
    - expect_json: {sha256: {$re: "[0-9a-f]{64}"}, size: 3000}
    """


def test_sliced_payloads_and_binary_matchers(converse) -> None:
    result, _ = converse(chunks_app(), CHUNKS)
    assert result.status is Status.PASSED, result.failure
    digest = hashlib.sha256(b"ab" * 10 + bytes(range(256))).hexdigest()
    result, _ = converse(chunks_app(), f"""\
        - connect: /ws
        - send_bytes: {{concat: [{{text: ab}}, {{text: ab}}, {{hex: "6162 6162 6162 6162 6162 6162 6162 6162"}}]}}
        - send_bytes: {{generate: all_bytes}}
        - send_text: done
        - expect_bytes: {{$sha256: {digest}}}
        """)
    assert result.status is Status.PASSED, result.failure


def test_a_lost_chunk_fails_with_the_length(converse) -> None:
    result, _ = converse(chunks_app(drop_last=True), CHUNKS)
    assert result.failure is not None
    assert result.failure.message == "the binary message differs: 1024 bytes"
    assert result.failure.expected == "binary data of 3000 bytes"


def test_binary_matchers_are_checked_where_written() -> None:
    assert problems("""\
      - connect: /ws
      - expect_bytes: {$sha256: abc}
      - expect_bytes: {$len: -1}
      - expect_bytes: {$prefx: ab}
      - send_bytes: {slice: {of: ab, strat: 1}}
    """) == [
        "$sha256 takes the 64 hex digits of a SHA-256 digest",
        "$len takes a number of bytes, or a numeric matcher like {$gte: 1}",
        "expect_bytes takes a payload, or one of $any, $len, $prefix, $sha256; did you mean '$prefix'?",
        "unknown key 'strat' in slice; did you mean 'start'?",
    ]


# --- refusals with a reason ---------------------------------------------------------------------------------------


def guarded_app() -> FastAPI:
    app = FastAPI()

    @app.websocket("/ws")
    async def endpoint(websocket: WebSocket) -> None:
        if websocket.query_params.get("token") != "secret":
            await websocket.close(code=status.WS_1008_POLICY_VIOLATION, reason="bad token")
            return
        await websocket.accept()

    return app


def test_a_refusal_names_its_code_status_and_reason(converse) -> None:
    result, _ = converse(guarded_app(), """\
        - connect: {path: /ws, query: {token: nope}, refused: {code: 1008, status: 403, reason: bad token}}
        """)
    assert result.status is Status.PASSED, result.failure
    result, _ = converse(guarded_app(), """\
        - connect: {path: /ws, refused: {code: 1008, reason: {$re: "missing.*"}}}
        """)
    assert result.failure is not None
    assert result.failure.message == "the server refused the connection, but not with the expected reason"
    assert result.failure.expected == "reason a string matching /missing.*/"


def test_every_new_form_is_in_the_schema() -> None:
    loads("""\
      - connect: {path: /ws, refused: {code: 1008, status: 403, reason: {$re: "bad.*"}}}
      - connect: /ws
        client: b
      - expect_json: {id: {$capture: id}, n: {$between: [1, 2]}, x: {$approx: {value: 1, tol: 0.1}}}
        client: b
      - send_json: {id: {$ref: id}, s: {$concat: ["id-", {$ref: id}]}}
        client: b
      - expect_unordered: [{json: {$gt: 1}}, {text: {$re: "x"}, client: b}]
        client: b
      - expect_bytes: {$len: {$lte: 10}}
        client: b
      - send_bytes: {concat: [{hex: "00"}, {slice: {of: abc, start: -1}}]}
        client: b
    """)
    assert json.dumps(schema.build())  # and the shipped file is the generated one (test_schema)


# --- include: shared steps ----------------------------------------------------------------------------------------

FIXTURES = """\
fixtures:
  greeted:
    - connect: /ws
    - expect_json: {type: welcome, session: {$capture: sid}}
"""


def test_an_included_fixture_reads_in_place_with_its_own_lines() -> None:
    text = HEAD + FIXTURES + "checks:\n  - name: x\n    steps:\n      - include: greeted\n" \
        "      - send_json: {resume: {$ref: sid}}\n      - expect_json: {type: resumed, session: {$ref: sid}}\n"
    check = parse_exercise(text, Path("demo.yaml")).checks[0]
    assert [(s.action, s.mark.line) for s in check.steps] == [
        ("connect", 11), ("expect_json", 12), ("send_json", 17), ("expect_json", 18)]


def test_include_names_a_fixture_that_exists_and_does_not_loop() -> None:
    text = HEAD + "fixtures:\n  a: [{include: b}]\n  b: [{include: a}]\n  unused: [{wait: 1}]\n" \
        "checks:\n  - name: x\n    steps:\n      - include: a\n      - include: greted\n"
    with pytest.raises(SpecErrors) as caught:
        parse_exercise(text, Path("demo.yaml"))
    assert [str(e).split(": ", 1)[1] for e in caught.value.errors] == [
        "fixture 'a' includes itself (a → b → a)",
        "no fixture named 'greted'; known: a, b, unused",
    ]


# --- source rules -------------------------------------------------------------------------------------------------

TYPED = """\
from typing import Annotated, Literal, Union

from fastapi import FastAPI, WebSocket
from pydantic import BaseModel, Field, TypeAdapter

app = FastAPI()


class Ping(BaseModel):
    type: Literal["ping"]


Message = TypeAdapter(Annotated[Union[Ping], Field(discriminator="type")])


@app.websocket("/ws")
async def endpoint(websocket: WebSocket) -> None:
    await websocket.accept()
    await websocket.close(code=1000)
"""


def source_rule(rule: str) -> object:
    text = HEAD + f"checks:\n  - name: x\n    source: {rule}\n"
    return parse_exercise(text, Path("demo.yaml")).checks[0].source


@pytest.mark.parametrize(("rule", "verdict"), [
    ("{imports: [pydantic], bases: [BaseModel], decorators: [app.websocket], keywords: {Field: [discriminator]}}", None),
    ("{imports: [pydantic, msgspec]}", "typed.py lacks an import of msgspec (only real code counts, not comments or strings)"),
    ("{imports: [msgspec, pydantic], match: any}", None),
    ("{bases: [RootModel, TypedDict], match: any}", "typed.py has none of: a class based on RootModel, a class based on "
                                                    "TypedDict (only real code counts, not comments or strings)"),
    ("{keywords: {close: [reason]}}", "typed.py lacks a call of close(reason=...) (only real code counts, not comments or strings)"),
    ("{decorators: [websocket], not_calls: [receive_json]}", None),
])
def test_source_rules_read_imports_bases_decorators_and_keywords(tmp_path: Path, rule: str, verdict: str | None) -> None:
    from grader.judge.source import check

    path = tmp_path / "typed.py"
    path.write_text(TYPED, encoding="utf-8")
    failure = check(source_rule(rule), path)  # type: ignore[arg-type]
    assert (failure.message if failure else None) == verdict


# --- repeat over clients ------------------------------------------------------------------------------------------


def room_app(*, skip_last: bool = False) -> FastAPI:
    app = FastAPI()
    members: list[WebSocket] = []

    @app.websocket("/ws/{name}")
    async def room(websocket: WebSocket, name: str) -> None:
        await websocket.accept()
        members.append(websocket)
        try:
            async for text in websocket.iter_text():
                for member in members[:-1] if skip_last else members:
                    await member.send_text(f"{name}: {text}")
        except WebSocketDisconnect:
            pass
        finally:
            members.remove(websocket)

    return app


ROOM = """\
    - repeat:
        as: who
        over: [alice, bob, carol]
        steps:
          - connect: /ws/room
            client: {$var: who}
    - send_text: hi
      client: alice
    - repeat:
        as: who
        over: [alice, bob, carol]
        steps:
          - expect_text: "room: hi"
            client: {$var: who}
    """


def test_a_repeat_can_go_over_clients(converse) -> None:
    result, _ = converse(room_app(), ROOM)
    assert result.status is Status.PASSED, result.failure
    result, _ = converse(room_app(skip_last=True), ROOM)
    assert result.failure is not None
    assert result.failure.step is not None and "expect_text (carol)" in result.failure.step
    assert "round 3 of 3 (who = \"carol\")" in result.failure.step


def test_a_client_variable_needs_a_repeat_over_client_names() -> None:
    assert problems("""\
      - connect: /ws
        client: {$var: who}
      - repeat:
          as: who
          over: [alice, 3]
          steps:
            - connect: /ws
              client: {$var: who}
            - disconnect:
              client: {$var: who}
    """) == [
        "client {$var: who} needs a repeat over client names with as: who",
        'a repeat that names clients with {$var: who} goes over client names (words), not [3]',
    ]


def test_each_client_of_a_repeat_is_checked_for_order() -> None:
    assert problems("""\
      - repeat:
          as: who
          over: [alice, bob]
          steps:
            - send_text: hi
              client: {$var: who}
    """) == ["client 'alice' is used before it connects (add a connect step first)",
             "client 'bob' is used before it connects (add a connect step first)"]


@pytest.mark.parametrize(("version", "clock"), [("1", "real"), ("1.1", "virtual")])
def test_the_apps_wall_clock_follows_the_graders_from_version_1_1(tmp_path: Path, version: str, clock: str) -> None:
    # A 1.0 spec keeps the real wall clock it was written for; from 1.1 on, time.time() and
    # datetime.now() move with the grader's clock unless the spec says wall_clock: real.
    from grader import Options, grade

    head = HEAD.replace("version: 1\n", f"version: {version}\n")
    spec = tmp_path / "demo.yaml"
    spec.write_text(head + "checks:\n  - name: ten minutes pass on the app's wall clock\n    steps:\n"
                    "      - connect: /ws\n      - expect_text: '600'\n        timeout: 900\n", encoding="utf-8")
    exercise = parse_exercise(spec.read_text(encoding="utf-8"), spec)
    assert exercise.wall_clock == clock
    app = tmp_path / "demo.py"
    app.write_text("import asyncio, time\nfrom fastapi import FastAPI, WebSocket\napp = FastAPI()\n\n\n"
                   "@app.websocket('/ws')\nasync def ws(websocket: WebSocket):\n    await websocket.accept()\n"
                   "    started = time.time()\n    await asyncio.sleep(600)\n"
                   "    await websocket.send_text(str(round(time.time() - started)))\n"
                   "    await websocket.receive_text()\n", encoding="utf-8")
    check = grade(exercise, app, Options()).checks[0]
    assert (check.status is Status.PASSED) is (clock == "virtual"), check.failure


def test_a_check_name_can_be_given_per_language() -> None:
    exercise = parse_exercise(HEAD + "checks:\n  - name: {en: answers, ko: 답해요}\n    steps:\n      - connect: /ws\n"
                              "  - name: plain\n    steps:\n      - connect: /ws\n", Path("demo.yaml"))
    named, plain = exercise.checks
    assert (named.name, named.title) == ("answers", {"en": "answers", "ko": "답해요"})
    assert (plain.name, plain.title) == ("plain", None)
    with pytest.raises(SpecErrors) as caught:
        parse_exercise(HEAD + "checks:\n  - name: {ko: 답해요}\n    steps:\n      - connect: /ws\n", Path("demo.yaml"))
    assert any("name" in str(e) for e in caught.value.errors)
