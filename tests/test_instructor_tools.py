"""Instructor and CI tooling: scaffolding, batch grading, the pytest plugin."""

from __future__ import annotations

import csv
import itertools
import json
import shutil
import subprocess
import sys
from pathlib import Path

from conftest import ROOT, run_grade

HANG = """\
import time
from fastapi import FastAPI, WebSocket

app = FastAPI()


@app.websocket("/ws")
async def echo(websocket: WebSocket):
    await websocket.accept()
    async for text in websocket.iter_text():
        time.sleep(30)
"""

SPIN_IMPORT = "from fastapi import FastAPI\n\napp = FastAPI()\nwhile True:\n    pass\n"
SPIN_ENDPOINT = HANG.replace("time.sleep(30)", "while True:\n            pass")


def full_course(course: Path) -> Path:
    for folder in ("solutions", "starters"):
        shutil.copytree(ROOT / folder, course / folder)
    shutil.copytree(ROOT / "tests" / "variants", course / "tests" / "variants")
    return course


def unused_id() -> str:
    """An exercise id the catalog does not have yet, whatever it holds."""
    return next(f"t9l{n}" for n in itertools.count(1) if not (ROOT / "exercises" / f"t9l{n}.yaml").exists())


def test_new_scaffolds_files_that_validate_and_prove_themselves(course: Path) -> None:
    full_course(course)
    ident = unused_id()
    proc = run_grade("new", ident, "--title", 'Rooms & "quotes"', cwd=course)
    assert proc.returncode == 0, proc.stderr
    for path in (f"exercises/{ident}.yaml", f"solutions/{ident}.py", f"starters/{ident}.py"):
        assert (course / path).is_file()
    assert run_grade("validate", cwd=course).returncode == 0
    check = run_grade("check", ident, cwd=course)
    assert check.returncode == 0, check.stdout
    again = run_grade("new", ident, "--title", "x", cwd=course)
    assert again.returncode == 2 and "not overwriting" in again.stderr


def test_batch_grades_a_class_and_writes_a_complete_gradebook(course: Path, tmp_path: Path) -> None:
    full_course(course)
    kinds = {
        "correct": (ROOT / "solutions" / "t3l1.py").read_text(),
        "iter_text": (ROOT / "tests" / "variants" / "t3l1" / "ok_iter_text.py").read_text(),
        "wrong": (ROOT / "tests" / "variants" / "t3l1" / "wrong_prefix.py").read_text(),
        "unclean": (ROOT / "tests" / "variants" / "t3l1" / "unhandled_disconnect.py").read_text(),
        "crash": "raise RuntimeError('boom at import')\n",
        "exit": "import os\nos._exit(3)\n",
        "syntax": "def (:\n",
        "hang": HANG,
        "spinimport": SPIN_IMPORT,
        "spin": SPIN_ENDPOINT,
    }
    # Never-ending submissions side by side, so that more judges wait at once than there are jobs
    # (each gives its place away to a spare process) and the rows around them are still right.
    plan = ["correct"] * 6 + ["hang", "spinimport", "spin"] + ["correct"] * 6 + ["iter_text"] * 4 + ["wrong"] * 5
    plan += ["unclean"] * 3 + ["crash", "exit", "syntax"] * 2 + ["spin", "hang", "missing"]
    klass = tmp_path / "class"
    for number, kind in enumerate(plan):
        folder = klass / f"learner{number:02d}-{kind}"
        folder.mkdir(parents=True)
        if kind != "missing":
            (folder / "t3l1.py").write_text(kinds[kind])
    assert len(plan) >= 30
    out = tmp_path / "book"
    proc = run_grade("batch", "t3l1", str(klass), "--out", str(out), "--jobs", "2", cwd=course)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    rows = list(csv.DictReader((out / "gradebook.csv").open()))
    book = json.loads((out / "gradebook.json").read_text())
    assert len(rows) == len(book["submissions"]) == len(plan)
    for row in rows:
        kind = row["submission"].split("-", 1)[1]
        assert (row["passed"] == "yes") == (kind in ("correct", "iter_text")), row
        if kind in ("crash", "syntax", "missing"):
            assert row["error"], row
        assert row["points"].isdigit() and row["max_points"] == "10"
        assert row["answers a message"] in ("passed", "failed", "not_run")
    for hung in (r for r in book["submissions"] if r["submission"].endswith(("hang", "spin"))):
        assert hung["checks"]["answers a message"] == "failed", hung
    spun = next(r for r in book["submissions"] if r["submission"].endswith("spinimport"))
    assert spun["error"] and not spun["passed"], spun


def test_the_pytest_plugin_collects_the_catalog_with_readable_ids() -> None:
    proc = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q", "-n", "0", "exercises/t3l1.yaml"],
                          cwd=ROOT, capture_output=True, text=True)
    ids = proc.stdout.splitlines()
    assert "exercises/t3l1.yaml::reference::answers a message" in ids
    assert "exercises/t3l1.yaml::wrong:wrong_prefix::answers a message" in ids
    assert "exercises/t3l1.yaml::correct:ok_iter_text::ends cleanly when the client leaves" in ids
    assert "exercises/t3l1.yaml::starter" in ids


def test_the_pytest_plugin_fails_with_the_learner_report(course: Path) -> None:
    full_course(course)
    # A "correct" variant that is in fact wrong: the item must fail with the learner-facing report.
    wrong = (ROOT / "tests" / "variants" / "t3l1" / "wrong_prefix.py").read_text().replace(
        "# expect-fail: answers a message", "# expect: pass")
    (course / "tests" / "variants" / "t3l1" / "ok_not_really.py").write_text(wrong)
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-n", "0", "-p", "no:cacheprovider", "exercises/t3l1.yaml",
         "-k", "ok_not_really and answers"],
        cwd=course, capture_output=True, text=True,
    )
    assert proc.returncode == 1, proc.stdout
    assert "should pass 'answers a message'" in proc.stdout
    assert 'expected: "Message text was: hello"' in proc.stdout
    assert 'got:      "Message was: hello"' in proc.stdout
    assert "hint:" in proc.stdout
    assert "Traceback" not in proc.stdout
