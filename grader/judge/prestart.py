"""Start the app host before the judge has even read the spec.

The host spends most of its start-up importing FastAPI; the judge spends its
own start-up importing the grader and loading the spec. Starting the host
first makes the two overlap: ``grade t3l2`` then costs little more than the
import of FastAPI itself. The spare host waits for its job; if none comes,
it is killed at exit.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import tempfile
from pathlib import Path

from grader.judge.launch import HostProcess, spawn_host

_spare: HostProcess | None = None


def prestart() -> None:
    """Spawn a host now; :func:`take` hands it to the first grading run."""
    global _spare
    if _spare is not None:
        return
    fd, output = tempfile.mkstemp(prefix="grader-output-", suffix=".txt")
    os.close(fd)
    _spare = spawn_host(Path(output), adoptable=True)  # a grading of fresh apps makes it their template
    atexit.register(_discard)


def take() -> HostProcess | None:
    global _spare
    spare, _spare = _spare, None
    return spare


def _discard() -> None:
    spare = take()
    if spare is None:
        return
    spare.close()
    with contextlib.suppress(OSError):
        spare.output.unlink()
