"""The host's half of the virtual clock: real time, plus the idle time the judge skipped.

Every clock the app can read is one clock here (:class:`HostClock`):
``time.monotonic``, ``time.perf_counter``, ``time.time`` and their ``_ns``
forms, ``datetime.now`` (with ``wall_clock: virtual``), ``loop.time()`` and
so anyio's clock, on the loop's thread and in every other thread. It runs
at real speed while the host works (a callback, a blocking call, a thread
that sleeps or computes) and stands still while the host is idle: the loop
has nothing ready and no thread of the app is alive. Then the host tells the
judge "idle, my next timer is at T" and waits; the judge moves the clock to
T (or to its own next deadline) and the host's clock jumps there. So an
app's clock reads what a real server's would, minus the idle gaps the judge
skipped: virtual = real + skipped.

The clock counts nanoseconds on the judge's scale (0 when the host's clock
started); what the app reads is that plus the real monotonic (or wall) time
at the start, so its values look like a real server's and
``loop.time() == time.monotonic()``, as under uvicorn. Every frame to the
judge carries the host's time, which is how the judge's clock follows the
host's real work. The host's own deadlines (signs of life, the watchdog)
keep the real clock.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import concurrent.futures.thread
import contextlib
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
# Real seconds after a thread or job lets go of the clock during which the host is still busy.
_RELEASE_GRACE = 0.01
# Queued frames go out at once past this size, or past this age while the loop is busy.
_FLUSH_BYTES = 256 << 10
_FLUSH_AGE = 0.002

# The host's own deadlines, and what the app's clocks are built on.
_REAL_MONOTONIC = time.monotonic
_REAL_MONOTONIC_NS = time.monotonic_ns
_REAL_TIME_NS = time.time_ns


class HostClock:
    """One clock for everything the app reads: real time while the host works, still while it is idle.

    ``now_ns()`` is on the judge's scale. Only the loop's thread changes the
    clock (``freeze``, ``thaw``, ``catch_up``); any thread may read it. The
    state is one tuple, replaced whole, so a reader never sees half of a
    change; every change keeps the clock from going back.
    """

    def __init__(self) -> None:
        real = _REAL_MONOTONIC_NS()
        self.mono_base_ns = real  # what time.monotonic_ns() read when this clock started
        self.wall_base_ns = _REAL_TIME_NS()
        # (the time it stands still at, or None while it runs; real + offset while it runs)
        self._state: tuple[int | None, int] = (None, -real)
        self._held = 0
        self._held_lock = threading.Lock()
        self._released_at = -_RELEASE_GRACE
        self.on_release: Callable[[], None] | None = None

    def now_ns(self) -> int:
        frozen, offset = self._state
        return frozen if frozen is not None else _REAL_MONOTONIC_NS() + offset

    @property
    def running(self) -> bool:
        return self._state[0] is None

    def freeze(self) -> int:
        """The host is idle: time stands still until the judge moves it (or the host wakes)."""
        now = self.now_ns()
        self._state = (now, 0)
        return now

    def thaw(self) -> None:
        """The host woke: time runs again from where it stood."""
        frozen, _ = self._state
        if frozen is not None:
            self._state = (None, frozen - _REAL_MONOTONIC_NS())

    def catch_up(self, judge_ns: int) -> None:
        """The judge's time: if it is ahead, the idle time up to it is skipped."""
        frozen, offset = self._state
        if frozen is not None:
            if judge_ns > frozen:
                self._state = (judge_ns, offset)
            return
        ahead = judge_ns - (_REAL_MONOTONIC_NS() + offset)
        if ahead > 0:
            self._state = (None, offset + ahead)

    def monotonic_ns(self) -> int:
        return self.mono_base_ns + self.now_ns()

    def monotonic(self) -> float:
        return (self.mono_base_ns + self.now_ns()) / 1e9

    def wall_ns(self) -> int:
        return self.wall_base_ns + self.now_ns()

    def to_judge_ns(self, when: float) -> int:
        """A time the loop reads (``loop.time()``) on the judge's scale, rounded up to a whole nanosecond."""
        return wire.to_ns(when) - self.mono_base_ns

    # -- threads keep the host busy --

    @property
    def held(self) -> bool:
        # A job that just ended may still be handing its result to the loop (a pool's future calls
        # back into the loop after the job's own callbacks): no idle moment is declared in between.
        return self._held > 0 or _REAL_MONOTONIC() - self._released_at < _RELEASE_GRACE

    def hold(self) -> None:
        with self._held_lock:
            self._held += 1

    def release(self) -> None:
        with self._held_lock:
            self._held -= 1
            self._released_at = _REAL_MONOTONIC()
        if self.on_release is not None:
            self.on_release()


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
        try:
            return self._inner.select(None)
        finally:
            loop.clock.thaw()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


