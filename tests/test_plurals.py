"""Counts of one read as one: "the one check", "1 point", never "All 1 checks" or "1 (1 points)".

Through the real `grade` command, on a course of one lesson with one check and one hidden check.
"""

from __future__ import annotations

from pathlib import Path

from conftest import ROOT, run_grade

SPEC = """\
version: 1
id: one
title: One
track: 1
lesson: 1
xp: 5
file: one.py
instructions: Echo.
checks:
  - name: answers a message
    points: 1
    steps:
      - connect: /ws
      - send_text: hello
      - expect_text: "Message text was: hello"
{hidden}"""
HIDDEN = """\
  - name: answers again
    points: 1
    hidden: true
    steps:
      - connect: /ws
      - send_text: again
      - expect_text: "Message text was: again"
"""


def course_of_one(tmp_path: Path, hidden: bool) -> Path:
    root = tmp_path / ("hidden" if hidden else "plain")
    (root / "exercises").mkdir(parents=True)
    (root / "exercises" / "one.yaml").write_text(SPEC.format(hidden=HIDDEN if hidden else ""), encoding="utf-8")
    (root / "grader.toml").write_text("[course]\ntitle = 'one'\n", encoding="utf-8")
    (root / "one.py").write_text((ROOT / "solutions" / "t3l1.py").read_text(encoding="utf-8"), encoding="utf-8")
    return root


def test_one_check_reads_as_one(tmp_path: Path) -> None:
    root = course_of_one(tmp_path, hidden=False)
    text = run_grade("one", "--app", "one.py", "--no-record", cwd=root)
    assert text.returncode == 0, text.stdout + text.stderr
    assert text.stdout.splitlines()[-1] == "✓ The lesson's one check passed. This lesson is worth 5 XP."
    page = run_grade("one", "--app", "one.py", "--no-record", "--format", "html", cwd=root).stdout
    assert "The one check passed · 1/1 points" in page and "All 1 checks" not in page


def test_one_hidden_check_worth_one_point(tmp_path: Path) -> None:
    root = course_of_one(tmp_path, hidden=True)
    text = run_grade("one", "--app", "one.py", "--no-record", cwd=root)
    assert text.returncode == 0, text.stdout + text.stderr
    assert text.stdout.splitlines()[-1].startswith("✓ The one check you can run here passed; 1 hidden check, worth 1 "), \
        text.stdout
    page = run_grade("one", "--app", "one.py", "--no-record", "--format", "html", cwd=root).stdout
    assert "hidden checks still to run when you submit: 1 (1 point)" in page and "(1 points)" not in page
