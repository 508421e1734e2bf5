"""What the parent and the grading child agree on (kept free of heavy imports)."""

from __future__ import annotations

import os
from pathlib import Path

EVENT_FD_ENV = "GRADER_EVENT_FD"
# The trace file starts with the label of the step being run, padded to this size.
LABEL_BYTES = 512
# After one check hung, later checks of the same run get this much wall time at
# most: the app has shown it blocks, and a correct check needs milliseconds.
AFTER_HANG_SECONDS = 1.0

_PACKAGE_PARENT = str(Path(__file__).resolve().parent.parent)


def child_env(**extra: str) -> dict[str, str]:
    """The environment of a grading child: ours, plus the grader importable and unbuffered output."""
    env = dict(os.environ)
    env["PYTHONPATH"] = _PACKAGE_PARENT + os.pathsep + env.get("PYTHONPATH", "")
    env["PYTHONUNBUFFERED"] = "1"
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env.update(extra)
    return env
