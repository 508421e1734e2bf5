"""Pinned: proving a catalog (grade check, the pytest plugin), grade batch, and the learner's XP record.

A small course of its own, on real files, graded by the real `grade` command
(and by pytest with the grader's plugin). Its checks are source rules, so no
app host has to start and every run is quick; what is judged is the same.
Each test fails if the behaviour it names breaks (see tests/mutate.py).
"""

from __future__ import annotations

import csv
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import run_grade

# --- the course --------------------------------------------------------------------------------------------------

CHECKS = """\
checks:
  - name: reads with iter_json
    source: {calls: [iter_json]}
  - name: never calls receive_json
    source: {not_calls: [receive_json]}
  - name: says goodbye
    hidden: true
    points: 3
    source: {calls: [close]}
"""

# Programs by what they get right; the checks only read their calls.
REFERENCE = "async def chat(ws):\n    async for message in ws.iter_json():\n        pass\n    await ws.close()\n"
STARTER = "async def chat(ws):\n    pass\n"
NO_ITER_JSON = "async def chat(ws):\n    await ws.receive_text()\n    await ws.close()\n"  # fails 'reads with iter_json'
RECEIVE_JSON = REFERENCE + "\n\nasync def other(ws):\n    return await ws.receive_json()\n"  # fails 'never calls receive_json'
NO_CLOSE = "async def chat(ws):\n    async for message in ws.iter_json():\n        pass\n"  # fails only the hidden check

# exercise id -> (xp, reference, starter, {variant name: (first line, program)})
EXERCISES: dict[str, tuple[int, str, str, dict[str, tuple[str, str]]]] = {
    "good": (10, REFERENCE, STARTER, {"no_iter": ("# expect-fail: reads with iter_json", NO_ITER_JSON),
                                      "also_ok": ("# expect: pass", REFERENCE)}),
    "refbad": (20, NO_ITER_JSON, STARTER, {}),
    "refhidden": (20, NO_CLOSE, STARTER, {}),
    "starterpasses": (20, REFERENCE, REFERENCE, {}),
    "wrongother": (20, REFERENCE, STARTER, {"names_iter": ("# expect-fail: reads with iter_json", RECEIVE_JSON)}),
    "correctbad": (20, REFERENCE, STARTER, {"not_ok": ("# expect: pass", NO_ITER_JSON)}),
    "unknowncheck": (20, REFERENCE, STARTER, {"ghost": ("# expect-fail: no such check", NO_ITER_JSON)}),
}

GRADER_TOML = """\
[course]
title = "pinned"

[variants]
min_wrong = 0
min_correct = 0

[[levels]]
name = "Novice"
xp = 0
[[levels]]
name = "Adept"
xp = 10
[[levels]]
name = "Master"
xp = 30
[[levels]]
name = "Sage"
xp = 100

[[achievements]]
id = "first"
name = "First"
description = "A lesson passed."
rule = "passes"
at_least = 1

[[achievements]]
id = "comeback"
name = "Comeback"
description = "A pass after a failed attempt."
rule = "comeback"
at_least = 1

[[achievements]]
id = "far"
name = "Far away"
description = "Every lesson of track 9, which has none."
rule = "track"
track = 9
"""


def spec(ident: str, xp: int) -> str:
    return (f"version: 1\nid: {ident}\ntitle: {ident}\ntrack: 1\nlesson: 1\nxp: {xp}\nfile: {ident}.py\n"
            f"instructions: Read JSON with iter_json and say goodbye.\nhints: [first hint, second hint]\n" + CHECKS)


