"""Reading a file the app left in its work folder, for ``expect_file``.

The app is still running while the judge reads (its threads too), so the
file can be swapped for anything between two system calls: a link to the
judge's own ``/proc/self/environ``, a FIFO that would block ``open()``, a
file that keeps growing. It is therefore read by :mod:`grader.files`:
opened relative to the work folder with no link followed on the way,
``O_NONBLOCK``, judged by ``fstat`` on the descriptor (a regular file, or
nothing is read), and never more than the expected size plus a little.
"""

from __future__ import annotations

from pathlib import Path

from grader import files
from grader.files import Refused

# Bytes read beyond the expected content, to show what a longer file holds.
EXTRA = 4096


def read(workdir: Path, path: str, expected_size: int) -> bytes:
    """The file at ``path`` below ``workdir``; raises :class:`grader.files.Refused` (TOO_LARGE when it
    holds more than the expected size plus :data:`EXTRA`, with its size)."""
    return files.read_below(workdir, path, expected_size + EXTRA).data


__all__ = ["EXTRA", "Refused", "read"]
