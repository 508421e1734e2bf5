"""The grading child: imports the learner's app and runs checks, one event per line.

Started by :mod:`grader.sandbox` in its own process group. It reads one job
(JSON) from stdin and writes events (JSON lines) to the file descriptor named
by ``GRADER_EVENT_FD``, so nothing the learner prints can corrupt them:

    {"event": "loaded"}                          the app imported
    {"event": "load_failed", "failure": {...}}   it did not: their error
    {"event": "start", "index": 3}               check 3 begins
    {"event": "check", "index": 3, "result": {...}}
    {"event": "setup_failed", "failure": {...}}  lifespan startup failed
    {"event": "done"}

A check that blocks the event loop is stopped by ``faulthandler``, which
writes every thread's stack to the job's trace file and exits; the parent
turns that into "your endpoint stopped responding" at the learner's line.
"""

from __future__ import annotations

import asyncio
import contextlib
import faulthandler
import json
import os
import resource
import signal
import sys
import traceback
from dataclasses import asdict
from pathlib import Path
from typing import Any

# Imported before the job arrives, while the parent is still reading the spec.
import fastapi  # noqa: F401
import httpx_ws  # noqa: F401

from grader import clock
from grader.conversation import Context, run_check
from grader.learner import LearnerCode, LoadError, import_app
from grader.lifespan import Lifespan, LifespanFailed
from grader.protocol import EVENT_FD_ENV, LABEL_BYTES
from grader.result import Failure, Kind, check_to_dict
from grader.spec import Exercise, load_exercise


class Events:
    def __init__(self, fd: int) -> None:
        self.fd = fd

    def emit(self, event: str, **fields: Any) -> None:
        line = json.dumps({"event": event, **fields}, ensure_ascii=False, default=str) + "\n"
        data = line.encode("utf-8")
        while data:
            written = os.write(self.fd, data)
            data = data[written:]


def apply_limits(limits: dict[str, int]) -> None:
    """Resource limits for learner code; each skipped quietly where the OS refuses it."""
    table = {
        "memory_mb": (resource.RLIMIT_AS, 1 << 20),
        "cpu_seconds": (resource.RLIMIT_CPU, 1),
        "file_mb": (resource.RLIMIT_FSIZE, 1 << 20),
        "open_files": (resource.RLIMIT_NOFILE, 1),
        "processes": (resource.RLIMIT_NPROC, 1),
    }
    for key, value in limits.items():
        if key not in table or not value:
            continue
        which, unit = table[key]
        soft, hard = resource.getrlimit(which)
        wanted = value * unit
        if hard != resource.RLIM_INFINITY:
            wanted = min(wanted, hard)
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(which, (wanted, hard))
    # Past the file-size limit, writes fail with an error instead of killing us.
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)


def watch_os_exit(code: LearnerCode, trace_fd: int) -> None:
    """Leave a note of the learner's line before ``os._exit`` ends the process."""
    real_exit = os._exit

    def _exit(status: int) -> None:  # type: ignore[misc]
        frames = [f for f in traceback.extract_stack() if code.owns(f.filename)]
        if frames:
            last = frames[-1]
            note = f"os._exit({status}) at {code.display(last.filename)}:{last.lineno} ({(last.line or '').strip()})\n"
            os.write(trace_fd, b"GRADER-OS-EXIT " + note.encode("utf-8", "replace"))
        real_exit(status)

    os._exit = _exit  # type: ignore[assignment]


_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND
_PATH_EVENTS = {"os.remove": 0, "os.rename": 0, "os.replace": 0, "os.rmdir": 0, "os.mkdir": 0,
                "os.symlink": 1, "os.link": 1, "os.truncate": 0, "shutil.rmtree": 0, "os.chmod": 0}


def confine_writes(folder: Path) -> None:
    """Refuse learner writes outside the grading folder (an audit hook, for the rest of the process).

    Reading anywhere is fine; creating, changing or removing files elsewhere
    raises a PermissionError that names the path, in the learner's code.
    """
    root = os.path.realpath(folder) + os.sep
    allowed = (root, os.path.realpath(os.devnull))

    def inside(path: object) -> bool:
        if isinstance(path, int):
            return True  # an already open descriptor
        try:
            real = os.path.realpath(os.fsdecode(path))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return True
        return real.startswith(root) or real in allowed

    def hook(event: str, args: tuple[object, ...]) -> None:
        if event == "open":
            path, mode, flags = args
            writing = (isinstance(mode, str) and any(c in mode for c in "wax+")) or (
                isinstance(flags, int) and flags & _WRITE_FLAGS
            )
            if writing and path is not None and not inside(path):
                raise PermissionError(f"the grader lets your app write only inside its working folder, not {path}")
        elif event in _PATH_EVENTS:
            target = args[_PATH_EVENTS[event]]
            if not inside(target):
                raise PermissionError(f"the grader lets your app change files only inside its working folder, not {target}")

    sys.addaudithook(hook)


