"""Hosts for a grading that starts the app anew for several checks.

A check with ``fresh_app`` (every check of a 1.2 spec, unless it opts out)
runs on a newly imported app, which takes a new host. Spawning each one
costs a whole interpreter and FastAPI's import; forking it from a warm
template costs the sandbox and the learner's own import. So such a grading
forks every host from a template: the host spawned before the spec was read
(which has imported FastAPI and nothing of a learner's) becomes that
template, and without one a template is started. ``grade batch`` and
``grade check`` already hand every grading a template and are left alone.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from grader import wire
from grader.judge import prestart
from grader.judge.launch import HostProcess, Template
from grader.spec import Exercise

# Fresh starts past the first host from which a template pays for itself: with the
# prestarted host adopted as the template, one fork is cheaper than one more interpreter.
WORTH_IT = 1


def fresh_starts(exercise: Exercise, runs: list[int]) -> int:
    """How many hosts past the first a grading of these checks starts for fresh apps."""
    conversations = [exercise.checks[i] for i in runs if exercise.checks[i].source is None]
    return sum(check.fresh_app for check in conversations[1:])


class WarmLauncher:
    """Every host forked from one template: the prestarted host, adopted, or a new one."""

    def __init__(self) -> None:
        self.template = Template(adopted=prestart.take())

    def launch(self, output: Path) -> HostProcess:
        return self.template.launch(output)

    def close(self) -> None:
        self.template.close()


class Ahead:
    """The next host of a grading, started while the current check runs.

    On a thread of its own it is launched (a fork of the template) and sent its
    job marked ``hold``: it builds its sandbox (namespaces, reaper, private
    root) and then waits, still without any learner code and before it gives
    up root, for the judge's go. The judge says go only once the host before
    it has ended and been swept, so two hosts' learner code never overlap.
    """

    def __init__(self, launch: Callable[[], HostProcess], job: dict[str, Any]) -> None:
        self._host: HostProcess | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._start, args=(launch, job), name="grader-ahead", daemon=True)
        self._thread.start()

    def _start(self, launch: Callable[[], HostProcess], job: dict[str, Any]) -> None:
        try:
            host = launch()
        except BaseException as exc:  # noqa: BLE001 - raised again on the judge's thread by take()
            self._error = exc
            return
        with contextlib.suppress(OSError):  # a host gone already is found dead when its turn comes
            host.wire.sendall(wire.encode({**job, "hold": True, "t": 0}))
        self._host = host

    def take(self) -> HostProcess:
        """The host, once launched; what its launch raised, raised here."""
        self._thread.join()
        if self._error is not None:
            raise self._error
        assert self._host is not None
        host, self._host = self._host, None
        return host

    def close(self) -> None:
        self._thread.join()
        if self._host is not None:
            self._host.close()
            self._host = None
