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

from conftest import check_from_steps
from grader.errors import SpecErrors
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



def test_datetime_accepts_a_time_exactly_within_seconds_away_on_either_side() -> None:
    # "within 5" includes 5: a time stamped exactly five seconds before (or after) now passes, a microsecond more does not.
    virtual = datetime(2001, 2, 3, 4, 5, 6)
    token = NOW.set(lambda: virtual)
    try:
        assert ok({"$datetime": {"within": 5}}, "2001-02-03 04:05:01")
        assert ok({"$datetime": {"within": 5}}, "2001-02-03 04:05:11")
        assert not ok({"$datetime": {"within": 5}}, "2001-02-03 04:05:11.000001")
        assert not ok({"$datetime": {"within": 5}}, "2001-02-03 04:05:00.999999")
    finally:
        NOW.reset(token)


# --- $eq: what it holds is data, at every depth ----------------------------------------------------------------


def test_eq_reads_no_operator_inside_an_array_it_holds() -> None:
    # {$eq: [{$any: true}]} expects a list holding that very object: a list of anything else does not match.
    assert ok({"$eq": [{"$any": True}]}, [{"$any": True}])
    assert not ok({"$eq": [{"$any": True}]}, [5])
    assert not ok({"$eq": {"items": [{"$type": "int"}]}}, {"items": [3]})
    assert ok({"$eq": {"items": [{"$type": "int"}]}}, {"items": [{"$type": "int"}]})



def test_an_empty_concat_is_refused_when_the_spec_loads() -> None:
    with pytest.raises(SpecErrors, match=r"\$concat needs a non-empty list"):
        check_from_steps("""\
            - connect: /ws
            - send_text: {$concat: []}
            """)


def test_the_matcher_inside_a_capture_is_checked_when_the_spec_loads() -> None:
    # A misspelt operator inside {$capture: {as, match}} is the author's mistake, named at load, not a crash mid-check.
    with pytest.raises(SpecErrors, match=r"unknown operator '\$typo'"):
        check_from_steps("""\
            - connect: /ws
            - expect_json: {id: {$capture: {as: me, match: {$typo: int}}}}
            """)


# --- $one_of: flagged as never matching only when no branch can ------------------------------------------------


def test_a_one_of_with_one_branch_that_fits_the_message_loads_and_matches(converse: Any) -> None:
    # A text can never be an int, but it can match the $re branch: the matcher is fine, and "ok then" passes.
    result, _ = converse(answers_app("ok then"), """\
        - connect: /ws
        - send_text: go
        - expect_text: {$one_of: [{$type: int}, {$re: "ok.*"}]}
        """)
    assert result.status is Status.PASSED, result.failure


def test_a_one_of_whose_every_branch_cannot_fit_the_message_is_refused() -> None:
    with pytest.raises(SpecErrors, match="can never match"):
        check_from_steps("""\
            - connect: /ws
            - expect_text: {$one_of: [{$type: int}, {$type: bool}]}
            """)


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



def test_a_match_any_rule_passes_with_one_of_its_items(tmp_path: Path) -> None:
    # match: any asks for at least one item: the import alone meets it, the decorator and the call are not needed.
    path = source(tmp_path, "import pydantic\n\nasync def f(websocket):\n    pass\n")
    rule = SourceRule(calls=("iter_json",), imports=("pydantic",), decorators=("app.websocket",), match="any")
    assert check(rule, path) is None
    bare = source(tmp_path, "async def f(websocket):\n    pass\n")
    failure = check(rule, bare)
    assert failure is not None and "has none of" in failure.message, failure


def test_a_forbidden_call_is_reported_on_every_line_it_is_made(tmp_path: Path) -> None:
    path = source(tmp_path, "import time\n\ntime.sleep(1)\nx = 1\ntime.sleep(2)\ntime.sleep(3)\n")
    failure = check(SourceRule(not_calls=("sleep",)), path)
    assert failure is not None and "on line 3, 5, 6" in failure.message, failure


@pytest.mark.parametrize("code", ["import pydantic\n\nclass Item(pydantic.BaseModel):\n    n: int\n",
                                  "from pydantic import BaseModel\n\nclass Item(BaseModel):\n    n: int\n"],
                         ids=["dotted", "plain"])
def test_a_base_class_rule_is_met_by_the_class_named_either_way(tmp_path: Path, code: str) -> None:
    assert check(SourceRule(bases=("BaseModel",)), source(tmp_path, code)) is None


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


# --- steps: what their failures say --------------------------------------------------------------------------------


def test_a_repeat_of_zero_times_is_refused_when_the_spec_loads() -> None:
    with pytest.raises(SpecErrors, match="times"):
        check_from_steps("""\
            - connect: /ws
            - repeat:
                times: 0
                steps:
                  - send_text: hi
                  - expect_text: hi
            """)


def bytes_reader_app() -> FastAPI:
    app = FastAPI()

    @app.websocket("/ws")
    async def endpoint(websocket: WebSocket) -> None:
        await websocket.accept()
        while True:
            message = await websocket.receive()
            await websocket.send_bytes(message["bytes"])  # a disconnect message has no bytes: KeyError

    return app


def test_a_keyerror_for_bytes_after_the_client_left_is_explained(converse: Any) -> None:
    result, _ = converse(bytes_reader_app(), """\
        - connect: /ws
        - send_bytes: {hex: "0102"}
        - expect_bytes: {hex: "0102"}
        - disconnect:
        - ends_cleanly:
        """)
    failure = result.failure
    assert failure is not None and failure.kind is Kind.UNCLEAN, result
    assert "returns {'type': 'websocket.disconnect'}" in failure.message, failure.message
