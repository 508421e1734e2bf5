"""Under --lang ko a report has no English sentence of the grader's: only code, values and Python's own messages.

Through the real `grade` command, on files written as learners write them: a JSON answer missing a
key or carrying extra ones, an exception, a frozen event loop, a pattern with a date-time group, a
long answer cut in the transcript. What stays as written is set aside first (code in backticks,
quoted values, regular expressions, the learner's lines and frames, what the app printed); what is
left must not hold three English words in a row.
"""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest

from conftest import ROOT, run_grade

LONG_ANSWER = """\
    from fastapi import FastAPI, WebSocket

    app = FastAPI()


    @app.websocket("/ws")
    async def echo(websocket: WebSocket) -> None:
        await websocket.accept()
        async for text in websocket.iter_text():
            await websocket.send_text("Message text was: " + text * 300)
    """

SPINS = """\
    from fastapi import FastAPI, WebSocket

    app = FastAPI()


    @app.websocket("/ws")
    async def echo(websocket: WebSocket) -> None:
        await websocket.accept()
        text = await websocket.receive_text()
        while text:
            pass
    """

def variant(name: str) -> str:
    return (ROOT / "tests" / "variants" / name).read_text(encoding="utf-8")


# Each case: the lesson, the learner's file, and words its Korean report must use where English was shown.
CASES = {
    "missing key": ("t3l2", variant("t3l2/drops_nested_values.py"), ["기대: 'nested' 키 (", "실제: 이 키가 없는 객체: {"]),
    "extra keys": ("t3l2", variant("t3l2/pong_keeps_extra_keys.py"),
                   ["기대: 정확히 이 키만: ['type']", "남는 키 'id', 'data': {"]),
    "an exception": ("t3l2", variant("t3l2/key_error_without_type.py"),
                     ["KeyError: 'type' (t3l2.py:11)", "t3l2.py:11, router 함수"]),
    "a date-time group": ("t3l3", variant("t3l3/missing_brackets.py"),
                          ["패턴에 맞는 문자열 · 그룹 조건: ts = 지금부터 ", "초 안의 현지 날짜·시각"]),
    # The check that froze is named in Korean where the checks after it are not run.
    "a frozen loop": ("t3l1", textwrap.dedent(SPINS), ["이벤트 루프를 막았어요", "실행 안 됨: 위의 \u201c메시지에 답해요\u201d 검사에서"]),
    "a long answer": ("t3l1", textwrap.dedent(LONG_ANSWER), ['ws ← 텍스트 "Message text was: hello', "… (모두 1518글자)"]),
}

ENGLISH = re.compile(r"\b[A-Za-z]{2,}(?:[ ,]+[A-Za-z]{2,}){2,}\b")
TRANSCRIPT_ROW = re.compile(r"\s+\d+\.\d{3}s +\S+ [→←·] ")
SET_ASIDE = re.compile(r"`[^`]*`|\"(?:[^\"\\]|\\.)*\"|'(?:[^'\\]|\\.)*'|/\S.*?/(?= |$)|\([\w./-]+\.py:\d+\)")


def graders_words(report: str) -> list[str]:
    """The report's lines as the grader wrote them: no learner code, frame content or app output."""
    kept: list[str] = []
    inside = None
    for line in report.splitlines():
        if line.strip() in ("내 코드:", "앱이 출력한 내용:"):
            inside = line.strip()
            continue
        if inside == "앱이 출력한 내용:" and line.startswith("  "):
            continue
        if inside == "내 코드:" and line.startswith("    "):
            # The learner's exception, its frames and lines; the grader's "which led to:" line is kept.
            if line.strip() == "그 때문에 생긴 오류:":
                kept.append(line)
            continue
        inside = None
        found = TRANSCRIPT_ROW.match(line)
        kept.append(line[:found.end()] if found else line)  # a frame's content is the app's
    return kept


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_korean_report_has_no_english_sentence_of_the_graders(case: str, course: Path) -> None:
    exercise, source, words = CASES[case]
    (course / f"{exercise}.py").write_text(source, encoding="utf-8")
    proc = run_grade(exercise, "--app", f"{exercise}.py", "--no-record", "--lang", "ko", cwd=course)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    english = []
    for line in graders_words(proc.stdout):
        bare = SET_ASIDE.sub("", line)
        # Python's own message after the learner's exception type stays as Python wrote it.
        bare = re.sub(r"\b[A-Z]\w*(?:Error|Exception|Disconnected|Disconnect): [^()]*", "", bare)
        if ENGLISH.search(bare):
            english.append(line)
    assert not english, "\n".join(english) + "\n\n" + proc.stdout
    for said in words:
        assert said in proc.stdout, (said, proc.stdout)


def test_progress_file_troubles_are_said_in_korean(private_progress: Path) -> None:
    (private_progress / "progress.json").write_text("{ not json", encoding="utf-8")
    corrupt = run_grade("list", "--lang", "ko")
    assert corrupt.returncode == 0, corrupt.stderr
    assert corrupt.stderr.startswith("경고: 진행 상황 파일을 읽을 수 없었어요 ("), corrupt.stderr
    assert "경로에 남겨 두고 새 파일을 시작했어요" in corrupt.stderr and "warning" not in corrupt.stderr
    (private_progress / "progress.json").unlink(missing_ok=True)  # set aside already
    (private_progress / "progress.json").mkdir()
    unreadable = run_grade("progress", "--lang", "ko")
    assert unreadable.returncode == 2
    assert unreadable.stderr == (f"grade: 진행 상황 파일을 읽을 수 없어요: {private_progress / 'progress.json'} "
                                 "(파일이 아니라 폴더예요)\n"), unreadable.stderr
    english = run_grade("progress", "--lang", "en")
    assert english.stderr.endswith("progress.json: Is a directory\n"), english.stderr


def test_command_line_mistakes_are_said_in_korean() -> None:
    extra = run_grade("list", "--lang", "ko", "extra")
    assert extra.returncode == 2
    assert extra.stderr.splitlines() == ["사용법: grade list [-h] [--lang {en,ko}]", "grade list: 오류: 알 수 없는 인자예요: extra"]
    missing = run_grade("show", "--lang", "ko")
    assert missing.returncode == 2 and missing.stderr.endswith("grade show: 오류: 다음 인자가 필요해요: exercise\n")
    choice = run_grade("t3l1", "--lang=ko", "--format", "nope")
    assert choice.returncode == 2 and "grade: 오류: --format 인자에 쓸 수 없는 값이에요: 'nope' (쓸 수 있는 값: " in choice.stderr
    english = run_grade("list", "extra")
    assert english.stderr.endswith("grade list: error: unrecognized arguments: extra\n"), english.stderr