_SPECS: dict[tuple[str, int, int], Exercise] = {}


def cached_exercise(path: str) -> Exercise:
    """The spec at ``path``, parsed once per version of the file.

    A zygote fills this before it forks, so its children inherit the parsed
    spec instead of each reading it again.
    """
    stat = os.stat(path)
    key = (path, stat.st_mtime_ns, stat.st_size)
    if key not in _SPECS:
        if len(_SPECS) > 256:
            _SPECS.clear()
        _SPECS[key] = load_exercise(path)
    return _SPECS[key]


def main() -> int:
    """Entry point of a spawned child: the job on stdin, events to the inherited fd."""
    return run(json.loads(sys.stdin.readline()), Events(int(os.environ[EVENT_FD_ENV])))


def run(job: dict[str, Any], events: Events) -> int:
    """Import the learner's app and run the job's checks, reporting each as an event.

    A failure of the grader's own code is reported as such ("internal"), so
    the parent never mistakes it for the learner's process dying.
    """
    try:
        return _run(job, events)
    except Exception:
        events.emit("internal", traceback=traceback.format_exc())
        return 3


def _run(job: dict[str, Any], events: Events) -> int:
    limits: dict[str, int] = job.get("limits", {})
    trace = open(job["trace"], "w+b", buffering=0)  # noqa: SIM115 - kept open for faulthandler
    app_path = Path(job["app"]).resolve()
    code = LearnerCode(app_path)
    exercise = cached_exercise(job["spec"])
    indices: list[int] = job["checks"]
    check_seconds: float = job["check_seconds"]

    os.chdir(job["workdir"])
    apply_limits(limits)
    watch_os_exit(code, trace.fileno())
    confine_writes(Path(job["workdir"]))
    clock.hold_clock_for_anyio_threads()

    faulthandler.dump_traceback_later(job["import_seconds"], exit=True, file=trace)
    try:
        app, _module = import_app(app_path, job.get("attr", "app"), job.get("lang", "en"))
    except LoadError as exc:
        faulthandler.cancel_dump_traceback_later()
        events.emit("load_failed", failure=asdict(exc.failure))
        return 0
    faulthandler.cancel_dump_traceback_later()
    events.emit("loaded")

    loop = clock.VirtualClockLoop()
    asyncio.set_event_loop(loop)
    if exercise.wall_clock == "virtual":
        clock.follow_wall_clock(loop)
    trace_fd = trace.fileno()

    def on_step(label: str) -> None:
        os.pwrite(trace_fd, label.encode("utf-8", "replace")[: LABEL_BYTES - 1].ljust(LABEL_BYTES - 1) + b"\n", 0)

    ctx = Context(app=app, code=code, workdir=Path.cwd(), lang=job.get("lang", "en"), on_step=on_step)

    async def grade() -> None:
        lifespan = Lifespan(app, lang=job.get("lang", "en"))
        faulthandler.dump_traceback_later(check_seconds, exit=True, file=trace)
        try:
            await lifespan.startup()
        except LifespanFailed as exc:
            faulthandler.cancel_dump_traceback_later()
            errors = code.raised(exc.error) if exc.error else ()
            events.emit("setup_failed", failure=asdict(Failure(Kind.ERROR, str(exc), errors=errors)))
            return
        faulthandler.cancel_dump_traceback_later()
        for index in indices:
            # The trace file: the current step's label in its first LABEL_BYTES,
            # then whatever faulthandler or os._exit leave behind.
            os.ftruncate(trace_fd, 0)
            os.lseek(trace_fd, LABEL_BYTES, os.SEEK_SET)
            events.emit("start", index=index)
            faulthandler.dump_traceback_later(check_seconds, exit=True, file=trace)
            result = await run_check(exercise.checks[index], ctx)
            faulthandler.cancel_dump_traceback_later()
            events.emit("check", index=index, result=check_to_dict(result))
            if ctx.runaways:
                # An endpoint that ignores cancellation keeps the loop busy for
                # good: later checks get a fresh process instead.
                events.emit("restart")
                return
        faulthandler.dump_traceback_later(check_seconds, exit=True, file=trace)
        # Shutdown problems do not change verdicts already given.
        with contextlib.suppress(LifespanFailed):
            await lifespan.shutdown()
        faulthandler.cancel_dump_traceback_later()

    try:
        loop.run_until_complete(grade())
    except (SystemExit, KeyboardInterrupt) as exc:
        # Raised by learner code outside any connection (e.g. in lifespan).
        errors = code.raised(exc)
        events.emit("setup_failed", failure=asdict(Failure(Kind.CRASH, f"your code raised {errors[-1].headline()}", errors=errors)))
        return 0
    except Exception:
        events.emit("internal", traceback=traceback.format_exc())
        return 3
    events.emit("done")
    return 0


if __name__ == "__main__":
    # Exit without running interpreter teardown: learner threads and open
    # connections must not keep the process alive once the verdicts are out.
    sys.stdout.flush()
    os._exit(main())
