"""What the learner's app printed in one grading run: per check, and in all.

Each host writes its output unbuffered to a file of its own (a prestarted
host has its own), so what a file grew by during a check is what that check
made the app print. Under uvicorn most of a log is the server's own frames,
which are cut to the learner's lines before the size limit applies.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

from grader.judge.trim import learners_only

# How much more of a uvicorn log is read than is kept: its own frames are cut from it first.
TRIMMED_SHARE = 16


class AppOutput:
    """The output files of one run's hosts, read back within the run's output limit."""

    def __init__(self, path: Path, keep_bytes: int, uvicorn: bool, lang: str) -> None:
        self.path = path  # where hosts the run starts itself write
        self.keep = keep_bytes
        self.uvicorn = uvicorn
        self.lang = lang
        self.others: list[Path] = []  # a prestarted host writes its own file

    def adopt(self, output: Path) -> None:
        """A host's output file joins the run's (once), whoever started the host."""
        if output != self.path and output not in self.others:
            self.others.append(output)

    def during(self, path: Path, offset: int) -> str:
        """What the app printed during one check; uvicorn's tracebacks cut to the learner's lines."""
        if not self.uvicorn:
            return read_from(path, offset, self.keep)
        return learners_only(read_from(path, offset, self.keep * TRIMMED_SHARE), self.lang, self.keep)

    def whole(self) -> tuple[str, int]:
        """Everything the app printed in the run, and how many characters of it were left out."""
        keep = self.keep
        read = keep * TRIMMED_SHARE if self.uvicorn else keep
        text, size = "", 0
        for path in [*self.others, self.path]:
            try:
                size += path.stat().st_size
            except OSError:
                continue
            if len(text) < read:
                text += _read(path, read - len(text))
        for path in self.others:
            with contextlib.suppress(OSError):
                path.unlink()
        if not self.uvicorn:
            return text, max(0, size - keep)
        shown = learners_only(text, self.lang, keep)
        return shown, max(0, size - len(text)) + max(0, len(learners_only(text, self.lang)) - len(shown))


def size_of(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def read_from(path: Path, offset: int, limit: int) -> str:
    """At most ``limit`` bytes of ``path`` from ``offset``, as text."""
    try:
        with path.open("rb") as file:
            file.seek(offset)
            return file.read(limit).decode("utf-8", "replace")
    except OSError:
        return ""


def _read(path: Path, limit: int) -> str:
    return read_from(path, 0, limit)
