"""JSON from an app, read and written whatever its depth or its numbers.

``json.loads`` recurses once per nesting level and raises RecursionError
past about a thousand (``"[" * 5000 + "]" * 5000`` is valid JSON), and
refuses integers of more than 4300 digits (``sys.get_int_max_str_digits()``),
both of which an app can send. Here such text is
still read as the JSON it is: deep text by a parser with its own stack
instead of the interpreter's, integers too long to convert as floats (as
JavaScript reads them). :func:`dumps` writes what :func:`loads` reads.
"""

from __future__ import annotations

import json
import sys
from json.decoder import WHITESPACE, scanstring
from json.scanner import NUMBER_RE
from typing import Any

_MAX_DIGITS = 4000
_LITERALS = {"true": True, "false": False, "null": None, "NaN": float("nan"), "Infinity": float("inf"),
             "-Infinity": float("-inf")}


def loads(text: str) -> Any:
    """The JSON value of ``text``; ValueError if it is not JSON (never another exception)."""
    try:
        return json.loads(text, parse_int=_int)
    except RecursionError:
        return _loads_deep(text)


def _int(digits: str) -> int | float:
    return int(digits) if len(digits) <= _MAX_DIGITS else float(digits)


def _ws(text: str, at: int) -> int:
    return WHITESPACE.match(text, at).end()  # type: ignore[union-attr]


def _key(text: str, at: int) -> tuple[str, int]:
    if text[at : at + 1] != '"':
        raise ValueError(f"Expecting property name enclosed in double quotes at {at}")
    key, at = scanstring(text, at + 1)
    at = _ws(text, at)
    if text[at : at + 1] != ":":
        raise ValueError(f"Expecting ':' delimiter at {at}")
    return key, _ws(text, at + 1)


def _scalar(text: str, at: int) -> tuple[Any, int]:
    if text[at : at + 1] == '"':
        return scanstring(text, at + 1)
    for word, value in _LITERALS.items():
        if text.startswith(word, at):
            return value, at + len(word)
    found = NUMBER_RE.match(text, at)
    if found is None:
        raise ValueError(f"Expecting value at {at}")
    integer, fraction, exponent = found.groups()
    if fraction or exponent:
        return float(integer + (fraction or "") + (exponent or "")), found.end()
    return _int(integer), found.end()


def _loads_deep(text: str) -> Any:
    """The same value as ``json.loads``, with the open containers on a list instead of the call stack."""
    stack: list[list[Any]] = []  # [container, the key its next value goes under]
    at = _ws(text, 0)
    while True:
        opener = text[at : at + 1]
        if opener in ("[", "{"):
            at = _ws(text, at + 1)
            if text[at : at + 1] == ("]" if opener == "[" else "}"):
                value: Any = [] if opener == "[" else {}
                at += 1
            elif opener == "[":
                stack.append([[], None])
                continue
            else:
                key, at = _key(text, at)
                stack.append([{}, key])
                continue
        else:
            value, at = _scalar(text, at)
        # A value is complete: store it in its container, and close every container that ends here.
        while True:
            if not stack:
                if _ws(text, at) != len(text):
                    raise ValueError(f"Extra data at {at}")
                return value
            top = stack[-1]
            container = top[0]
            if isinstance(container, list):
                container.append(value)
            else:
                container[top[1]] = value
            at = _ws(text, at)
            mark = text[at : at + 1]
            if mark == ",":
                at = _ws(text, at + 1)
                if isinstance(container, dict):
                    top[1], at = _key(text, at)
                break
            closer = "]" if isinstance(container, list) else "}"
            if mark != closer:
                raise ValueError(f"Expecting ',' delimiter or {closer!r} at {at}")
            at += 1
            stack.pop()
            value = container


class _Token(str):
    """Text to write as it is (not a JSON string value)."""


def dumps(value: Any, limit: int = sys.maxsize) -> str:
    """``json.dumps(value, ensure_ascii=False)`` at any depth, stopping once past ``limit`` characters."""
    try:
        return json.dumps(value, ensure_ascii=False)
    except RecursionError:
        pass
    parts: list[str] = []
    size = 0
    todo: list[Any] = [value]
    while todo and size <= limit:
        item = todo.pop()
        if isinstance(item, _Token):
            piece = str(item)
        elif isinstance(item, list | tuple):
            todo.append(_Token("]"))
            for index in range(len(item) - 1, -1, -1):
                todo.append(item[index])
                if index:
                    todo.append(_Token(", "))
            piece = "["
        elif isinstance(item, dict):
            todo.append(_Token("}"))
            entries = list(item.items())
            for index in range(len(entries) - 1, -1, -1):
                key, child = entries[index]
                todo.append(child)
                todo.append(_Token(json.dumps(str(key), ensure_ascii=False) + ": "))
                if index:
                    todo.append(_Token(", "))
            piece = "{"
        else:
            piece = json.dumps(item, ensure_ascii=False, default=str)
        parts.append(piece)
        size += len(piece)
    return "".join(parts)
