"""``grade EXERCISE --watch``: grade again on every save, until Ctrl-C.

A warm template keeps FastAPI imported between saves, while every grading
still imports the learner's file fresh in a new child, so a verdict follows
a save in about a tenth of a second.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from grader.i18n import t
from grader.judge.launch import Template
from grader.judge.run import Options, grade
from grader.result import Result
from grader.spec import Exercise

CLEAR = "\x1b[2J\x1b[H"


def watch(exercise: Exercise, app_path: Path, options: Options, report: Callable[[Result], int],
          stop: threading.Event | None = None, rounds: int | None = None) -> int:
    """Grade now and after every change of ``app_path``; return the last exit code.

    ``stop`` and ``rounds`` let a test end the loop; a learner ends it with Ctrl-C.
    """
    import watchfiles

    stop = stop or threading.Event()
    code = 1
    with Template() as template:
        warm = replace(options, launcher=template)
        done = 0
        try:
            while True:
                if sys.stdout.isatty():
                    sys.stdout.write(CLEAR)
                code = report(grade(exercise, app_path, warm))
                print("\n" + t("watching", options.lang, path=app_path), flush=True)
                done += 1
                if rounds is not None and done >= rounds:
                    return code
                if not app_path.exists():
                    # Not written yet, perhaps in a folder not made yet (`grade start` makes both): there
                    # is nothing to watch, so look for it until it is there, then grade it.
                    while not app_path.exists():
                        if stop.wait(0.2):
                            return code
                    continue
                changed = False
                for changes in watchfiles.watch(app_path.parent, stop_event=stop, debounce=50, step=20,
                                                rust_timeout=200, yield_on_timeout=False):
                    if any(Path(path).resolve() == app_path.resolve() for _, path in changes):
                        changed = True
                        break
                if not changed:  # stopped
                    return code
        except KeyboardInterrupt:
            return code
