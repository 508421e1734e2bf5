"""Starting app hosts: a fresh interpreter each time, or a fork of a warm template.

Both give the judge the same thing: a :class:`HostProcess` with the judge's
end of the wire, the read end of the trace pipe, where the host's output
goes, and ``kill()``, which ends the host and everything it started. The
host is started with an environment built from scratch, so nothing of the
grading process (tokens, paths, the user's settings) ever reaches it.

A judge running as root also gives each run a user id of its own
(:func:`dedicated_uid`), which the host takes before it imports learner
code, and ends every process of that id (:func:`sweep`) before the run's
result exists: a setsid or double-forked daemon outlives its host only
until then, in a container where no PID namespace can be had as anywhere
else. :func:`stranger_can_read` tells whether such an id could read the
course at all.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import secrets
import select
import signal
import socket
import stat
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from grader import wire
from grader.errors import InternalError

_PACKAGE_PARENT = str(Path(__file__).resolve().parent.parent.parent)
TEMPLATE_FD_ENV = "GRADER_TEMPLATE_FD"
# Real seconds a host may take to start (interpreter and FastAPI) before it says ready.
START_SECONDS = 30.0
# Real seconds a host's reaper may take to end everything the app started.
STOP_SECONDS = 5.0
# User ids for runs: high above what distributions give users and system services,
# below 2**31 (some tools misread larger ones), one drawn at random per run.
RUN_UIDS = range(0x70000000, 0x7F000000)
# kill(-1) rounds before a sweep gives up; each round empties the id's processes
# (the kernel signals them under the task list lock, so none forks in between).
SWEEP_ROUNDS = 50
# Real seconds the processes a sweep killed get to end before one still running counts as left alive.
SWEEP_SETTLE = 2.0


def dedicated_uid() -> int | None:
    """A fresh user id for one run's hosts, or None when this judge cannot hand out ids (not root)."""
    if not sys.platform.startswith("linux") or os.geteuid() != 0:
        return None
    return RUN_UIDS.start + secrets.randbelow(len(RUN_UIDS))


def sweep(uid: int) -> bool:
    """Kill every process running as ``uid``; True when none is left alive.

    A child takes the id and signals everything it may (``kill(-1)``), which is
    exactly that id's processes, until none answers. Only ever called with an
    id from :func:`dedicated_uid`, which nothing else on the machine uses.
    """
    if uid not in RUN_UIDS:
        raise InternalError(f"refusing to sweep user id {uid}: not one of the grader's")
    if not _alive(uid):
        # Nothing of the id is alive, and only its own processes could start more of it (the host
        # that handed it out is gone). Asking kill(-1) would not tell: Linux counts the processes it
        # may not signal as found, so it never fails with ESRCH and the rounds below run to the end.
        return True
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            os.setgroups([])
            os.setresgid(uid, uid, uid)
            os.setresuid(uid, uid, uid)
            for _ in range(SWEEP_ROUNDS):
                os.kill(-1, signal.SIGKILL)
        except ProcessLookupError:
            code = 0
        except BaseException:  # noqa: BLE001 - the child must reach _exit whatever happens
            code = 2
        os._exit(code)
    while True:
        try:
            _, status = os.waitpid(pid, 0)
            break
        except InterruptedError:
            continue
    # A killed process ends once the kernel runs it again, which on a busy machine takes a moment.
    deadline = time.monotonic() + SWEEP_SETTLE
    while _alive(uid):
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.005)
    return True


def _alive(uid: int) -> list[int]:
    """Processes of ``uid`` that are not zombies (a zombie runs nothing; its parent reaps it)."""
    found = []
    # Only the two fields asked about are cut out of each file: a machine runs hundreds of processes
    # and this runs after every host.
    real_uid = b"\nUid:\t" + str(uid).encode() + b"\t"
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/status", "rb", buffering=0) as f:
                status = f.read(4096)
        except OSError:
            continue
        if real_uid in status and b"\nState:\tZ" not in status:
            found.append(int(name))
    return found


