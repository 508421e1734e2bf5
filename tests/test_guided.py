"""The guided path: `grade` alone, `grade next`, `grade show`, `grade start --force`, `grade submit`.

Through the real `grade` command in a copy of the course, progress in a private folder.
"""

from __future__ import annotations

import json
import shutil
import zipfile
from hashlib import sha256
from pathlib import Path

import pytest

from conftest import ROOT, run_grade


@pytest.fixture
def here(course: Path) -> Path:
    """A learner's course folder: specs, starters, and a workspace."""
    shutil.copytree(ROOT / "starters", course / "starters")
    return course


@pytest.mark.parametrize("args", [[], ["help"]])
def test_grade_alone_shows_the_commands_and_the_next_lesson(here: Path, args: list[str]) -> None:
    proc = run_grade(*args, cwd=here)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0] == "grade: exercises for FastAPI WebSockets, graded check by check."
    assert "  grade next                 start (or grade) the next lesson you have not passed" in lines
    assert lines[-1] == "Next: t3l1 · Echo. Run: grade start t3l1"
    korean = run_grade(*args, "--lang", "ko", cwd=here)
    assert korean.stdout.splitlines()[-1] == "다음 레슨: t3l1 · Echo 서버. 실행하세요: grade start t3l1"


def test_grade_next_starts_the_lesson_then_grades_it(here: Path) -> None:
    first = run_grade("next", cwd=here)
    assert first.returncode == 0, first.stderr
    assert first.stdout.startswith("t3l1 · Echo")
    assert first.stdout.splitlines()[-1] == "Wrote the starter to workspace/t3l1.py. Edit it, then run: grade t3l1"
    assert (here / "workspace" / "t3l1.py").read_bytes() == (ROOT / "starters" / "t3l1.py").read_bytes()
    assert run_grade(cwd=here).stdout.splitlines()[-1] == "Next: t3l1 · Echo. Run: grade t3l1"
    (here / "workspace" / "t3l1.py").write_text(
        (ROOT / "solutions" / "t3l1.py").read_text(encoding="utf-8") + "# mine\n", encoding="utf-8")
    graded = run_grade("next", cwd=here)
    assert graded.returncode == 0, graded.stdout
    assert "✓ All 4 checks passed." in graded.stdout and "+10 XP" in graded.stdout
    assert run_grade(cwd=here).stdout.splitlines()[-1].startswith("Next: t3l2 · ")


def test_grade_show_lists_the_checks_and_counts_the_hidden_ones(here: Path) -> None:
    proc = run_grade("show", "t3l2", cwd=here)
    lines = proc.stdout.splitlines()
    at = lines.index("Checks (9):")
    assert lines[at + 1] == "  · reads messages with iter_json"
    assert lines[at + 10] == "  + 1 hidden, run by your instructor on what you submit"
    assert lines[-1] == "→ workspace/t3l2.py"


def test_start_force_keeps_the_learners_file_aside(here: Path) -> None:
    run_grade("start", "t3l1", cwd=here)
    mine = here / "workspace" / "t3l1.py"
    mine.write_text("my work\n", encoding="utf-8")
    kept = run_grade("start", "t3l1", cwd=here)
    assert "already exists: your work is left as it is" in kept.stdout and mine.read_text() == "my work\n"
    forced = run_grade("start", "t3l1", "--force", cwd=here)
    assert forced.returncode == 0, forced.stderr
    aside = [p for p in (here / "workspace").iterdir() if p.name != "t3l1.py"]
    assert len(aside) == 1 and aside[0].read_text() == "my work\n"
    assert f"Your file was moved aside to workspace/{aside[0].name}." in forced.stdout
    assert mine.read_bytes() == (ROOT / "starters" / "t3l1.py").read_bytes()
    run_grade("start", "t3l1", "--force", cwd=here)  # twice in the same second: nothing is overwritten
    assert len([p for p in (here / "workspace").iterdir() if p.name != "t3l1.py"]) == 2


def test_submit_packages_the_file_its_result_and_its_hash(here: Path, tmp_path: Path) -> None:
    nothing = run_grade("submit", "t3l2", cwd=here)
    assert nothing.returncode == 2
    assert "there is nothing to submit yet: workspace/t3l2.py does not exist" in nothing.stderr
    (here / "workspace").mkdir()
    mine = here / "workspace" / "t3l2.py"
    mine.write_text((ROOT / "solutions" / "t3l2.py").read_text(encoding="utf-8") + "# mine\n", encoding="utf-8")
    proc = run_grade("submit", "t3l2", cwd=here)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    digest = sha256(mine.read_bytes()).hexdigest()
    assert proc.stdout.splitlines()[-1] == (
        f"Wrote t3l2-submission.zip (your file, this result, and its SHA-256 {digest[:12]}…): hand it in as your "
        "course says. Your instructor grades that file again, with the hidden check.")
    with zipfile.ZipFile(here / "t3l2-submission.zip") as archive:
        assert sorted(archive.namelist()) == ["result.json", "submission.json", "t3l2.py"]
        assert archive.read("t3l2.py") == mine.read_bytes()
        about = json.loads(archive.read("submission.json"))
        result = json.loads(archive.read("result.json"))
    assert (about["sha256"], about["hidden_checks_left"], about["passed_here"]) == (digest, 1, True)
    assert result["format"] == "grader-result/1" and result["hidden_pending"] == 1
    # What the instructor does with it: unzip per learner, grade the class with hidden checks.
    folder = tmp_path / "class" / "ana"
    with zipfile.ZipFile(here / "t3l2-submission.zip") as archive:
        archive.extractall(folder)
    batch = run_grade("batch", "t3l2", str(folder), "--out", str(tmp_path / "out"), cwd=here)
    assert batch.returncode == 0, batch.stdout + batch.stderr


def test_plurals_read_right(private_progress: Path) -> None:
    proc = run_grade("t3l2", "--app", str(ROOT / "solutions" / "t3l2.py"))
    assert "1 hidden check, worth 1 of the lesson's 20 points, is run by your instructor" in proc.stdout
    assert "check(s)" not in proc.stdout
    board = run_grade("progress")
    assert "pass 1 lessons" not in board.stdout and "pass a lesson" in board.stdout
