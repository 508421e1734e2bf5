"""The host's one clock (real time plus what the judge skipped) and the judge's reading of it.

``HostClock`` runs with real time while the host works, stands still while
it is idle, and jumps forward (never back) to the judge's time. The judge
reads a host frame once its own clock reaches the frame's time, and never
believes a host that claims more time than really passed.
"""

from __future__ import annotations

import asyncio
import socket
import time

import pytest

from grader import wire
from grader.host.clock import HostClock
from grader.judge.clock import VirtualClockLoop
from grader.judge.link import Link


def test_the_clock_runs_with_real_time_while_working() -> None:
    clock = HostClock()
    real = time.monotonic_ns()
    start = clock.now_ns()
    while time.monotonic_ns() - real < 20_000_000:  # 20 ms of real work
        pass
    assert clock.now_ns() - start >= 20_000_000
    assert clock.monotonic_ns() == clock.mono_base_ns + clock.now_ns() or clock.monotonic_ns() > clock.mono_base_ns


def test_an_idle_clock_stands_still_and_jumps_only_forward() -> None:
    clock = HostClock()
    frozen = clock.freeze()
    time.sleep(0.02)
    assert clock.now_ns() == frozen  # idle time is not counted: the judge decides what to skip
    clock.catch_up(frozen - 5)
    assert clock.now_ns() == frozen  # never back
    clock.catch_up(frozen + 10**9)
    assert clock.now_ns() == frozen + 10**9  # skipped to the judge's time
    clock.thaw()
    assert clock.now_ns() >= frozen + 10**9
    running = clock.now_ns()
    clock.catch_up(running + 5 * 10**9)
    assert clock.now_ns() >= running + 5 * 10**9
    clock.catch_up(0)
    assert clock.now_ns() >= running + 5 * 10**9


def test_every_reading_agrees() -> None:
    clock = HostClock()
    clock.freeze()
    clock.catch_up(3 * 10**9)
    assert clock.monotonic() == clock.monotonic_ns() / 1e9
    assert clock.wall_ns() - clock.wall_base_ns == clock.monotonic_ns() - clock.mono_base_ns == 3 * 10**9


def test_a_loop_timer_is_due_at_the_time_the_host_reports_for_it() -> None:
    clock = HostClock()
    clock.freeze()
    for delay in (0.1, 0.5, 1 / 3, 9.5, 1e-9):
        when = clock.monotonic() + delay
        clock.catch_up(clock.to_judge_ns(when))
        assert clock.monotonic() >= when  # the jump the judge makes for it makes it due


@pytest.mark.timeout(60)  # a judge clock that never moves would hang wait_for below: fail instead
def test_the_judge_never_believes_a_host_claiming_more_time_than_passed() -> None:
    judge_end, host_end = socket.socketpair()
    loop = VirtualClockLoop()
    link = Link(judge_end, loop, stall_seconds=5)
    loop.link = link
    started = time.monotonic_ns()
    try:
        host_end.sendall(wire.encode({"op": "busy", "held": False, "t": 10**18}))
        host_end.sendall(wire.encode({"op": "idle", "seen": 0, "next": None, "t": 10**18}))

        async def until_read() -> int:
            naps = 0
            while link.idle_seen != 0:
                await asyncio.sleep(0.001)  # the judge idles: the host's frames are read at their (believed) time
                naps += 1
            return naps

        naps = loop.run_until_complete(asyncio.wait_for(until_read(), 10))
        # The judge's own naps, and at most the real time that passed: not the 31 years the host claimed.
        assert loop.now_ns <= naps * 1_000_000 + time.monotonic_ns() - started
        assert link.dead is None
    finally:
        link.close()
        loop.close()
        host_end.close()