def stranger_can_read(path: Path, budget: int = 5000) -> bool:
    """Whether a user with no rights of its own (no owner or group match) could read ``path``
    or anything below it, going by permission bits (ACLs are not read)."""
    try:
        real = path.resolve()
        for folder in [*reversed(real.parents)]:
            if not os.stat(folder).st_mode & stat.S_IXOTH:
                return False
        if not real.is_dir():
            return bool(os.stat(real).st_mode & stat.S_IROTH)
    except OSError:
        return False
    for top, dirs, files in os.walk(str(real)):
        if not os.stat(top).st_mode & stat.S_IXOTH:
            dirs[:] = []
            continue
        for name in files:
            budget -= 1
            if budget < 0:
                return True  # too much to look at: assume the worst
            with contextlib.suppress(OSError):
                if os.stat(os.path.join(top, name)).st_mode & stat.S_IROTH:
                    return True
    return False


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
    # Its reaper ended on its own when asked (having ended the app and all it started).
    reaped: bool = False
    # The judge's end of a template channel: a spawned host that has taken no job yet
    # may become a warm template (see :meth:`Template.adopt`).
    channel: socket.socket | None = None

    def kill(self, told_exit: bool | None = None) -> None:
        """End the host and everything it started, then its process group (its namespace dies with it).

        Its reaper is asked first (SIGTERM): it kills the app and every process
        below it, daemons that left the process group included, says so on the
        wire (``exit``) and exits. One that does not exit within ``STOP_SECONDS``
        is killed with the rest.

        ``told_exit`` (True: the judge has read that ``exit`` already; False: it
        may still come on the wire, which the judge no longer reads): the kill is
        over once the reaper has said so and has no child left, before the reaper
        itself ends. What is left of it then runs nothing of the app's: only the
        kernel tearing down the namespaces it held, which takes milliseconds and
        need not hold up the next host.
        """
        if not self.killed:
            self.killed = True
            self.reaped = _stop_reaper(self.pid, None if told_exit is None else self.wire, bool(told_exit))
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.pid, signal.SIGKILL)
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(self.pid, signal.SIGKILL)
        if self.proc is not None:
            self.proc.wait()

    def close(self, told_exit: bool | None = None) -> None:
        """:meth:`kill` (``told_exit``: see there), then close the judge's ends."""
        self.kill(told_exit)
        self.wire.close()
        if self.channel is not None:
            self.channel.close()
        with contextlib.suppress(OSError):
            os.close(self.trace)


# What the judge reads of a host's wire, at most, while it waits for the reaper's word.
_EXIT_WATCH_BYTES = 1 << 20


def _stop_reaper(pid: int, wire_socket: socket.socket | None = None, told_exit: bool = False) -> bool:
    """SIGTERM through a pidfd (never a recycled pid), then wait for the process to end, bounded;
    True when it ended within the bound, or (watching ``wire_socket``) said ``exit`` and has no child left."""
    try:
        fd = os.pidfd_open(pid)
    except (OSError, AttributeError):
        return False
    try:
        signal.pidfd_send_signal(fd, signal.SIGTERM)
        waiter = select.poll()
        waiter.register(fd, select.POLLIN)
        # Only a reaper's word counts, and the process started is one only if it has a PID namespace
        # for its children: the host forks its reaper as soon as it makes one, before any learner code.
        early = wire_socket is not None and _reaper_of_a_namespace(pid)
        if early and told_exit and _childless(pid, fd):
            return True
        watch = _ExitWatch(wire_socket) if early and wire_socket is not None else None
        if watch is not None:
            waiter.register(watch.fd, select.POLLIN)
        deadline = time.monotonic() + STOP_SECONDS
        while True:
            ready = {ready_fd for ready_fd, _ in waiter.poll(max(0.0, deadline - time.monotonic()) * 1000)}
            if fd in ready:
                return True
            if not ready:
                return False
            assert watch is not None
            said = watch.read()
            if said is None:
                waiter.unregister(watch.fd)
            elif said and _childless(pid, fd):
                return True
    except OSError:
        return False
    finally:
        os.close(fd)


