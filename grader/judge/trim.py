"""uvicorn's log cut to the learner's own lines.

When the app runs under a real uvicorn (``--server uvicorn``, ``grade try``),
an exception reaches uvicorn's logger, which prints the whole traceback:
uvicorn's, Starlette's and FastAPI's frames around the one or two lines the
learner wrote. The learner's report keeps the log's other lines and, of a
traceback, only the frames in the learner's file (named as they name it),
as the default mode's report does.
"""

from __future__ import annotations

import re

from grader import wire

_FRAME = re.compile(r'\s+File "([^"]+)", line \d+')
_PREFIX = wire.SANDBOX_APP_DIR + "/"


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


def learners_only(text: str) -> str:
    """A whole log, trimmed."""
    trimmer = Trimmer()
    kept = [shown for shown in map(trimmer.line, text.splitlines()) if shown is not None]
    return "\n".join(kept) + ("\n" if text.endswith("\n") and kept else "")
