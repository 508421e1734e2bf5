"""The judge's virtual clock: it jumps to the next timer when the judge and the host are both idle.

Checks that wait through seconds of silence (heartbeats, timeouts) then cost
milliseconds of wall time. asyncio, anyio and httpx-ws all read
``loop.time()``, so their timers follow the virtual clock; the host's loop
reads the same clock from the wire (see ``grader/host/clock.py``).

With a host attached this is a conservative co-simulation: time moves only
when the judge has nothing ready *and* the host has said it is idle after
reading everything sent to it. The clock then jumps to the earlier of the
two next timers; if that is the host's, the host is told the new time.
While the host is busy the judge waits for it in real time, up to the
real-time limit, which the host cannot stop: a host that says nothing for
that long is frozen (a blocking call, a busy loop) and its link dies.
Time is kept in integer nanoseconds, so sums of waits are exact.
"""

from __future__ import annotations

import asyncio
import selectors
import time
from typing import TYPE_CHECKING, Any

from grader import wire

if TYPE_CHECKING:
    from grader.judge.link import Link

# A loop (or host) that is never idle (an endpoint spinning on
# `await asyncio.sleep(0)`) would freeze the virtual clock, and every deadline
# with it. After this much real time without an idle moment, the clock
# follows real time instead.
_BUSY_GRACE = 0.25
# A host that said nothing for this long (real seconds) is silent, not busy.
_SILENT = 0.2
# A silent host that may only be starved of CPU is looked at again this often.
_STARVED_POLL = 0.1
# With nothing scheduled anywhere, look again this often (real seconds).
_NOTHING_POLL = 1.0


class _VirtualSelector:
    """Wraps the loop's selector: a wait for a timer becomes a jump of the clock."""

    def __init__(self, inner: selectors.BaseSelector, loop: VirtualClockLoop) -> None:
        self._inner = inner
        self._loop = loop

    def select(self, timeout: float | None = None) -> list[Any]:
        loop = self._loop
        if loop.link is not None:
            loop.link.flush()
        events = self._inner.select(0)
        if timeout == 0:
            loop.busy()
            return events
        link = loop.link
        host_working = link is not None and not link.idle
        if events:
            loop.idle(host_idle=not host_working)
            if host_working:
                assert link is not None
                loop.host_busy(link)
            return events
        if host_working:
            assert link is not None
            return self._wait_for_host(link)
        loop.idle()
        host_next = link.host_next if link is not None and link.dead is None else None
        mine = loop.next_timer_ns()
        if host_next is not None and (mine is None or host_next <= mine):
            loop.advance_to_ns(host_next)
            assert link is not None
            link.send({"op": "time"})
            return []
        if mine is None:
            # Nothing scheduled here or in the host: only outside I/O can wake us.
            return self._inner.select(None if link is None else _NOTHING_POLL)
        loop.advance_to_ns(mine)
        return []

    def _wait_for_host(self, link: Link) -> list[Any]:
        """The host is working: wait for it in real time, and notice when it froze."""
        loop = self._loop
        now = time.monotonic()
        if now >= link.deadline:
            link.die(_death("OVERTIME"), "the whole run took too long")
            return []
        # Measured from the host's last progress, not its last word: a host that keeps
        # saying "busy" while neither its frames nor the clock move is as frozen as a silent one.
        since = link.quiet_for(now)
        if since >= link.stall_seconds:
            if link.frozen(now):
                link.die(_death("STALLED"), f"no progress for {since:.1f} s")
                return []
            wait = _STARVED_POLL
        else:
            wait = min(link.stall_seconds - since, _BUSY_GRACE)
        events = self._inner.select(wait)
        loop.idle(host_idle=False)
        loop.host_busy(link)
        return events

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


def _death(name: str) -> Any:
    from grader.judge.link import Death

    return Death[name]


class VirtualClockLoop(asyncio.SelectorEventLoop):
    """A selector event loop whose ``time()`` only moves when the loop (and its host) would sleep."""

    def __init__(self, link: Link | None = None) -> None:
        super().__init__()
        self._selector = _VirtualSelector(self._selector, self)  # type: ignore[has-type, arg-type]
        self.now_ns = 0
        self.link = link
        # The judge's own busy spells are measured in its CPU time: a judge a busy machine keeps
        # waiting has done nothing that should move the clock.
        self._busy_since = time.thread_time()
        self._host_busy_since: float | None = None
        self._host_cpu_since: float | None = None  # the host's CPU seconds when its busy spell began

    def time(self) -> float:
        return self.now_ns / 1e9

    @property
    def elapsed(self) -> float:
        """Virtual seconds since the loop was created."""
        return self.now_ns / 1e9

    def next_timer_ns(self) -> int | None:
        scheduled = self._scheduled  # type: ignore[attr-defined]
        return wire.to_ns(scheduled[0].when()) if scheduled else None

    def idle(self, host_idle: bool = True) -> None:
        """The judge has nothing ready (and, unless told otherwise, neither has the host)."""
        self._busy_since = time.thread_time()
        if host_idle:
            self._host_busy_since = None

    def busy(self) -> None:
        now = time.thread_time()
        if now - self._busy_since > _BUSY_GRACE:
            self.advance_to_ns(self.now_ns + round((now - self._busy_since) * 1e9))
            self._busy_since = now

    def host_busy(self, link: Link) -> None:
        """The host has been busy a while without idling: follow real time, and tell it."""
        now = time.monotonic()
        if self._host_busy_since is None or now - link.last_heard > _SILENT:
            # Only a host that shows signs of life moves time: a silent one may be
            # starved of CPU, and its timers must not fire around it.
            self._host_busy_since = now
            self._host_cpu_since = link.cpu_seconds()
            return
        if link.held:
            # Worker threads hold the clock (a slow sync dependency must not make
            # timeouts fire early), but not for longer than the real-time limit.
            if now - self._host_busy_since > link.stall_seconds:
                self._follow(link, now - self._host_busy_since, now)
            return
        # A loop that never idles moves time by what it runs: the CPU it used, not the
        # wall time a busy machine took to give it that (a slow first handshake on a
        # loaded machine must not make a timer fire early).
        spent = now - self._host_busy_since
        cpu = link.cpu_seconds()
        if cpu is not None and self._host_cpu_since is not None:
            spent = min(spent, cpu - self._host_cpu_since)
        if spent > _BUSY_GRACE:
            self._follow(link, spent, now)

    def _follow(self, link: Link, seconds: float, now: float) -> None:
        self.advance_to_ns(self.now_ns + round(seconds * 1e9))
        self._host_busy_since = now
        self._host_cpu_since = link.cpu_seconds()
        link.send({"op": "time"})

    def advance_to_ns(self, target: int) -> None:
        self.now_ns = max(self.now_ns, target)
