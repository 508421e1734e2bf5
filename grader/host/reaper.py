"""The sandbox's reaper: the process outside the app that waits for it, then ends all it left.

It forks the learner's process and stays behind: it never runs learner code
and is never confined (a PID namespace, Landlock rules and the run's user id
are all put on the child after the fork). It is a child subreaper
(``PR_SET_CHILD_SUBREAPER``), so a daemon the app leaves behind, setsid and
double fork included, is reparented to it rather than to init. When the app's
process ends, or when the judge asks it to stop (SIGTERM), it kills the app's
process and then every process below it, round after round until none is
left, and only then tells the judge how the app ended. With a PID namespace
the kernel does the same on its own; without one this is what keeps a
setsid daemon from outliving its run.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import sys

from grader import wire

PR_SET_CHILD_SUBREAPER = 36
# Rounds of "kill every child, reap them": each round reaches one more generation
# of a process tree whose parents were alive (a fork bomb is capped by RLIMIT_NPROC).
SWEEP_ROUNDS = 1000


class _Stop(Exception):
    """The judge asked the reaper to end the run now."""


def fork(wire_fd: int) -> None:
    """Fork; the parent reaps the app and reports how it ended. Returns in the child."""
    libc = ctypes.CDLL(None, use_errno=True)
    # Linux only; elsewhere the app's own process group is all the judge can end.
    subreaper = sys.platform.startswith("linux") and libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0
    pid = os.fork()
    if pid == 0:
        if subreaper:
            libc.prctl(PR_SET_CHILD_SUBREAPER, 0, 0, 0, 0)
        return

    def stop(_signo: int, _frame: object) -> None:
        raise _Stop

    signal.signal(signal.SIGTERM, stop)
    for fd in range(3, 1024):
        if fd != wire_fd:
            with contextlib.suppress(OSError):
                os.close(fd)
    status, peak_mb = 0, 0
    try:
        while True:
            try:
                _, raw, usage = os.wait4(pid, 0)
            except ChildProcessError:
                break
            if os.WIFSTOPPED(raw):
                # The app made this process its tracer (PTRACE_TRACEME, where no filter
                # refuses it) and stopped: that ends it, as a kill would.
                os.kill(pid, signal.SIGKILL)
                continue
            status, peak_mb = os.waitstatus_to_exitcode(raw), usage.ru_maxrss // 1024
            break
    except _Stop:
        status = -signal.SIGKILL
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    with contextlib.suppress(OSError):
        os.kill(pid, signal.SIGKILL)
        # Its end itself, not just the signal: only once it is reaped are its descriptors
        # (and the locks they hold) gone, and the next host of the run may start. /proc,
        # which the sweep reads, may be the app's own PID namespace's, where it is not this
        # process's child. (Already reaped above: ChildProcessError, an OSError.)
        os.waitpid(pid, 0)
    if os.path.isdir("/proc/self"):
        sweep()
    with contextlib.suppress(OSError):
        wire.write_all(wire_fd, wire.encode({"op": "exit", "status": status, "peak_mb": peak_mb}))
    os._exit(0)


def sweep() -> bool:
    """Kill and reap every descendant; True when none is left."""
    me = os.getpid()
    try:
        # No child at all, alive or a zombie (the usual case: with a PID namespace the
        # kernel ended everything in it with the app): nothing to look for in /proc.
        os.waitpid(-1, os.WNOHANG)
    except ChildProcessError:
        return True
    for _ in range(SWEEP_ROUNDS):
        children = _children(me)
        if not children:
            return True
        for child in children:
            with contextlib.suppress(OSError):
                os.kill(child, signal.SIGKILL)
        for child in children:
            with contextlib.suppress(ChildProcessError, OSError):
                os.waitpid(child, 0)
    return not _children(me)


def _children(parent: int) -> list[int]:
    """This process's children, zombies included (they are reaped by the caller)."""
    found = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as f:
                stat = f.read()
        except OSError:
            continue
        fields = stat.rsplit(b")", 1)[-1].split()
        if len(fields) > 1 and int(fields[1]) == parent:
            found.append(int(name))
    return found
