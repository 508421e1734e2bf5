"""The parent side of grading: one isolated child per run, watched and killed if stuck.

The parent never imports learner code. It starts ``grader.worker`` in a new
process group, hands it the job, and reads one event per check. If the child
hangs past the wall-clock limit it kills the whole group; if the child dies
(``os._exit``, a signal, a resource limit), the check it was running fails
with the reason, and a fresh child goes on with the checks that remain, so
every check that can run still gets a verdict.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import selectors
import shutil
import signal
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from grader.errors import InternalError
from grader.i18n import say
from grader.judge import source
from grader.launch import Child, Launcher, SpawnLauncher
from grader.learner import LearnerCode
from grader.protocol import AFTER_HANG_SECONDS, LABEL_BYTES
from grader.result import (
    CheckResult,
    Failure,
    Kind,
    Raised,
    Result,
    SourceLine,
    Status,
    check_from_dict,
    failure_from_dict,
)
from grader.spec import Check, Exercise, pick


@dataclass(frozen=True)
class Limits:
    """Bounds on one grading run; ``grader.toml``'s [limits] table overrides them."""

    check_seconds: float = 2.0  # wall clock for one check before it counts as hung
    import_seconds: float = 20.0  # wall clock to import FastAPI and the learner's file
    run_seconds: float = 120.0  # wall clock for the whole run, all children together
    memory_mb: int = 2048
    cpu_seconds: int = 120
    file_mb: int = 64
    open_files: int = 256
    processes: int = 0  # 0: leave the system's limit
    output_kb: int = 16  # learner output kept for the report

    def for_child(self) -> dict[str, int]:
        return {
            "memory_mb": self.memory_mb,
            "cpu_seconds": self.cpu_seconds,
            "file_mb": self.file_mb,
            "open_files": self.open_files,
            "processes": self.processes,
        }


@dataclass
class Options:
    attr: str = "app"
    lang: str = "en"
    limits: Limits = field(default_factory=Limits)
    # How children start: a fresh interpreter, or a fork of a warm Zygote.
    launcher: Launcher = field(default_factory=SpawnLauncher)
    # Hidden checks run on submission (CI, batch grading), not on a learner's machine.
    run_hidden: bool = False
    # Told (position, total, name) as each check starts, and (total + 1, total, "") at the end.
    on_progress: Callable[[int, int, str], None] | None = None


def grade(exercise: Exercise, app_path: Path, options: Options | None = None) -> Result:
    """Grade one learner file against one exercise, isolated in child processes."""
    options = options or Options()
    started = time.perf_counter()
    scratch = Path(tempfile.mkdtemp(prefix="grader-"))
    try:
        run = _Run(exercise, app_path, options, scratch)
        checks = run.all_checks()
        output, dropped = run.output()
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return Result(
        exercise=exercise.id,
        title=pick(exercise.title, options.lang),
        app=str(app_path),
        xp=exercise.xp,
        checks=tuple(checks),
        output=output,
        output_dropped=dropped,
        wall_seconds=round(time.perf_counter() - started, 3),
        hidden_pending=len(exercise.checks) - len(run.runs),
        hidden_points=exercise.points - sum(exercise.checks[i].points for i in run.runs),
    )