class _ExitWatch:
    """The reaper's ``exit`` on a wire the judge has stopped reading; anything else there is dropped."""

    def __init__(self, wire_socket: socket.socket) -> None:
        self.socket = wire_socket
        self.fd = wire_socket.fileno()
        self.reader = wire.Reader()
        self.left = _EXIT_WATCH_BYTES

    def read(self) -> bool | None:
        """Whether ``exit`` came; None when nothing more is worth reading (closed, broken, too much)."""
        try:
            data = self.socket.recv(1 << 16, socket.MSG_DONTWAIT)
        except BlockingIOError:
            return False
        except OSError:
            return None
        self.left -= len(data)
        frames = self.reader.feed(data)
        said = any(header.get("op") == "exit" for header, _ in frames)
        if not said and (not data or self.reader.error is not None or self.left <= 0):
            return None
        return said


def _reaper_of_a_namespace(pid: int) -> bool:
    """Whether ``pid``'s children go into a PID namespace other than the judge's (the kernel says)."""
    try:
        return os.readlink(f"/proc/{pid}/ns/pid_for_children") != os.readlink("/proc/self/ns/pid")
    except OSError:
        return False


def _childless(pid: int, pidfd: int) -> bool:
    """Whether the reaper ``pid`` has no child: the app is reaped, and with it everything it started
    (its PID namespace's, or orphans that came to the reaper, a subreaper, and were killed).

    Words on the wire alone prove nothing (the app can write there too); this can only be
    answered by the kernel. Read while the pidfd says the process lives, so the pid is still its.
    """
    try:
        with open(f"/proc/{pid}/task/{pid}/children", "rb") as f:
            children = f.read()
    except OSError:
        return False
    alive = not select.select([pidfd], [], [], 0)[0]
    return alive and not children.strip()


class Launcher(Protocol):
    def launch(self, output: Path) -> HostProcess: ...


def _pipes() -> tuple[socket.socket, socket.socket, int, int]:
    mine, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    trace_read, trace_write = os.pipe()
    os.set_blocking(trace_read, False)
    return mine, theirs, trace_read, trace_write


def spawn_host(output: Path, keep: tuple[int, ...] = (), adoptable: bool = False) -> HostProcess:
    """A new interpreter running ``python -m grader.host``, in its own session, given ``keep`` too.

    ``adoptable``: it also gets a template channel, so that it can become a warm template.
    """
    mine, theirs, trace_read, trace_write = _pipes()
    channel: socket.socket | None = None
    if adoptable:
        channel, their_channel = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        keep = (*keep, their_channel.fileno())
    try:
        with open(output, "ab") as out:
            proc = subprocess.Popen(
                [sys.executable, "-m", "grader.host"],
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=out,
                pass_fds=(theirs.fileno(), trace_write, *keep),
                cwd="/",
                env=host_env(**{wire.WIRE_FD_ENV: str(theirs.fileno()), wire.TRACE_FD_ENV: str(trace_write)},
                             **({wire.TEMPLATE_FD_ENV: str(keep[-1])} if channel is not None else {})),
                start_new_session=True,
            )
    finally:
        theirs.close()
        os.close(trace_write)
        if channel is not None:
            os.close(keep[-1])
    return HostProcess(proc.pid, mine, trace_read, output, proc, channel=channel)


class SpawnLauncher:
    """A new interpreter per host (or the one started before the spec was read)."""

    def launch(self, output: Path) -> HostProcess:
        from grader.judge import prestart

        spare = prestart.take()
        return spare if spare is not None else spawn_host(output)


class Forking:
    """A host the template was asked for and forks meanwhile; :meth:`take` gives it once it exists.

    Its wire exists from the start: what the judge sends on it waits in the
    socket until the new host reads it.
    """

    def __init__(self, template: Template, ident: int, generation: int, wire: socket.socket, trace: int,
                 output: Path) -> None:
        self.template = template
        self.ident = ident
        self.generation = generation
        self.wire = wire
        self.trace = trace
        self.output = output

    def take(self) -> HostProcess:
        """The host, once the template says it forked it; OSError when the template died first."""
        pid = self.template.answer(self.ident, self.generation)
        return HostProcess(pid, self.wire, self.trace, self.output)

    def abandon(self) -> None:
        """The request failed: close the judge's ends (a host forked all the same reads the end of its wire)."""
        self.wire.close()
        with contextlib.suppress(OSError):
            os.close(self.trace)


