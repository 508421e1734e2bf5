"""The learner's commands: show, start, hint, and watch mode."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import threading
import time
from pathlib import Path

from conftest import ROOT, grade_bin, run_grade


def with_starters(course: Path) -> Path:
    shutil.copytree(ROOT / "starters", course / "starters")
    return course


def test_show_prints_the_instructions_in_the_learners_language(course: Path) -> None:
    english = run_grade("show", "t3l2", cwd=course)
    assert english.returncode == 0
    assert "async for msg in websocket.iter_json()" in english.stdout
    korean = run_grade("show", "t3l2", "--lang", "ko", cwd=course)
    assert "작은 JSON 라우터" in korean.stdout


def test_the_locale_picks_korean(course: Path) -> None:
    env = {**os.environ, "LANG": "ko_KR.UTF-8"}
    proc = subprocess.run([grade_bin(), "show", "t3l1"], cwd=course, capture_output=True, text=True, env=env)
    assert "클라이언트" in proc.stdout


def test_start_writes_the_starter_and_never_overwrites_work(course: Path) -> None:
    with_starters(course)
    first = run_grade("start", "t3l1", cwd=course)
    target = course / "workspace" / "t3l1.py"
    assert first.returncode == 0 and target.read_text() == (ROOT / "starters" / "t3l1.py").read_text()
    target.write_text("# my own work\n")
    second = run_grade("start", "t3l1", cwd=course)
    assert "already exists" in second.stdout
    assert target.read_text() == "# my own work\n"


def test_grade_uses_the_workspace_file_by_default(course: Path) -> None:
    with_starters(course)
    run_grade("start", "t3l1", cwd=course)
    proc = run_grade("t3l1", cwd=course)
    assert proc.returncode == 1 and "✗ answers a message" in proc.stdout


def test_hints_come_one_tier_at_a_time(course: Path) -> None:
    first = run_grade("hint", "t3l1", cwd=course)
    assert "Hint 1 of 2" in first.stdout and "Hint 2 of 2" not in first.stdout
    assert "grade hint t3l1" in first.stdout
    second = run_grade("hint", "t3l1", cwd=course)
    assert "Hint 1 of 2" in second.stdout and "Hint 2 of 2" in second.stdout
    assert "last hint" in second.stdout


def test_watch_grades_again_after_the_file_changes(tmp_path: Path) -> None:
    app = tmp_path / "t3l1.py"
    shutil.copy(ROOT / "tests" / "variants" / "t3l1" / "wrong_prefix.py", app)
    proc = subprocess.Popen([grade_bin(), "t3l1", "--app", str(app), "--watch", "--no-record"], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert proc.stdout is not None
    seen: list[str] = []
    reader = threading.Thread(target=lambda: seen.extend(iter(proc.stdout.readline, "")), daemon=True)
    reader.start()
    try:
        deadline = time.monotonic() + 60
        while not any("Watching" in line for line in seen) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert any("✗ answers a message" in line for line in seen)
        time.sleep(0.3)  # let the watcher settle before the save
        shutil.copy(ROOT / "solutions" / "t3l1.py", app)
        while not any("All 4 checks passed" in line for line in seen) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert any("All 4 checks passed" in line for line in seen), "".join(seen)
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=20)


class _Terminal:
    def isatty(self) -> bool:
        return True


def test_colour_only_on_a_terminal_and_never_with_no_color(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from grader.render.text import wants_color

    monkeypatch.delenv("NO_COLOR", raising=False)
    assert wants_color(_Terminal())
    monkeypatch.setenv("NO_COLOR", "1")
    assert not wants_color(_Terminal())
    monkeypatch.delenv("NO_COLOR")
    assert not wants_color(object())
