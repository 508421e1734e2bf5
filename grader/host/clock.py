"""The host's half of the virtual clock: it never moves time itself.

The judge owns the clock. The host's loop reads the time the judge last sent
(every frame from the judge carries it). When the loop has nothing ready it
tells the judge "idle, my next timer is at T" and blocks until the judge
writes again: a message, or the time moved to T. While it is busy it says
so now and then ("busy"), which is how the judge tells a busy loop from a
frozen one. Worker threads keep the loop busy while they run, so the judge
never jumps the clock over real work.
"""

from __future__ import annotations

import asyncio
import faulthandler
import selectors
import sys
import threading
import time
from collections.abc import Callable
from typing import Any, BinaryIO

from grader import wire

# While a worker thread holds the clock the loop polls this often (real seconds).
_HELD_POLL = 0.01
# Queued frames go out at once past this size, or past this age while the loop is busy.
_FLUSH_BYTES = 256 << 10
_FLUSH_AGE = 0.002

# The host's own deadlines; the learner's time.monotonic() may be LearnerMonotonic.
_REAL_MONOTONIC = time.monotonic
_REAL_MONOTONIC_NS = time.monotonic_ns


class _SlaveSelector:
    def __init__(self, inner: selectors.BaseSelector, loop: HostLoop) -> None:
        self._inner = inner
        self._loop = loop

    def select(self, timeout: float | None = None) -> list[Any]:
        loop = self._loop
        events = self._inner.select(0)
        if events or timeout == 0:
            loop.alive()
            loop.flush(eager=False)
            return events
        if loop.held:
            loop.alive()
            loop.flush()
            return self._inner.select(_HELD_POLL if timeout is None else min(timeout, _HELD_POLL))
        loop.idle()
        loop.flush()
        return self._inner.select(None)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


class HostLoop(asyncio.SelectorEventLoop):
    """A selector loop on the judge's clock, reporting idleness and signs of life."""

    def __init__(self, write: Callable[[bytes], None], trace: BinaryIO | None, stall_seconds: float) -> None:
        super().__init__()
        self._selector = _SlaveSelector(self._selector, self)  # type: ignore[has-type, arg-type]
        self._now_ns = 0
        self._held = 0
        self._held_lock = threading.Lock()
        self._write = write
        # Frames for the judge, written together when the loop is about to wait
        # (one write, and one wake-up of the judge, per iteration, not per frame).
        self.outbox = bytearray()
        self._outbox_since = 0.0
        self._trace = trace
        self._stall_seconds = stall_seconds
        self._last_said = 0.0
        self._idle_said: tuple[int, int | None] | None = None
        self._armed_at = -1.0
        self.seen = 0  # frames read from the judge so far
        self.on_advance: list[Callable[[float], None]] = []

    def time(self) -> float:
        return self._now_ns / 1e9

    def set_time(self, now_ns: int) -> None:
        if now_ns > self._now_ns:
            moved = (now_ns - self._now_ns) / 1e9
            self._now_ns = now_ns
            for hook in self.on_advance:
                hook(moved)

    def queue_frame(self, data: bytes) -> None:
        """Queue a frame for the judge; the host's next idle moment must then be reported anew."""
        if not self.outbox:
            self._outbox_since = _REAL_MONOTONIC()
        self.outbox += data
        self._idle_said = None
        if len(self.outbox) >= _FLUSH_BYTES:
            self.flush()

    def flush(self, eager: bool = True) -> None:
        """Write what is queued; when busy (``eager`` false) only once it is big or old enough."""
        if not self.outbox:
            return
        if not eager and _REAL_MONOTONIC() - self._outbox_since < _FLUSH_AGE:
            return
        data, self.outbox = bytes(self.outbox), bytearray()
        self._write(data)

    def _report(self, header: dict[str, Any]) -> None:
        self.queue_frame(wire.encode(header))
        self._idle_said = None

    @property
    def held(self) -> bool:
        return self._held > 0

    def set_stall_seconds(self, seconds: float) -> None:
        self._stall_seconds = seconds

    def alive(self) -> None:
        now = _REAL_MONOTONIC()
        if now - self._armed_at >= wire.HEARTBEAT_SECONDS:
            self._arm_watchdog(now)
        if now - self._last_said >= wire.HEARTBEAT_SECONDS:
            self._last_said = now
            self._idle_said = None
            # "held": worker threads are running, which the clock must wait for.
            self._report({"op": "busy", "held": self.held})

    def idle(self) -> None:
        scheduled = self._scheduled  # type: ignore[attr-defined]
        next_ns = wire.to_ns(scheduled[0].when()) if scheduled else None
        said = (self.seen, next_ns)
        if said != self._idle_said:
            self._report({"op": "idle", "seen": self.seen, "next": next_ns})
            self._idle_said = said
        self._last_said = _REAL_MONOTONIC()
        # The watchdog stays armed while idle: cancelling and re-arming it costs a
        # thread each time. If it fires during a long idle moment, its dump is
        # stale, and the judge reads only the last dump.

    def _arm_watchdog(self, now: float) -> None:
        # If the loop freezes from here on, where it froze reaches the judge
        # before the judge gives up on it. Re-armed at most every heartbeat.
        self._armed_at = now
        if self._trace is not None and self._stall_seconds > 0:
            faulthandler.dump_traceback_later(self._stall_seconds * 0.6, exit=False, file=self._trace)

    def hold(self) -> None:
        with self._held_lock:
            self._held += 1

    def release(self) -> None:
        with self._held_lock:
            self._held -= 1
        self.call_soon_threadsafe(lambda: None)

    def run_in_executor(  # type: ignore[override]
        self, executor: Any, func: Callable[..., Any], *args: Any
    ) -> asyncio.Future[Any]:
        self.hold()
        future = super().run_in_executor(executor, func, *args)
        future.add_done_callback(lambda _f: self.release())
        return future


