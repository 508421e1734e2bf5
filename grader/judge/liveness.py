"""Whether an app host is alive, frozen or only starved of CPU: what the judge concludes from its signs of life.

A base of :class:`grader.judge.link.Link`: the link records each frame it
hears and each bit of progress; the clock and the run ask how long the host
has been quiet and, past its real-time limit, whether it is frozen.
"""

from __future__ import annotations

import os
import time


class Liveness:
    """The host's signs of life, and the rules that tell a frozen app from a starved one."""

    def __init__(self, stall_seconds: float) -> None:
        self.stall_seconds = stall_seconds
        self.held = False  # the host's worker threads are running (its last sign of life said so)
        self.last_heard = time.monotonic()
        # When the host last moved anything on (see quiet_for), and the clock then.
        self._progress_at = self.last_heard
        self._progress_ns = -1
        # The host process (its reaper, once sandboxed): to tell a frozen app from a starved one.
        self.pid: int | None = None
        self._probe: tuple[float, int] | None = None

    def now_ns(self) -> int:
        """The judge's clock, in nanoseconds (the link's loop)."""
        raise NotImplementedError

    def _progressed(self) -> None:
        self._progress_at = time.monotonic()
        self._probe = None

    def quiet_for(self, now: float) -> float:
        """Real seconds since the host last moved anything on: a frame for a client, an answer, an idle moment, or
        the clock (which follows a busy host's CPU time, and real time while its worker threads run).

        "busy" alone is no progress: a host that says it is busy while nothing moves is frozen like a silent one.
        A host whose worker threads hold the clock is judged by its signs of life, as the clock follows
        real time for it.
        """
        if self.held:
            return now - self.last_heard
        moved = self.now_ns()
        if moved != self._progress_ns:
            self._progress_ns = moved
            self._progress_at, self._probe = now, None
        # Progress is always heard, so a silence is never shorter than the quiet.
        return now - min(self._progress_at, self.last_heard)

    def cpu_seconds(self) -> float | None:
        """CPU time the learner's process has used so far (None if unknown, e.g. a host in a thread)."""
        sample = _activity(self.pid) if self.pid is not None else None
        return None if sample is None else sample[1] / _TICKS_PER_SECOND

    def frozen(self, now: float) -> bool:
        """The host has been silent past its limit: is its app frozen, or only starved of CPU?

        A loop frozen by a blocking call sleeps; one frozen by a busy loop burns
        CPU. A process that is ready to run but barely ran was starved by a busy
        machine: it gets up to four times the limit before it counts as frozen,
        so a loaded machine does not fail a learner's working app.
        """
        sample = _activity(self.pid) if self.pid is not None else None
        if sample is None or self.quiet_for(now) >= self.stall_seconds * 4:
            return True
        state, ticks = sample
        if self._probe is None:
            self._probe = (now, ticks)
            return False
        then, before = self._probe
        if now - then < 0.25:
            return False
        share = (ticks - before) / _TICKS_PER_SECOND / (now - then)
        self._probe = (now, ticks)
        return not (state == "R" and share < 0.1)


_TICKS_PER_SECOND = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _activity(pid: int) -> tuple[str, int] | None:
    """(scheduler state, CPU ticks used) of the process running learner code under ``pid``; None if unknown."""
    try:
        children = open(f"/proc/{pid}/task/{pid}/children").read().split()  # noqa: SIM115
        target = int(children[0]) if children else pid
        with open(f"/proc/{target}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return fields[0], int(fields[11]) + int(fields[12])
    except (OSError, ValueError, IndexError):
        return None
