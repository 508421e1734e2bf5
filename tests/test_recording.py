"""What counts as an attempt: only the learner's own work, once per version of it.

Through the real `grade` command, with progress in a private folder.
"""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import threading
import time
from pathlib import Path

from conftest import ROOT, grade_bin, run_grade

REFERENCE = ROOT / "solutions" / "t3l1.py"
WRONG = ROOT / "tests" / "variants" / "t3l1" / "wrong_prefix.py"


def attempts(folder: Path) -> list[tuple[str, bool]]:
    path = folder / "progress.json"
    if not path.exists():
        return []
    return [(a["exercise"], a["passed"]) for a in json.loads(path.read_text(encoding="utf-8"))["attempts"]]


def test_the_course_files_record_nothing_and_say_so(private_progress: Path) -> None:
    for app in ("solutions/t3l1.py", str(WRONG)):
        proc = run_grade("t3l1", "--app", app)
        assert proc.stdout.splitlines()[-1].startswith("Not recorded: this file is one the course keeps"), app
        assert "grade t3l1" in proc.stdout.splitlines()[-1]
    starter = run_grade("t3l1", "--app", "starters/t3l1.py")
    assert starter.stdout.splitlines()[-1] == ("Not recorded: this is the course's starter file itself. "
                                               "Run grade start t3l1 to get your own copy.")
    assert attempts(private_progress) == []


def test_a_learner_file_identical_to_the_reference_is_theirs(private_progress: Path, tmp_path: Path) -> None:
    """The starter with its hints applied literally can be byte-identical to the reference: still the learner's."""
    mine = tmp_path / "t3l1.py"
    shutil.copy(REFERENCE, mine)
    proc = run_grade("t3l1", "--app", str(mine))
    assert proc.returncode == 0
    assert "Your file is identical to the lesson's reference solution; it is recorded as your work." in proc.stdout
    assert "Not recorded" not in proc.stdout and "+10 XP" in proc.stdout
    assert attempts(private_progress) == [("t3l1", True)]
    listing = run_grade("list")
    assert any(line.split()[:2] == ["✓", "t3l1"] for line in listing.stdout.splitlines()), listing.stdout


def test_an_untouched_starter_is_not_an_attempt(private_progress: Path, tmp_path: Path) -> None:
    mine = tmp_path / "t3l1.py"
    shutil.copy(ROOT / "starters" / "t3l1.py", mine)
    proc = run_grade("t3l1", "--app", str(mine))
    assert proc.returncode == 1
    assert proc.stdout.splitlines()[-1] == ("Your file is still the untouched starter, so this run is not counted "
                                            "as an attempt yet.")
    assert "Not recorded" not in proc.stdout
    assert attempts(private_progress) == []
    # The first real attempt is still the first try.
    mine.write_text(REFERENCE.read_text(encoding="utf-8") + "# mine\n", encoding="utf-8")
    passed = run_grade("t3l1", "--app", str(mine))
    assert passed.returncode == 0 and "+10 XP" in passed.stdout
    record = json.loads((private_progress / "progress.json").read_text(encoding="utf-8"))["passed"]["t3l1"]
    assert record["first_try"] is True


def test_the_same_file_graded_again_is_the_same_attempt(private_progress: Path, tmp_path: Path) -> None:
    mine = tmp_path / "t3l1.py"
    mine.write_text(WRONG.read_text(encoding="utf-8") + "# mine\n", encoding="utf-8")
    first = run_grade("t3l1", "--app", str(mine))
    again = run_grade("t3l1", "--app", str(mine))
    assert "Same file as your last attempt" not in first.stdout
    assert "Same file as your last attempt: not counted as a new attempt." in again.stdout.splitlines()
    assert attempts(private_progress) == [("t3l1", False)]
    original = mine.read_text(encoding="utf-8")
    mine.write_text(original + "# changed\n", encoding="utf-8")
    run_grade("t3l1", "--app", str(mine))
    assert attempts(private_progress) == [("t3l1", False), ("t3l1", False)]
    # Only the last attempt counts as "the same file": going back to an earlier version is a new attempt.
    mine.write_text(original, encoding="utf-8")
    back = run_grade("t3l1", "--app", str(mine))
    assert "Same file as your last attempt" not in back.stdout
    assert attempts(private_progress) == [("t3l1", False)] * 3


