"""The rules CI and instructors rely on, each on a tiny course of its own.

The course has one lesson with a visible check and a hidden one. Its wrong variant fails only the hidden
check, so whatever skips hidden checks lets it through; the broken course breaks each proof rule once
(a reference that fails, a starter that passes, a variant caught by another check than the one it names),
and each broken rule must be named on its own. ``tests/mutate.py`` runs this file first for
``grader/course/catalog.py``, ``grader/course/pytest_plugin.py``, ``grader/course/batch.py`` and
``grader/course/submit.py``.
"""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest

from conftest import run_grade

HIDDEN_NAME = "secret round trip"

SPEC = textwrap.dedent(f"""\
    version: 1
    id: demo
    title: Demo
    track: 1
    lesson: 1
    xp: 5
    file: demo.py
    instructions: Echo every message.
    checks:
      - name: echo
        steps:
          - connect: /ws
          - send_text: hi
          - expect_text: hi
        hint: Send back what arrived.
      - name: {HIDDEN_NAME}
        hidden: true
        steps:
          - connect: /ws
          - send_text: a
          - expect_text: a
          - send_text: b
          - expect_text: b
    """)

HEAD = "from fastapi import FastAPI, WebSocket, WebSocketDisconnect\n\napp = FastAPI()\n\n\n"
ECHO_ALL = HEAD + textwrap.dedent("""\
    @app.websocket("/ws")
    async def ws(websocket: WebSocket):
        await websocket.accept()
        try:
            while True:
                await websocket.send_text(await websocket.receive_text())
        except WebSocketDisconnect:
            pass
    """)
# Right for the visible check, wrong for the hidden one: it answers one message and stops.
ECHO_ONCE = HEAD + textwrap.dedent("""\
    @app.websocket("/ws")
    async def ws(websocket: WebSocket):
        await websocket.accept()
        await websocket.send_text(await websocket.receive_text())
        await websocket.close()
    """)
ECHO_ITER = HEAD + textwrap.dedent("""\
    @app.websocket("/ws")
    async def ws(websocket: WebSocket):
        await websocket.accept()
        async for text in websocket.iter_text():
            await websocket.send_text(text)
    """)
NOTHING = HEAD + textwrap.dedent("""\
    @app.websocket("/ws")
    async def ws(websocket: WebSocket):
        await websocket.accept()
        await websocket.close()
    """)

TOML = textwrap.dedent("""\
    [course]
    title = "ci rules"
    [paths]
    variants = "variants"
    workspace = "workspace"
    [variants]
    min_wrong = 0
    min_correct = 0
    [limits]
    check_seconds = 2
    import_seconds = 10
    run_seconds = 60
    """)


def make_course(root: Path, *, reference: str, starter: str, variants: dict[str, str]) -> Path:
    for folder in ("exercises", "solutions", "starters", "variants/demo", "workspace"):
        (root / folder).mkdir(parents=True)
    (root / "grader.toml").write_text(TOML, encoding="utf-8")
    (root / "exercises" / "demo.yaml").write_text(SPEC, encoding="utf-8")
    (root / "solutions" / "demo.py").write_text(reference, encoding="utf-8")
    (root / "starters" / "demo.py").write_text(starter, encoding="utf-8")
    for name, text in variants.items():
        (root / "variants" / "demo" / name).write_text(text, encoding="utf-8")
    return root


@pytest.fixture
def good_course(tmp_path: Path) -> Path:
    """Proven only if hidden checks run: its wrong variant fails the hidden check alone."""
    return make_course(tmp_path / "good", reference=ECHO_ALL, starter=NOTHING,
                       variants={"once.py": f"# expect-fail: {HIDDEN_NAME}\n" + ECHO_ONCE,
                                 "none_first.py": "# expect-fail-first: echo\n" + NOTHING,
                                 "ok_iter.py": "# expect: pass\n" + ECHO_ITER})


@pytest.fixture
def broken_course(tmp_path: Path) -> Path:
    """Each proof rule broken once: the reference fails the hidden check, the starter passes, a variant
    said to be correct fails the hidden check, and a wrong one says it fails ``echo`` when only the hidden
    check catches it; one more names a check the spec lacks, and one says the hidden check is the first to fail
    when ``echo`` fails before it."""
    return make_course(tmp_path / "broken", reference=ECHO_ONCE, starter=ECHO_ALL,
                       variants={"named_wrong.py": "# expect-fail: echo\n" + ECHO_ONCE,
                                 "ok_once.py": "# expect: pass\n" + ECHO_ONCE,
                                 "unknown_check.py": "# expect-fail: no such check\n" + ECHO_ONCE,
                                 "late_first.py": f"# expect-fail-first: {HIDDEN_NAME}\n" + NOTHING})


