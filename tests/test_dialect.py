"""The YAML a spec is written in means what it says, with libyaml or without it.

Plain scalars follow YAML 1.2's core schema; libyaml and the pure-Python
parser give the same values and the same messages; every error of a file is
reported in one pass, in plain words, with a "did you mean" for misspellings;
and a matcher that can never pass is an error, not a check that always fails.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import jsonschema
import pytest
from fastapi import FastAPI, WebSocket

from grader.errors import SpecError, SpecErrors
from grader.result import Status
from grader.spec import dialect, parse_exercise, schema, yamlnodes

EXERCISES = sorted((Path(__file__).resolve().parent.parent / "exercises").glob("*.yaml"))
HEAD = "version: 1\nid: demo\ntitle: Demo\ntrack: 1\nlesson: 1\nxp: 5\nfile: demo.py\ninstructions: x\n"
LOADERS = [pytest.param(dialect.PureLoader, id="pure-python"), pytest.param(dialect.LOADER, id="libyaml")]


@pytest.fixture(params=LOADERS)
def loader(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> type:
    """Every spec in the test is read by this parser."""
    monkeypatch.setattr(dialect, "LOADER", request.param)
    return request.param  # type: ignore[no-any-return]


def problems(text: str) -> list[str]:
    with pytest.raises(SpecErrors) as caught:
        parse_exercise(textwrap.dedent(text), Path("demo.yaml"))
    return [str(e) for e in caught.value.errors]


def outcome(text: str, parser: type) -> tuple[str, ...]:
    try:
        root, errors = yamlnodes.load(text, "f.yaml", parser)
    except SpecError as exc:
        return ("error", str(exc))
    return ("value", json.dumps(root.plain(), default=str), *map(str, errors))


# --- plain scalars ------------------------------------------------------------------------------------------------


def test_plain_scalars_are_read_as_yaml_1_2_core(loader: type) -> None:
    root, errors = yamlnodes.load("over: [yes, no, on, off, y, n, 010, 12:30, 0o10, 0x1F, 1.50, 1e3, -7, "
                                  "true, False, null, ~, 2026-01-31, '010', .inf]\n", "f.yaml")
    assert errors == []
    assert root.plain()["over"] == ["yes", "no", "on", "off", "y", "n", 10, "12:30", 8, 31, 1.5, 1000.0, -7,
                                    True, False, None, None, "2026-01-31", "010", float("inf")]


def test_a_repeat_over_yes_and_no_sends_yes_and_no(converse, loader: type) -> None:
    app = FastAPI()

    @app.websocket("/ws")
    async def collect(websocket: WebSocket) -> None:
        await websocket.accept()
        seen = []
        async for text in websocket.iter_text():
            if text == "done":
                await websocket.send_json(seen)
            seen.append(text)

    result, _ = converse(app, """\
        - connect: /ws
        - repeat:
            as: word
            over: [yes, no, off, 010, 12:30]
            steps:
              - send_text: {$concat: [{$var: word}]}
        - send_text: done
        - expect_json: ["yes", "no", "off", "10", "12:30"]
        """)
    assert result.status is Status.PASSED, result.failure


# --- one answer, whichever parser ---------------------------------------------------------------------------------

TRICKY = [
    "a: {text: soup?}\n",
    "a: [what?, why?x]\n",
    "a: {t: a:b}\n",
    "a: \"x\\ty\"\nb: |\n  z\n# a comment\twith a tab\n",
    "a:\n\tb: 1\n",
    "a:\t1\n",
    "a:\n  - x\n\t- y\n",
    "b: |\n  \tz\n",
    "a: one\ttwo\n",
    "a: b: c\n",
    "steps:\n  - expect_text: Message: hi\n",
    "a: {b: c: d}\n",
    "a: 1\na: 2\n",
    "a: \"x\n",
    "a:\n  b: 1\n c: 2\n",
    "a: [1, 2\n",
    "a: {b: 1\n",
    "a: *nothing\n",
    "a: @x\n",
    "<<: {a: 1}\n",
    "a: !!int x\n",
    "a: &x [1]\nb: *x\n",
    "k: v?}\n",
]


@pytest.mark.parametrize("text", TRICKY + [p.read_text(encoding="utf-8") for p in EXERCISES],
                         ids=[f"tricky{i}" for i in range(len(TRICKY))] + [p.stem for p in EXERCISES])
def test_libyaml_and_the_pure_python_parser_give_the_same_answer(text: str) -> None:
    assert outcome(text, dialect.PureLoader) == outcome(text, dialect.LOADER)


@pytest.mark.parametrize(("text", "message"), [
    ("a:\n\tb: 1\n", "f.yaml:2:1: a tab character: YAML indents and separates with spaces only; replace it with spaces"),
    ("a:\t1\n", "f.yaml:1:3: a tab character: YAML indents and separates with spaces only; replace it with spaces"),
    ("b: |\n  \tz\n", "f.yaml:2:3: a tab character: YAML indents and separates with spaces only; replace it with spaces"),
    ("steps:\n  - expect_text: Message: hi\n", "f.yaml:2:25: a ': ' inside a plain value starts a new key here; "
     "put the whole value in quotes, e.g. expect_text: \"Message: hi\""),
    ("a: \"x\n", "f.yaml:1:4: a quoted string is never closed (opened at line 1)"),
    ("a: [1, 2\n", "f.yaml:2:1: a [ ... ] list is not closed, or a ',' is missing between its items (opened at line 1)"),
    ("a:\n  b: 1\n c: 2\n", "f.yaml:3:2: this line's indentation does not line up with the keys above it"),
])
def test_parser_errors_are_plain_words_at_the_place(loader: type, text: str, message: str) -> None:
    assert outcome(text, loader) == ("error", message)


# --- every error at once, with "did you mean" ---------------------------------------------------------------------


def test_every_error_of_a_file_is_reported_in_one_pass(loader: type) -> None:
    assert problems("""\
        version: 1
        id: demo
        title: Demo
        title: Demo again
        track: 1
        lesson: 1
        xp: lots
        file: demo.py
        instrutions: Do it.
        checks:
          - name: answers
            steps:
              - connect: /ws
                timout: 3
              - send_txt: hi
              - expect_text: {$regex: "h.*"}
              - wait: 0
              - send_text: ""
              - expect_text: "   "
          - name: "  "
            source: {calls: [accept]}
        """) == [
        "demo.yaml:1:1: the exercise needs the key 'instructions'",
        "demo.yaml:4:1: duplicate key 'title' (first at line 3); only one can count",
        "demo.yaml:7:5: xp must be an integer ≥ 0, not \"lots\"",
        "demo.yaml:9:1: unknown key 'instrutions' in the exercise; did you mean 'instructions'?",
        "demo.yaml:14:9: unknown step key 'timout'; did you mean 'timeout'?",
        "demo.yaml:15:9: unknown step key 'send_txt'; did you mean 'send_text'?",
        "demo.yaml:16:23: unknown operator '$regex'; did you mean '$re'?",
        "demo.yaml:17:15: wait is a number of seconds, more than 0 and at most 3600, not 0",
        "demo.yaml:20:11: the check's name must not be empty",
    ]


def test_a_step_with_only_unknown_keys_lists_client_and_timeout_too(loader: type) -> None:
    (message,) = problems(HEAD + "checks:\n  - name: x\n    steps:\n      - {frobnicate: 1}\n")
    assert message == ("demo.yaml:12:10: unknown step key 'frobnicate'; a step is one action (connect, send_text, "
                       "send_json, send_bytes, expect_text, expect_json, expect_bytes, expect_close, expect_silence, "
                       "wait, disconnect, ends_cleanly, repeat, expect_file) with optional client and timeout; "
                       "known: connect, send_text, send_json, send_bytes, expect_text, expect_json, expect_bytes, "
                       "expect_close, expect_silence, wait, disconnect, ends_cleanly, repeat, expect_file, client, "
                       "timeout") or message.startswith("demo.yaml:12:10: unknown step key 'frobnicate'; a step is")


# --- matchers that can never pass ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("step", "message"), [
    ("expect_text: {$type: int}", "13:22: expect_text receives a text message, always a string, so an integer can "
     "never match it; to read the text as JSON, use expect_json"),
    ("expect_text: {$one_of: [{$type: bool}, {$eq: 3}]}", "13:22: expect_text receives a text message, always a "
     "string, so a boolean or 3 can never match it; to read the text as JSON, use expect_json"),
    ("expect_text: {$subset: {a: 1}}", "13:22: expect_text receives a text message, always a string, so an object "
     "with at least {\"a\": 1} can never match it; to read the text as JSON, use expect_json"),
    ("expect_close: {reason: {$type: int}}", "13:32: a close reason is a string, so an integer can never match it"),
])
def test_a_matcher_that_can_never_pass_is_an_error(step: str, message: str) -> None:
    assert problems(HEAD + f"checks:\n  - name: x\n    steps:\n      - connect: /ws\n      - {step}\n") == [
        f"demo.yaml:{message}"]


@pytest.mark.parametrize("step", ["expect_text: {$type: str}", "expect_text: {$one_of: [hi, {$type: int}]}",
                                  "expect_text: {$re: 'h.*'}", "expect_close: {reason: {$any: true}}"])
def test_a_matcher_that_can_pass_is_not_flagged(step: str) -> None:
    parse_exercise(HEAD + f"checks:\n  - name: x\n    steps:\n      - connect: /ws\n      - {step}\n", Path("demo.yaml"))


@pytest.mark.parametrize(("value", "message"), [
    ("[v2.chat]", "subprotocol is the one the server picks (a string or a matcher); the ones the client offers go "
                  "in subprotocols: [...]"),
    ("null", "subprotocol: null checks nothing; leave it out to not check, or write subprotocol: {$eq: null} to "
             "require that the server picks none"),
    ("{$type: int}", "the subprotocol the server picks is a string (or none), so an integer can never match it"),
])
def test_a_subprotocol_is_one_string_the_server_picks(value: str, message: str) -> None:
    (found,) = problems(HEAD + f"checks:\n  - name: x\n    steps:\n      - connect: {{path: /ws, subprotocol: {value}}}\n")
    assert found.split(": ", 1)[1] == message


# --- the schema says what the loader says -------------------------------------------------------------------------


def spec_with(step: dict) -> dict:  # type: ignore[type-arg]
    return {"version": 1, "id": "a", "title": "t", "track": 1, "lesson": 1, "xp": 1, "file": "a.py",
            "instructions": "i", "checks": [{"name": "x", "steps": [{"connect": "/ws"}, step]}]}


@pytest.mark.parametrize("step", [
    {"expect_text": {"type": "hello"}},
    {"expect_text": True},
    {"expect_text": 3},
    {"repeat": {"times": 2, "steps": [{"send_text": "a"}]}, "client": "b"},
    {"send_bytes": {"hex": "abc"}},
    {"repeat": {"times": 2, "as": "메시지", "steps": [{"send_text": "a"}]}},
    {"connect": {"path": "/ws", "subprotocol": ["v2.chat"]}},
])
def test_the_schema_and_the_loader_both_refuse(step: dict) -> None:  # type: ignore[type-arg]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(spec_with(step), schema.build())
    import yaml

    with pytest.raises(SpecErrors):
        parse_exercise(yaml.safe_dump(spec_with(step), allow_unicode=True), Path("a.yaml"))


# --- the matching rule is named only when it is the reason ---------------------------------------------------------


def json_app(answer: dict) -> FastAPI:  # type: ignore[type-arg]
    app = FastAPI()

    @app.websocket("/ws")
    async def endpoint(websocket: WebSocket) -> None:
        await websocket.accept()
        await websocket.receive_text()
        await websocket.send_json(answer)

    return app


def test_a_failed_subset_does_not_blame_exact_matching(converse) -> None:
    result, _ = converse(json_app({"type": "pong", "extra": 1}), """\
        - connect: /ws
        - send_text: hi
        - expect_json: {$subset: {type: ping}}
        """)
    assert result.failure is not None
    assert result.failure.message == 'the server\'s JSON answer differs at $.type: expected "ping", got "pong"'


def test_an_extra_key_says_objects_match_exactly(converse) -> None:
    result, _ = converse(json_app({"type": "ping", "extra": 1}), """\
        - connect: /ws
        - send_text: hi
        - expect_json: {type: ping}
        """)
    assert result.failure is not None
    assert result.failure.message.endswith("(objects match exactly: no missing or extra keys)")


def test_a_mistake_reached_through_an_alias_is_reported_where_the_alias_stands(loader: type) -> None:
    assert problems("""\
        version: 1
        id: demo
        title: t
        track: 1
        lesson: 1
        xp: 1
        file: demo.py
        instructions: x
        checks:
          - name: one
            steps:
              - connect: /ws
              - &bad {expect_txt: hi}
          - name: two
            steps:
              - *bad
              - connect: /ws
              - *bad
        """) == [
        "demo.yaml:13:15: unknown step key 'expect_txt'; did you mean 'expect_text'?",
        "demo.yaml:16:9: unknown step key 'expect_txt'; did you mean 'expect_text'?",
        "demo.yaml:18:9: unknown step key 'expect_txt'; did you mean 'expect_text'?",
    ]
