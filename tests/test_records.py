"""Records and reports: what the progress file, the JSON report, hints and batch intake promise.

``tests/mutate.py`` runs this file first for ``grader/course/progress.py``, ``grader/result.py``,
``grader/render/text.py`` and ``grader/course/batch.py``, and with the CI rules for ``grader/cli.py``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from test_ci_rules import ECHO_ALL, NOTHING, make_course

from conftest import run_grade
from grader import Options, grade, load_exercise
from grader.course.batch import Row, Submission, cell, find_submissions, write_dashboard
from grader.course.progress import Progress, Store, earned, rules_from
from grader.errors import UsageError
from grader.render import json_format
from grader.render import text as text_report
from grader.result import Status, printable

RULES = rules_from({
    "levels": [{"name": "One", "xp": 0}, {"name": "Two", "xp": 100}],
    "achievements": [{"id": "first", "name": "First", "description": "A lesson passed.", "rule": "passes",
                      "at_least": 1}],
}, "test")
COURSE = {"a": 1, "b": 1}


def record(store: Store, exercise: str, passed: bool) -> tuple[str, ...]:
    award = store.record(exercise, 10, passed, 1 if passed else 0, 1, 1 if passed else 0, 1, RULES, COURSE)
    return tuple(a.id for a in award.unlocked)


# --- the progress file ---------------------------------------------------------------------------------------------


def test_the_progress_file_is_replaced_whole_never_rewritten_in_place(tmp_path: Path) -> None:
    store = Store(tmp_path)
    record(store, "a", False)
    first = store.path.read_bytes()
    inode = store.path.stat().st_ino
    with open(store.path, "rb") as reader:  # a reader that opened the file before the next write
        record(store, "a", True)
        seen = reader.read()
    # The reader still holds the whole earlier file; a write in place would have truncated what it reads.
    assert seen == first and len(json.loads(seen)["attempts"]) == 1
    assert store.path.stat().st_ino != inode, "the progress file was written in place"
    assert len(json.loads(store.path.read_bytes())["attempts"]) == 2
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != "progress.lock") == ["progress.json"]


def test_an_achievement_is_announced_once(tmp_path: Path) -> None:
    store = Store(tmp_path)
    assert record(store, "a", False) == ()
    assert record(store, "a", True) == ("first",)
    assert record(store, "a", True) == ()
    assert record(store, "b", True) == ()


# --- what a run records --------------------------------------------------------------------------------------------


@pytest.fixture
def demo(tmp_path: Path) -> Path:
    return make_course(tmp_path / "course", reference=ECHO_ALL, starter=NOTHING, variants={})


def attempts(data_dir: Path) -> list[dict[str, object]]:
    path = data_dir / "progress.json"
    return json.loads(path.read_text(encoding="utf-8"))["attempts"] if path.exists() else []


def test_a_run_under_uvicorn_is_not_recorded_as_an_attempt(demo: Path, private_progress: Path) -> None:
    mine = demo / "mine.py"
    mine.write_text(ECHO_ALL + "\n# my own\n", encoding="utf-8")
    confirmed = run_grade("demo", "--app", str(mine), "--server", "uvicorn", cwd=demo)
    assert confirmed.returncode == 0, confirmed.stdout + confirmed.stderr
    assert attempts(private_progress) == []
    graded = run_grade("demo", "--app", str(mine), cwd=demo)  # the same file, graded: an attempt
    assert graded.returncode == 0, graded.stdout + graded.stderr
    assert [a["passed"] for a in attempts(private_progress)] == [True]


# --- reports -------------------------------------------------------------------------------------------------------


def test_checks_not_run_are_not_passed_in_json(demo: Path) -> None:
    broken = demo / "broken.py"
    broken.write_text("def (:\n", encoding="utf-8")
    result = grade(load_exercise(demo / "exercises" / "demo.yaml"), broken, Options(run_hidden=True))
    data = json.loads(json_format.render(result))
    assert [c["status"] for c in data["checks"]] == [Status.NOT_RUN.value] * 2, data["checks"]
    assert [c["passed"] for c in data["checks"]] == [False, False]
    assert data["passed"] is False and data["points"] == 0


def test_an_exercism_run_exits_0_when_a_check_fails_and_says_so_in_its_results(demo: Path) -> None:
    # Exercism's test runners must exit 0 whenever results.json was written; the failure is in the file.
    wrong = demo / "wrong.py"
    wrong.write_text(NOTHING, encoding="utf-8")
    proc = run_grade("demo", "--app", str(wrong), "--format", "exercism", cwd=demo)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    data = json.loads(proc.stdout)
    assert data["status"] == "fail", data
    assert [t["status"] for t in data["tests"] if t["name"] == "echo"] == ["fail"], data["tests"]


def test_a_hint_is_shown_only_for_a_check_that_reached_what_it_tests(demo: Path) -> None:
    exercise = load_exercise(demo / "exercises" / "demo.yaml")
    hint = "Send back what arrived."
    broken = demo / "broken.py"
    broken.write_text("raise RuntimeError('at import')\n", encoding="utf-8")
    not_reached = text_report.render(grade(exercise, broken, Options()), color=False)
    assert "echo" in not_reached and hint not in not_reached, not_reached
    no_route = demo / "no_route.py"
    no_route.write_text("from fastapi import FastAPI\n\napp = FastAPI()\n", encoding="utf-8")
    refused = text_report.render(grade(exercise, no_route, Options()), color=False)
    assert "echo" in refused and hint not in refused, refused
    silent = demo / "silent.py"
    silent.write_text(NOTHING, encoding="utf-8")
    reached = text_report.render(grade(exercise, silent, Options()), color=False)
    assert hint in reached, reached


# --- batch intake --------------------------------------------------------------------------------------------------


def test_a_lone_python_file_in_a_submission_folder_is_the_submission(demo: Path, tmp_path: Path) -> None:
    exercise = load_exercise(demo / "exercises" / "demo.yaml")
    klass = tmp_path / "class"
    files = {"ana": ["solution.py"], "bo": ["demo.py", "helper.py"], "cy": ["one.py", "two.py"], "di": []}
    for learner, names in files.items():
        (klass / learner).mkdir(parents=True)
        for name in names:
            (klass / learner / name).write_text("# x\n", encoding="utf-8")
    (klass / "ana" / "notes.txt").write_text("not python", encoding="utf-8")
    found = {s.name: s.path.relative_to(klass).as_posix() for s in find_submissions(exercise, [klass])}
    assert found == {"ana": "ana/solution.py", "bo": "bo/demo.py", "cy": "cy/demo.py", "di": "di/demo.py"}
    assert not os.path.exists(klass / "cy" / "demo.py")  # two candidates: none is guessed


def test_a_run_where_no_check_ran_is_not_a_pass(demo: Path) -> None:
    # Every check hidden: a learner's run grades nothing, which must not read as a pass (nor bank XP).
    spec = (demo / "exercises" / "demo.yaml").read_text(encoding="utf-8").replace(
        "  - name: echo\n", "  - name: echo\n    hidden: true\n")
    (demo / "exercises" / "demo.yaml").write_text(spec, encoding="utf-8")
    exercise = load_exercise(demo / "exercises" / "demo.yaml")
    assert all(c.hidden for c in exercise.checks)
    result = grade(exercise, demo / "solutions" / "demo.py", Options())
    assert len(result.checks) == 0 and result.hidden_pending == 2
    assert result.passed is False and json.loads(json_format.render(result))["passed"] is False


# --- the course's rules: levels and achievements at their edges --------------------------------------------------


def test_levels_must_go_up_strictly() -> None:

    tied = {"levels": [{"name": "A", "xp": 0}, {"name": "B", "xp": 100}, {"name": "C", "xp": 100}]}
    with pytest.raises(UsageError, match="levels start at 0 XP and go up"):
        rules_from(tied, "grader.toml")


def test_a_level_is_reached_at_its_threshold() -> None:
    level, following = RULES.level_of(100)
    assert level.name == "Two" and following is None
    level, following = RULES.level_of(99)
    assert level.name == "One" and following is not None and following.name == "Two"


def test_achievement_rules_hold_at_their_edges() -> None:

    rules = rules_from({"achievements": [
        {"id": "empty-track", "name": "E", "rule": "track", "track": 9},
        {"id": "two-passes", "name": "P", "rule": "passes", "at_least": 2},
        {"id": "two-a-day", "name": "D", "rule": "day", "at_least": 2},
    ]}, "test")
    by_id = {a.id: a for a in rules.achievements}
    course = {"a": 1, "b": 1}
    one = Progress(passed={"a": {"at": "2026-01-01T10:00:00", "xp": 10}})
    two_days = Progress(passed={"a": {"at": "2026-01-01T10:00:00", "xp": 10}, "b": {"at": "2026-01-02T10:00:00", "xp": 10}})
    one_day = Progress(passed={"a": {"at": "2026-01-01T10:00:00", "xp": 10}, "b": {"at": "2026-01-01T23:00:00", "xp": 10}})
    assert not earned(by_id["empty-track"], two_days, course)  # a track without lessons is never complete
    assert not earned(by_id["two-passes"], one, course) and earned(by_id["two-passes"], two_days, course)
    assert not earned(by_id["two-a-day"], two_days, course) and earned(by_id["two-a-day"], one_day, course)


def test_resetting_one_lesson_keeps_the_others_attempts(tmp_path: Path) -> None:
    store = Store(tmp_path)
    record(store, "a", False)
    record(store, "b", False)
    record(store, "b", True)
    store.reset("b")
    progress = store.load()
    assert [a["exercise"] for a in progress.attempts] == ["a"] and "b" not in progress.passed


def test_a_progress_file_of_another_version_is_kept_aside_not_read(tmp_path: Path) -> None:
    (tmp_path / "progress.json").write_text(json.dumps({"version": 999, "attempts": [{"exercise": "a"}],
                                                        "passed": {"a": {"xp": 10}}}), encoding="utf-8")
    store = Store(tmp_path)
    progress = store.load()
    assert progress.attempts == [] and progress.passed == {}
    assert store.warnings and [p.name for p in tmp_path.glob("progress.json.corrupt-*")], store.warnings


def test_the_same_file_graded_again_is_one_attempt(tmp_path: Path) -> None:
    store = Store(tmp_path)

    def attempt(digest: str) -> bool:
        return store.record("a", 10, False, 0, 1, 0, 1, RULES, COURSE, digest=digest).repeated

    assert [attempt("x"), attempt("x"), attempt("y"), attempt("x")] == [False, True, False, False]
    assert [a["sha256"] for a in store.load().attempts] == ["x", "y", "x"]


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\uff1d", "\uff0b", "\uff0d", "\uff20"])
def test_a_gradebook_cell_that_a_spreadsheet_would_run_is_made_inert(start: str) -> None:

    made = cell(start + "HYPERLINK(\"http://x\")")
    assert made.startswith("'"), made
    assert cell("ann " + start) == "ann " + start  # only a leading one starts a formula


def test_submissions_are_listed_in_natural_order(demo: Path, tmp_path: Path) -> None:
    exercise = load_exercise(demo / "exercises" / "demo.yaml")
    klass = tmp_path / "class"
    for learner in ("learner10", "learner2", "learner1"):
        (klass / learner).mkdir(parents=True)
        (klass / learner / "demo.py").write_text("# x\n", encoding="utf-8")
    assert [s.name for s in find_submissions(exercise, [klass])] == ["learner1", "learner2", "learner10"]


def test_submissions_whose_names_read_alike_get_a_report_each(demo: Path, tmp_path: Path) -> None:

    exercise = load_exercise(demo / "exercises" / "demo.yaml")
    passing = grade(exercise, demo / "solutions" / "demo.py", Options(run_hidden=True))
    failing = grade(exercise, demo / "starters" / "demo.py", Options(run_hidden=True))
    # Both names become "ann_lee" in a file name: neither report may overwrite the other.
    rows = [Row(Submission("ann lee", tmp_path / "a.py"), passing, 1.0),
            Row(Submission("ann_lee", tmp_path / "b.py"), failing, 1.0)]
    written = write_dashboard(exercise, rows, tmp_path / "out" / "dashboard.html")
    reports = written[1:]
    assert len(reports) == 2 and len(set(reports)) == 2, written
    pages = {p.name: p.read_text(encoding="utf-8") for p in reports}
    assert len(set(pages.values())) == 2, sorted(pages)


# --- what a failure shows of the learner's exception -------------------------------------------------------------

RAISES_IN_A_HELPER = """\
from fastapi import FastAPI, WebSocket

