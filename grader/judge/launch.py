"""Starting app hosts: a fresh interpreter each time, or a fork of a warm template.

Both give the judge the same thing: a :class:`HostProcess` with the judge's
end of the wire, the read end of the trace pipe, where the host's output
goes, and ``kill()``, which ends the host and everything it started. The
host is started with an environment built from scratch, so nothing of the
grading process (tokens, paths, the user's settings) ever reaches it.
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
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from grader import wire
from grader.errors import InternalError

_PACKAGE_PARENT = str(Path(__file__).resolve().parent.parent.parent)
TEMPLATE_FD_ENV = "GRADER_TEMPLATE_FD"
# Real seconds a host may take to start (interpreter and FastAPI) before it says ready.
START_SECONDS = 30.0


def host_env(**extra: str) -> dict[str, str]:
    """The environment a host starts with: the grader importable, and nothing of ours."""
    env = {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "PYTHONPATH": _PACKAGE_PARENT,
        "PYTHONUNBUFFERED": "1",
        "LANG": "C.UTF-8",
    }
    env.update(extra)
    return env


@dataclass
class HostProcess:
    pid: int  # leader of the host's process group
    wire: socket.socket  # the judge's end
    trace: int  # read end of the trace pipe
    output: Path  # where the host's prints go
    proc: subprocess.Popen[bytes] | None = None
    killed: bool = False

    def kill(self) -> None:
        """End the host and everything in its process group (its namespace dies with it)."""
        if not self.killed:
            self.killed = True
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.pid, signal.SIGKILL)
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(self.pid, signal.SIGKILL)
        if self.proc is not None:
            self.proc.wait()

    def close(self) -> None:
        self.kill()
        self.wire.close()
        with contextlib.suppress(OSError):
            os.close(self.trace)


class Launcher(Protocol):
    def launch(self, output: Path) -> HostProcess: ...


def _pipes() -> tuple[socket.socket, socket.socket, int, int]:
    mine, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    trace_read, trace_write = os.pipe()
    os.set_blocking(trace_read, False)
    return mine, theirs, trace_read, trace_write


def spawn_host(output: Path, keep: tuple[int, ...] = ()) -> HostProcess:
    """A new interpreter running ``python -m grader.host``, in its own session, given ``keep`` too."""
    mine, theirs, trace_read, trace_write = _pipes()
    try:
        with open(output, "ab") as out:
            proc = subprocess.Popen(
                [sys.executable, "-m", "grader.host"],
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=out,
                pass_fds=(theirs.fileno(), trace_write, *keep),
                cwd="/",
                env=host_env(**{wire.WIRE_FD_ENV: str(theirs.fileno()), wire.TRACE_FD_ENV: str(trace_write)}),
                start_new_session=True,
            )
    finally:
        theirs.close()
        os.close(trace_write)
    return HostProcess(proc.pid, mine, trace_read, output, proc)


class SpawnLauncher:
    """A new interpreter per host (or the one started before the spec was read)."""

    def launch(self, output: Path) -> HostProcess:
        from grader.judge import prestart

        spare = prestart.take()
        return spare if spare is not None else spawn_host(output)


class Template:
    """A warm process that forks hosts; safe to share between threads, restarted if it dies."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.ids = itertools.count()
        self._start()

    def _start(self) -> None:
        mine, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "grader.host.template"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            pass_fds=(theirs.fileno(),),
            cwd="/",
            env=host_env(**{TEMPLATE_FD_ENV: str(theirs.fileno())}),
            start_new_session=True,
        )
        theirs.close()
        self.channel = mine

    def launch(self, output: Path) -> HostProcess:
        with self.lock:
            for attempt in range(2):
                try:
                    return self._fork(output)
                except OSError:
                    # The template died (nothing learner code can reach should
                    # kill it, but a host must never cost the next one): start anew.
                    if attempt:
                        raise InternalError("the warm host template could not be restarted") from None
                    self._stop()
                    self._start()
        raise AssertionError("unreachable")

    def _fork(self, output: Path) -> HostProcess:
        mine, theirs, trace_read, trace_write = _pipes()
        out = os.open(output, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        ident = next(self.ids)
        try:
            socket.send_fds(self.channel, [json.dumps({"id": ident}).encode()], [theirs.fileno(), trace_write, out])
            self.channel.settimeout(30)
            answer = self.channel.recv(1 << 16)
        except OSError:
            mine.close()
            os.close(trace_read)
            raise
        finally:
            theirs.close()
            os.close(trace_write)
            os.close(out)
        if not answer:
            mine.close()
            os.close(trace_read)
            raise ConnectionError("the template closed its channel")
        pid = int(json.loads(answer)["pid"])
        return HostProcess(pid, mine, trace_read, output)

    def _stop(self) -> None:
        with contextlib.suppress(OSError):
            self.channel.close()
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait()

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.channel.shutdown(socket.SHUT_WR)
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.channel.close()

    def __enter__(self) -> Template:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