# --- grade check -------------------------------------------------------------------------------------------------


def test_grade_check_runs_hidden_checks_to_prove_a_course(good_course: Path) -> None:
    proc = run_grade("check", cwd=good_course)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    row = next(line for line in proc.stdout.splitlines() if line.startswith("demo"))
    assert row.split()[1:5] == ["passes", "fails", "2/2", "1/1"], proc.stdout


def test_grade_check_fails_and_names_each_broken_rule(broken_course: Path) -> None:
    proc = run_grade("check", cwd=broken_course)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    problems = [line for line in proc.stdout.splitlines() if line.startswith("✗ demo")]
    reference = [p for p in problems if p.startswith("✗ demo reference")]
    starter = [p for p in problems if p.startswith("✗ demo starter")]
    variant = [p for p in problems if p.startswith("✗ demo wrong named_wrong")]
    correct = [p for p in problems if p.startswith("✗ demo correct ok_once")]
    assert len(reference) == 1 and f"should pass, but {HIDDEN_NAME!r} failed" in reference[0], proc.stdout
    assert len(starter) == 1 and "should fail, but passes every check" in starter[0], proc.stdout
    assert len(variant) == 1 and "should fail 'echo', but it passed" in variant[0], proc.stdout
    assert len(correct) == 1 and f"should pass, but {HIDDEN_NAME!r} failed" in correct[0], proc.stdout
    late = [p for p in problems if p.startswith("✗ demo wrong late_first")]
    assert len(late) == 1 and f"should fail {HIDDEN_NAME!r} first, but 'echo' failed before it" in late[0], proc.stdout
    unknown = [p for p in problems if p.startswith("✗ demo wrong unknown_check")]
    assert len(unknown) == 1 and "names a check 'no such check' that the spec does not have" in unknown[0], proc.stdout
    assert len(problems) == 6, proc.stdout
    # The variant rules the course breaks are reported with their place, apart from the proofs.
    assert "variant rule(s) broken" in proc.stdout, proc.stdout
    assert "unknown_check.py:1" in proc.stderr and "no such check" in proc.stderr, proc.stderr
    row = next(line for line in proc.stdout.splitlines() if line.startswith("demo"))
    assert row.split()[1:7] == ["WRONG", "WRONG", "0/3", "WRONG", "0/1", "WRONG"], proc.stdout


def test_grade_check_fails_on_a_broken_variant_rule_though_every_subject_is_proven(good_course: Path) -> None:
    toml = good_course / "grader.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace("min_wrong = 0", "min_wrong = 5"), encoding="utf-8")
    proc = run_grade("check", cwd=good_course)
    assert not [line for line in proc.stdout.splitlines() if line.startswith("✗ demo")], proc.stdout
    assert "variant rule(s) broken" in proc.stdout, proc.stdout
    assert proc.returncode == 1, proc.stdout + proc.stderr


# --- the pytest plugin -------------------------------------------------------------------------------------------


def plugin_outcomes(course: Path, tmp_path: Path) -> tuple[int, dict[str, str]]:
    """Run pytest on the course's specs; each item's outcome (passed, failed) by its id."""
    report = tmp_path / f"{course.name}-junit.xml"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-n", "0", "-p", "no:cacheprovider",
                           f"--junitxml={report}", "exercises/demo.yaml"], cwd=course, capture_output=True,
                          text=True, timeout=300, env=env)
    import xml.etree.ElementTree as ET

    outcomes = {}
    for case in ET.parse(report).getroot().iter("testcase"):
        failed = case.find("failure") is not None or case.find("error") is not None
        # JUnit splits an item's id at its last "::": the subject is in the class name.
        subject = case.get("classname", "").removeprefix("exercises.demo.yaml").lstrip(".")
        outcomes[f"{subject}::{case.get('name')}" if subject else str(case.get("name"))] = "failed" if failed else "passed"
    return proc.returncode, outcomes


