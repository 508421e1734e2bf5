"""Spec 1.2, feature by feature: how each is written, what the loader refuses, and verdicts on real apps.

vars, defaults for every check key, $not, $len, after/within, expect_open and
include from another file. A 1.0 or 1.1 spec that uses one of them is told
which version it needs; the catalog's own specs keep running as before.
"""

from __future__ import annotations

import asyncio
import contextlib
import textwrap
from pathlib import Path

import jsonschema
import pytest
from fastapi import FastAPI, WebSocket, WebSocketDisconnect

from grader.errors import SpecErrors
from grader.result import CheckResult, Kind, Status
from grader.spec import Exercise, load_exercise, match, parse_exercise, schema, yamlnodes
from grader.testing import converse as serve_in_thread

HEAD_1_2 = 'version: "1.2"\nid: demo\ntitle: Demo\ntrack: 1\nlesson: 1\nxp: 5\nfile: demo.py\ninstructions: x\n'


def spec(steps: str, *, extra: str = "", head: str = HEAD_1_2) -> str:
    return head + extra + "checks:\n  - name: x\n    steps:\n" + textwrap.indent(textwrap.dedent(steps), "      ")


def loads(text: str) -> Exercise:
    exercise = parse_exercise(text, Path("demo.yaml"))
    root, _ = yamlnodes.load(text, "demo.yaml")
    jsonschema.validate(root.plain(), schema.build())  # editors accept what the loader accepts
    return exercise


def problems(text: str, path: Path = Path("demo.yaml")) -> list[str]:
    with pytest.raises(SpecErrors) as caught:
        parse_exercise(text, path)
    return [str(e) for e in caught.value.errors]


def run(app: FastAPI, text: str, tmp_path: Path) -> CheckResult:
    check = parse_exercise(text, Path("demo.yaml")).checks[0]
    result, _ = serve_in_thread(app, check, tmp_path, Path(__file__))
    return result


# --- $not and $len -------------------------------------------------------------------------------------------------


def lister() -> FastAPI:
    app = FastAPI()

    @app.websocket("/ws")
    async def endpoint(websocket: WebSocket) -> None:
        await websocket.accept()
        async for message in websocket.iter_json():
            await websocket.send_json({"user": message["user"], "items": message["items"],
                                       "tags": {t: True for t in message["items"]}})

    return app


MATCHED = """\
- connect: /ws
- send_json: {user: ann, items: [a, b]}
- expect_json: {user: {$not: {$eq: ""}}, items: {$len: 2}, tags: {$len: {$between: [1, 2]}}}
- send_json: {user: "", items: []}
- expect_json: {user: {$len: 0}, items: {$not: {$len: {$gte: 1}}}, tags: {$len: 0}}
"""


def test_not_and_len_match_texts_lists_and_objects(tmp_path: Path) -> None:
    assert run(lister(), spec(MATCHED), tmp_path).status is Status.PASSED


def test_a_failed_not_or_len_says_what_was_wanted_and_the_size_seen(tmp_path: Path) -> None:
    text = spec("""\
        - connect: /ws
        - send_json: {user: "", items: [a, b, c]}
        - expect_json: {user: {$not: {$eq: ""}}, items: {$len: 3}, tags: {$len: 3}}
    """)
    failure = run(lister(), text, tmp_path).failure
    assert failure is not None and failure.kind is Kind.MISMATCH
    assert 'at $.user: expected anything but "", got ""' in failure.message
    text = spec("""\
        - connect: /ws
        - send_json: {user: a, items: [a, b, c]}
        - expect_json: {user: a, items: {$len: {$lte: 2}}, tags: {$any: true}}
    """)
    failure = run(lister(), text, tmp_path).failure
    assert failure is not None
    assert "at $.items: expected a text, list or object whose size is at most 2, got 3 items" in failure.message


def test_len_of_a_value_without_a_size_says_so(tmp_path: Path) -> None:
    text = spec("""\
        - connect: /ws
        - send_json: {user: 12345, items: []}
        - expect_json: {user: {$len: 5}, items: [], tags: {}}
    """)
    failure = run(lister(), text, tmp_path).failure
    assert failure is not None and failure.kind is Kind.MISMATCH
    assert "at $.user: expected a text, list or object of size 5, got 12345" in failure.message


