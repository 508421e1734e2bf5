"""Under --lang ko the spec's expectations read in Korean: regular expressions, sizes, negations, ranges.

Through the real `grade` command, on an exercise written with those matchers and a file that misses each.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from conftest import run_grade

SPEC = """\
    version: 1.2
    id: t9l1
    title: {en: Matchers, ko: 매처}
    track: 9
    lesson: 1
    xp: 5
    file: t9l1.py
    instructions: {en: Answer, ko: 답하세요}
    checks:
      - name: {en: a range, ko: 범위}
        steps:
          - connect: /ws
          - send_text: n
          - expect_json: {n: {$between: [1, 5]}}
      - name: {en: a size, ko: 크기}
        steps:
          - connect: /ws
          - send_text: items
          - expect_json: {items: {$len: {$gte: 2}}}
      - name: {en: a negation, ko: 부정}
        steps:
          - connect: /ws
          - send_text: status
          - expect_json: {status: {$not: error}}
      - name: {en: a pattern, ko: 패턴}
        steps:
          - connect: /ws
          - send_text: word
          - expect_text: {$re: "[a-z]+!"}
      - name: {en: a pattern cut short, ko: 짧은 패턴}
        steps:
          - connect: /ws
          - send_text: word
          - expect_text: {$re: "Hel+o, world"}
    """

APP = """\
    from fastapi import FastAPI, WebSocket

    app = FastAPI()


    @app.websocket("/ws")
    async def answer(websocket: WebSocket):
        await websocket.accept()
        async for text in websocket.iter_text():
            if text == "n":
                await websocket.send_json({"n": 9})
            elif text == "items":
                await websocket.send_json({"items": [1]})
            elif text == "status":
                await websocket.send_json({"status": "error"})
            else:
                await websocket.send_text("Hello")
    """


def test_matcher_descriptions_are_korean_under_lang_ko(course: Path) -> None:
    (course / "exercises" / "t9l1.yaml").write_text(textwrap.dedent(SPEC), encoding="utf-8")
    (course / "t9l1.py").write_text(textwrap.dedent(APP), encoding="utf-8")
    english = run_grade("t9l1", "--app", "t9l1.py", "--no-record", "--format", "json", cwd=course)
    assert english.returncode == 1, english.stdout + english.stderr
    checks = json.loads(english.stdout)["checks"]
    # A text against a pattern says where it stops fitting, at either end too.
    assert checks[3]["failure"]["message"].endswith(": the text does not fit the pattern from its first character on")
    assert checks[4]["failure"]["message"].endswith(
        ": the whole text fits the start of the pattern, which wants more after it"), checks[4]["failure"]
    said = [c["failure"]["expected"] for c in checks[:4]]
    assert said == ['{"n": "<a number from 1 to 5>"}', '{"items": "<a text, list or object whose size is at least 2>"}',
                    '{"status": "<anything but \\"error\\">"}', "a string matching /[a-z]+!/"], said
    korean = run_grade("t9l1", "--app", "t9l1.py", "--no-record", "--lang", "ko", cwd=course)
    assert korean.returncode == 1, korean.stdout + korean.stderr
    for words in ('기대: {"n": "<숫자 (1 이상 5 이하)>"}', '기대: {"items": "<크기가 2 이상인 텍스트, 리스트 또는 객체>"}',
                  '기대: {"status": "<다음이 아닌 값: \\"error\\">"}', "기대: /[a-z]+!/ 패턴에 맞는 문자열"):
        assert words in korean.stdout, korean.stdout
    assert "실제: 항목 1개: [1])" in korean.stdout and "첫 글자부터 패턴에 맞지 않아요" in korean.stdout, korean.stdout
    for english_words in ("a number", "a text, list or object", "anything but", "a string matching", "1 items"):
        assert english_words not in korean.stdout, korean.stdout


# --- the author's own words for a pattern (`$re ... says:`) ---------------------------------------------------------

REFERENCE = Path(__file__).parent.parent / "solutions" / "t3l5.py"


def learner_t3l5(course: Path, answer: str) -> None:
    """The lesson's reference with the error answer written another way, as a learner might."""
    source = REFERENCE.read_text(encoding="utf-8")
    assert 'send_json({"error": str(exc)})' in source
    (course / "t3l5.py").write_text(source.replace('{"error": str(exc)}', answer), encoding="utf-8")


