"""Expected against actual JSON, as the key paths where they differ.

The judge's failure already names the first path that differs; a reader
fixing their answer wants every difference at once, so when both sides of a
failure are JSON documents this lists them all: a key missing, a key extra,
a value or a type changed, an array of another length.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from grader.i18n import say

LIMIT = 20  # differences listed; the rest are counted


@dataclass(frozen=True)
class Difference:
    path: str
    what: str  # missing, extra, changed
    expected: str
    actual: str


def parse(text: str | None) -> tuple[bool, Any]:
    if text is None:
        return False, None
    try:
        return True, json.loads(text)
    except ValueError:
        return False, None


def differences(expected: Any, actual: Any, path: str = "$") -> list[Difference]:
    if isinstance(expected, dict) and isinstance(actual, dict):
        found: list[Difference] = []
        for key in expected:
            sub = _child(path, key)
            if key not in actual:
                found.append(Difference(sub, "missing", _show(expected[key]), ""))
            else:
                found += differences(expected[key], actual[key], sub)
        found += [Difference(_child(path, key), "extra", "", _show(actual[key])) for key in actual if key not in expected]
        return found
    if isinstance(expected, list) and isinstance(actual, list):
        found = []
        for index, (left, right) in enumerate(zip(expected, actual, strict=False)):
            found += differences(left, right, f"{path}[{index}]")
        found += [Difference(f"{path}[{i}]", "missing", _show(v), "") for i, v in enumerate(expected) if i >= len(actual)]
        found += [Difference(f"{path}[{i}]", "extra", "", _show(v)) for i, v in enumerate(actual) if i >= len(expected)]
        return found
    if _same(expected, actual):
        return []
    return [Difference(path, "changed", _show(expected), _show(actual))]


def describe(what: str, lang: str) -> str:
    if what == "missing":
        return say(lang, "missing")
    if what == "extra":
        return say(lang, "not expected")
    return say(lang, "differs")


def _same(left: Any, right: Any) -> bool:
    # As the judge matches: numbers by value, but true is not 1.
    if isinstance(left, bool) or isinstance(right, bool):
        return type(left) is type(right) and left == right
    return bool(left == right)


def _child(path: str, key: str) -> str:
    return f"{path}.{key}" if key.isidentifier() else f"{path}[{json.dumps(key, ensure_ascii=False)}]"


def _show(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)