def test_len_and_not_are_checked_where_written() -> None:
    found = problems(spec("""\
        - connect: /ws
        - expect_json: {a: {$len: -1}, b: {$len: {$gtee: 1}}, c: {$not: {$capture: x}}, d: {$lenn: 2}}
        - expect_text: {$len: "two"}
    """))
    assert any(f.startswith("demo.yaml:13:33: $len takes a size") and f.endswith("not a number") for f in found), found
    assert "demo.yaml:13:49: $len compares a size with $gt, $gte, $lt, $lte, $between, not '$gtee'; " \
           "did you mean '$gte'?" in found, found
    assert any("$capture inside $not" in f for f in found), found
    assert any("unknown operator '$lenn'; did you mean '$len'?" in f for f in found), found
    assert any("demo.yaml:14:" in f and "$len takes a size" in f for f in found), found


def test_a_len_that_cannot_match_a_text_is_flagged() -> None:
    assert loads(spec("- connect: /ws\n- expect_text: {$len: {$gte: 1}}\n"))
    assert any("can never match" in p for p in problems(spec("- connect: /ws\n- expect_text: {$not: {$type: int}}\n")
                                                          .replace("$not: {$type: int}", "$type: int")))


def test_operators_of_1_2_need_version_1_2() -> None:
    text = spec("- connect: /ws\n- expect_json: {a: {$not: 1}}\n", head=HEAD_1_2.replace('"1.2"', "1.1"))
    assert problems(text) == ["demo.yaml:13:27: $not needs version: 1.2 (this spec reads as version 1.1); "
                              "write version: 1.2 at the top"]


# --- vars ----------------------------------------------------------------------------------------------------------


def limiter(limit: int = 3) -> FastAPI:
    app = FastAPI()

    @app.websocket("/ws")
    async def endpoint(websocket: WebSocket) -> None:
        await websocket.accept()
        count = 0
        async for text in websocket.iter_text():
            count += 1
            if count > limit:
                await websocket.close(code=1008, reason="rate limit")
                return
            await websocket.send_text(f"ok {text}")

    return app


VARS = """\
vars:
  limit: 3
  wait: 0.5
  server: {code: 1008, reason: rate limit}
defaults: {timeout: {$var: wait}}
"""
LIMITED = """\
- connect: /ws
- repeat:
    times: {$var: limit}
    as: n
    steps:
      - send_text: {$var: n}
      - expect_text: {$concat: ["ok ", {$var: n}]}
- send_text: one too many
- expect_close: {code: {$var: server.code}, reason: {$var: server.reason}}
"""


def test_constants_stand_anywhere_a_value_goes(tmp_path: Path) -> None:
    text = spec(LIMITED, extra=VARS)
    exercise = loads(text)
    assert exercise.checks[0].steps[0].timeout == 0.5
    assert run(limiter(), text, tmp_path).status is Status.PASSED
    failure = run(limiter(limit=2), text, tmp_path).failure
    assert failure is not None and failure.step is not None and "round 3 of 3" in failure.step


def test_a_constant_and_a_repeat_variable_never_share_a_name() -> None:
    text = spec("- connect: /ws\n- repeat: {over: [1], as: limit, steps: [{send_json: {$var: limit}}]}\n",
                extra="vars: {limit: 3}\n")
    assert any("repeat variable 'limit' has the name of a constant in vars" in p for p in problems(text))


def test_vars_are_checked_where_used_and_need_1_2() -> None:
    text = spec("- connect: /ws\n  timeout: {$var: limit}\n- send_json: {$var: server.cod}\n",
                extra="vars: {limit: many, server: {code: 1}, 2x: 1, ref: {$var: limit}}\n")
    found = problems(text)
    assert "demo.yaml:14:18: timeout is a number of seconds, more than 0 and at most 3600, not \"many\"" in found
    assert any(f == "demo.yaml:15:20: the constant has no 'cod'; did you mean 'code'?" for f in found), found
    assert any("a constant's name is a word" in f for f in found)
    assert any("constant 'ref' cannot use $var" in f for f in found)
    old = spec("- connect: /ws\n", extra="vars: {limit: 3}\n", head=HEAD_1_2.replace('"1.2"', "1.1"))
    assert problems(old) == ["demo.yaml:9:1: vars needs version: 1.2 (this spec reads as version 1.1); "
                             "write version: 1.2 at the top"]