@pytest.mark.parametrize("answer", ['{"error": ""}', '{"error": exc.errors(include_url=False)}'])
def test_a_korean_report_shows_the_authors_korean_words_for_a_pattern(course: Path, answer: str) -> None:
    learner_t3l5(course, answer)
    korean = run_grade("t3l5", "--app", "t3l5.py", "--no-record", "--lang", "ko", cwd=course)
    assert korean.returncode == 1, korean.stdout + korean.stderr
    assert korean.stdout.count('기대: 다음 키를 모두 가진 객체: {"error": "<비어 있지 않은 메시지>"}') == 3, korean.stdout
    assert "$.error (기대: 비어 있지 않은 메시지, 실제: " in korean.stdout, korean.stdout
    for english in ("a message that is not empty", "not empty", "(?s)", "패턴에 맞는"):
        assert english not in korean.stdout, korean.stdout


def test_the_english_report_and_json_keep_the_english_words(course: Path) -> None:
    learner_t3l5(course, '{"error": ""}')
    english = run_grade("t3l5", "--app", "t3l5.py", "--no-record", cwd=course)
    assert english.returncode == 1, english.stdout + english.stderr
    assert english.stdout.count('expected: an object with at least {"error": "<a message that is not empty>"}') == 3
    assert 'differs at $.error: expected a message that is not empty, got ""' in english.stdout, english.stdout
    assert "비어" not in english.stdout
    report = run_grade("t3l5", "--app", "t3l5.py", "--no-record", "--format", "json", cwd=course)
    expected = [c["failure"]["expected"] for c in json.loads(report.stdout)["checks"] if c["failure"]]
    assert expected == ['an object with at least {"error": "<a message that is not empty>"}'] * 3, expected


WORDS_SPEC = """\
    version: 1.2
    id: t9l2
    title: {en: Words, ko: 말}
    track: 9
    lesson: 2
    xp: 5
    file: t9l2.py
    instructions: {en: Answer, ko: 답하세요}
    checks:
      - name: {en: a count, ko: 개수}
        steps:
          - connect: /ws
          - send_text: count
          - expect_text: {$re: {pattern: '\\d+ users', says: {en: "a number of users", ko: "사용자 수"}}}
      - name: {en: a count in JSON, ko: JSON 개수}
        steps:
          - connect: /ws
          - send_text: json
          - expect_json: {n: {$re: {pattern: '\\d+ users', says: {en: "a number of users", ko: "사용자 수"}}},
                          who: {$re: {pattern: '[a-z]+', says: "a name in small letters"}}}
      - name: {en: a greeting, ko: 인사}
        steps:
          - connect: /ws
          - send_text: hi
          - expect_text: {$re: {pattern: 'hello, (?P<n>\\w+)!', groups: {n: {$re: '[a-z]+'}},
                                says: {en: "a greeting", ko: "인사말"}}}
    """

WORDS_APP = """\
    from fastapi import FastAPI, WebSocket

    app = FastAPI()


    @app.websocket("/ws")
    async def answer(websocket: WebSocket):
        await websocket.accept()
        async for text in websocket.iter_text():
            if text == "count":
                await websocket.send_text("a number of users")
            elif text == "json":
                await websocket.send_json({"n": "a number of users", "who": "Bo"})
            else:
                await websocket.send_text("hello, Bo!")
    """


def test_the_authors_words_are_used_whole_and_what_the_app_sent_stays_as_sent(course: Path) -> None:
    (course / "exercises" / "t9l2.yaml").write_text(textwrap.dedent(WORDS_SPEC), encoding="utf-8")
    (course / "t9l2.py").write_text(textwrap.dedent(WORDS_APP), encoding="utf-8")
    korean = run_grade("t9l2", "--app", "t9l2.py", "--no-record", "--lang", "ko", cwd=course)
    assert korean.returncode == 1, korean.stdout + korean.stderr
    out = korean.stdout
    # "a number" is a phrase the Korean report translates: never inside the author's words.
    assert "기대: 사용자 수\n" in out and "숫자" not in out, out
    # The app's own text, which happens to read like the author's English, is shown as the app sent it.
    assert '실제: "a number of users"' in out, out
    assert '"n": "a number of users"' in out, out
    # A plain string has no Korean: the English words are shown, as written.
    assert "a name in small letters" in out, out
    # A group's matcher is described in the report's language beside the author's words.
    assert "기대: 인사말 · 그룹 조건: n = /[a-z]+/ 패턴에 맞는 문자열" in out, out
    english = run_grade("t9l2", "--app", "t9l2.py", "--no-record", cwd=course)
    assert "expected: a number of users\n" in english.stdout, english.stdout
    assert "a greeting where n = a string matching /[a-z]+/" in english.stdout, english.stdout
    # The whole text fits the pattern (a group's matcher failed): no place in the text is blamed.
    assert "fits the start of the pattern" not in english.stdout, english.stdout
    assert "사용자" not in english.stdout and "인사말" not in english.stdout, english.stdout