class _Run:
    def __init__(self, exercise: Exercise, app_path: Path, options: Options, scratch: Path) -> None:
        self.exercise = exercise
        self.app_path = app_path.resolve()
        self.options = options
        self.limits = options.limits
        self.scratch = scratch
        self.workdir = scratch / "work"
        self.workdir.mkdir()
        self.output_path = scratch / "output.txt"
        self.trace_path = scratch / "trace.txt"
        self.deadline = time.monotonic() + self.limits.run_seconds
        self.code = LearnerCode(self.app_path)
        self.check_seconds = self.limits.check_seconds
        self.peak_mb = 0
        self.other_outputs: list[Path] = []  # a prestarted child writes its own file
        # The checks this run grades, by index: hidden ones only on submission.
        self.runs = [i for i, c in enumerate(exercise.checks) if options.run_hidden or not c.hidden]

    def all_checks(self) -> list[CheckResult]:
        results: dict[int, CheckResult] = {}
        pending = []
        for index in self.runs:
            check = self.exercise.checks[index]
            if check.source is not None:
                results[index] = self._source(check)
            else:
                pending.append(index)
        while pending:
            done = self._child(pending, results)
            pending = [i for i in pending if i not in results]
            if not done and pending and time.monotonic() >= self.deadline:
                for index in pending:
                    results[index] = self._not_run(index, Failure(
                        Kind.HANG, self.say("not run: grading took longer than {seconds} s in all; fix the checks "
                                            "above that stopped responding first",
                                            seconds=f"{self.limits.run_seconds:g}")))
                break
        self._progress(len(self.runs) + 1, "")
        return [results[i] for i in self.runs]

    def _progress(self, position: int, name: str) -> None:
        if self.options.on_progress is not None:
            self.options.on_progress(position, len(self.runs), name)

    def say(self, text: str, **values: object) -> str:
        return say(self.options.lang, text, **values)

    def _source(self, check: Check) -> CheckResult:
        assert check.source is not None
        failure = source.check(check.source, self.app_path, self.options.lang)
        return self._verdict(check, failure)

    def _verdict(self, check: Check, failure: Failure | None, status: Status | None = None) -> CheckResult:
        return CheckResult(
            name=check.name,
            status=status or (Status.PASSED if failure is None else Status.FAILED),
            max_points=check.points,
            points=check.points if failure is None else 0,
            hidden=check.hidden,
            hint=pick(check.hint, self.options.lang) or None,
            failure=failure,
        )

    def _not_run(self, index: int, failure: Failure) -> CheckResult:
        return self._verdict(self.exercise.checks[index], failure, Status.NOT_RUN)

    # -- one child --

    def _child(self, indices: list[int], results: dict[int, CheckResult]) -> bool:
        """Run a child over ``indices``; True if it finished them all normally."""
        job = {
            "spec": str(self.exercise.path.resolve()),
            "app": str(self.app_path),
            "attr": self.options.attr,
            "checks": indices,
            "workdir": str(self.workdir),
            "trace": str(self.trace_path),
            "lang": self.options.lang,
            "check_seconds": self.check_seconds,
            "import_seconds": self.limits.import_seconds,
            "limits": self.limits.for_child(),
        }
        child = self.options.launcher.launch(job, self.output_path, self.workdir)
        if child.output != self.output_path:
            self.other_outputs.append(child.output)
        lines = _Lines(child.events)
        try:
            return self._follow(child, lines, indices, results)
        finally:
            lines.close()
            child.finish()  # kills what the child left behind; a no-op if done already

    def _follow(self, child: Child, lines: _Lines, indices: list[int], results: dict[int, CheckResult]) -> bool:
        current: int | None = None
        limit = self.limits.import_seconds + 5
        while True:
            budget = min(limit, self.deadline - time.monotonic())
            event = lines.next(max(budget, 0))
            if event is None:
                # Silence past the limit, or the child is gone.
                killed = lines.timed_out
                status, self.peak_mb = child.finish()
                self._lost(current, indices, results, status, killed)
                return False
            kind = event["event"]
            if kind == "load_failed":
                failure = failure_from_dict(event["failure"])
                for index in indices:
                    results[index] = self._not_run(index, failure)
                return True
            if kind == "setup_failed":
                failure = failure_from_dict(event["failure"])
                for index in indices:
                    results.setdefault(index, self._verdict(self.exercise.checks[index], failure))
                return True
            if kind == "start":
                current = event["index"]
                self._progress(self.runs.index(current) + 1, self.exercise.checks[current].name)
                limit = self.check_seconds + 2
            elif kind == "check":
                results[event["index"]] = check_from_dict(event["result"])
                current = None
            elif kind == "loaded":
                limit = self.check_seconds + 2
            elif kind == "done":
                return True
            elif kind == "restart":
                return False
            elif kind == "internal":
                raise InternalError("the grading process failed:\n" + event.get("traceback", ""))

    def _lost(self, current: int | None, indices: list[int], results: dict[int, CheckResult], status: int, killed: bool) -> None:
        """The child died or hung: blame the check it was on, in the learner's terms."""
        failure = self._death(status, killed)
        if current is not None:
            step = _read(self.trace_path, LABEL_BYTES).strip("\x00 \n") or None
            if failure.kind is Kind.HANG:
                self.check_seconds = min(self.check_seconds, AFTER_HANG_SECONDS)
            results[current] = self._verdict(self.exercise.checks[current], replace(failure, step=step))
            return
        # Died before reaching any check (while importing, or in lifespan):
        # nothing more can run with this app.
        for index in indices:
            results.setdefault(index, self._verdict(self.exercise.checks[index], failure))

    def _death(self, status: int, killed: bool) -> Failure:
        trace = _read(self.trace_path, 64 * 1024)
        if "GRADER-OS-EXIT " in trace:
            note = trace.split("GRADER-OS-EXIT ", 1)[1].strip()
            return Failure(Kind.CRASH, self.say("your code called {call}, which ends the whole server process", call=note),
                           expected=self.say("the endpoint keeps serving"),
                           actual=self.say("process exited with code {status}", status=status))
        memory = ""
        if self.peak_mb * 2 > self.limits.memory_mb:
            memory = self.say(", while its memory grew to {peak} MB (limit {limit} MB)", peak=self.peak_mb,
                              limit=self.limits.memory_mb)
        if "Timeout (" in trace or killed:
            where = self._stuck_at(trace)
            at = self.say(" at {place}", place=f"{where.file}:{where.line} ({where.code})") if where else ""
            return Failure(
                Kind.HANG,
                self.say("your endpoint stopped responding: it blocked the event loop for more than {seconds} s of real "
                         "time{where}{memory}. Blocking calls (time.sleep, busy loops, synchronous I/O) freeze every "
                         "connection: use await asyncio.sleep(...) or run the work in a thread",
                         seconds=f"{self.check_seconds:g}", where=at, memory=memory),
                expected=self.say("an answer"), actual=self.say("the server froze"),
                errors=(Raised("Blocked", "event loop blocked", (where,)),) if where else (),
            )
        if status < 0:
            name = signal.Signals(-status).name if -status in signal.Signals._value2member_map_ else str(-status)
            why = {
                "SIGXCPU": self.say("it used more than {seconds} s of CPU time", seconds=self.limits.cpu_seconds),
                "SIGKILL": self.say("it was killed (most often for using more than {limit} MB of memory)",
                                    limit=self.limits.memory_mb),
                "SIGSEGV": self.say("it crashed (segmentation fault)"),
            }.get(name) or self.say("it was stopped by {signal}", signal=name)
            return Failure(Kind.CRASH, self.say("the server process running your app died: {why}{memory}", why=why,
                                                memory=memory),
                           expected=self.say("the endpoint keeps serving"), actual=f"signal {name}")
        return Failure(Kind.CRASH, self.say("the server process running your app exited with code {status} "
                                            "(did your code call sys.exit() or os._exit()?)", status=status),
                       expected=self.say("the endpoint keeps serving"), actual=self.say("exit code {status}", status=status))

    def _stuck_at(self, trace: str) -> SourceLine | None:
        for match in re.finditer(r'File "([^"]+)", line (\d+) in (\S+)', trace):
            filename, line, function = match.group(1), int(match.group(2)), match.group(3)
            if self.code.owns(filename):
                return self.code.line(filename, line, function)
        return None

    def output(self) -> tuple[str, int]:
        keep = self.limits.output_kb * 1024
        text, size = "", 0
        for path in [*self.other_outputs, self.output_path]:
            try:
                size += path.stat().st_size
            except OSError:
                continue
            if len(text) < keep:
                text += _read(path, keep - len(text))
        for path in self.other_outputs:
            with contextlib.suppress(OSError):
                path.unlink()
        return text, max(0, size - keep)


class _Lines:
    """JSON lines from the child's event pipe, each read with a deadline."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.buffer = b""
        self.timed_out = False
        self.selector = selectors.DefaultSelector()
        self.selector.register(fd, selectors.EVENT_READ)

    def next(self, timeout: float) -> dict[str, Any] | None:
        end = time.monotonic() + timeout
        while b"\n" not in self.buffer:
            remaining = end - time.monotonic()
            if remaining <= 0 or not self.selector.select(remaining):
                self.timed_out = True
                return None
            chunk = os.read(self.fd, 1 << 20)
            if not chunk:
                return None
            self.buffer += chunk
        line, self.buffer = self.buffer.split(b"\n", 1)
        return json.loads(line)

    def close(self) -> None:
        self.selector.close()


def _read(path: Path, limit: int) -> str:
    try:
        with open(path, "rb") as f:
            return f.read(limit).decode("utf-8", "replace")
    except OSError:
        return ""
