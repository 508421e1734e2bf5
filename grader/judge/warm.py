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
import socket
import threading
from pathlib import Path
from typing import Any

from grader import wire
from grader.judge import prestart
from grader.judge.launch import Forking, HostProcess, Launcher, Template
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

    def request(self, output: Path) -> Forking:
        return self.template.request(output)

    def close(self) -> None:
        self.template.close()


class Ahead:
    """The next host of a grading, started while the current check runs.

    It is launched (a fork of the template) and sent its job marked ``hold``:
    it builds its sandbox (namespaces, reaper, private root) and then waits,
    still without any learner code and before it gives up root, for the
    judge's go. The judge says go only once the host before it has ended and
    been swept, so two hosts' learner code never overlap.

    A template is only asked here (the job waits in the new host's wire until
    it reads it); the judge takes the host when its turn comes. Any other
    launcher starts it on a thread of its own.
    """

    def __init__(self, launcher: Launcher, output: Path, job: dict[str, Any]) -> None:
        self._host: HostProcess | None = None
        self._forking: Forking | None = None
        self._thread: threading.Thread | None = None
        self._error: BaseException | None = None
        self._job = job
        request = getattr(launcher, "request", None)
        if request is None:
            self._thread = threading.Thread(target=self._start, args=(launcher, output), name="grader-ahead",
                                            daemon=True)
            self._thread.start()
            return
        try:
            self._forking = request(output)
        except BaseException as exc:  # noqa: BLE001 - raised again by take(), when the host is needed
            self._error = exc
            return
        self._send(self._forking.wire)

    def _send(self, to: socket.socket) -> None:
        with contextlib.suppress(OSError):  # a host gone already is found dead when its turn comes
            to.sendall(wire.encode({**self._job, "hold": True, "t": 0}))

    def _start(self, launcher: Launcher, output: Path) -> None:
        try:
            host = launcher.launch(output)
        except BaseException as exc:  # noqa: BLE001 - raised again on the judge's thread by take()
            self._error = exc
            return
        self._send(host.wire)
        self._host = host

    def take(self) -> HostProcess:
        """The host, once launched; what its launch raised, raised here."""
        if self._thread is not None:
            self._thread.join()
        forking, self._forking = self._forking, None
        if forking is not None:
            try:
                self._host = forking.take()
            except OSError:
                # The template died before it forked this host: one more from a template started anew.
                forking.abandon()
                host = forking.template.launch(forking.output)
                self._send(host.wire)
                self._host = host
        if self._error is not None:
            raise self._error
        assert self._host is not None
        host, self._host = self._host, None
        return host

    def close(self) -> None:
        """End the host if it was never taken."""
        with contextlib.suppress(Exception):  # a launch that failed has nothing to end
            self.take().close()
