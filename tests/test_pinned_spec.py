"""Pinned: what a spec means. Matchers judged on real frames, loader errors, source rules on real files.

Each test fails if the behaviour it names breaks (see tests/mutate.py for the
mutants that prove it). Matchers are exercised as a learner's answer meets
them: through a conversation with a real FastAPI app that mirrors what it
receives.
"""

from __future__ import annotations

import asyncio
import json
import textwrap
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from fastapi import FastAPI, WebSocket

from conftest import check_from_steps
from grader import Kind, Options, SpecErrors, Status, grade, load_exercise
from grader.result import CheckResult
from grader.testing import converse as serve_in_thread

HEAD = "version: 1\nid: demo\ntitle: Demo\ntrack: 1\nlesson: 1\nxp: 5\nfile: demo.py\ninstructions: x\n"


def mirror() -> FastAPI:
    """Sends back every frame it receives, text as text and bytes as bytes."""
    app = FastAPI()

    @app.websocket("/ws")
    async def echo(websocket: WebSocket) -> None:
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


MIRROR = mirror()


def answer_json(converse, sent: object, matcher: str) -> CheckResult:  # type: ignore[no-untyped-def]
    """The verdict on ``sent`` (sent as JSON text and mirrored back) against ``expect_json: matcher``."""
    result, _ = converse(MIRROR, f"- connect: /ws\n- send_text: {json.dumps(json.dumps(sent))}\n- expect_json: {matcher}\n")
    return result


def answer_text(converse, sent: str, matcher: str) -> CheckResult:  # type: ignore[no-untyped-def]
    result, _ = converse(MIRROR, f"- connect: /ws\n- send_text: {json.dumps(sent)}\n- expect_text: {matcher}\n")
    return result


def message(result: CheckResult) -> str:
    assert result.status is Status.FAILED, "the check passed"
    assert result.failure is not None
    return result.failure.message


# --- matchers ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "words"), [("int", "an integer"), ("number", "a number")])
def test_type_int_and_number_refuse_booleans(converse, name: str, words: str) -> None:
    assert answer_json(converse, {"n": 3}, f"{{n: {{$type: {name}}}}}").passed
    assert f"at $.n: expected {words}, got true" in message(answer_json(converse, {"n": True}, f"{{n: {{$type: {name}}}}}"))
    assert f"at $.n: expected {words}, got false" in message(answer_json(converse, {"n": False}, f"{{n: {{$type: {name}}}}}"))


def test_subset_compares_the_values_of_the_keys_it_lists(converse) -> None:
    assert answer_json(converse, {"type": "pong", "id": 7}, "{$subset: {type: pong}}").passed
    wrong = answer_json(converse, {"type": "ping", "id": 7}, "{$subset: {type: pong}}")
    assert 'at $.type: expected "pong", got "ping"' in message(wrong)


def test_an_array_with_an_extra_item_does_not_match(converse) -> None:
    assert "expected an array of 2 items, got 3 items: [1, 2, 3]" in message(answer_json(converse, [1, 2, 3], "[1, 2]"))


def test_a_regex_dot_spans_lines(converse) -> None:
    assert answer_text(converse, "first\nlast", '{$re: "first.*last"}').passed


def test_datetime_is_judged_against_its_own_window(converse) -> None:
    half_a_minute_ago = str(datetime.now() - timedelta(seconds=30))
    assert answer_text(converse, half_a_minute_ago, "{$datetime: {within: 120}}").passed
    late = answer_text(converse, half_a_minute_ago, "{$datetime: {within: 5}}")
    assert late.failure is not None and late.failure.expected == "a local date-time like 2026-01-31 12:00:00.000000 within 5 s of now"


def test_datetime_with_a_utc_offset_is_compared_as_the_same_moment(converse) -> None:
    # An offset five hours away from this machine's: the same instant, written in another zone.
    local = datetime.now().astimezone().utcoffset() or timedelta(0)
    elsewhere = datetime.now(timezone(local + timedelta(hours=5)))
    assert answer_text(converse, str(elsewhere), "{$datetime: {within: 60}}").passed


def test_concat_writes_a_whole_float_as_an_integer(converse) -> None:
    result, _ = converse(MIRROR, """\
        - connect: /ws
        - repeat:
            over: [2.0]
            as: n
            steps:
              - send_text: {$concat: [n, {$var: n}]}
              - expect_text: n2
        """)
    assert result.passed, result.failure