def hold_clock_for_anyio_threads() -> None:
    """Make anyio's worker threads (FastAPI's sync dependencies) hold the clock.

    anyio runs them on threads of its own, not through ``run_in_executor``, so
    the backend's entry point is wrapped once per process.
    """
    from anyio._backends import _asyncio as backend

    original = backend.AsyncIOBackend.run_sync_in_worker_thread
    if getattr(original, "_holds_clock", False):
        return

    async def run_sync_in_worker_thread(cls: Any, *args: Any, **kwargs: Any) -> Any:
        loop = asyncio.get_running_loop()
        if not isinstance(loop, HostLoop):
            return await original.__func__(cls, *args, **kwargs)  # type: ignore[attr-defined]
        loop.hold()
        try:
            return await original.__func__(cls, *args, **kwargs)  # type: ignore[attr-defined]
        finally:
            loop.release()

    run_sync_in_worker_thread._holds_clock = True  # type: ignore[attr-defined]
    backend.AsyncIOBackend.run_sync_in_worker_thread = classmethod(run_sync_in_worker_thread)  # type: ignore[assignment]


class LearnerMonotonic:
    """``time.monotonic()`` as the learner's code sees it: the judge's clock, and real time while busy.

    The judge's clock skips idle time, so a rate limiter or a heartbeat that
    measures with ``time.monotonic()`` sees the seconds a real server would
    have seen. On the loop's thread the value is the loop's own time, the
    one its timers run on, so an interval measured with ``monotonic()``
    agrees with ``asyncio.sleep``. In other threads (and while the file is
    imported) real time passes on top of it, so a thread waiting on
    ``monotonic()`` ends as it would; there the value never goes back. The
    host's own deadlines keep the real clock (``_REAL_MONOTONIC``).
    """

    def __init__(self) -> None:
        self._base = _REAL_MONOTONIC()  # before the loop exists (while importing), real time
        self._since = self._base
        self._loop: HostLoop | None = None
        self._loop_thread = -1
        self._highest = 0.0

    def __call__(self) -> float:
        now = _REAL_MONOTONIC()
        loop = self._loop
        if loop is not None and threading.get_ident() == self._loop_thread:
            return self._base + loop.time()
        virtual = loop.time() if loop is not None else 0.0
        value = self._base + virtual + (now - self._since)
        if value < self._highest:  # the judge's time and this process's real time differ by a little latency
            return self._highest
        self._highest = value
        return value

    def ns(self) -> int:
        return int(self() * 1e9)

    def attach(self, loop: HostLoop) -> None:
        """From now on, follow ``loop``'s clock, continuing from the value reached so far."""
        current = self()
        self._loop = loop
        self._loop_thread = threading.get_ident()
        self._since = _REAL_MONOTONIC()
        self._base = current - loop.time()
        loop.on_advance.append(self.advanced)

    def advanced(self, moved: float) -> None:
        self._since = _REAL_MONOTONIC()


def follow_monotonic() -> LearnerMonotonic:
    """Put the learner's monotonic clock in ``time`` before their file is imported (``from time import monotonic``)."""
    clock = LearnerMonotonic()
    time.monotonic = clock
    time.monotonic_ns = clock.ns
    return clock


def load_time_machine() -> Any:
    """time_machine, without the pytest it imports for its own plugin (most of its import time)."""
    if "time_machine" in sys.modules:
        return sys.modules["time_machine"]
    blocked = "pytest" not in sys.modules
    if blocked:
        sys.modules["pytest"] = None  # type: ignore[assignment]  # an ImportError, which it handles
    try:
        import time_machine
    finally:
        if blocked:
            del sys.modules["pytest"]
    return time_machine


def follow_wall_clock(loop: HostLoop) -> None:
    """Make ``time.time()`` and ``datetime.now()`` move with the judge's clock (``wall_clock: virtual``)."""
    time_machine = load_time_machine()
    travel = time_machine.travel(time.time(), tick=False)
    traveller = travel.start()
    loop.on_advance.append(traveller.shift)
