"""uvicorn's log cut to the learner's own lines.

When the app runs under a real uvicorn (``--server uvicorn``, ``grade try``),
an exception reaches uvicorn's logger, which prints the whole traceback:
uvicorn's, Starlette's and FastAPI's frames around the one or two lines the
learner wrote. The learner's report keeps the log's other lines and, of a
traceback, only the frames in the learner's file (named as they name it),
as the default mode's report does. A record uvicorn logs again word for
word (the same exception, from the same lines, in one check after another)
is shown once, with how many times it was logged: one cause, one message.
"""

from __future__ import annotations

import re

from grader import wire
from grader.i18n import say

_FRAME = re.compile(r'\s+File "([^"]+)", line \d+')
_PREFIX = wire.SANDBOX_APP_DIR + "/"
_RECORD = re.compile(r"(ERROR|WARNING|CRITICAL|INFO|DEBUG):\s")  # uvicorn's default log format: "ERROR:    ..."
_CHAINED = ("During handling of the above exception", "The above exception was the direct cause")


class Trimmer:
    """Fed one line at a time (a log being followed); says which lines to show and how."""

    def __init__(self) -> None:
        self._skipping = False

    def line(self, line: str) -> str | None:
        """The line to show, or None for a frame (or its code and carets) that is not the learner's."""
        frame = _FRAME.match(line)
        if frame:
            self._skipping = not frame.group(1).startswith(_PREFIX)
            return None if self._skipping else line.replace(_PREFIX, "")
        if self._skipping and line.startswith("    "):
            return None
        self._skipping = False
        return line


def learners_only(text: str, lang: str = "en", limit: int | None = None) -> str:
    """A whole log, trimmed, each repeated record once with its count; at most ``limit`` characters of whole lines."""
    trimmer = Trimmer()
    kept = [shown for shown in map(trimmer.line, text.splitlines()) if shown is not None]
    pieces = _pieces(kept)
    counts: dict[tuple[str, ...], int] = {}
    for piece, is_record in pieces:
        if is_record:
            counts[piece] = counts.get(piece, 0) + 1
    lines: list[str] = []
    for piece, is_record in pieces:
        times = counts.get(piece, 0) if is_record else 0
        if times == 0 and is_record:
            continue  # shown already, where it was first logged
        lines.extend(piece)
        if times > 1:
            lines.append(say(lang, "(uvicorn logged this {n} times in all)", n=times))
        if is_record:
            counts[piece] = 0
    if limit is not None:
        lines = _fitting(lines, limit)
    return "\n".join(lines) + ("\n" if text.endswith("\n") and lines else "")


def _pieces(lines: list[str]) -> list[tuple[tuple[str, ...], bool]]:
    """The log as pieces: a record uvicorn logged with its traceback (True), or one other line (False)."""
    pieces: list[tuple[tuple[str, ...], bool]] = []
    at = 0
    while at < len(lines):
        if not _RECORD.match(lines[at]):
            pieces.append(((lines[at],), False))
            at += 1
            continue
        end = at + 1
        while end < len(lines) and lines[end] == "Traceback (most recent call last):":
            end += 1
            while end < len(lines) and lines[end].startswith(" "):
                end += 1  # its frames (the learner's, once trimmed) and their code
            if end < len(lines) and lines[end] and not _RECORD.match(lines[end]):
                end += 1  # the exception itself: "KeyError: 'type'"
            # An exception raised while handling another: the traceback goes on after a blank line.
            if end + 2 < len(lines) and lines[end] == "" and lines[end + 1].startswith(_CHAINED) and not lines[end + 2]:
                end += 3
        pieces.append((tuple(lines[at:end]), True))
        at = end
    return pieces


def _fitting(lines: list[str], limit: int) -> list[str]:
    """The first lines that fit in ``limit`` characters (a log cut mid-line could show half a path)."""
    size = 0
    for count, line in enumerate(lines):
        size += len(line) + 1
        if size > limit:
            return lines[:count]
    return lines