def test_the_pytest_plugin_runs_hidden_checks_to_prove_a_course(good_course: Path, tmp_path: Path) -> None:
    code, outcomes = plugin_outcomes(good_course, tmp_path)
    assert code == 0 and outcomes, outcomes
    assert outcomes[f"wrong:once::{HIDDEN_NAME}"] == "passed", outcomes
    assert outcomes["wrong:none_first::echo"] == "passed", outcomes
    assert set(outcomes.values()) == {"passed"}, outcomes


def test_the_pytest_plugin_fails_the_item_of_each_broken_rule(broken_course: Path, tmp_path: Path) -> None:
    code, outcomes = plugin_outcomes(broken_course, tmp_path)
    assert code == 1, outcomes
    assert outcomes == {
        "reference::echo": "passed",
        f"reference::{HIDDEN_NAME}": "failed",
        "starter": "failed",
        "wrong:named_wrong::echo": "failed",
        "correct:ok_once::echo": "passed",
        f"correct:ok_once::{HIDDEN_NAME}": "failed",
        "wrong:unknown_check": "failed",
        f"wrong:late_first::{HIDDEN_NAME}": "failed",
    }


# --- grade batch, grade submit, grade show -----------------------------------------------------------------------


def test_grade_batch_runs_hidden_checks_and_finds_a_lone_file_of_another_name(good_course: Path,
                                                                              tmp_path: Path) -> None:
    klass = tmp_path / "class"
    for learner, name, text in [("ana", "demo.py", ECHO_ONCE), ("bo", "my_echo.py", ECHO_ALL),
                                ("cy", "demo.py", ECHO_ALL)]:
        (klass / learner).mkdir(parents=True)
        (klass / learner / name).write_text(text, encoding="utf-8")
    out = tmp_path / "book"
    proc = run_grade("batch", "demo", str(klass), "--out", str(out), "--jobs", "1", cwd=good_course)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    rows = {row["submission"]: row for row in csv.DictReader((out / "gradebook.csv").open(encoding="utf-8"))}
    assert rows["ana"][HIDDEN_NAME] == "failed" and rows["ana"]["passed"] == "no", rows["ana"]
    assert rows["bo"][HIDDEN_NAME] == "passed" and rows["bo"]["passed"] == "yes", rows["bo"]
    assert rows["cy"]["passed"] == "yes" and rows["cy"]["max_points"] == "2", rows["cy"]


def test_grade_submit_leaves_hidden_checks_to_the_instructor(good_course: Path) -> None:
    app = good_course / "workspace" / "demo.py"
    app.write_text(ECHO_ONCE, encoding="utf-8")  # it fails the hidden check: running it would show
    proc = run_grade("submit", "demo", cwd=good_course)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    with zipfile.ZipFile(good_course / "demo-submission.zip") as archive:
        result = json.loads(archive.read("result.json"))
        about = json.loads(archive.read("submission.json"))
    assert [c["name"] for c in result["checks"]] == ["echo"], result["checks"]
    assert result["passed"] is True and result["complete"] is False and result["hidden_pending"] == 1
    assert about["hidden_checks_left"] == 1 and about["passed_here"] is True
    assert HIDDEN_NAME not in proc.stdout


def test_grade_show_counts_hidden_checks_without_naming_them(good_course: Path) -> None:
    proc = run_grade("show", "demo", cwd=good_course)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "· echo" in proc.stdout, proc.stdout
    assert HIDDEN_NAME not in proc.stdout and "secret" not in proc.stdout, proc.stdout
    assert "1 hidden" in proc.stdout, proc.stdout


def test_a_subject_the_grader_could_not_grade_is_never_proven(good_course: Path) -> None:
    from grader import Options, load_exercise
    from grader.course import catalog

    def broken_grader(index: int, total: int, name: str) -> None:
        raise RuntimeError("the grader broke")  # as a grader bug would: grade() raises, no verdict comes

    exercise = load_exercise(good_course / "exercises" / "demo.yaml")
    subject = catalog.Subject(exercise, "reference", good_course / "solutions" / "demo.py")
    [outcome] = catalog.run([subject], Options(on_progress=broken_grader), 1)
    assert outcome.ok is False and outcome.detail.startswith("could not be graded"), outcome
    assert "WRONG" in catalog.table([outcome])


