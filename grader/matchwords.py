"""What a spec expected, in Korean: the matcher descriptions ``grader.spec.match`` writes in English.

The spec's matchers explain themselves in English ("a string matching /…/",
"a number from 1 to 5", "anything but …"); that text is the key of the
English report and of the JSON formats alike. A Korean report shows the same
descriptions in Korean, phrase by phrase (they nest: "an object with at least
{"n": "<a number above 0>"}"). Values stay as written; no particle follows one.
"""

from __future__ import annotations

import re
from dataclasses import replace

from grader.result import CheckResult

_NUMBER = r"-?\d+(?:\.\d+)?(?:e[+-]?\d+)?"
_UNITS = {"characters": "글자", "items": "항목", "keys": "키"}  # what $len counted
_BOUNDS = {"above": "초과", "at least": "이상", "below": "미만", "at most": "이하"}

# In order: the longer phrases first, a bare type word last.
_PHRASES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"a local date-time like (\S+ \S+) within (" + _NUMBER + r") s of now"),
     r"지금부터 \2초 안의 현지 날짜·시각 (예: \1)"),
    (re.compile(r"a string matching (/.*?/)(?=$| where |>\"|\"|, |\))"), r"\1 패턴에 맞는 문자열"),
    (re.compile(r" where (?=\w+ = )"), r" · 그룹 조건: "),
    (re.compile(r"an object with at least "), "다음 키를 모두 가진 객체: "),
    (re.compile(r"a text, list or object of size (\d+)"), r"크기가 \1인 텍스트, 리스트 또는 객체"),
    (re.compile(r"a text, list or object whose size is from (" + _NUMBER + r") to (" + _NUMBER + r")"),
     r"크기가 \1 이상 \2 이하인 텍스트, 리스트 또는 객체"),
    (re.compile(r"a text, list or object whose size is (above|at least|below|at most) (" + _NUMBER + r")"),
     lambda m: f"크기가 {m[2]} {_BOUNDS[m[1]]}인 텍스트, 리스트 또는 객체"),  # type: ignore[list-item]
    (re.compile(r"a number from (" + _NUMBER + r") to (" + _NUMBER + r")"), r"숫자 (\1 이상 \2 이하)"),
    (re.compile(r"a number within (" + _NUMBER + r") of (" + _NUMBER + r")"), r"숫자 (\2 ± \1)"),
    (re.compile(r"a number (above|at least|below|at most) (" + _NUMBER + r")"),
     lambda m: f"숫자 ({m[2]} {_BOUNDS[m[1]]})"),  # type: ignore[list-item]
    (re.compile(r"\b(\d+) (characters|items|keys): "), lambda m: f"{_UNITS[m[2]]} {m[1]}개: "),  # type: ignore[list-item]
    (re.compile(r"anything but "), "다음이 아닌 값: "),
    (re.compile(r"\bany value\b"), "아무 값"),
    (re.compile(r"\bthe value of ([\w.]+)"), r"\1 값"),
    (re.compile(r"\ban integer\b"), "정수"),
    (re.compile(r"\ba JSON object\b"), "JSON 객체"),
    (re.compile(r"\ba JSON array\b"), "JSON 배열"),
    (re.compile(r"\ba boolean\b"), "불리언"),
    (re.compile(r"\ba number\b"), "숫자"),
    (re.compile(r"\ba string\b"), "문자열"),
]


def matcher_words(text: str, lang: str) -> str:
    """``text`` with every matcher description in it in ``lang`` (English: unchanged)."""
    if lang != "ko" or not text:
        return text
    for pattern, words in _PHRASES:
        text = pattern.sub(words, text)
    return text


def localized(result: CheckResult, lang: str) -> CheckResult:
    """A check's result with the spec's expectations in ``lang``, where its failure states them."""
    failure = result.failure
    if lang != "ko" or failure is None:
        return result
    return replace(result, failure=replace(failure, message=matcher_words(failure.message, lang),
                                           expected=matcher_words(failure.expected or "", lang) or failure.expected))
