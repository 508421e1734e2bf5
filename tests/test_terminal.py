"""Terminal manners: colour only where it belongs, widths as terminals count them, quiet closed pipes."""

from __future__ import annotations

import os
import subprocess

import pytest

from conftest import ROOT, grade_bin, run_grade
from grader.render.text import wants_color
from grader.render.width import pad, width


class _Terminal:
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(("env", "tty", "colour"), [
    ({}, True, True),
    ({}, False, False),
    ({"NO_COLOR": "1"}, True, False),
    ({"NO_COLOR": "1", "FORCE_COLOR": "1"}, True, False),  # NO_COLOR always wins
    ({"FORCE_COLOR": "1"}, False, True),
    ({"FORCE_COLOR": "0"}, False, False),
    ({"TERM": "dumb"}, True, False),
])
def test_colour_follows_the_conventions(monkeypatch: pytest.MonkeyPatch, env: dict[str, str], tty: bool,
                                        colour: bool) -> None:
    for name in ("NO_COLOR", "FORCE_COLOR", "TERM"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert wants_color(_Terminal() if tty else object()) is colour


def test_force_color_colours_a_piped_report() -> None:
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"} | {"FORCE_COLOR": "1"}
    proc = subprocess.run([grade_bin(), "t3l1", "--app", "solutions/t3l1.py", "--no-record"], cwd=ROOT,
                          capture_output=True, text=True, env=env)
    assert "\x1b[32m✓\x1b[0m answers a message" in proc.stdout


def test_hangul_takes_two_columns() -> None:
    assert (width("레슨"), width("t3l1"), width("Echo 서버")) == (4, 4, 9)
    assert width(pad("타임스탬프 채팅", 20)) == 20


def test_the_lesson_list_lines_up_in_korean(private_progress: object) -> None:
    proc = run_grade("list", "--lang", "ko")
    rows = [line for line in proc.stdout.splitlines() if line.endswith(("새 레슨", "통과", "시도함"))]
    assert len(rows) >= 10
    assert len({width(row[:row.index(" XP")]) for row in rows}) == 1  # every XP column at the same place


def test_a_closed_pipe_ends_quietly() -> None:
    read, write = os.pipe()
    os.close(read)  # the reader is gone before anything is written (`grade list | head` after head exits)
    try:
        proc = subprocess.run([grade_bin(), "list"], cwd=ROOT, stdout=write, stderr=subprocess.PIPE, text=True)
    finally:
        os.close(write)
    assert proc.stderr == "" and proc.returncode == 0


@pytest.mark.parametrize(("env", "lang"), [
    ({"LANG": "ko_KR.UTF-8"}, "ko"),
    ({"LANG": "en_US.UTF-8", "LANGUAGE": "ko"}, "ko"),
    ({"LANG": "en_US.UTF-8", "LANGUAGE": "fr:ko_KR:en"}, "ko"),  # the first one we speak
    ({"LANG": "ko_KR.UTF-8", "LANGUAGE": "en"}, "en"),
    ({"LANG": "C", "LANGUAGE": "ko"}, "en"),  # as gettext: the C locale ignores LANGUAGE
    ({}, "en"),
])
def test_the_language_follows_the_environment(monkeypatch: pytest.MonkeyPatch, env: dict[str, str], lang: str) -> None:
    from grader.i18n import language

    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert language() == lang
    assert language("en") == "en"  # --lang wins


def test_check_names_and_levels_are_read_in_korean(private_progress: object) -> None:
    proc = run_grade("t3l1", "--app", "tests/variants/t3l1/wrong_prefix.py", "--lang", "ko")
    lines = proc.stdout.splitlines()
    assert "  ✗ 메시지에 답해요" in lines and "✗ 메시지에 답해요 — 실패" in lines
    assert "  위치: 3단계, expect_text (t3l1.yaml:43)" in lines  # the step, in Korean
    assert any(line.startswith("  위치: 2.2단계, expect_text (t3l1.yaml:59), 8번 중 1번째") for line in lines)
    transcript = [line.split(" ws ", 1)[1] for line in lines if " ws " in line and line.strip()[:1].isdigit()]
    assert transcript[:2] == ["· 연결: /ws", "· accept 됨"]
    english = run_grade("t3l1", "--app", "tests/variants/t3l1/wrong_prefix.py", "--lang", "ko", "--format", "json")
    # Formats and gradebooks name a check by its English name; the title is the reader's.
    first = __import__("json").loads(english.stdout)["checks"][0]
    assert (first["name"], first["title"]) == ("answers a message", "메시지에 답해요")
    board = run_grade("progress", "--lang", "ko")
    assert board.stdout.splitlines()[2] == "레벨 0 · Poller · 0 XP"  # level names stay English
    shown = run_grade("show", "t3l1", "--lang", "ko")
    assert "  · 메시지에 답해요" in shown.stdout.splitlines()