# --- defaults ------------------------------------------------------------------------------------------------------


def test_defaults_take_every_check_key_in_1_2() -> None:
    text = (HEAD_1_2 + "defaults: {fresh_app: true, points: 3, hidden: true, wall_clock: real, timeout: 4}\n"
            "checks:\n  - name: a\n    steps: [{connect: /ws}]\n"
            "  - name: b\n    points: 1\n    shared_app: true\n    hidden: false\n    steps: [{connect: /ws}]\n")
    exercise = loads(text)
    a, b = exercise.checks
    assert (a.fresh_app, a.points, a.hidden, a.steps[0].timeout) == (True, 3, True, 4.0)
    assert (b.fresh_app, b.points, b.hidden) == (False, 1, False)
    assert exercise.wall_clock == "real"


def test_fresh_app_can_be_turned_off_for_all_checks() -> None:
    text = HEAD_1_2 + "defaults: {fresh_app: false}\nchecks:\n  - name: a\n    steps: [{connect: /ws}]\n"
    assert loads(text).checks[0].fresh_app is False


def test_defaults_in_1_1_still_take_only_timeout() -> None:
    head = HEAD_1_2.replace('"1.2"', "1.1")
    text = head + "defaults: {fresh_app: true, timout: 2}\nchecks:\n  - name: a\n    steps: [{connect: /ws}]\n"
    assert problems(text) == [
        "demo.yaml:9:12: defaults.fresh_app needs version: 1.2 (this spec reads as version 1.1); write version: "
        "1.2 at the top",
        "demo.yaml:9:29: unknown key 'timout' in defaults; did you mean 'timeout'?"]
    both = HEAD_1_2 + "defaults: {fresh_app: true}\nchecks:\n  - name: a\n    fresh_app: true\n    shared_app: true\n" \
                      "    steps: [{connect: /ws}]\n"
    assert any("say fresh_app or shared_app, not both" in p for p in problems(both))


# --- after / within ------------------------------------------------------------------------------------------------


def delayed(seconds: float) -> FastAPI:
    app = FastAPI()

    @app.websocket("/ws")
    async def endpoint(websocket: WebSocket) -> None:
        await websocket.accept()
        async for text in websocket.iter_text():
            await asyncio.sleep(seconds)
            await websocket.send_text(text)

    return app


TIMED = """\
- connect: /ws
- send_text: hi
- expect_text: hi
  after: 0.9
  within: 1.1
  timeout: 3
"""


@pytest.mark.parametrize(("seconds", "verdict"), [(1.0, None), (0.5, "too early"), (1.5, "too late")])
def test_an_arrival_window_is_judged_on_the_graders_clock(tmp_path: Path, seconds: float, verdict: str | None) -> None:
    result = run(delayed(seconds), spec(TIMED), tmp_path)
    if verdict is None:
        assert result.status is Status.PASSED, result.failure
        return
    assert result.failure is not None and result.failure.kind is Kind.TIMING
    assert f"it arrived {verdict}: " in result.failure.message
    assert result.failure.expected == "between 0.9 s and 1.1 s after the previous step"
    # The grader's clock is real time plus the idle time skipped: the app's own work (milliseconds,
    # more on a busy machine) adds to the delay it slept, never takes from it.
    measured = float(result.failure.actual.removesuffix(" s after the previous step"))
    assert seconds <= measured < seconds + 0.4, result.failure.actual
    assert f"{measured:.3f} s" in result.failure.message