@pytest.fixture(scope="module")
def course(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("course")
    (root / "grader.toml").write_text(GRADER_TOML, encoding="utf-8")
    for folder in ("exercises", "solutions", "starters", "programs"):
        (root / folder).mkdir()
    for ident, (xp, reference, starter, variants) in EXERCISES.items():
        (root / "exercises" / f"{ident}.yaml").write_text(spec(ident, xp), encoding="utf-8")
        (root / "solutions" / f"{ident}.py").write_text(reference, encoding="utf-8")
        (root / "starters" / f"{ident}.py").write_text(starter, encoding="utf-8")
        for name, (header, program) in variants.items():
            folder = root / "tests" / "variants" / ident
            folder.mkdir(parents=True, exist_ok=True)
            (folder / f"{name}.py").write_text(f"{header}\n{program}", encoding="utf-8")
    # The learner's programs: a file byte-identical to a reference solution is not the learner's work.
    for name, program in {"reference": REFERENCE, "no_iter_json": NO_ITER_JSON, "no_close": NO_CLOSE}.items():
        (root / "programs" / f"{name}.py").write_text(program + "# written by the learner\n", encoding="utf-8")
    return root


# --- grade check ---------------------------------------------------------------------------------------------------


def test_grade_check_catches_every_way_a_spec_can_be_unproven(course: Path) -> None:
    proc = run_grade("check", "--jobs", "1", cwd=course)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    rows = {line.split()[0]: line.split()[1:-1] for line in proc.stdout.splitlines() if line.split()[:1] in
            [[ident] for ident in EXERCISES]}
    assert rows == {
        "correctbad": ["passes", "fails", "0/0", "0/1", "WRONG"],
        "good": ["passes", "fails", "1/1", "1/1"],
        "refbad": ["WRONG", "fails", "0/0", "0/0"],
        "refhidden": ["WRONG", "fails", "0/0", "0/0"],  # the reference fails only the hidden check
        "starterpasses": ["passes", "WRONG", "0/0", "0/0"],
        "unknowncheck": ["passes", "fails", "0/1", "WRONG", "0/0"],
        "wrongother": ["passes", "fails", "0/1", "WRONG", "0/0"],
    }
    problems = [re.sub(r" \(/[^)]*\): ", ": ", line) for line in proc.stdout.splitlines() if line.startswith("✗ ")]
    assert problems == [
        "✗ correctbad correct not_ok: should pass, but 'reads with iter_json' failed: not_ok.py never calls "
        "iter_json() (only real calls count, not comments or strings)",
        "✗ refbad reference: should pass, but 'reads with iter_json' failed: refbad.py never calls iter_json() "
        "(only real calls count, not comments or strings)",
        "✗ refhidden reference: should pass, but 'says goodbye' failed: refhidden.py never calls close() "
        "(only real calls count, not comments or strings)",
        "✗ starterpasses starter: should fail, but passes every check",
        "✗ unknowncheck wrong ghost: names a check 'no such check' that the spec does not have",
        "✗ wrongother wrong names_iter: should fail 'reads with iter_json', but it passed "
        "(failed: 'never calls receive_json')",
    ]
    assert proc.stdout.splitlines()[-1].startswith("13/19 as expected across 7 exercises")


def test_the_pytest_plugin_fails_exactly_the_unproven_items(course: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:xdist", "-p", "no:cacheprovider", "-q", "-rA",
         "--rootdir", str(course), "exercises"],
        cwd=course, capture_output=True, text=True, timeout=300,
    )
    outcomes = {}
    for line in proc.stdout.splitlines():
        found = re.match(r"(PASSED|FAILED|ERROR) (exercises/\S+?\.yaml::[^-]*?)(?: - .*)?$", line)
        if found:
            outcomes[found.group(2).strip()] = found.group(1)
    failed = sorted(item for item, outcome in outcomes.items() if outcome != "PASSED")
    assert failed == [
        "exercises/correctbad.yaml::correct:not_ok::reads with iter_json",
        "exercises/refbad.yaml::reference::reads with iter_json",
        "exercises/refhidden.yaml::reference::says goodbye",
        "exercises/starterpasses.yaml::starter",
        "exercises/unknowncheck.yaml::wrong:ghost",
        "exercises/wrongother.yaml::wrong:names_iter::reads with iter_json",
    ], proc.stdout
    assert outcomes["exercises/good.yaml::reference::says goodbye"] == "PASSED"  # hidden checks are graded too
    assert len(outcomes) == 37 and proc.returncode == 1


# --- grade batch -------------------------------------------------------------------------------------------------


def test_batch_grades_the_hidden_checks_and_counts_their_points(course: Path, tmp_path: Path) -> None:
    klass = tmp_path / "class"
    for learner, program in (("alice", REFERENCE), ("bob", NO_CLOSE)):
        (klass / learner).mkdir(parents=True)
        (klass / learner / "good.py").write_text(program, encoding="utf-8")
    proc = run_grade("batch", "good", str(klass), "--out", str(tmp_path / "book"), "--jobs", "1", cwd=course)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    rows = [{k: v for k, v in row.items() if k not in ("path", "seconds")}
            for row in csv.DictReader((tmp_path / "book" / "gradebook.csv").open(encoding="utf-8"))]
    assert rows == [
        {"submission": "alice", "passed": "yes", "points": "5", "max_points": "5", "reads with iter_json": "passed",
         "never calls receive_json": "passed", "says goodbye": "passed", "error": ""},
        {"submission": "bob", "passed": "no", "points": "2", "max_points": "5", "reads with iter_json": "passed",
         "never calls receive_json": "passed", "says goodbye": "failed", "error": ""},
    ]


