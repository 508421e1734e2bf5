"""What a spec expected, in Korean: the matcher descriptions ``grader.spec.match`` writes in English.

The spec's matchers explain themselves in English ("a string matching /…/",
"a number from 1 to 5", "anything but …", "no such key in {…}"); that text
is the key of the English report and of the JSON formats alike. A Korean
report shows the same descriptions in Korean, phrase by phrase (they nest:
"an object with at least {"n": "<a number above 0>"}"). Values stay as
written; no particle follows one. The learner's exceptions, named in a
failure as ``KeyError: 'type' at app.py:10``, read ``KeyError: 'type'
(app.py:10)`` there. Words the spec's author gave in each language
(``$re ... says: {en, ko}``) are put in place whole, before any phrase is
read, so that no phrase of the author's English is translated on its own.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import replace
from functools import lru_cache

from grader.result import CheckResult

_NUMBER = r"-?\d+(?:\.\d+)?(?:e[+-]?\d+)?"
_UNITS = {"characters": "글자", "items": "항목", "keys": "키"}  # what $len counted
_BOUNDS = {"above": "초과", "at least": "이상", "below": "미만", "at most": "이하"}

# In order: the longer phrases first, a bare type word last.
# Quoted values (what the app sent, a key, a literal of the spec) are set aside while phrases are
# replaced, so a value that happens to read "a number" stays as it was sent. A matcher shown
# inside a value ("<a number above 0>") is a description, and is translated.
_QUOTED = re.compile(r"(?<![\w])(\"(?:[^\"\\]|\\.)*\"|'(?:[^'\\]|\\.)*')")
_KEY = "(\x00\\d+\x00)"  # a key, set aside
_PHRASES: list[tuple[re.Pattern[str], str]] = [
    # what a JSON object lacked, or had too many of
    (re.compile(r"\bkey " + _KEY + r" \("), r"\1 키 ("),
    (re.compile(r"\bno such key in "), "이 키가 없는 객체: "),
    (re.compile(r"\bexactly the keys (\[)"), r"정확히 이 키만: \1"),
    (re.compile(r"\bextra keys? ((?:" + _KEY + r", )*" + _KEY + r") in "), r"남는 키 \1: "),
    (re.compile(r"\ban array of (\d+) items\b"), r"항목 \1개짜리 배열"),
    (re.compile(r"… \((\d+) characters\)"), r"… (모두 \1글자)"),
    (re.compile(r"… \((\d+) bytes\)"), r"… (모두 \1바이트)"),
    (re.compile(r", which is not a date-time\b"), ": 날짜·시각이 아니에요"),
    (re.compile(r", (\d+) s away\b"), r": \1초 차이"),
    (re.compile(r"\ba local date-time within (" + _NUMBER + r") s of now"), r"지금부터 \1초 안의 현지 날짜·시각"),
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
    (re.compile(r"\ban object\b"), "객체"),
    (re.compile(r"\ban array\b"), "배열"),
    (re.compile(r"\ba mapping\b"), "객체"),
    (re.compile(r"\ba list\b"), "배열"),
    (re.compile(r"\ba boolean\b"), "불리언"),
    (re.compile(r"\ba number\b"), "숫자"),
    (re.compile(r"\ba string\b"), "문자열"),
]


@lru_cache(maxsize=64)
def _authored(english: tuple[str, ...]) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """The author's English words (the longest first, so one that holds another wins), and the same or a quoted
    value: one pass over a text finds both, so the author's words inside a value the app sent stay as sent."""
    words = "|".join(re.escape(e) for e in sorted(english, key=len, reverse=True)) or "(?!)"
    return re.compile(f"(?P<said>{words})"), re.compile(f"(?P<said>{words})|{_QUOTED.pattern}")


def matcher_words(text: str, lang: str, said: Mapping[str, str] | None = None) -> str:
    """``text`` with every matcher description in it in ``lang`` (English: unchanged).

    ``said``: the spec author's own words in ``lang``, by their English; each is put in place whole.
    """
    if lang != "ko" or not text:
        return text
    said = said or {}
    authored, authored_or_quoted = _authored(tuple(said))
    aside: list[str] = []

    def keep(kept: str) -> str:
        aside.append(kept)
        return f"\x00{len(aside) - 1}\x00"

    def author(found: re.Match[str]) -> str:
        return keep(said[found[0]])

    def set_aside(found: re.Match[str]) -> str:
        if found["said"] is not None:
            return author(found)
        if found[0].startswith('"<'):  # a matcher shown inside a value: read on, the author's words whole
            return authored.sub(author, found[0])
        return keep(found[0])

    text = authored_or_quoted.sub(set_aside, text)
    for pattern, words in _PHRASES:
        text = pattern.sub(words, text)
    return re.sub("\x00(\\d+)\x00", lambda found: aside[int(found[1])], text)


def localized(result: CheckResult, lang: str, says: Sequence[Mapping[str, str]] = ()) -> CheckResult:
    """A check's result with the spec's expectations and the learner's exceptions in ``lang``.

    ``says``: the exercise's matcher words per language (``Exercise.says``).
    """
    failure = result.failure
    if lang != "ko" or failure is None:
        return result
    said = {text["en"]: text[lang] for text in says if lang in text}
    message, actual = failure.message, failure.actual
    for error in failure.errors:
        english = error.headline()
        if error.where is not None:
            korean = f"{error.type}: {error.message}" if error.message else error.type
            korean += f" ({error.where.file}:{error.where.line})"
            message = message.replace(english, korean)
            actual = actual.replace(english, korean) if actual else actual
    return replace(result, failure=replace(failure, message=matcher_words(message, lang, said),
                                           expected=matcher_words(failure.expected or "", lang, said)
                                           or failure.expected,
                                           actual=matcher_words(actual or "", lang, said) or actual))
