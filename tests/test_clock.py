"""The virtual clock: idle waits cost no wall time, threads hold the clock."""

from __future__ import annotations

import asyncio
import threading

from grader.judge.clock import VirtualClockLoop


def run(coro_fn):  # type: ignore[no-untyped-def]
    loop = VirtualClockLoop()
    try:
        return loop.run_until_complete(coro_fn()), loop.elapsed
    finally:
        loop.close()


def test_sleeping_jumps_the_clock() -> None:
    async def main() -> float:
        loop = asyncio.get_running_loop()
        start = loop.time()
        await asyncio.sleep(10)
        return loop.time() - start

    waited, elapsed = run(main)
    assert abs(waited - 10) < 1e-6
    assert abs(elapsed - 10) < 1e-6


def test_timeouts_fire_on_the_virtual_clock() -> None:
    async def main() -> str:
        try:
            await asyncio.wait_for(asyncio.Event().wait(), 30)
        except TimeoutError:
            return "timed out"
        return "no"

    outcome, elapsed = run(main)
    assert outcome == "timed out"
    assert abs(elapsed - 30) < 1e-6


def test_timers_fire_in_order() -> None:
    async def main() -> list[str]:
        order: list[str] = []

        async def at(delay: float, name: str) -> None:
            await asyncio.sleep(delay)
            order.append(name)

        await asyncio.gather(at(3, "c"), at(1, "a"), at(2, "b"))
        return order

    order, _ = run(main)
    assert order == ["a", "b", "c"]


def test_plain_threads_do_not_block_the_loop() -> None:
    async def main() -> float:
        stop = threading.Event()
        worker = threading.Thread(target=stop.wait, daemon=True)
        worker.start()
        loop = asyncio.get_running_loop()
        start = loop.time()
        await asyncio.sleep(5)
        stop.set()
        return loop.time() - start

    waited, _ = run(main)
    assert abs(waited - 5) < 1e-6