def test_var_reads_a_list_item_by_its_index(converse) -> None:
    result, _ = converse(MIRROR, """\
        - connect: /ws
        - repeat:
            over: [[left, right]]
            as: pair
            steps:
              - send_text: {$var: pair.1}
              - expect_text: right
        """)
    assert result.passed, result.failure


def test_defaults_timeout_is_each_steps_wait_unless_the_step_sets_its_own(tmp_path: Path) -> None:
    app = FastAPI()

    @app.websocket("/ws")
    async def slow(websocket: WebSocket) -> None:
        await websocket.accept()
        await websocket.receive_text()
        await asyncio.sleep(3)  # of the grader's clock
        await websocket.send_text("late")
        await websocket.receive_text()

    steps = "- connect: /ws\n- send_text: go\n- expect_text: late\n"
    patient, _ = serve_in_thread(app, check_from_steps(steps, extra="defaults: {timeout: 5}\n"), tmp_path, Path(__file__))
    assert patient.passed, patient.failure
    hasty, _ = serve_in_thread(app, check_from_steps(steps + "  timeout: 1\n", extra="defaults: {timeout: 5}\n"),
                               tmp_path, Path(__file__))
    assert hasty.failure is not None and hasty.failure.kind is Kind.TIMEOUT
    assert hasty.failure.message.startswith("no message arrived within 1 s")


# --- loading: every mistake named where it is ------------------------------------------------------------------------


def problems(tmp_path: Path, body: str, head: str = HEAD, name: str = "demo.yaml") -> list[tuple[int, str]]:
    """(line, message) of every error in the spec ``head + body``."""
    path = tmp_path / name
    path.write_text(head + textwrap.dedent(body), encoding="utf-8")
    with pytest.raises(SpecErrors) as caught:
        load_exercise(path)
    return [(e.mark.line, e.message) for e in caught.value.errors]


ONE_CHECK = """\
    checks:
      - name: x
        steps:
          - connect: /ws
    """


def test_only_versions_1_1_1_and_1_2_load(tmp_path: Path) -> None:
    assert problems(tmp_path, ONE_CHECK, HEAD.replace("version: 1", "version: 2")) == [
        (1, "unsupported spec version 2; this grader reads versions 1, 1.1 and 1.2")]


def test_an_id_is_lowercase(tmp_path: Path) -> None:
    assert problems(tmp_path, ONE_CHECK, HEAD.replace("id: demo", "id: Demo"), name="Demo.yaml") == [
        (2, "id 'Demo' must be lowercase letters, digits, '-' or '_'")]


@pytest.mark.parametrize("file", ["demo.txt", "sub/demo.py"])
def test_the_learners_file_is_a_plain_python_file_name(tmp_path: Path, file: str) -> None:
    assert problems(tmp_path, ONE_CHECK, HEAD.replace("file: demo.py", f"file: {file}")) == [
        (7, "file must be a plain Python file name like demo.py")]


def test_a_check_has_steps_or_source(tmp_path: Path) -> None:
    assert problems(tmp_path, "checks:\n  - name: empty\n") == [
        (10, "a check needs exactly one of 'steps' (a conversation) or 'source' (code rules)")]


def test_hidden_and_points_are_read_and_checked(tmp_path: Path) -> None:
    path = tmp_path / "demo.yaml"
    path.write_text(HEAD + "checks:\n  - {name: secret, hidden: true, points: 3, source: {calls: [f]}}\n", encoding="utf-8")
    (check,) = load_exercise(path).checks
    assert (check.hidden, check.points) == (True, 3)
    assert problems(tmp_path, """\
        checks:
          - {name: a, hidden: "yes", source: {calls: [f]}}
          - {name: b, points: -1, source: {calls: [f]}}
          - {name: c, points: true, source: {calls: [f]}}
        """, HEAD.replace("track: 1", "track: 0")) == [
        (4, "track must be an integer ≥ 1, not 0"),
        (10, 'hidden must be true or false, not "yes"'),
        (11, "points must be an integer ≥ 0, not -1"),
        (12, "points must be an integer ≥ 0, not true"),
    ]


def test_timeouts_are_above_zero(tmp_path: Path) -> None:
    assert problems(tmp_path, """\
        checks:
          - name: x
            steps:
              - connect: /ws
                timeout: 0
        """) == [(13, "timeout is a number of seconds, more than 0 and at most 3600, not 0")]


