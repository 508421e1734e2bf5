"""Starting grading children: a fresh interpreter each time, or a fork of a warm zygote.

Both give the same thing to :mod:`grader.sandbox`: a child in its own process
group, the read end of its event pipe, and ``finish()`` that kills the group
and says how the child ended and how much memory it used at its peak.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import signal
import socket
import subprocess
import sys
import threading
from concurrent.futures import Future
from pathlib import Path
from typing import Any, Protocol

from grader import prestart
from grader.errors import InternalError
from grader.protocol import EVENT_FD_ENV, child_env

SOCKET_FD_ENV = "GRADER_ZYGOTE_FD"


class Child(Protocol):
    pid: int
    events: int  # read end of the event pipe
    output: Path  # where the child's prints go

    def finish(self) -> tuple[int, int]:
        """Kill the child's process group; return (exit status, peak memory in MB)."""
        ...


class Launcher(Protocol):
    def launch(self, job: dict[str, Any], output: Path, cwd: Path) -> Child: ...


class _Spawned:
    def __init__(self, job: dict[str, Any], output: Path, cwd: Path) -> None:
        spare = prestart.take()
        if spare is not None:
            # Started before the spec was even read, and importing FastAPI since.
            self.proc, read_fd, self.output = spare.proc, spare.events, spare.output
        else:
            read_fd, write_fd = os.pipe()
            try:
                with open(output, "ab") as out:
                    self.proc = subprocess.Popen(
                        [sys.executable, "-m", "grader.worker"],
                        stdin=subprocess.PIPE,
                        stdout=out,
                        stderr=out,
                        pass_fds=(write_fd,),
                        cwd=cwd,
                        env=child_env(**{EVENT_FD_ENV: str(write_fd)}),
                        start_new_session=True,
                    )
            finally:
                os.close(write_fd)
            self.output = output
        self.pid = self.proc.pid
        self.events = read_fd
        self.ended: tuple[int, int] | None = None
        assert self.proc.stdin is not None
        with contextlib.suppress(BrokenPipeError):
            self.proc.stdin.write((json.dumps(job) + "\n").encode())
            self.proc.stdin.close()

    def finish(self) -> tuple[int, int]:
        if self.ended is None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.pid, signal.SIGKILL)
            os.close(self.events)
            try:
                _, status, usage = os.wait4(self.pid, 0)
                self.proc.returncode = os.waitstatus_to_exitcode(status)
                self.ended = (self.proc.returncode, usage.ru_maxrss // 1024)
            except ChildProcessError:
                self.ended = (self.proc.wait(), 0)
        return self.ended


class SpawnLauncher:
    """A new interpreter per run: nothing to keep alive, pays the imports every time."""

    def launch(self, job: dict[str, Any], output: Path, cwd: Path) -> Child:
        return _Spawned(job, output, cwd)


class _Forked:
    def __init__(self, pid: int, events: int, zygote: Zygote, output: Path) -> None:
        self.pid = pid
        self.events = events
        self.zygote = zygote
        self.output = output
        self.ended: tuple[int, int] | None = None

    def finish(self) -> tuple[int, int]:
        if self.ended is None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.pid, signal.SIGKILL)
            os.close(self.events)
            self.ended = self.zygote.exit_of(self.pid).result(timeout=30)
            with self.zygote.lock:
                self.zygote.exits.pop(self.pid, None)
        return self.ended


class Zygote:
    """A warm worker process that forks grading children; safe to share between threads."""

    def __init__(self) -> None:
        mine, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "grader.zygote"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            pass_fds=(theirs.fileno(),),
            env=child_env(**{SOCKET_FD_ENV: str(theirs.fileno())}),
            start_new_session=True,
        )
        theirs.close()
        self.channel = mine
        self.lock = threading.Lock()
        self.ids = itertools.count()
        self.started: dict[int, Future[int]] = {}
        self.exits: dict[int, Future[tuple[int, int]]] = {}
        self.reader = threading.Thread(target=self._read, name="zygote-reader", daemon=True)
        self.reader.start()

    def exit_of(self, pid: int) -> Future[tuple[int, int]]:
        with self.lock:
            return self.exits.setdefault(pid, Future())

    def launch(self, job: dict[str, Any], output: Path, cwd: Path) -> Child:
        read_fd, write_fd = os.pipe()
        out = os.open(output, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        started: Future[int] = Future()
        with self.lock:
            ident = next(self.ids)
            self.started[ident] = started
            try:
                socket.send_fds(self.channel, [json.dumps({"id": ident, "job": job}).encode()], [write_fd, out])
            except OSError as exc:
                raise InternalError(f"the warm worker is gone ({exc}); exit status {self.proc.poll()}") from None
            finally:
                os.close(write_fd)
                os.close(out)
        try:
            pid = started.result(timeout=30)
        except TimeoutError:
            os.close(read_fd)
            raise InternalError("the warm worker did not start a child within 30 s") from None
        return _Forked(pid, read_fd, self, output)

    def _read(self) -> None:
        while True:
            try:
                data = self.channel.recv(1 << 16)
            except OSError:
                data = b""
            if not data:
                break
            message = json.loads(data)
            with self.lock:
                if "job" in message:
                    self.started.pop(message["job"]).set_result(message["pid"])
                else:
                    self.exits.setdefault(message["pid"], Future()).set_result((message["status"], message["peak_mb"]))
        gone = InternalError(f"the warm worker exited (status {self.proc.wait()})")
        with self.lock:
            waiting: list[Future[Any]] = [*self.started.values(), *self.exits.values()]
            for future in waiting:
                if not future.done():
                    future.set_exception(gone)

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.channel.shutdown(socket.SHUT_WR)
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.channel.close()

    def __enter__(self) -> Zygote:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