class Template:
    """A warm process that forks hosts; safe to share between threads, restarted if it dies.

    A host is asked for (:meth:`request`) and taken once forked (:meth:`Forking.take`),
    so the judge need not wait for the fork; :meth:`launch` does both at once.
    """

    def __init__(self, adopted: HostProcess | None = None) -> None:
        self.lock = threading.Lock()
        self.ids = itertools.count()
        self.generation = 0  # how many times the template was started anew
        self.answers: dict[int, int] = {}  # pids the template announced, by request, until taken
        self.adopted: Path | None = None  # the output file of a spawned host taken as the template
        self.wire: socket.socket | None = None
        if adopted is not None and adopted.channel is not None and adopted.proc is not None:
            # It has imported FastAPI and nothing of a learner's, like a template started for the purpose.
            with contextlib.suppress(OSError):
                adopted.wire.sendall(wire.encode({"op": "template"}))
            with contextlib.suppress(OSError):
                os.close(adopted.trace)
            # Its wire stays open until it is closed, so that its "ready" never meets a closed socket.
            self.proc, self.channel, self.adopted = adopted.proc, adopted.channel, adopted.output
            self.wire = adopted.wire
        else:
            if adopted is not None:
                adopted.close()
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

    def _restart(self) -> None:
        # The template died (nothing learner code can reach should kill it, but a host
        # must never cost the next one): start anew. Requests it had not answered are lost.
        self._stop()
        self._start()
        self.generation += 1
        self.answers.clear()

    def launch(self, output: Path) -> HostProcess:
        for attempt in range(2):
            forking = self.request(output)
            try:
                return forking.take()
            except OSError:
                forking.abandon()
                if attempt:
                    raise InternalError("the warm host template could not be restarted") from None
                with self.lock:
                    if self.generation == forking.generation:
                        self._restart()
        raise AssertionError("unreachable")

    def request(self, output: Path) -> Forking:
        """Ask for a host; the template forks it while the judge goes on."""
        with self.lock:
            for attempt in range(2):
                try:
                    return self._ask(output)
                except OSError:
                    if attempt:
                        raise InternalError("the warm host template could not be restarted") from None
                    self._restart()
        raise AssertionError("unreachable")

    def _ask(self, output: Path) -> Forking:
        mine, theirs, trace_read, trace_write = _pipes()
        ident = next(self.ids)
        try:
            out = os.open(output, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        except OSError:
            mine.close()
            os.close(trace_read)
            theirs.close()
            os.close(trace_write)
            raise InternalError(f"the app's output file {output} could not be opened") from None
        try:
            socket.send_fds(self.channel, [json.dumps({"id": ident}).encode()], [theirs.fileno(), trace_write, out])
        except OSError:
            mine.close()
            os.close(trace_read)
            raise
        finally:
            theirs.close()
            os.close(trace_write)
            os.close(out)
        return Forking(self, ident, self.generation, mine, trace_read, output)

    def answer(self, ident: int, generation: int) -> int:
        """The pid of the host forked for request ``ident``; OSError when the template died before it answered.

        Answers come in the order of the requests; one for another thread's request is kept for it.
        """
        with self.lock:
            while ident not in self.answers:
                if generation != self.generation:
                    raise ConnectionError("the template was restarted before it answered")
                self.channel.settimeout(30)
                answer = self.channel.recv(1 << 16)
                if not answer:
                    raise ConnectionError("the template closed its channel")
                told = json.loads(answer)
                self.answers[int(told["id"])] = int(told["pid"])
            return self.answers.pop(ident)

    def _stop(self) -> None:
        with contextlib.suppress(OSError):
            self.channel.close()
        if self.wire is not None:
            self.wire.close()
            self.wire = None
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
        if self.wire is not None:
            self.wire.close()
        if self.adopted is not None:
            with contextlib.suppress(OSError):
                self.adopted.unlink()

    def __enter__(self) -> Template:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
