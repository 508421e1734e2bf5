"""`grade ID --watch` before the lesson's file (or its folder) exists: it waits for it, never a grader traceback.

Through the real `grade` command, in a copy of the course with no workspace folder yet.
"""

from __future__ import annotations

import shutil
import signal
import subprocess
import threading
import time
from pathlib import Path

from conftest import ROOT, grade_bin


def test_watch_waits_for_a_file_in_a_folder_not_made_yet(course: Path) -> None:
    (course / "grader.toml").write_text(
        (course / "grader.toml").read_text(encoding="utf-8") + "[paths]\nworkspace = 'workspace'\n", encoding="utf-8")
    proc = subprocess.Popen([grade_bin(), "t3l1", "--watch", "--lang", "ko"], cwd=course,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert proc.stdout is not None
    seen: list[str] = []
    reader = threading.Thread(target=lambda: seen.extend(iter(proc.stdout.readline, "")), daemon=True)
    reader.start()

    def wait_for(count: int) -> None:
        deadline = time.monotonic() + 60
        while sum("지켜보고 있어요" in line for line in seen) < count and proc.poll() is None \
                and time.monotonic() < deadline:
            time.sleep(0.05)
        assert sum("지켜보고 있어요" in line for line in seen) >= count, "".join(seen)
        time.sleep(0.3)  # let the watcher settle before the next save

    try:
        wait_for(1)
        (course / "workspace").mkdir()
        mine = course / "workspace" / "t3l1.py"
        shutil.copy(ROOT / "solutions" / "t3l1.py", mine)
        wait_for(2)
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=20)
    text = "".join(seen)
    assert "Traceback" not in text and "the grader itself failed" not in text, text
    assert "workspace/t3l1.py 파일이 아직 없어요" in text, text  # the first round: nothing to grade yet
    assert "검사 4개를 모두 통과했어요" in text, text  # the file, once written, is graded