def test_a_close_can_be_timed_too(tmp_path: Path) -> None:
    text = spec("- connect: /ws\n- send_text: a\n- send_text: b\n- send_text: c\n- send_text: d\n"
                "- expect_text: ok a\n- expect_text: ok b\n- expect_text: ok c\n- expect_close: 1008\n  within: 0.1\n")
    assert run(limiter(), text, tmp_path).status is Status.PASSED


def test_after_and_within_go_on_steps_that_wait_for_the_server() -> None:
    found = problems(spec("- connect: /ws\n  within: 1\n- send_text: a\n- expect_text: a\n  after: 2\n  within: 1\n"))
    assert found[0].startswith("demo.yaml:13:17: within times what the server sends: it goes on expect_text")
    assert found[1] == "demo.yaml:17:17: within 1 s must be more than after 2 s: no arrival time fits between them"


# --- expect_open ---------------------------------------------------------------------------------------------------


def guard(ending: str) -> FastAPI:
    app = FastAPI()

    @app.websocket("/ws")
    async def endpoint(websocket: WebSocket) -> None:
        await websocket.accept()
        await websocket.receive_text()
        await asyncio.sleep(0.5)
        await websocket.send_text("still here")
        await asyncio.sleep(1.0)
        if ending == "close":
            await websocket.close(code=1008, reason="idle")
        elif ending == "close and linger":  # closed, though the endpoint has not returned yet
            await websocket.close(code=1008, reason="idle")
            await asyncio.sleep(60)
        elif ending == "return":
            return
        elif ending == "raise":
            raise RuntimeError("boom")
        else:
            with contextlib.suppress(WebSocketDisconnect):
                await websocket.receive_text()

    return app


OPEN = """\
- connect: /ws
- send_text: hello
- expect_open: 3
- expect_text: still here
"""


def test_a_connection_that_stays_open_passes_and_keeps_what_arrived(tmp_path: Path) -> None:
    result = run(guard("stay"), spec(OPEN), tmp_path)
    assert result.status is Status.PASSED, result.failure


@pytest.mark.parametrize(("ending", "says"), [
    ("close", "the connection should stay open for 3 s, but after 1.50 s the server closed it (code 1008, reason 'idle')"),
    ("close and linger", "the connection should stay open for 3 s, but after 1.50 s the server closed it (code 1008, "
                         "reason 'idle')"),
    ("return", "the connection should stay open for 3 s, but after 1.50 s your endpoint returned without closing it"),
    ("raise", "your endpoint raised RuntimeError: boom"),
])
def test_a_connection_that_ends_fails_expect_open_with_when_and_how(tmp_path: Path, ending: str, says: str) -> None:
    result = run(guard(ending), spec(OPEN), tmp_path)
    assert result.failure is not None and result.failure.step is not None
    assert result.failure.step.startswith("step 3, expect_open")
    assert says in result.failure.message


def test_expect_open_needs_an_open_client_and_1_2() -> None:
    assert any("client 'ws' is used before it connects" in p for p in problems(spec("- expect_open: 1\n")))
    old = spec("- connect: /ws\n- expect_open: 1\n", head=HEAD_1_2.replace('"1.2"', "1"))
    assert problems(old) == ["demo.yaml:13:9: expect_open needs version: 1.2 (this spec reads as version 1); "
                             "write version: 1.2 at the top"]
    assert any("expect_open is a number of seconds" in p for p in problems(spec("- connect: /ws\n- expect_open: soon\n")))


# --- include from another file -------------------------------------------------------------------------------------

LIBRARY = """\
version: "1.2"
vars: {path: /ws}
fixtures:
  joined:
    - connect: {$var: path}
    - send_text: hello
  broken:
    - connect: /ws
    - expect_txt: hi
  loop:
    - include: {file: ../main.yaml, fixture: back}
"""


def course(tmp_path: Path, steps: str, *, fixtures: str = "") -> Path:
    folder = tmp_path / "exercises"
    (folder / "shared").mkdir(parents=True)
    (folder / "shared" / "rooms.yaml").write_text(LIBRARY, encoding="utf-8")
    main = folder / "main.yaml"
    main.write_text(spec(steps).replace("id: demo", "id: main") + fixtures, encoding="utf-8")
    return main


