"""A warm worker: imports FastAPI once, then forks a fresh child per grading run.

Batch grading, ``grade check`` and watch mode run many gradings; paying the
FastAPI import (most of a run's cost) once instead of every time is what
makes them fast. Each child is still a new process in its own process group
that imports the learner's file fresh, so it is as isolated as a spawned one.

The parent talks to the zygote over a ``SOCK_SEQPACKET`` socket (one JSON
message per packet). A job arrives with two file descriptors attached: the
write end of the parent's event pipe and the learner-output file. The zygote
answers ``{"job": id, "pid": N}`` once the child exists and
``{"pid": N, "status": S, "peak_mb": M}`` when it has ended. It is
single-threaded on purpose: forking a process that has threads can leave
locks held forever in the child.
"""

from __future__ import annotations

import contextlib
import json
import os
import selectors
import signal
import socket
import sys
from typing import Any

# The expensive imports, paid once for every child to come.
from grader import worker

SOCKET_FD_ENV = "GRADER_ZYGOTE_FD"
MAX_PACKET = 1 << 20


def _child(job: dict[str, Any], events_fd: int, output_fd: int, close: list[int]) -> None:
    """In the forked child: become an ordinary grading process and run the job."""
    code = 3
    try:
        signal.set_wakeup_fd(-1)
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        os.setsid()
        for fd in close:
            os.close(fd)
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.dup2(output_fd, 1)
        os.dup2(output_fd, 2)
        code = worker.run(job, worker.Events(events_fd))
    finally:
        os._exit(code)


def warm_up() -> None:
    """Run one conversation here, so lazy imports and first-use setup are paid once, not per child."""
    import asyncio
    from pathlib import Path

    from fastapi import FastAPI, WebSocket

    from grader.clock import VirtualClockLoop
    from grader.conversation import Context, run_check
    from grader.learner import LearnerCode
    from grader.spec import parse_exercise

    app = FastAPI()

    async def echo(websocket: WebSocket) -> None:
        await websocket.accept()
        async for text in websocket.iter_text():
            await websocket.send_text(text)

    app.add_api_websocket_route("/ws", echo)
    spec = ("version: 1\nid: warm\ntitle: w\ntrack: 1\nlesson: 1\nxp: 0\nfile: w.py\ninstructions: w\n"
            "checks:\n  - name: w\n    steps:\n      - connect: /ws\n      - send_json: {a: 1}\n"
            "      - expect_json: {a: 1}\n      - send_bytes: {hex: '00'}\n      - disconnect:\n      - ends_cleanly:\n")
    check = parse_exercise(spec, Path("warm.yaml")).checks[0]
    loop = VirtualClockLoop()
    try:
        loop.run_until_complete(run_check(check, Context(app, LearnerCode(Path(__file__)), Path.cwd())))
    finally:
        loop.close()
        asyncio.set_event_loop(None)


def serve(channel: socket.socket) -> None:
    wake_read, wake_write = os.pipe()
    os.set_blocking(wake_read, False)
    os.set_blocking(wake_write, False)
    signal.set_wakeup_fd(wake_write)
    signal.signal(signal.SIGCHLD, lambda *_: None)
    selector = selectors.DefaultSelector()
    selector.register(channel, selectors.EVENT_READ, "job")
    selector.register(wake_read, selectors.EVENT_READ, "child")
    running = 0
    closing = False

    def reply(message: dict[str, Any]) -> None:
        channel.send(json.dumps(message).encode())

    while not (closing and running == 0):
        for key, _ in selector.select():
            if key.data == "job":
                data, fds, _flags, _addr = socket.recv_fds(channel, MAX_PACKET, 2)
                if not data:
                    closing = True
                    selector.unregister(channel)
                    continue
                request = json.loads(data)
                events_fd, output_fd = fds
                with contextlib.suppress(Exception):  # the child reports spec problems itself
                    worker.cached_exercise(request["job"]["spec"])
                pid = os.fork()
                if pid == 0:
                    _child(request["job"], events_fd, output_fd, [channel.fileno(), wake_read, wake_write, selector.fileno()])
                os.close(events_fd)
                os.close(output_fd)
                running += 1
                reply({"job": request["id"], "pid": pid})
            else:
                try:
                    while os.read(wake_read, 512):
                        pass
                except BlockingIOError:
                    pass
                while running:
                    try:
                        pid, status, usage = os.wait4(-1, os.WNOHANG)
                    except ChildProcessError:
                        break
                    if pid == 0:
                        break
                    running -= 1
                    reply({"pid": pid, "status": os.waitstatus_to_exitcode(status), "peak_mb": usage.ru_maxrss // 1024})


if __name__ == "__main__":
    # Anything printed while importing must not reach a channel; there is none on stdout.
    warm_up()
    serve(socket.socket(fileno=int(os.environ[SOCKET_FD_ENV])))
    sys.exit(0)
