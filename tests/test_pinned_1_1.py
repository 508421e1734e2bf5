"""Spec 1.1 behaviours pinned at their edges: the bounds of numeric matchers, captures
inside $one_of and expect_unordered, binary matchers, and the suggestions for a misspelt name.

Each test here kills a mutant of tests/mutate.py that the feature tests in
test_spec_1_1.py let through (a bound made open, a capture dropped, ...).
Verdicts come from real FastAPI apps served by the real host code.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from fastapi import FastAPI, WebSocket

from conftest import HEAD
from grader.errors import SpecErrors
from grader.result import Status
from grader.spec import parse_exercise


def problems(steps: str) -> list[str]:
    with pytest.raises(SpecErrors) as caught:
        parse_exercise(HEAD + "checks:\n  - name: x\n    steps:\n" + steps, Path("demo.yaml"))
    return [str(e).split(": ", 1)[1] for e in caught.value.errors]


def echo_app() -> FastAPI:
    """Sends back every text message as it came, and every binary one as it came."""
    app = FastAPI()

    @app.websocket("/ws")
    async def endpoint(websocket: WebSocket) -> None:
        await websocket.accept()
        while True:
            message = await websocket.receive()
            if message["type"] == "websocket.disconnect":
                return
            if message.get("text") is not None:
                await websocket.send_text(message["text"])
            else:
                await websocket.send_bytes(message["bytes"])

    return app


@pytest.mark.parametrize(("value", "matcher", "passes"), [
    (3, "{$gt: 3}", False),
    (3, "{$gte: 3}", True),
    (3, "{$lt: 3}", False),
    (3, "{$lte: 3}", True),
    (3, "{$between: [3, 3]}", True),
    (3.04, "{$approx: {value: 3, tol: 0.05}}", True),
    (3.06, "{$approx: {value: 3, tol: 0.05}}", False),
    ("true", "{$gte: 0}", False),  # a boolean is not a number
])
def test_numeric_matchers_at_their_bounds(converse, value: object, matcher: str, passes: bool) -> None:  # type: ignore[no-untyped-def]
    result, _ = converse(echo_app(), f"""\
        - connect: /ws
        - send_json: {{n: {value}}}
        - expect_json: {{n: {matcher}}}
        """)
    assert (result.status is Status.PASSED) is passes, result.failure


def test_a_capture_checks_its_matcher_before_it_keeps_the_value(converse) -> None:  # type: ignore[no-untyped-def]
    result, _ = converse(echo_app(), """\
        - connect: /ws
        - send_json: {id: abc}
        - expect_json: {id: {$capture: {as: id, match: {$type: int}}}}
        """)
    assert result.failure is not None
    assert result.failure.message == "the server's JSON answer differs at $.id: expected an integer, got \"abc\""


def test_a_capture_in_the_branch_of_one_of_that_matched_is_kept(converse) -> None:  # type: ignore[no-untyped-def]
    result, _ = converse(echo_app(), """\
        - connect: /ws
        - send_json: {id: abc}
        - expect_json: {id: {$one_of: [{$capture: {as: id, match: {$type: int}}}, {$capture: {as: id, match: {$type: str}}}]}}
        - send_json: {again: {$ref: id}}
        - expect_json: {again: abc}
        """)
    assert result.status is Status.PASSED, result.failure


def test_a_capture_inside_expect_unordered_is_kept_for_later_steps(converse) -> None:  # type: ignore[no-untyped-def]
    result, _ = converse(echo_app(), """\
        - connect: /ws
        - send_json: {kind: b, id: 7}
        - send_json: {kind: a, id: 3}
        - expect_unordered:
            - json: {kind: a, id: {$capture: first}}
            - json: {kind: b, id: {$capture: second}}
        - send_json: [{$ref: first}, {$ref: second}]
        - expect_json: [3, 7]
        """)
    assert result.status is Status.PASSED, result.failure


def test_a_capture_name_is_a_word() -> None:
    assert problems("      - connect: /ws\n      - expect_json: {id: {$capture: my id}}\n") == [
        "a capture name is a word (letters, digits, _), not \"my id\""]


def test_prefix_means_the_start_of_the_message(converse) -> None:  # type: ignore[no-untyped-def]
    steps = """\
        - connect: /ws
        - send_bytes: {hex: "%s"}
        - expect_bytes: {$prefix: {hex: "01 02"}}
        """
    result, _ = converse(echo_app(), steps % "01 02 03")
    assert result.status is Status.PASSED, result.failure
    result, _ = converse(echo_app(), steps % "00 01 02")
    assert result.failure is not None
    assert result.failure.message == "the binary message differs: starts with b'\\x00\\x01'"


def test_a_sha256_written_in_capitals_matches_and_another_digest_does_not(converse) -> None:  # type: ignore[no-untyped-def]
    digest = hashlib.sha256(bytes(range(256))).hexdigest().upper()
    result, _ = converse(echo_app(), f"""\
        - connect: /ws
        - send_bytes: {{generate: all_bytes}}
        - expect_bytes: {{$sha256: {digest}}}
        """)
    assert result.status is Status.PASSED, result.failure
    other = hashlib.sha256(bytes(range(255))).hexdigest()
    result, _ = converse(echo_app(), f"""\
        - connect: /ws
        - send_bytes: {{generate: all_bytes}}
        - expect_bytes: {{$sha256: {other}}}
        """)
    assert result.failure is not None
    assert result.failure.message == f"the binary message differs: SHA-256 {digest.lower()}"
    assert result.failure.expected == f"binary data with SHA-256 {other}"


def test_a_name_that_only_starts_like_a_known_one_is_suggested() -> None:
    assert problems("      - connect: /ws\n      - expect_json: {$eq_strict: 1}\n") == [
        "unknown operator '$eq_strict'; did you mean '$eq'?"]


def test_numeric_matchers_that_could_never_pass_are_refused() -> None:
    assert problems("""\
      - connect: /ws
      - expect_json: {a: {$approx: {value: 1, tol: -0.1}}}
      - expect_text: {$gt: 3}
    """) == [
        "tol is a distance: a number ≥ 0",
        "expect_text receives a text message, always a string, so a number above 3 can never match it; "
        "to read the text as JSON, use expect_json",
    ]


def test_an_empty_expect_unordered_is_refused() -> None:
    assert problems("      - connect: /ws\n      - expect_unordered: []\n") == [
        "expect_unordered needs a list of messages, like [{json: ...}, {text: ...}]"]