# --- XP and the progress record ----------------------------------------------------------------------------------


def progress(folder: Path) -> dict:  # type: ignore[type-arg]
    return json.loads((folder / "progress.json").read_text(encoding="utf-8"))


def award(stdout: str) -> list[str]:
    """The report's last lines: what the run did to the learner's progress."""
    return stdout.rstrip("\n").split("\n\n")[-1].splitlines()[1:]


def test_a_local_pass_banks_the_lessons_xp_though_hidden_checks_are_pending(course: Path, private_progress: Path) -> None:
    # The rule: XP rewards practice, so a local pass (hidden checks not run) banks the lesson's XP;
    # the gradebook's score comes from a submission run with --all-checks, where hidden checks count.
    proc = run_grade("good", "--app", "programs/reference.py", cwd=course)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "✓ All 2 checks you can run here passed; 1 hidden check, worth 3 of the lesson's 5 points, " \
           "is run by your instructor on the file you hand in." in proc.stdout.splitlines()
    assert award(proc.stdout)[0] == "+10 XP — Level 1 · Adept, 0/20 XP to next level"
    assert progress(private_progress)["passed"]["good"]["xp"] == 10


def test_xp_levels_and_achievements_are_recorded_once(course: Path, private_progress: Path) -> None:
    first = run_grade("good", "--app", "programs/reference.py", cwd=course)
    assert award(first.stdout) == [
        "+10 XP — Level 1 · Adept, 0/20 XP to next level",
        "Level up! Now Level 1 · Adept",
        "Achievement unlocked: First — A lesson passed.",
    ]
    record = progress(private_progress)["passed"]["good"]
    assert {k: v for k, v in record.items() if k != "at"} == {"xp": 10, "first_try": True, "failed_before": 0}

    again = run_grade("good", "--app", "programs/reference.py", cwd=course)
    assert award(again.stdout) == ["Same file as your last attempt: not counted as a new attempt.",
                                   "Passed again: the 10 XP of this lesson were banked on its first pass."]
    assert progress(private_progress)["passed"]["good"] == record  # the first pass's record is never rewritten

    failing = run_grade("refbad", "--app", "programs/no_iter_json.py", cwd=course)
    assert failing.returncode == 1 and award(failing.stdout) == ["XP is banked when every check passes."]
    comeback = run_grade("refbad", "--app", "programs/reference.py", cwd=course)
    assert award(comeback.stdout) == [
        "+20 XP — Level 2 · Master, 0/70 XP to next level",
        "Level up! Now Level 2 · Master",
        "Achievement unlocked: Comeback — A pass after a failed attempt.",
    ]

    reset = run_grade("reset", "good", "--yes", cwd=course)
    assert reset.returncode == 0
    after = progress(private_progress)
    assert sorted(after["passed"]) == ["refbad"]
    assert [(a["exercise"], a["passed"]) for a in after["attempts"]] == [("refbad", False), ("refbad", True)]

    board = run_grade("progress", cwd=course)
    assert board.returncode == 0
    assert [line for line in board.stdout.splitlines() if " — " in line] == [
        "  ★ First — A lesson passed.",
        "  ★ Comeback — A pass after a failed attempt.",
        "  ☆ Far away — locked: pass every lesson of track 9",  # a track without lessons is never complete
    ]


def test_a_progress_file_of_another_version_is_kept_aside_not_read(course: Path, private_progress: Path) -> None:
    store = private_progress / "progress.json"
    store.write_text(json.dumps({"version": 2, "attempts": [], "passed": {"good": {"xp": 999}}}), encoding="utf-8")
    proc = run_grade("progress", cwd=course)
    assert proc.returncode == 0
    assert proc.stderr.startswith("warning: your progress file was unreadable (not a progress file of this grader)")
    assert "Level 0 · Novice · 0 XP" in proc.stdout.splitlines()
    (kept,) = private_progress.glob("progress.json.corrupt-*")
    assert json.loads(kept.read_text(encoding="utf-8"))["passed"] == {"good": {"xp": 999}}


def test_levels_must_climb(tmp_path: Path) -> None:
    (tmp_path / "grader.toml").write_text(
        '[course]\ntitle = "x"\n[[levels]]\nname = "A"\nxp = 0\n[[levels]]\nname = "B"\nxp = 10\n'
        '[[levels]]\nname = "C"\nxp = 10\n', encoding="utf-8")
    proc = run_grade("progress", cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stderr == f"grade: {tmp_path / 'grader.toml'}: levels start at 0 XP and go up\n"