def test_close_codes_stay_within_1000_to_4999(tmp_path: Path) -> None:
    assert problems(tmp_path, """\
        checks:
          - name: x
            steps:
              - connect: {path: /ws, refused: 5000}
              - connect: /ws
                client: b
              - expect_close: 5000
                client: b
        """) == [
        (12, "refused is true (any close code), a close code 1000-4999, or {code, status, reason}"),
        (15, "a close code is an integer from 1000 to 4999, not 5000"),
    ]


def test_connect_paths_and_orders_are_checked(tmp_path: Path) -> None:
    found = problems(tmp_path, """\
        checks:
          - name: query in the path
            steps:
              - connect: /ws?token=1
          - name: connected twice
            steps:
              - connect: /ws
              - connect: /ws
          - name: talking after a refusal
            steps:
              - connect: {path: /ws, refused: true}
              - send_text: hello?
          - name: talking after a refusal by status
            steps:
              - connect: {path: /ws, status: 403}
              - send_text: hello?
          - name: a repeat that leaves a client open
            steps:
              - repeat:
                  times: 2
                  steps:
                    - connect: /ws
                      client: r
        """)
    assert found == [
        (12, "put the query string under 'query', not in the path"),
        (16, "client 'ws' is already connected; disconnect it first or use another client name"),
        (20, "client 'ws' is closed by the server here: send_text needs an open connection"),
        (24, "client 'ws' is closed by the server here: send_text needs an open connection"),
        (28, "the steps of a repeat must leave every client as they found it (connect and disconnect inside, or outside)"),
    ]


def test_matchers_and_templates_are_validated_where_they_are_written(tmp_path: Path) -> None:
    found = problems(tmp_path, """\
        checks:
          - name: x
            steps:
              - connect: {path: /ws, subprotocol: {$regex: chat}}
              - expect_text: {type: pong}
              - expect_json: {$type: integer}
              - expect_json: {$any: false}
              - expect_json: {$re: x, extra: 1}
              - send_json: {$re: x}
              - expect_text: {$datetime: {within: 0}}
              - expect_json: {$one_of: []}
              - expect_text: {$re: {pattern: "(?P<a>x)", groups: {b: x}}}
              - expect_close: {reason: {$regex: bye}}
        """)
    assert found == [
        (12, "unknown operator '$regex'; did you mean '$re'?"),
        (13, "expect_text needs a string or a matcher; for a JSON answer use expect_json"),
        (14, "unknown type 'integer'; did you mean 'int'?"),
        (15, "$any takes the value true"),
        (16, "operator '$re' must be the only key of its mapping (use {$eq: ...} for a literal key that starts with '$')"),
        (17, "matcher '$re' cannot be used in a value to send"),
        (18, "$datetime takes {within: SECONDS}, a number above 0"),
        (19, "$one_of needs a non-empty list of matchers"),
        (20, "the pattern has no group named 'b'; write (?P<b>...)"),
        (21, "unknown operator '$regex'; did you mean '$re'?"),
    ]


def test_a_source_rule_names_at_least_one_call(tmp_path: Path) -> None:
    assert problems(tmp_path, "checks:\n  - {name: x, source: {calls: []}}\n") == [
        (10, "source needs at least one name under calls or not_calls")]


# --- source rules: only real calls count -------------------------------------------------------------------------


SOURCE_SPEC = HEAD + """\
checks:
  - name: reads with iter_json
    source: {calls: [iter_json]}
  - name: never calls receive_json
    points: 2
    source: {not_calls: [receive_json]}
"""


def test_a_bare_reference_is_not_a_call(tmp_path: Path) -> None:
    spec = tmp_path / "demo.yaml"
    spec.write_text(SOURCE_SPEC, encoding="utf-8")
    app = tmp_path / "demo.py"
    app.write_text("async def handler(websocket):\n    reader = websocket.iter_json\n    spare = websocket.receive_json\n",
                   encoding="utf-8")
    result = grade(load_exercise(spec), app, Options())
    first, second = result.checks
    assert first.status is Status.FAILED and first.points == 0
    assert first.failure is not None and first.failure.message == (
        "demo.py never calls iter_json() (only real calls count, not comments or strings)")
    assert second.status is Status.PASSED and second.points == 2
    assert (result.points, result.max_points) == (2, 3)
