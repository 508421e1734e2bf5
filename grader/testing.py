"""A host in a thread of this process: for the grader's own tests and benchmarks, never for grading.

It runs the real host code (``grader.host.serve.Host`` on a ``HostLoop``)
against the real judge (``Link``, relay, clients, conversation) over a real
socket pair, but with an app object defined in the test instead of a
learner's file in a sandboxed process. What it saves is the process start;
what it cannot do is survive an app that blocks (the judge then reports the
host as frozen, as it would a real one).
"""

from __future__ import annotations

import asyncio
import shutil
import socket
import tempfile
import threading
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

from grader.host.clock import HostLoop, hold_clock_for_anyio_threads
from grader.host.learner import LearnerCode, websocket_paths
from grader.host.lifespan import Lifespan
from grader.host.serve import Host
from grader.judge.clock import VirtualClockLoop
from grader.judge.conversation import Context, run_check
from grader.judge.launch import spawn_host
from grader.judge.link import Link
from grader.judge.run import START_SECONDS, Limits, _prepare, job
from grader.result import CheckResult
from grader.spec import Check

T = TypeVar("T")


class ThreadHost:
    """Serve ``app`` from a thread; ``owner`` is a file whose folder counts as the learner's."""

    def __init__(self, app: Any, owner: Path, stall_seconds: float = 2.0) -> None:
        hold_clock_for_anyio_threads()
        self.judge_end, host_end = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        self.host_end = host_end
        self.app = app
        self.code = LearnerCode(owner)
        self.stall_seconds = stall_seconds
        self.ready = threading.Event()
        self.thread = threading.Thread(target=self._serve, name="thread-host", daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        fd = self.host_end.fileno()
        loop_box: list[HostLoop] = []

        def write(data: bytes) -> None:
            host.write(data)

        def leave(_status: int) -> None:
            loop_box[0].stop()

        loop = HostLoop(write, None, self.stall_seconds)
        loop_box.append(loop)
        asyncio.set_event_loop(loop)
        host = Host(fd, self.code, self.app, loop, Lifespan(self.app), leave=leave)
        self.host_end.setblocking(False)
        loop.add_reader(fd, host.readable)
        host.emit({"op": "loaded", "routes": websocket_paths(self.app), "protections": {}})
        try:
            loop.run_until_complete(host.serve())
            loop.flush()
        except RuntimeError:
            pass  # stopped because the judge went away
        finally:
            loop.close()

    def run(self, session: Callable[[Link], Awaitable[T]], timeout: float = 600) -> tuple[T, float]:
        """Run ``session`` on a judge loop linked to this host; return its value and the virtual seconds."""
        loop = VirtualClockLoop()
        link = Link(self.judge_end, loop, stall_seconds=self.stall_seconds)
        loop.link = link

        async def main() -> T:
            await link.event("loaded")
            await link.event("started")
            try:
                return await session(link)
            finally:
                link.send({"op": "shutdown"})
                await link.event("stopped", "shutdown_failed")

        try:
            return loop.run_until_complete(asyncio.wait_for(main(), timeout)), loop.elapsed
        finally:
            link.close()
            loop.close()
            self.judge_end.close()
            self.thread.join(timeout=5)


class ProcessHost:
    """A real app host (spawned and sandboxed as in grading) serving the app in ``app_file``."""

    def __init__(self, app_file: Path, limits: Limits | None = None) -> None:
        self.app_file = app_file
        self.limits = limits or Limits()

    def run(self, session: Callable[[Link], Awaitable[T]]) -> tuple[T, float]:
        scratch = Path(tempfile.mkdtemp(prefix="grader-host-"))
        host = spawn_host(scratch / "output.txt")
        loop = VirtualClockLoop()
        link = Link(host.wire, loop, stall_seconds=START_SECONDS)
        loop.link = link
        try:
            (scratch / "run").mkdir()
            app_dir, work, root = _prepare(scratch / "run", self.app_file)

            async def main() -> T:
                await link.event("ready")
                link.send(job(app_dir / self.app_file.name, work, root, self.limits))
                loaded = await link.event("loaded", "load_failed")
                assert loaded is not None and loaded["op"] == "loaded", loaded
                link.stall_seconds = self.limits.check_seconds
                await link.event("started")
                try:
                    return await session(link)
                finally:
                    link.send({"op": "shutdown"})
                    await link.event("stopped", "shutdown_failed")

            return loop.run_until_complete(main()), loop.elapsed
        finally:
            link.close()
            loop.close()
            host.close()
            shutil.rmtree(scratch, ignore_errors=True)


def converse(app: Any, check: Check, workdir: Path, owner: Path) -> tuple[CheckResult, float]:
    """Run one check against ``app`` served from a thread; return the verdict and the virtual seconds."""
    host = ThreadHost(app, owner)

    async def session(link: Link) -> CheckResult:
        return await run_check(check, Context(link=link, workdir=workdir))

    return host.run(session)
