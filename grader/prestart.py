"""Start the grading child before the parent has even read the spec.

The child spends most of its start-up importing FastAPI; the parent spends
its own start-up importing the grader and loading the spec. Starting the
child first makes the two overlap: ``grade t3l2`` then costs little more
than the import of FastAPI itself. The spare child waits for its job on
stdin; if none comes, it is killed at exit.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from grader.protocol import EVENT_FD_ENV, child_env


@dataclass
class Spare:
    proc: subprocess.Popen[bytes]
    events: int
    output: Path


_spare: Spare | None = None


def prestart() -> None:
    """Spawn a worker now; :func:`take` hands it to the first grading run."""
    global _spare
    if _spare is not None:
        return
    read_fd, write_fd = os.pipe()
    out_fd, output = tempfile.mkstemp(prefix="grader-output-", suffix=".txt")
    try:
        proc = subprocess.Popen(
            [sys.executable, "-m", "grader.worker"],
            stdin=subprocess.PIPE,
            stdout=out_fd,
            stderr=out_fd,
            pass_fds=(write_fd,),
            cwd=tempfile.gettempdir(),
            env=child_env(**{EVENT_FD_ENV: str(write_fd)}),
            start_new_session=True,
        )
    finally:
        os.close(write_fd)
        os.close(out_fd)
    _spare = Spare(proc, read_fd, Path(output))
    atexit.register(_discard)


def take() -> Spare | None:
    global _spare
    spare, _spare = _spare, None
    return spare


def _discard() -> None:
    spare = take()
    if spare is None:
        return
    with contextlib.suppress(OSError):
        os.killpg(spare.proc.pid, 9)
    spare.proc.wait()
    os.close(spare.events)
    with contextlib.suppress(OSError):
        spare.output.unlink()