def test_a_submission_package_is_replaced_whole_never_rewritten_in_place(good_course: Path, tmp_path: Path) -> None:
    from grader import Options, grade, load_exercise
    from grader.course.submit import package

    exercise = load_exercise(good_course / "exercises" / "demo.yaml")
    app = good_course / "solutions" / "demo.py"
    result = grade(exercise, app, Options())
    out = tmp_path / "demo-submission.zip"
    package(out, exercise, app.read_bytes(), result)
    first, inode = out.read_bytes(), out.stat().st_ino
    with open(out, "rb") as reader:  # a reader (an upload, say) that opened the package before it was made again
        package(out, exercise, app.read_bytes(), result)
        seen = reader.read()
    assert seen == first and zipfile.ZipFile(io.BytesIO(seen)).testzip() is None
    assert out.stat().st_ino != inode, "the package was written in place"
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.endswith(".zip") or p.name.startswith(".")) == [
        "demo-submission.zip"]


def test_a_failing_reference_is_reported_by_the_first_check_it_fails(good_course: Path) -> None:
    from grader import Options, grade, load_exercise
    from grader.course import catalog

    # The starter fails both checks; taken as the reference, the proof names the first, as the report lists it.
    exercise = load_exercise(good_course / "exercises" / "demo.yaml")
    path = good_course / "starters" / "demo.py"
    result = grade(exercise, path, Options(run_hidden=True))
    assert [c.passed for c in result.checks] == [False, False], result
    ok, detail = catalog.judge(catalog.Subject(exercise, "reference", path), result)
    assert not ok and detail.startswith("should pass, but 'echo' failed"), detail


def test_the_table_asks_for_more_variants_only_below_the_course_minimum(good_course: Path) -> None:
    from grader import load_exercise
    from grader.course import catalog
    from grader.course.variants import Minimums

    exercise = load_exercise(good_course / "exercises" / "demo.yaml")
    outcomes = [catalog.Outcome(subject, True, "fine", 0.0)
                for subject in catalog.subjects([exercise], good_course / "solutions", good_course / "starters",
                                                good_course / "variants")]
    assert [o.subject.role for o in outcomes].count("wrong") == 2, outcomes
    met = catalog.table(outcomes, Minimums(wrong=2, correct=1))
    assert "(need" not in met and "2/2" in met and "1/1" in met, met
    short = catalog.table(outcomes, Minimums(wrong=3, correct=2))
    assert "2/2 (need 3)" in short and "1/1 (need 2)" in short, short


def test_the_pytest_plugin_collects_only_the_specs_of_the_exercises_folder(good_course: Path) -> None:
    # Other YAML in a course (a site's settings, parts of specs kept in a subfolder) is not a spec to prove.
    (good_course / "docs").mkdir()
    (good_course / "docs" / "mkdocs.yaml").write_text("site_name: notes\n", encoding="utf-8")
    (good_course / "exercises" / "parts").mkdir()
    (good_course / "exercises" / "parts" / "common.yaml").write_text("- send_text: hi\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    proc = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q", "-n", "0", "-p", "no:cacheprovider"],
                          cwd=good_course, capture_output=True, text=True, timeout=300, env=env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    items = [line for line in proc.stdout.splitlines() if "::" in line]
    assert items and all(item.startswith("exercises/demo.yaml::") for item in items), proc.stdout


def test_the_pytest_plugin_fails_a_course_that_breaks_the_variant_rules(good_course: Path) -> None:
    toml = good_course / "grader.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace("min_wrong = 0", "min_wrong = 5"), encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-n", "0", "-p", "no:cacheprovider",
                           "exercises/demo.yaml::variants"], cwd=good_course, capture_output=True, text=True,
                          timeout=300, env=env)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "1 failed" in proc.stdout and "wrong variant" in proc.stdout, proc.stdout


def test_a_submission_package_says_what_the_file_scored_here(good_course: Path) -> None:
    app = good_course / "workspace" / "demo.py"
    app.write_text(NOTHING, encoding="utf-8")  # fails the visible check: no point earned here
    proc = run_grade("submit", "demo", cwd=good_course)
    with zipfile.ZipFile(good_course / "demo-submission.zip") as archive:
        about = json.loads(archive.read("submission.json"))
        result = json.loads(archive.read("result.json"))
    assert about["passed_here"] is False and result["passed"] is False, proc.stdout + proc.stderr
    assert (about["points_here"], about["max_points_here"]) == (0, 1), about
    assert about["points_here"] == result["points"], (about, result)
