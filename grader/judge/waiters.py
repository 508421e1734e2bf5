"""Waiting on the judge's loop for something to change: a bare future per wait, all woken at once.

The link, each client session and each in-memory channel wake whoever waits
on them after every frame. An ``asyncio.Event`` per wait (or
``asyncio.wait_for``, which adds a task) costs several times more, and the
judge's CPU goes mostly into these waits.
"""

from __future__ import annotations

import asyncio


class Waiters:
    """Everyone now waiting for a change; :meth:`wake_all` releases them all, once."""

    __slots__ = ("_futures",)

    def __init__(self) -> None:
        self._futures: list[asyncio.Future[None]] = []

    def new(self, loop: asyncio.AbstractEventLoop) -> asyncio.Future[None]:
        """A future that the next :meth:`wake_all` completes."""
        future: asyncio.Future[None] = loop.create_future()
        self._futures.append(future)
        return future

    def forget(self, future: asyncio.Future[None]) -> None:
        """Stop holding a future whose wait ended another way (cancelled, timed out)."""
        if future in self._futures:
            self._futures.remove(future)

    def wake_all(self) -> None:
        futures, self._futures = self._futures, []
        for future in futures:
            wake(future)


def wake(future: asyncio.Future[None]) -> None:
    """Complete ``future`` unless it is already done (woken before, or cancelled)."""
    if not future.done():
        future.set_result(None)