def test_a_fixture_of_another_file_reads_in_place_with_its_own_lines(tmp_path: Path) -> None:
    main = course(tmp_path, "- include: {file: shared/rooms.yaml, fixture: joined}\n- expect_open: 1\n")
    steps = load_exercise(main).checks[0].steps
    assert [s.action for s in steps] == ["connect", "send_text", "expect_open"]
    assert steps[0].arg.path == "/ws"
    assert steps[0].mark.file.endswith("shared/rooms.yaml") and steps[0].mark.line == 5


def test_an_error_in_the_included_file_is_shown_at_both_places(tmp_path: Path) -> None:
    main = course(tmp_path, "- include: {file: shared/rooms.yaml, fixture: broken}\n")
    with pytest.raises(SpecErrors) as caught:
        load_exercise(main)
    found = [str(e) for e in caught.value.errors]
    other = str(tmp_path / "exercises" / "shared" / "rooms.yaml")
    assert any(f.startswith(f"{other}:9:7: unknown step key 'expect_txt'") and f"(included at {main}:12:18)" in f
               for f in found), found
    assert any(f.startswith(f"{main}:12:18: the fixture 'broken' of shared/rooms.yaml has 1 error here, the first at "
                            f"{other}:9:7") for f in found), found


@pytest.mark.parametrize(("include", "says"), [
    ("{file: ../outside.yaml, fixture: x}", "is outside the exercises folder"),
    ("{file: /etc/passwd.yaml, fixture: x}", "must be a path relative to this spec"),
    ("{file: shared/none.yaml, fixture: x}", "does not exist"),
    ("{file: shared/rooms.yaml, fixture: joind}", "has no fixture named 'joind'; did you mean 'joined'?"),
    ("{file: shared/rooms.yaml, fixture: loop}", "includes itself"),
    ("{file: shared/rooms.yaml}", "include needs the key 'fixture'"),
])
def test_an_include_names_a_fixture_that_exists_inside_the_folder_and_does_not_loop(
        tmp_path: Path, include: str, says: str) -> None:
    main = course(tmp_path, f"- include: {include}\n", fixtures="fixtures:\n  back:\n"
                  "    - include: {file: shared/rooms.yaml, fixture: loop}\n")
    (tmp_path / "outside.yaml").write_text("fixtures: {x: [{connect: /ws}]}\n", encoding="utf-8")
    with pytest.raises(SpecErrors) as caught:
        load_exercise(main)
    assert any(says in e.message for e in caught.value.errors), [str(e) for e in caught.value.errors]


def test_a_link_out_of_the_folder_is_refused(tmp_path: Path) -> None:
    main = course(tmp_path, "- include: {file: shared/away.yaml, fixture: x}\n")
    (tmp_path / "away.yaml").write_text("fixtures: {x: [{connect: /ws}]}\n", encoding="utf-8")
    (tmp_path / "exercises" / "shared" / "away.yaml").symlink_to(tmp_path / "away.yaml")
    with pytest.raises(SpecErrors) as caught:
        load_exercise(main)
    assert any("is outside the exercises folder" in e.message for e in caught.value.errors)


# --- the version itself --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("version", ['"1.2"', "1.2"])
def test_version_1_2_is_written_as_a_number_or_a_string(version: str) -> None:
    assert loads(spec("- connect: /ws\n", head=HEAD_1_2.replace('"1.2"', version))).wall_clock == "virtual"


# --- # expect-fail-first: <check> ----------------------------------------------------------------------------------


def t3l6_course(tmp_path: Path, variants: dict[str, tuple[str, str]]) -> Path:
    """t3l6 alone, with variants given as {file: (catalog variant whose program it takes, header)}."""
    from conftest import ROOT

    root = tmp_path / "course"
    for folder in ("exercises", "solutions", "starters", "tests/variants/t3l6"):
        (root / folder).mkdir(parents=True)
    for folder in ("exercises", "solutions", "starters"):
        name = "t3l6.yaml" if folder == "exercises" else "t3l6.py"
        (root / folder / name).write_bytes((ROOT / folder / name).read_bytes())
    source = ROOT / "tests" / "variants" / "t3l6"
    for name, (program, header) in variants.items():
        body = (source / program).read_text(encoding="utf-8").split("\n", 1)[1]
        (root / "tests" / "variants" / "t3l6" / name).write_text(f"{header}\n{body}", encoding="utf-8")
    (root / "grader.toml").write_text("[course]\ntitle = 't'\n[variants]\nmin_wrong = 1\nmin_correct = 0\n",
                                      encoding="utf-8")
    return root