class HostLoop(asyncio.SelectorEventLoop):
    """A selector loop on the host's clock, reporting idleness and signs of life."""

    def __init__(self, write: Callable[[bytes], None], trace: BinaryIO | None, stall_seconds: float,
                 clock: HostClock | None = None) -> None:
        super().__init__()
        self._selector = _SlaveSelector(self._selector, self)  # type: ignore[has-type, arg-type]
        self.clock = clock if clock is not None else HostClock()
        self.clock.on_release = self._wake
        self._write = write
        # Frames for the judge, written together when the loop is about to wait
        # (one write, and one wake-up of the judge, per iteration, not per frame).
        self.outbox = bytearray()
        self._outbox_since = 0.0
        self._trace = trace
        self._stall_seconds = stall_seconds
        self._last_said = 0.0
        self._idle_said: tuple[int, int | None, int] | None = None
        self._armed_at = -1.0
        self.seen = 0  # frames read from the judge so far

    def time(self) -> float:
        return self.clock.monotonic()

    def _wake(self) -> None:
        # A thread of the app ended: the loop may be idle now, and must say so.
        with contextlib.suppress(RuntimeError):  # the loop is closed: nobody to tell
            self.call_soon_threadsafe(lambda: None)

    def set_time(self, now_ns: int) -> None:
        """The judge's time, from a frame it sent."""
        self.clock.catch_up(now_ns)

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
        # A judge that reads slower than the app writes (a flood) makes this wait, as a full socket makes
        # uvicorn's send wait; the judge's slowness is no time of the app's, so the clock stands still.
        stop = self.clock.running and not self.clock.held
        if stop:
            self.clock.freeze()
        try:
            self._write(data)
        finally:
            if stop:
                self.clock.thaw()

    def _report(self, header: dict[str, Any]) -> None:
        self.queue_frame(wire.encode(header))
        self._idle_said = None

    @property
    def held(self) -> bool:
        return self.clock.held

    def set_stall_seconds(self, seconds: float) -> None:
        self._stall_seconds = seconds

    def alive(self) -> None:
        now = _REAL_MONOTONIC()
        if now - self._armed_at >= wire.HEARTBEAT_SECONDS:
            self._arm_watchdog(now)
        if now - self._last_said >= wire.HEARTBEAT_SECONDS:
            self._last_said = now
            self._idle_said = None
            # "held": threads of the app are alive; the clock runs for them.
            self._report({"op": "busy", "held": self.held, "t": self.clock.now_ns()})

    def idle(self) -> None:
        scheduled = self._scheduled  # type: ignore[attr-defined]
        next_ns = self.clock.to_judge_ns(scheduled[0].when()) if scheduled else None
        now = self.clock.freeze()
        said = (self.seen, next_ns, now)
        if said != self._idle_said:
            self._report({"op": "idle", "seen": self.seen, "next": next_ns, "t": now})
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
        self.clock.hold()

    def release(self) -> None:
        self.clock.release()

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


def install_clocks() -> HostClock:
    """Make the app's monotonic clocks the host's, before its file is imported (``from time import monotonic``).

    Threads the app starts hold the clock while they live (a ``threading.Timer``
    waiting, a thread sleeping or computing), so no idle time is skipped under
    them; a job handed to a thread pool (``run_in_executor``, ``asyncio.to_thread``,
    a ``ThreadPoolExecutor`` of the app's own) or to anyio's ``to_thread`` holds
    it while it runs instead (idle pool workers wait for work, not for time).
    """
    clock = HostClock()
    time.monotonic = clock.monotonic
    time.monotonic_ns = clock.monotonic_ns
    time.perf_counter = clock.monotonic
    time.perf_counter_ns = clock.monotonic_ns
    _hold_for_app_threads(clock)
    _hold_for_pool_jobs(clock)
    return clock


def _hold_for_pool_jobs(clock: HostClock) -> None:
    """A job handed to any thread pool (one the app made itself included) holds the clock until it is done."""
    pool = concurrent.futures.ThreadPoolExecutor
    original_submit = pool.submit

    def submit(self: concurrent.futures.ThreadPoolExecutor, fn: Callable[..., Any], /, *args: Any,
               **kwargs: Any) -> concurrent.futures.Future[Any]:
        clock.hold()
        try:
            future = original_submit(self, fn, *args, **kwargs)
        except BaseException:
            clock.release()
            raise
        future.add_done_callback(lambda _done: clock.release())
        return future

    pool.submit = submit  # type: ignore[assignment, method-assign]


def _hold_for_app_threads(clock: HostClock) -> None:
    original_start = threading.Thread.start

    def start(self: threading.Thread) -> None:
        if _is_pool_worker(self):
            original_start(self)
            return
        run = self.run

        def held_run() -> None:
            try:
                run()
            finally:
                clock.release()

        self.run = held_run  # type: ignore[method-assign]
        clock.hold()
        try:
            original_start(self)
        except BaseException:
            clock.release()
            raise

    threading.Thread.start = start  # type: ignore[method-assign]


def _is_pool_worker(thread: threading.Thread) -> bool:
    if getattr(thread, "_target", None) is concurrent.futures.thread._worker:  # type: ignore[attr-defined]
        return True
    kind = type(thread)
    return kind.__name__ == "WorkerThread" and kind.__module__.startswith("anyio.")


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


def follow_wall_clock(clock: HostClock) -> None:
    """Make ``time.time()`` and ``datetime.now()`` read ``clock`` too (``wall_clock: virtual``)."""
    time_machine = load_time_machine()
    traveller = time_machine.travel(clock.wall_ns() / 1e9, tick=True).start()
    # time_machine asks its traveller for the time on every call: the host's clock answers.
    traveller.time_ns = clock.wall_ns