app = FastAPI()


def answer(text):
    raise ValueError("no answer for " + text)


@app.websocket("/ws")
async def ws(websocket: WebSocket):
    await websocket.accept()
    await websocket.send_text(answer(await websocket.receive_text()))
"""


def test_an_exception_is_placed_at_the_line_that_raised_it(demo: Path) -> None:
    app = demo / "mine.py"
    app.write_text(RAISES_IN_A_HELPER, encoding="utf-8")
    result = grade(load_exercise(demo / "exercises" / "demo.yaml"), app, Options())
    failure = result.checks[0].failure
    assert failure is not None and failure.errors, result.checks[0]
    raised = failure.errors[-1]
    assert [frame.line for frame in raised.frames] == [13, 7], raised  # the endpoint's call, then the raise
    assert raised.where is not None and raised.where.line == 7 and raised.where.function == "answer"
    assert raised.headline().endswith("mine.py:7"), raised.headline()


@pytest.mark.parametrize("control", ["\r", "\x0b", "\x0c", "\x1b", "\x7f", "\u202e"])
def test_a_control_character_the_learner_printed_is_written_out(control: str) -> None:

    made = printable(f"done{control}FAKE: all checks passed")
    assert control not in made and made.startswith("done\\"), made
    assert printable("line\n\tnext") == "line\n\tnext"  # newlines and tabs lay reports out


# --- progress: the rules at their edges -----------------------------------------------------------------------------


def test_an_achievement_without_at_least_needs_one() -> None:

    rules = rules_from({"achievements": [{"id": "first", "name": "F", "rule": "passes"}]}, "test")
    [first] = rules.achievements
    assert first.at_least == 1
    assert not earned(first, Progress(), COURSE)
    assert earned(first, Progress(passed={"a": {"at": "2026-01-01T10:00:00", "xp": 10}}), COURSE)


def test_levels_must_start_at_zero_xp() -> None:

    with pytest.raises(UsageError, match="levels start at 0 XP and go up"):
        rules_from({"levels": [{"name": "A", "xp": 50}, {"name": "B", "xp": 100}]}, "grader.toml")


def test_resetting_one_lesson_forgets_its_hints_and_keeps_the_others(tmp_path: Path) -> None:
    store = Store(tmp_path)
    assert [store.see_hint("a", 3), store.see_hint("b", 3), store.see_hint("b", 3)] == [1, 1, 2]
    store.reset("b")
    assert store.load().hints_seen == {"a": 1}
    assert store.see_hint("b", 3) == 1  # the first hint again