def test_a_variant_can_ask_that_its_check_is_the_first_to_fail(tmp_path: Path) -> None:
    from conftest import run_grade

    # Heartbeats every 5 s: "nothing before 10 s of silence" fails, and so do the later heartbeat checks.
    root = t3l6_course(tmp_path, {
        "early_first.py": ("heartbeat_too_early.py", "# expect-fail-first: nothing before 10 s of silence"),
        "early_later.py": ("heartbeat_too_early.py", "# expect-fail-first: HEARTBEAT after 10 s and again after 20 s"),
        "early_any.py": ("heartbeat_too_early.py", "# expect-fail: HEARTBEAT after 10 s and again after 20 s"),
    })
    checked = run_grade("check", "t3l6", "--jobs", "1", cwd=root)
    out = checked.stdout + checked.stderr
    assert checked.returncode == 1, out
    failed = [line for line in out.splitlines() if "first, but" in line]
    assert len(failed) == 1 and "early_later" in failed[0], out
    assert ("should fail 'HEARTBEAT after 10 s and again after 20 s' first, but 'nothing before 10 s of silence' "
            "failed before it") in failed[0]
    assert "wrong caught" in out and "2/3" in out, out


def test_an_expect_fail_first_header_needs_a_check_name(tmp_path: Path) -> None:
    from grader.course.variants import read_variant

    path = tmp_path / "t3l6" / "v.py"
    path.parent.mkdir()
    path.write_text("# expect-fail-first:\nimport x\n", encoding="utf-8")
    with pytest.raises(Exception) as caught:
        read_variant(path)
    assert str(caught.value).endswith("'# expect-fail-first:' needs the name of the check that must fail: "
                                      "# expect-fail-first: <check name>")
    path.write_text("#  expect-fail-first:  a check  \n", encoding="utf-8")
    variant = read_variant(path)
    assert (variant.fails, variant.first, variant.check_mark.column if variant.check_mark else 0) == ("a check", True, 24)


# --- a fresh app for every check ------------------------------------------------------------------------------------

COUNTER = """\
from fastapi import FastAPI, WebSocket

app = FastAPI()
connections = 0  # module state: lives as long as the import


@app.websocket("/ws")
async def count(websocket: WebSocket) -> None:
    global connections
    connections += 1
    await websocket.accept()
    await websocket.send_json({"connection": connections})
    await websocket.close()
"""


def test_defaults_give_every_check_a_fresh_app_and_shared_app_opts_out(tmp_path: Path) -> None:
    from grader import Options, grade

    checks = "".join(f"  - name: check {n}\n    steps: [{{connect: /ws}}, {{expect_json: {{connection: 1}}}}]\n"
                     for n in range(1, 5))
    checks += "  - name: on the app of check 4\n    shared_app: true\n" \
              "    steps: [{connect: /ws}, {expect_json: {connection: 2}}]\n"
    text = HEAD_1_2.replace("id: demo", "id: counter").replace("demo.py", "counter.py")
    (tmp_path / "counter.yaml").write_text(text + "defaults: {fresh_app: true}\nchecks:\n" + checks, encoding="utf-8")
    (tmp_path / "counter.py").write_text(COUNTER, encoding="utf-8")
    # Three fresh starts after the first host: they are forked from a warm template.
    result = grade(load_exercise(tmp_path / "counter.yaml"), tmp_path / "counter.py", Options())
    assert [(c.name, c.status, c.failure.message if c.failure else "") for c in result.checks] == [
        (f"check {n}", Status.PASSED, "") for n in range(1, 5)] + [("on the app of check 4", Status.PASSED, "")]


