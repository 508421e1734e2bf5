"""The verdict rules a spec author relies on, each pinned at its edge (the case a plausible slip gets wrong).

Fast tests for the modules that decide a step's verdict: ``grader/spec/match.py`` (numeric matchers),
``grader/judge/unordered.py`` (pairing), ``grader/judge/conversation.py`` (``expect_file``),
``grader/judge/source.py`` (source rules) and ``grader/host/lifespan.py``. ``tests/mutate.py`` runs this
file first for each of them.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI, WebSocket

from grader.host.lifespan import Lifespan, LifespanFailed
from grader.judge.clock import VirtualClockLoop
from grader.judge.driver import Message
from grader.judge.source import check
from grader.judge.unordered import pair
from grader.result import Kind, Status
from grader.spec import Expected, SourceRule
from grader.spec.match import NOW, match


def ok(expected: object, actual: object) -> bool:
    return match(expected, actual) is None


# --- numeric matchers ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", [1, 1.0, 2, 3, 3.0])
def test_between_includes_both_bounds(value: float) -> None:
    assert ok({"$between": [1, 3]}, value)


@pytest.mark.parametrize("value", [0.999, 3.001, -3])
def test_between_refuses_what_lies_outside(value: float) -> None:
    assert not ok({"$between": [1, 3]}, value)


@pytest.mark.parametrize("value", [9.5, 9.75, 10, 10.25, 10.5])
def test_approx_accepts_the_tolerance_on_both_sides(value: float) -> None:
    assert ok({"$approx": {"value": 10, "tol": 0.5}}, value)


@pytest.mark.parametrize("value", [9.4, 0, -10, 10.6, 20])
def test_approx_refuses_a_value_too_far_below_as_well_as_above(value: float) -> None:
    assert not ok({"$approx": {"value": 10, "tol": 0.5}}, value)


def test_datetime_is_judged_against_the_clock_the_app_reads() -> None:
    # Under a virtual wall clock "now" is the app's time, not the judge's: a year away from the real one here.
    virtual = datetime(2001, 2, 3, 4, 5, 6)
    token = NOW.set(lambda: virtual)
    try:
        assert ok({"$datetime": {"within": 2}}, "2001-02-03 04:05:07")
        assert not ok({"$datetime": {"within": 2}}, datetime.now().isoformat(sep=" "))
    finally:
        NOW.reset(token)


# --- expect_unordered: a one-to-one pairing, found where it exists -----------------------------------------------


def test_unordered_pairing_backtracks_where_a_greedy_one_fails() -> None:
    # The first matcher fits both messages, the second only the first message: taking the first message
    # for the first matcher (greedy, in order) leaves the second without one, yet a pairing exists.
    expected = [Expected("ws", "json", {"n": {"$type": "int"}}), Expected("ws", "json", {"n": 1})]
    messages = [Message('{"n": 1}'), Message('{"n": 2}')]
    chosen, left = pair(expected, messages, lambda m, v: match(m, v) is None)
    assert (chosen, left) == ([1, 0], -1)


def test_unordered_pairing_backtracks_through_a_chain() -> None:
    # Each matcher but the last fits its own message and the next one: only a chain of moves pairs them.
    expected = [Expected("ws", "text", {"$one_of": [str(i), str(i + 1)]}) for i in range(3)]
    expected.append(Expected("ws", "text", "0"))
    messages = [Message(str(i)) for i in range(4)]
    chosen, left = pair(expected, messages, lambda m, v: match(m, v) is None)
    assert left == -1 and chosen is not None
    assert sorted(chosen) == [0, 1, 2, 3] and chosen[3] == 0


def test_unordered_pairing_names_the_matcher_left_without_a_message() -> None:
    expected = [Expected("ws", "text", "a"), Expected("ws", "text", "a")]
    chosen, left = pair(expected, [Message("a"), Message("b")], lambda m, v: match(m, v) is None)
    assert (chosen, left) == (None, 1)


def answers_app(*answers: str) -> FastAPI:
    app = FastAPI()

    @app.websocket("/ws")
    async def endpoint(websocket: WebSocket) -> None:
        await websocket.accept()
        await websocket.receive_text()
        for answer in answers:
            await websocket.send_text(answer)
        await websocket.receive_text()

    return app


def test_an_unordered_step_passes_when_only_a_backtracking_pairing_exists(converse: Any) -> None:
    result, _ = converse(answers_app('{"n": 1}', '{"n": 2}'), """\
        - connect: /ws
        - send_text: go
        - expect_unordered:
            - json: {n: {$type: int}}
            - json: {n: 1}
        """)
    assert result.status is Status.PASSED, result.failure


def test_a_message_during_expect_silence_fails_the_step_as_that_message(converse: Any) -> None:
    result, _ = converse(answers_app("late news"), """\
        - connect: /ws
        - send_text: go
        - expect_silence: 2
        """)
    assert result.status is Status.FAILED and result.failure is not None
    failure = result.failure
    assert failure.kind is Kind.MISMATCH, failure
    assert "sent a message after" in failure.message and "2 s of silence" in failure.message, failure.message
    assert failure.expected == "no message for 2 s" and "late news" in (failure.actual or ""), failure


# --- expect_file: the exact bytes ------------------------------------------------------------------------------


def file_app(path: Path, data: bytes) -> FastAPI:
    app = FastAPI()

    @app.websocket("/ws")
    async def endpoint(websocket: WebSocket) -> None:
        await websocket.accept()
        await websocket.receive_text()
        path.write_bytes(data)
        await websocket.send_text("written")
        await websocket.receive_text()

    return app


FILE_STEPS = """\
    - connect: /ws
    - send_text: go
    - expect_text: written
    - expect_file: {path: out.txt, content: "hello world"}
    """


def test_expect_file_passes_on_the_exact_content(converse: Any, tmp_path: Path) -> None:
    result, _ = converse(file_app(tmp_path / "out.txt", b"hello world"), FILE_STEPS)
    assert result.status is Status.PASSED, result.failure


@pytest.mark.parametrize("written", [b"hello", b"", b"hello world!", b"hello world\n", b"hello worle"],
                         ids=["prefix", "empty", "longer", "trailing-newline", "last-byte"])
def test_expect_file_fails_on_anything_but_the_exact_content(converse: Any, tmp_path: Path, written: bytes) -> None:
    result, _ = converse(file_app(tmp_path / "out.txt", written), FILE_STEPS)
    failure = result.failure
    assert failure is not None and failure.kind is Kind.FILE, result
    assert "does not hold the expected bytes" in failure.message


# --- source rules ----------------------------------------------------------------------------------------------


def source(tmp_path: Path, code: str) -> Path:
    path = tmp_path / "app.py"
    path.write_text(code, encoding="utf-8")
    return path


def test_a_keyword_rule_matches_a_method_call_by_its_last_name(tmp_path: Path) -> None:
    path = source(tmp_path, "async def f(websocket):\n    await websocket.close(code=4000)\n")
    assert check(SourceRule(keywords=(("close", "code"),)), path) is None


def test_a_keyword_rule_needs_that_keyword_on_that_call(tmp_path: Path) -> None:
    path = source(tmp_path, "async def f(websocket):\n    await websocket.close(4000)\n    print(code=1)\n")
    failure = check(SourceRule(keywords=(("close", "code"),)), path)
    assert failure is not None and failure.kind is Kind.SOURCE and "close(code=...)" in failure.message


def test_a_reference_without_a_call_is_not_a_call(tmp_path: Path) -> None:
    path = source(tmp_path, "async def f(websocket):\n    reader = websocket.iter_json\n    return iter_json\n")
    failure = check(SourceRule(calls=("iter_json",)), path)
    assert failure is not None and "never calls iter_json()" in failure.message


def test_a_forbidden_name_merely_referenced_is_not_a_forbidden_call(tmp_path: Path) -> None:
    path = source(tmp_path, "import time\n\npause = time.sleep\nsleep = None\n")
    assert check(SourceRule(not_calls=("sleep",)), path) is None


# --- lifespan: an app that raises has failed; one that does not speak lifespan has nothing to start -----------


def startup_of(app: Any) -> str:
    async def main() -> str:
        try:
            await Lifespan(app).startup()
        except LifespanFailed as exc:
            return exc.reason
        return "started"

    return VirtualClockLoop().run_until_complete(main())


def test_a_lifespan_that_raises_its_own_error_is_a_failure_not_unsupported() -> None:
    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            await receive()
            raise RuntimeError("the database is not there")

    assert startup_of(app) == "raised"


@pytest.mark.parametrize("error", [AssertionError, KeyError, ValueError, TypeError, NotImplementedError])
def test_an_app_that_refuses_the_lifespan_scope_just_has_no_lifespan(error: type[Exception]) -> None:
    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        raise error("websocket only")

    assert startup_of(app) == "started"


def test_a_lifespan_that_never_finishes_starting_is_a_timeout_not_a_start() -> None:
    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            await receive()
            await asyncio.Event().wait()  # never answers lifespan.startup

    async def main() -> str:
        try:
            await Lifespan(app, timeout=5).startup()
        except LifespanFailed as exc:
            return f"{exc.reason} {exc.message}"
        return "started"

    assert VirtualClockLoop().run_until_complete(main()) == "timeout 5"
