"""A virtual-time event loop: the clock jumps to the next timer when every task is idle.

Checks that wait through seconds of silence (heartbeats, timeouts) then cost
milliseconds of wall time. asyncio, anyio and httpx-ws all read ``loop.time()``,
so their timers follow the virtual clock. Worker threads hold the clock while
they run, otherwise a slow thread would let timeouts fire "early".
"""

from __future__ import annotations

import asyncio
import math
import selectors
import threading
import time
from collections.abc import Callable
from typing import Any

# How long one real wait lasts while a worker thread holds the clock; short so
# the loop notices the thread's result quickly even if no wake-up arrives.
_HELD_POLL = 0.01
# A loop that is never idle (an endpoint spinning on `await asyncio.sleep(0)`)
# would freeze the virtual clock, and every deadline with it. After this much
# real time without an idle moment, the clock follows real time instead.
_BUSY_GRACE = 0.25


class _VirtualSelector:
    """Wraps the loop's selector: a wait for a timer becomes a jump of the clock."""

    def __init__(self, inner: selectors.BaseSelector, loop: VirtualClockLoop) -> None:
        self._inner = inner
        self._loop = loop

    def select(self, timeout: float | None = None) -> list[Any]:
        events = self._inner.select(0)
        if timeout == 0:
            self._loop.busy()
            return events
        self._loop.idle()
        if events:
            return events
        if self._loop.held:
            wait = _HELD_POLL if timeout is None else min(timeout, _HELD_POLL)
            return self._inner.select(wait)
        if timeout is None:
            # Nothing is scheduled and nothing runs: only outside I/O can wake us.
            return self._inner.select(None)
        self._loop.jump()
        return []

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


class VirtualClockLoop(asyncio.SelectorEventLoop):
    """A selector event loop whose ``time()`` only moves when the loop would sleep."""

    def __init__(self) -> None:
        super().__init__()
        self._selector = _VirtualSelector(self._selector, self)  # type: ignore[has-type, arg-type]
        # Integer nanoseconds: sums of jumps stay exact (25 s of waits is 25 s,
        # never 24.999999999999943).
        self._now_ns = 0
        self._held = 0
        self._held_lock = threading.Lock()
        self._busy_since = time.monotonic()
        self.on_advance: list[Callable[[float], None]] = []

    def time(self) -> float:
        return self._now_ns / 1e9

    @property
    def elapsed(self) -> float:
        """Virtual seconds since the loop was created."""
        return self._now_ns / 1e9

    @property
    def held(self) -> bool:
        return self._held > 0

    def idle(self) -> None:
        self._busy_since = time.monotonic()

    def busy(self) -> None:
        now = time.monotonic()
        if now - self._busy_since > _BUSY_GRACE:
            self.advance(now - self._busy_since)
            self._busy_since = now

    def jump(self) -> None:
        """Move the clock to the earliest timer, exactly: it fires on this iteration."""
        scheduled = self._scheduled  # type: ignore[attr-defined]
        if scheduled:
            self.advance_to(scheduled[0].when())

    def advance_to(self, when: float) -> None:
        target = to_ns(when)
        if target > self._now_ns:
            self.advance((target - self._now_ns) / 1e9, target)

    def advance(self, seconds: float, target: int | None = None) -> None:
        if seconds <= 0:
            return
        self._now_ns = target if target is not None else self._now_ns + round(seconds * 1e9)
        for hook in self.on_advance:
            hook(seconds)

    def hold(self) -> None:
        """Stop the clock from jumping until a matching :meth:`release`."""
        with self._held_lock:
            self._held += 1

    def release(self) -> None:
        with self._held_lock:
            self._held -= 1

    def run_in_executor(  # type: ignore[override]
        self, executor: Any, func: Callable[..., Any], *args: Any
    ) -> asyncio.Future[Any]:
        self.hold()
        future = super().run_in_executor(executor, func, *args)
        future.add_done_callback(lambda _f: self.release())
        return future


def to_ns(when: float) -> int:
    """The first whole nanosecond at or after ``when`` (seconds), as the loop reads it back."""
    ns = math.ceil(when * 1e9)
    while ns / 1e9 < when:
        ns += 1
    return ns


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
        if not isinstance(loop, VirtualClockLoop):
            return await original.__func__(cls, *args, **kwargs)  # type: ignore[attr-defined]
        loop.hold()
        try:
            return await original.__func__(cls, *args, **kwargs)  # type: ignore[attr-defined]
        finally:
            loop.release()

    run_sync_in_worker_thread._holds_clock = True  # type: ignore[attr-defined]
    backend.AsyncIOBackend.run_sync_in_worker_thread = classmethod(run_sync_in_worker_thread)  # type: ignore[assignment]


def follow_wall_clock(loop: VirtualClockLoop) -> Callable[[], None]:
    """Make ``time.time()`` and ``datetime.now()`` move with the virtual clock; return how to stop.

    Only for exercises that read the wall clock across virtual jumps; it
    freezes the wall clock between jumps, which is what makes answers
    reproducible.
    """
    import time_machine

    travel = time_machine.travel(time.time(), tick=False)
    traveller = travel.start()
    loop.on_advance.append(traveller.shift)

    def stop() -> None:
        loop.on_advance.remove(traveller.shift)
        travel.stop()

    return stop
