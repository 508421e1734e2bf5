"""The judge's link tells a frozen app from one that is only starved of CPU by a busy machine."""

from __future__ import annotations

import asyncio
import os
import select
import socket
import subprocess
import sys
import time
from collections.abc import Iterator

import pytest

from grader import wire
from grader.judge.link import Link


def link_to(pid: int, stall_seconds: float = 0.2) -> Link:
    judge_end, _host_end = socket.socketpair()
    link = Link(judge_end, asyncio.new_event_loop(), stall_seconds=stall_seconds)
    link.pid = pid
    link.last_heard = time.monotonic() - stall_seconds  # silent for the whole limit already
    return link


def verdict_after_a_look(link: Link) -> bool:
    """Ask twice, a moment apart, as the clock does while it waits."""
    first = link.frozen(time.monotonic())
    time.sleep(0.4)
    return first or link.frozen(time.monotonic())


@pytest.fixture
def process() -> Iterator[list[subprocess.Popen[bytes]]]:
    started: list[subprocess.Popen[bytes]] = []
    yield started
    for proc in started:
        proc.kill()
        proc.wait()


def start(started: list[subprocess.Popen[bytes]], code: str, nice: int = 0, cpu: int | None = None) -> int:
    proc = subprocess.Popen([sys.executable, "-c", code])
    started.append(proc)
    # Placed and prioritised once it runs: a child starved before its exec would hold Popen for as long.
    if cpu is not None:
        os.sched_setaffinity(proc.pid, {cpu})
    os.setpriority(os.PRIO_PROCESS, proc.pid, nice)
    time.sleep(0.2)  # running
    return proc.pid


def test_a_blocked_app_is_frozen(process: list[subprocess.Popen[bytes]]) -> None:
    pid = start(process, "import time; time.sleep(60)")
    assert verdict_after_a_look(link_to(pid)) is True


def test_a_busy_looping_app_is_frozen(process: list[subprocess.Popen[bytes]]) -> None:
    pid = start(process, "while True: pass")
    assert verdict_after_a_look(link_to(pid)) is True


@pytest.mark.skipif(os.geteuid() != 0, reason="raising a process's priority (nice -20) needs root")
def test_an_app_starved_of_cpu_is_given_time(process: list[subprocess.Popen[bytes]]) -> None:
    # The app's process is ready to run but, at the lowest priority on a core
    # a top-priority process keeps busy, barely runs: the machine is busy, the
    # app is not frozen. The scheduler's weights decide this, not timing.
    # The test itself looks from another core: on the hogged one it would be starved as well, and
    # take minutes over a look of a second.
    mine = os.sched_getaffinity(0)
    elsewhere = (mine - {0}) or mine
    os.sched_setaffinity(0, elsewhere)
    try:
        start(process, "while True: pass", nice=-20, cpu=0)
        pid = start(process, "while True: pass", nice=19, cpu=0)
        # A limit far beyond any delay a loaded machine adds to the look itself.
        link = link_to(pid, stall_seconds=5.0)
        assert verdict_after_a_look(link) is False
        # ... but not for ever: past four times the limit it counts as frozen.
        link.last_heard = time.monotonic() - link.stall_seconds * 4
        assert link.frozen(time.monotonic()) is True
    finally:
        os.sched_setaffinity(0, mine)


def test_an_unknown_process_is_judged_by_silence_alone() -> None:
    link = link_to(pid=2**22 + 12345)  # no such process
    assert link.frozen(time.monotonic()) is True


def test_a_host_whose_worker_threads_hold_the_clock_is_judged_by_its_signs_of_life() -> None:
    """While worker threads run, the clock follows real time for the host: its "busy" frames keep it alive.

    Once it says its threads are done, "busy" alone is no progress again: nothing moved for 50 s.
    """
    judge_end, host_end = socket.socketpair()
    loop = asyncio.new_event_loop()
    link = Link(judge_end, loop, stall_seconds=1.0)
    try:
        link.quiet_for(time.monotonic() - 50)  # the last progress the judge saw: 50 s ago
        quiet = {}
        for held in (True, False):
            host_end.sendall(wire.encode({"op": "busy", "held": held, "t": 0}))
            select.select([judge_end], [], [], 5)  # written already: a socketpair holds it at once
            link._readable()
            quiet[held] = link.quiet_for(time.monotonic())
        assert quiet[True] < 5  # heard just now
        assert quiet[False] >= 49  # heard just now, but nothing moved since the last progress
        assert link.dead is None
    finally:
        link.close()
        loop.close()
        host_end.close()
        judge_end.close()
