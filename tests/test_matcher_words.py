"""Under --lang ko the spec's expectations read in Korean: regular expressions, sizes, negations, ranges.

Through the real `grade` command, on an exercise written with those matchers and a file that misses each.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

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
