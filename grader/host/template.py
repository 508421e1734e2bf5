"""A warm host template: imports FastAPI once, then forks a fresh host per grading.

Batch grading, ``grade check`` and watch mode grade many files; paying the
FastAPI import (most of a host's start-up) once instead of every time is what
makes them fast. The template never imports learner code and holds nothing
secret (it is started with an environment built from scratch and never sees
a spec): each fork sandboxes itself before it imports anything of the
learner's, so it is as isolated as a spawned host.

The judge talks to it over a ``SOCK_SEQPACKET`` socket: each request carries
three descriptors (the new host's wire, its trace pipe, its output file) and
is answered with the forked pid. Single-threaded on purpose: forking a
process that has threads can leave locks held forever in the child.
"""

from __future__ import annotations

import contextlib
import gc
import json
import os
import signal
import socket
import sys

from grader.host import sandbox, seccomp, serve, warmup

TEMPLATE_FD_ENV = "GRADER_TEMPLATE_FD"


def _child(wire_fd: int, trace_fd: int, output_fd: int, channel: socket.socket) -> None:
    code = 3
    try:
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        os.setsid()
        channel.close()
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.dup2(output_fd, 1)
        os.dup2(output_fd, 2)
        for fd in (null, output_fd):
            os.close(fd)
        serve.run(wire_fd, trace_fd)
    finally:
        os._exit(code)


def serve_forks(channel: socket.socket) -> None:
    # FastAPI's first-use costs and the wall clock most specs put on the grader's clock:
    # paid once here (a spawned host has paid them before saying ready) and not by each fork.
    warmup.warm_up()
    # Built once here, so each fork only installs it.
    seccomp.host_program()
    # Looked up once here, so no fork runs ldconfig to find it.
    with contextlib.suppress(OSError):
        sandbox.c_library()
    # Children are reaped as they end; the judge learns how they ended from their reaper.
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)
    # Everything imported so far is left out of every collection, in the template and in
    # its forks: a fork's first collection would otherwise write to every object it holds
    # and so copy the template's whole heap, page by page (the gc module's docs advise it).
    # No full collection first: it costs more than a fork (0.1 s on a loaded machine), and
    # warm_up() has already collected the little garbage it made.
    gc.freeze()
    while True:
        try:
            data, fds, _flags, _addr = socket.recv_fds(channel, 1 << 16, 3)
        except OSError:
            return
        if not data:
            return
        if len(fds) != 3:
            for fd in fds:
                os.close(fd)
            continue
        wire_fd, trace_fd, output_fd = fds
        pid = os.fork()
        if pid == 0:
            _child(wire_fd, trace_fd, output_fd, channel)
        for fd in fds:
            os.close(fd)
        with contextlib.suppress(OSError):
            channel.send(json.dumps({"id": json.loads(data)["id"], "pid": pid}).encode())


if __name__ == "__main__":
    serve_forks(socket.socket(fileno=int(os.environ[TEMPLATE_FD_ENV])))
    sys.exit(0)