# --- $re says: in each language ------------------------------------------------------------------------------------

SAYS = "- connect: /ws\n- expect_text: {$re: {pattern: 'a+', says: WORDS}}\n"


def test_re_says_takes_one_text_per_language_and_keeps_them_for_reports() -> None:
    exercise = loads(spec(SAYS.replace("WORDS", "{en: some a's, ko: a가 하나 이상인 텍스트}")
                          + "- expect_json: {n: {$re: {pattern: '\\\\d+', says: {en: a count, ko: 개수}}}}\n"
                          + "- expect_json: {n: {$re: {pattern: '\\\\d', says: {en: a count, ko: 다른 말}}}}\n"
                          + "- expect_json: {n: {$re: {pattern: '\\\\d', says: {en: a digit}}}}\n"
                          + "- expect_text: {$re: {pattern: 'b', says: plain words}}\n"))
    assert exercise.says == ({"en": "some a's", "ko": "a가 하나 이상인 텍스트"}, {"en": "a count", "ko": "개수"},
                             {"en": "a digit"})
    # One English with two Korean texts: the first is shown, and `grade validate` says so where the second is;
    # words given per language without Korean are read in English, and `grade validate` says that too.
    assert [str(w) for w in exercise.warnings if "says" in str(w)] == [
        "demo.yaml:15:32: $re says 'a count' is given other words in another language earlier in the spec: "
        "reports show the earlier ones",
        "demo.yaml:16:32: $re says 'a digit' has no ko text: learners who chose ko will read it in English"]
    # The matchers explain themselves in English, whichever form `says` has.
    steps = exercise.checks[0].steps
    assert [match.explain(s.arg) for s in steps[1:]] == [
        "some a's", '{"n": "<a count>"}',
        '{"n": "<a count>"}', '{"n": "<a digit>"}', "plain words"]


def says_at(text: str, token: str) -> str:
    """demo.yaml:LINE:COL of ``token``'s first place after ``says:`` in the spec ``text``."""
    number, line = next((n, line) for n, line in enumerate(text.splitlines(), 1) if "says:" in line)
    return f"demo.yaml:{number}:{line.index(token, line.index('says:') + 5) + 1}"


@pytest.mark.parametrize(("words", "token", "error"), [
    ("{ko: 개수}", "{", "$re says needs the key 'en'"),
    ("{}", "{", "$re says needs the key 'en'"),
    ("{en: a count, kr: 개수}", "kr", "unknown key 'kr' in $re says; known: en, ko"),
    ("{en: a count, ko: ''}", "''", "$re says (ko) must not be empty"),
    ("{en: '  ', ko: 개수}", "'  '", "$re says (en) must not be empty"),
    ("{en: a count, ko: [개수]}", "[", '$re says (ko) must be a string, not a list (["개수"])'),
    ("''", "''", "$re says is the pattern in words for learners, a non-empty string or one per language "
                 "({en: ..., ko: ...})"),
    ("3", "3", "$re says is the pattern in words for learners, a non-empty string or one per language "
               "({en: ..., ko: ...})"),
])
def test_re_says_in_each_language_is_checked_where_written(words: str, token: str, error: str) -> None:
    text = spec(SAYS.replace("WORDS", words))
    assert problems(text) == [f"{says_at(text, token)}: {error}"]
    root, _ = yamlnodes.load(text, "demo.yaml")
    if "'  '" not in words:  # a blank text: the schema's texts have a minLength, not a pattern
        with pytest.raises(jsonschema.ValidationError):  # editors flag it too
            jsonschema.validate(root.plain(), schema.build())


def test_re_says_in_each_language_needs_1_2_and_a_plain_string_does_not() -> None:
    head = HEAD_1_2.replace('"1.2"', "1.1")
    text = spec(SAYS.replace("WORDS", "{en: a count, ko: 개수}"), head=head)
    assert problems(text) == [f"{says_at(text, '{')}: $re says in each language needs version: 1.2 (this spec reads "
                              "as version 1.1); write version: 1.2 at the top"]
    assert loads(spec(SAYS.replace("WORDS", "a count"), head=head)).says == ()