def test_watch_records_an_attempt_only_when_the_verdict_changes(private_progress: Path, tmp_path: Path) -> None:
    app = tmp_path / "t3l1.py"
    app.write_text(WRONG.read_text(encoding="utf-8") + "# mine\n", encoding="utf-8")
    proc = subprocess.Popen([grade_bin(), "t3l1", "--app", str(app), "--watch"], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert proc.stdout is not None
    seen: list[str] = []
    reader = threading.Thread(target=lambda: seen.extend(iter(proc.stdout.readline, "")), daemon=True)
    reader.start()

    def wait_for(count: int) -> None:
        deadline = time.monotonic() + 60
        while sum("Watching" in line for line in seen) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        assert sum("Watching" in line for line in seen) >= count, "".join(seen)
        time.sleep(0.3)  # let the watcher settle before the next save

    try:
        wait_for(1)
        app.write_text(app.read_text(encoding="utf-8") + "# still wrong\n", encoding="utf-8")  # same verdict
        wait_for(2)
        app.write_text(REFERENCE.read_text(encoding="utf-8") + "# mine\n", encoding="utf-8")  # now it passes
        wait_for(3)
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=20)
    text = "".join(seen)
    assert text.count("Same verdict as the last save: not counted as a new attempt.") == 1
    assert attempts(private_progress) == [("t3l1", False), ("t3l1", True)]


def test_watch_banks_a_pass_whatever_came_before(private_progress: Path, tmp_path: Path) -> None:
    """Failing file, then a copy of the reference, then the same plus a comment: the pass is banked."""
    app = tmp_path / "f.py"
    app.write_text(WRONG.read_text(encoding="utf-8"), encoding="utf-8")
    proc = subprocess.Popen([grade_bin(), "t3l1", "--app", str(app), "--watch"], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert proc.stdout is not None
    seen: list[str] = []
    reader = threading.Thread(target=lambda: seen.extend(iter(proc.stdout.readline, "")), daemon=True)
    reader.start()

    def wait_for(count: int) -> None:
        deadline = time.monotonic() + 60
        while sum("Watching" in line for line in seen) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        assert sum("Watching" in line for line in seen) >= count, "".join(seen)
        time.sleep(0.3)  # let the watcher settle before the next save

    try:
        wait_for(1)
        shutil.copy(REFERENCE, app)
        wait_for(2)
        app.write_text(REFERENCE.read_text(encoding="utf-8") + "# mine\n", encoding="utf-8")
        wait_for(3)
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=20)
    text = "".join(seen)
    assert "Not recorded" not in text and text.count("+10 XP") == 1, text
    # The wrong variant's copy failed, the reference copy passed and banked; the comment changed nothing.
    assert attempts(private_progress) == [("t3l1", False), ("t3l1", True)]
    assert "Same verdict as the last save: not counted as a new attempt." in text.split("+10 XP")[1]
    listing = run_grade("list")
    assert "10 XP" in listing.stdout.splitlines()[-1], listing.stdout


def seed_progress(folder: Path, xp: int) -> None:
    """A learner who banked ``xp`` on another lesson before."""
    data = {"version": 1, "attempts": [], "hints_seen": {},
            "passed": {"t4l1": {"at": "2026-01-01T10:00:00", "xp": xp, "first_try": True, "failed_before": 0}}}
    (folder / "progress.json").write_text(json.dumps(data), encoding="utf-8")


def pass_t3l1(tmp_path: Path) -> str:
    mine = tmp_path / "t3l1.py"
    mine.write_text(REFERENCE.read_text(encoding="utf-8") + "# mine\n", encoding="utf-8")
    proc = run_grade("t3l1", "--app", str(mine))
    assert proc.returncode == 0 and "+10 XP" in proc.stdout, proc.stdout + proc.stderr
    return proc.stdout


def test_a_first_pass_announces_a_level_up_only_when_it_reaches_a_new_level(private_progress: Path,
                                                                           tmp_path: Path) -> None:
    assert "Level up" not in pass_t3l1(tmp_path)  # 0 → 10 XP: still level 0
    (private_progress / "progress.json").unlink()
    seed_progress(private_progress, 115)
    assert "Level up! Now Level 1 · Listener" in pass_t3l1(tmp_path)  # 115 → 125 XP: past 120


def test_progress_counts_the_xp_earned_since_the_current_level(private_progress: Path) -> None:
    seed_progress(private_progress, 130)  # Listener (120) to Streamer (420): 10 of 300
    proc = run_grade("progress")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "10/300 XP to next level" in proc.stdout, proc.stdout


def test_the_last_hint_says_it_is_the_last(private_progress: Path) -> None:
    first = run_grade("hint", "t3l1")
    assert first.returncode == 0 and "again for the next hint" in first.stdout, first.stdout
    last = run_grade("hint", "t3l1")  # t3l1 has two hints
    assert "That was the last hint." in last.stdout and "again for the next hint" not in last.stdout, last.stdout
