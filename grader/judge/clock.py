"""The judge's virtual clock: it jumps to the next timer when the judge and the host are both idle.

Checks that wait through seconds of silence (heartbeats, timeouts) then cost
milliseconds of wall time. asyncio, anyio and httpx-ws all read
``loop.time()``, so their timers follow the virtual clock; the host's loop
reads the same clock from the wire (see ``grader/host/clock.py``).

With a host attached this is a conservative co-simulation: idle time is
skipped only when the judge has nothing ready *and* the host has said it is
idle after reading everything sent to it. The clock then jumps to the
earlier of the two next timers; if that is the host's, the host is told the
new time. While the host works its clock runs at real speed, and every
frame it sends carries its time: the judge's clock follows it (never past
real time since the judge last moved it, whatever the host claims), so real
work, a blocking call or a thread that sleeps moves time by what it took.
The judge waits for a busy host in real time, up to the real-time limit,
which the host cannot stop: a host that says nothing for that long is
frozen (a blocking call, a busy loop) and its link dies. Time is kept in
integer nanoseconds, so sums of waits are exact.
"""

from __future__ import annotations

import asyncio
import selectors
import time
from typing import TYPE_CHECKING, Any, Protocol

from grader import wire

if TYPE_CHECKING:
    from grader.judge.link import Link

# A judge loop that is never idle would freeze its clock, and every deadline
# with it. After this much CPU time without an idle moment, the clock follows
# the judge's CPU time instead. (A host that never idles moves the clock by
# its own time, which its frames carry.)
_BUSY_GRACE = 0.25
# A silent host that may only be starved of CPU is looked at again this often.
_STARVED_POLL = 0.1
# With nothing scheduled anywhere, look again this often (real seconds).
_NOTHING_POLL = 1.0
# A host silent this long (real seconds) is most likely stuck: a judge sharing the
# machine's cores with others (``grade batch``) gives its place away while it waits.
GIVE_WAY_AFTER = 0.5


class Gate(Protocol):
    """A place among the gradings allowed to work at once (``grade batch --jobs``)."""

    def leave(self) -> None: ...

    def enter(self) -> None: ...


class _VirtualSelector:
    """Wraps the loop's selector: a wait for a timer becomes a jump of the clock."""

    def __init__(self, inner: selectors.BaseSelector, loop: VirtualClockLoop) -> None:
        self._inner = inner
        self._loop = loop

    def select(self, timeout: float | None = None) -> list[Any]:
        loop = self._loop
        link = loop.link
        if link is not None:
            link.flush()
        events = self._inner.select(0)
        if timeout == 0:
            loop.busy()
            if link is not None and link.deferred:
                link.release_due()  # a judge that is never idle still reads what its clock has reached
            return events
        host_working = link is not None and not link.idle
        if events:
            loop.idle()
            return events
        if link is not None and link.deferred:
            # The host's frames stamped ahead of this clock: time moves to the first of them,
            # unless a timer of the judge's is due before it.
            loop.idle()
            mine = loop.next_timer_ns()
            due = link.deferred[0][0]
            if mine is not None and mine < due:
                loop.advance_to_ns(mine)
                return []
            loop.advance_to_ns(due)
            link.release_due()
            return []
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
        gate = loop.gate if since >= GIVE_WAY_AFTER else None
        if gate is None:
            events = self._inner.select(wait)
        else:
            # Only waiting: another grading may work meanwhile. Taking the place back may take
            # a while; frames that arrived meanwhile are read before the silence is judged again
            # (the next select looks at the socket first), so a late host is never blamed for it.
            gate.leave()
            try:
                events = self._inner.select(wait)
            finally:
                gate.enter()
        loop.idle()
        return events

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


def _death(name: str) -> Any:
    from grader.judge.link import Death

    return Death[name]


class VirtualClockLoop(asyncio.SelectorEventLoop):
    """A selector event loop whose ``time()`` moves when the loop (and its host) would sleep, and with the host's work."""

    def __init__(self, link: Link | None = None) -> None:
        super().__init__()
        self._selector = _VirtualSelector(self._selector, self)  # type: ignore[has-type, arg-type]
        self.now_ns = 0
        self.link = link
        self.gate: Gate | None = None
        # The judge's own busy spells are measured in its CPU time: a judge a busy machine keeps
        # waiting has done nothing that should move the clock.
        self._busy_since = time.thread_time()

    def time(self) -> float:
        return self.now_ns / 1e9

    @property
    def elapsed(self) -> float:
        """Virtual seconds since the loop was created."""
        return self.now_ns / 1e9

    def next_timer_ns(self) -> int | None:
        scheduled = self._scheduled  # type: ignore[attr-defined]
        return wire.to_ns(scheduled[0].when()) if scheduled else None

    def idle(self) -> None:
        """The judge has nothing ready."""
        self._busy_since = time.thread_time()

    def busy(self) -> None:
        now = time.thread_time()
        if now - self._busy_since > _BUSY_GRACE:
            self.advance_to_ns(self.now_ns + round((now - self._busy_since) * 1e9))
            self._busy_since = now

    def advance_to_ns(self, target: int) -> None:
        self.now_ns = max(self.now_ns, target)
