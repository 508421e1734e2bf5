"""One grading run: the judge's side, from a learner file to a :class:`Result`.

The judge never imports learner code. It copies the learner's file into a
scratch folder, starts an app host (which sandboxes itself and imports that
copy), and drives the app's conversations through the relay on its own
virtual clock. Source rules read the copy here. If the host dies, freezes or
breaks the protocol, the check it was running fails with the reason, in the
learner's terms, and a fresh host goes on with the checks that remain, so
every check that can run still gets a verdict.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from grader.files import Refused
from grader.i18n import say
from grader.judge import intake, real, source, warm
from grader.judge.clock import Gate, VirtualClockLoop
from grader.judge.conversation import Context, run_check
from grader.judge.diagnose import diagnose
from grader.judge.driver import Client
from grader.judge.launch import (
    START_SECONDS,
    HostProcess,
    Launcher,
    SpawnLauncher,
    dedicated_uid,
    stranger_can_read,
    sweep,
)
from grader.judge.leftover import Leftovers
from grader.judge.link import Death, Link
from grader.judge.printed import AppOutput, size_of
from grader.judge.reports import Ending, death_failure, load_failure, read_trace, setup_failure
from grader.matchwords import localized
from grader.result import CheckResult, Failure, Kind, Result, Status, relocated, sanitized
from grader.spec import Check, Exercise, match, pick

# Real seconds a host under uvicorn gets to stop (its connections are closed with 1012).
STOP_SECONDS = 5.0
NOBODY = 65534


@dataclass(frozen=True)
class Limits:
    """Bounds on one grading run; ``grader.toml``'s [limits] table overrides them."""

    check_seconds: float = 2.0  # real seconds the app's loop may stay frozen before it counts as hung
    # Real seconds to import the learner's file; FastAPI is already imported by then.
    import_seconds: float = 3.0
    run_seconds: float = 120.0  # real seconds for the whole run, all hosts together
    memory_mb: int = 2048
    cpu_seconds: int = 120
    file_mb: int = 64
    open_files: int = 256
    processes: int = 0  # 0: leave the system's limit
    output_kb: int = 16  # learner output kept for the report
    # What the judge itself may hold of what one app sends (frames in flight, inboxes): more ends the check.
    judge_memory_mb: int = 256
    app_kb: int = 1024  # the largest learner file taken in (a lesson's app is a few KB)

    def for_host(self) -> dict[str, int]:
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
    # How hosts start: a fresh interpreter, or a fork of a warm Template.
    launcher: Launcher = field(default_factory=SpawnLauncher)
    # Hidden checks run on submission (CI, batch grading), not on a learner's machine.
    run_hidden: bool = False
    # Keep the conversation of passed checks too (the HTML report draws every check).
    transcripts: bool = False
    # Linux namespaces for the host (off only to measure what they cost).
    namespaces: bool = True
    # Told (position, total, name) as each check starts, and (total + 1, total, "") at the end.
    on_progress: Callable[[int, int, str], None] | None = None
    # Serve the app under a real uvicorn on a loopback port, clients over TCP, on real
    # time (``--server uvicorn``): to confirm a verdict against the real thing.
    uvicorn: bool = False
    # A submission's folder (``grade batch``, the platform runners): below it no link is
    # followed and a file with other hard links is refused. None: the learner's own file.
    intake_root: Path | None = None
    # Where a judge that shares the machine's cores with other gradings gives its place away
    # while it waits for a silent host (``grade batch``, ``grade check``); None: it keeps it.
    gate: Gate | None = None


def grade(exercise: Exercise, app_path: Path, options: Options | None = None) -> Result:
    """Grade one learner file against one exercise; the app runs in a sandboxed host."""
    options = options or Options()
    runs = [i for i, c in enumerate(exercise.checks) if not c.hidden or options.run_hidden]
    if (type(options.launcher) is SpawnLauncher and not options.uvicorn
            and warm.fresh_starts(exercise, runs) >= warm.WORTH_IT):
        launcher = warm.WarmLauncher()
        try:
            return _grade(exercise, app_path, replace(options, launcher=launcher))
        finally:
            launcher.close()
    return _grade(exercise, app_path, options)


def _grade(exercise: Exercise, app_path: Path, options: Options) -> Result:
    started = time.perf_counter()
    try:
        content = intake.take(app_path, options.intake_root, options.limits.app_kb * 1024)
    except Refused as refused:
        failure = intake.refusal(refused, _shown(app_path) if options.intake_root is None else refused.file,
                                 options.lang, submission=options.intake_root is not None)
        return not_taken(exercise, app_path, options, failure, time.perf_counter() - started)
    scratch = Path(tempfile.mkdtemp(prefix="grader-"))
    try:
        run = _Run(exercise, app_path, content, options, scratch)
        try:
            checks = [localized(check, options.lang, exercise.says) for check in run.all_checks()]
        finally:
            run.finish()
        output, dropped = run.printed.whole()
        diagnoses = diagnose(run.app_copy, output, options.lang)
        protections, unprotected = protection_record(run.protections, exercise, run.swept, options.run_hidden)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return relocated(sanitized(Result(
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
        diagnoses=diagnoses,
        protections=protections,
        unprotected=unprotected,
    )), run.app_copy.name, _shown(app_path))


def not_taken(exercise: Exercise, app_path: Path, options: Options, failure: Failure, seconds: float = 0.0) -> Result:
    """The result for a file that was not taken in: every check not run, each saying why."""
    runs = [c for c in exercise.checks if not (c.hidden and not options.run_hidden)]
    checks = tuple(CheckResult(name=c.name, title=pick(c.title, options.lang) if c.title else "", status=Status.NOT_RUN,
                               max_points=c.points, hidden=c.hidden, hint=pick(c.hint, options.lang) or None,
                               failure=failure) for c in runs)
    return sanitized(Result(
        exercise=exercise.id, title=pick(exercise.title, options.lang), app=str(app_path), xp=exercise.xp,
        checks=checks, wall_seconds=round(seconds, 3), hidden_pending=len(exercise.checks) - len(runs),
        hidden_points=exercise.points - sum(c.points for c in runs)))


def _shown(path: Path) -> str:
    """The learner's file as they would type it here: relative below the current folder, else absolute."""
    absolute = path.resolve()
    try:
        return str(absolute.relative_to(Path.cwd()))
    except (ValueError, OSError):
        return str(absolute)


class _Run:
    def __init__(self, exercise: Exercise, app_path: Path, content: bytes, options: Options, scratch: Path) -> None:
        self.exercise = exercise
        self.app_path = app_path.resolve()
        self.options = options
        self.limits = options.limits
        self.scratch = scratch
        self.uid = dedicated_uid()  # every host of this run runs as this user, when the judge is root
        self.app_dir, self.workdir, self.root = _prepare(scratch, self.app_path, content, self.uid)
        self.protections: dict[str, bool] = {}  # what the last host set up, and what the judge did
        self.swept = self.uid is not None
        self.app_copy = self.app_dir / self.app_path.name
        self.output_path = scratch / "output.txt"
        self.printed = AppOutput(self.output_path, self.limits.output_kb * 1024, options.uvicorn, options.lang)
        self.deadline = time.monotonic() + self.limits.run_seconds
        self.check_seconds = self.limits.check_seconds
        self.froze: str | None = None  # the check during which the app froze, if it did
        self.listen = (-1, 0)  # under uvicorn: the socket's number as the host has it, and its port
        self.ahead: warm.Ahead | None = None  # the next host, started before its check (see _host)
        # The checks this run grades, by index: hidden ones only on submission.
        self.runs = [i for i, c in enumerate(exercise.checks) if options.run_hidden or not c.hidden]

    def say(self, text: str, **values: object) -> str:
        return say(self.options.lang, text, **values)

    def all_checks(self) -> list[CheckResult]:
        results: dict[int, CheckResult] = {}
        pending = []
        for index in self.runs:
            check = self.exercise.checks[index]
            if check.source is not None:
                results[index] = self._verdict(check, source.check(check.source, self.app_copy, self.options.lang))
            else:
                pending.append(index)
        while pending:
            done = self._host(pending, results)
            pending = [i for i in pending if i not in results]
            if not done and pending and self.froze is not None:
                # One freeze reads as one message: the checks after it are not run
                # (a frozen app would cost each of them the real-time limit again).
                for index in pending:
                    results[index] = self._not_run(index, Failure(
                        Kind.HANG, self.say("not run: your app froze in the check \u201c{name}\u201d above; fix "
                                            "that first", name=self.froze)))
                break
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

    def _verdict(self, check: Check, failure: Failure | None, status: Status | None = None) -> CheckResult:
        return CheckResult(
            name=check.name,
            title=pick(check.title, self.options.lang) if check.title else "",
            status=status or (Status.PASSED if failure is None else Status.FAILED),
            max_points=check.points,
            points=check.points if failure is None else 0,
            hidden=check.hidden,
            hint=pick(check.hint, self.options.lang) or None,
            failure=failure,
        )

    def _not_run(self, index: int, failure: Failure) -> CheckResult:
        return self._verdict(self.exercise.checks[index], failure, Status.NOT_RUN)

    # -- one host --

    def _host(self, indices: list[int], results: dict[int, CheckResult]) -> bool:
        """Run one host over ``indices``; True if it finished them all normally."""
        loop: asyncio.AbstractEventLoop
        ahead: warm.Ahead | None = None  # a host started before this check (never under uvicorn)
        if self.options.uvicorn:
            loop = asyncio.new_event_loop()
            host, link, fd, port = real.start_host(self.output_path, loop)
            self.listen = (fd, port)
        else:
            ahead, self.ahead = self.ahead, None
            host = self._taken(ahead.take() if ahead is not None else self.options.launcher.launch(self.output_path))
            if any(self.exercise.checks[i].fresh_app for i in indices[1:]):
                # The next check's host forks and sandboxes itself while this one's checks run.
                self.ahead = warm.Ahead(self.options.launcher, self.output_path, self._job())
            loop = virtual = VirtualClockLoop()
            link = Link(host.wire, loop, stall_seconds=START_SECONDS,
                        budget_bytes=self.limits.judge_memory_mb << 20)
            link.pid = host.pid
            link.deadline = self.deadline
            virtual.link = link
            virtual.gate = self.options.gate
        try:
            return loop.run_until_complete(self._session(host, link, indices, results, held=ahead is not None))
        finally:
            # Done once the reaper has said the app and all it started ended (the reaper's own end,
            # the namespaces' teardown, goes on beside the next host). Never under uvicorn: there
            # the wire is read elsewhere.
            told_exit = link.exit_status is not None
            link.close()
            loop.close()
            host.close(None if self.options.uvicorn else told_exit)
            if self.uid is not None and not (host.reaped and link.protections.get("pid namespace")):
                # Before the next host and before any result: nothing the app started outlives its
                # host. With a PID namespace whose reaper ended, the kernel has done it already.
                self.swept = sweep(self.uid) and self.swept
            if link.protections:
                self.protections = dict(link.protections)

    def _job(self) -> dict[str, Any]:
        return job(self.app_copy, self.workdir, self.root, self.limits, attr=self.options.attr, uid=self.uid,
                   stall_seconds=self.check_seconds, wall_clock=self.exercise.wall_clock,
                   namespaces=self.options.namespaces, listen_fd=self.listen[0] if self.options.uvicorn else None)

    def _taken(self, host: HostProcess) -> HostProcess:
        self.printed.adopt(host.output)
        return host

    def finish(self) -> None:
        """End a host started ahead and never used; then, once for the run, sweep its user id."""
        if self.ahead is not None:
            self.ahead.close()
            self.ahead = None
        if self.uid is not None:
            self.swept = sweep(self.uid) and self.swept

    async def _session(self, host: HostProcess, link: Link, indices: list[int], results: dict[int, CheckResult],
                       held: bool = False) -> bool:
        if await link.event("ready", seconds=START_SECONDS) is None:
            return self._lost(host, link, None, indices, results, importing=True)
        link.stall_seconds = self.limits.import_seconds
        started_at, virtual_at = datetime.now(), link.now_ns()
        if held:
            link.sent += 1  # its job, sent before this link existed
            link.send({"op": "go"})
        else:
            link.send(self._job())
        loaded = await link.event("loaded", "load_failed", seconds=self.limits.import_seconds)
        if loaded is None:
            return self._lost(host, link, None, indices, results, importing=True)
        if loaded["op"] == "load_failed":
            shown = self._shown() if loaded.get("reason") == "missing" else self.app_path.name
            failure = load_failure(loaded, shown, self.options.lang)
            for index in indices:
                results[index] = self._not_run(index, failure)
            return True
        link.stall_seconds = self.check_seconds
        started = await link.event("started", "setup_failed", "crashed", seconds=START_SECONDS)
        if started is None:
            return self._lost(host, link, None, indices, results)
        if started["op"] != "started":
            failure = setup_failure(started, self.options.lang)
            for index in indices:
                results.setdefault(index, self._verdict(self.exercise.checks[index], failure))
            return True
        if self.exercise.wall_clock == "virtual":
            # The app's wall clock started when it got the job and moves with the grader's clock.
            match.NOW.set(lambda: started_at + timedelta(microseconds=(link.now_ns() - virtual_at) / 1000))
        ctx = Context(link=link, workdir=self.workdir, lang=self.options.lang, transcripts=self.options.transcripts,
                      client_type=real.client_type(self.listen[1]) if self.options.uvicorn else Client)
        leftovers = Leftovers(self.options.lang)  # module state lives as long as this host: so do its dead clients
        for position, index in enumerate(indices):
            check = self.exercise.checks[index]
            if check.fresh_app and position > 0:
                # This host has run checks already: end it, and the next one imports the app anew.
                link.send({"op": "shutdown"})
                await link.event("stopped", "shutdown_failed", seconds=STOP_SECONDS)
                return False
            self._progress(self.runs.index(index) + 1, pick(check.title, self.options.lang) if check.title else check.name)
            printed = size_of(host.output)
            result = leftovers.relate(await run_check(check, ctx))
            stops = any(step.action == "shutdown" for step in check.steps)
            if stops and (result.failure is None or result.failure.kind is not Kind.CRASH):
                # The check stopped the app on purpose: its host is done; the next check gets a new one.
                results[index] = replace(result, output=self.printed.during(host.output, printed))
                return False
            if link.dead is not None:
                step = result.failure.step if result.failure is not None else None
                return self._lost(host, link, (index, step), indices, results)
            # The host writes unbuffered, so what grew during the check is what the check made the app print.
            results[index] = replace(result, output=self.printed.during(host.output, printed))
            if link.runaways:
                # An endpoint that ignores cancellation keeps that host busy for
                # good: later checks get a fresh one.
                return False
        link.send({"op": "shutdown"})
        # Shutdown problems do not change verdicts given.
        await link.event("stopped", "shutdown_failed", seconds=STOP_SECONDS)
        return True

    def _lost(self, host: HostProcess, link: Link, current: tuple[int, str | None] | None, indices: list[int],
              results: dict[int, CheckResult], importing: bool = False) -> bool:
        """The host died or froze: blame the check it was on (or all, if none had started)."""
        ending = self._ending(host, link)
        failure = death_failure(ending, app_dir=str(self.app_dir), check_seconds=self.check_seconds,
                                judge_memory_mb=self.limits.judge_memory_mb,
                                run_seconds=self.limits.run_seconds,
                                limits_memory_mb=self.limits.memory_mb, cpu_seconds=self.limits.cpu_seconds,
                                lang=self.options.lang)
        if importing and ending.death is Death.STALLED:
            failure = replace(failure, message=self.say(
                "your file did not finish importing within {seconds} s{where}: code at the top level of the file "
                "runs when the grader imports it. Put uvicorn.run(...) and other long-running calls under "
                "`if __name__ == \"__main__\":`", seconds=f"{self.limits.import_seconds:g}",
                where=(self.say(" (it was at {place})", place=f"{failure.errors[0].where.file}:"
                                f"{failure.errors[0].where.line} ({failure.errors[0].where.code})")
                       if failure.errors and failure.errors[0].where else "")), kind=Kind.IMPORT)
        if current is not None:
            index, step = current
            if ending.death is Death.STALLED:
                self.froze = self._verdict(self.exercise.checks[index], None).shown  # as the report names it
            results[index] = self._verdict(self.exercise.checks[index], replace(failure, step=step))
            return False
        for index in indices:
            # A file that never imported ran no check at all.
            verdict = self._not_run(index, failure) if importing else self._verdict(self.exercise.checks[index], failure)
            results.setdefault(index, verdict)
        return False

    def _ending(self, host: HostProcess, link: Link) -> Ending:
        death = link.dead or Death.EXITED
        if death is not Death.EXITED or link.exit_status is None:
            host.kill()
        trace = read_trace(host.trace)
        status, peak = link.exit_status if link.exit_status is not None else (None, 0)
        if status is None and host.proc is not None and host.proc.returncode is not None and death is Death.EXITED:
            status = host.proc.returncode
        return Ending(death, link.why, status, peak, trace)

    def _shown(self) -> str:
        with contextlib.suppress(ValueError):
            return str(self.app_path.relative_to(Path.cwd()))
        return str(self.app_path)


def job(app_copy: Path, workdir: Path, root: Path, limits: Limits, *, attr: str = "app",
        stall_seconds: float | None = None, wall_clock: str = "real", namespaces: bool = True,
        listen_fd: int | None = None, uid: int | None = None) -> dict[str, Any]:
    """What a host is told to do: which file to import and how to sandbox itself (never the spec).

    With ``listen_fd`` (a socket it was started with) it serves the app there under uvicorn.
    """
    return {
        "op": "job",
        "listen_fd": listen_fd,
        "file": app_copy.name,
        "attr": attr,
        "import_seconds": limits.import_seconds,
        "stall_seconds": limits.check_seconds if stall_seconds is None else stall_seconds,
        "wall_clock": wall_clock,
        "sandbox": {
            "namespaces": namespaces,
            "app_dir": str(app_copy.parent),
            "work_dir": str(workdir),
            "root": str(root),
            "grader_dir": str(Path(__file__).resolve().parent.parent),
            "limits": limits.for_host(),
            "uid": uid,
        },
    }


def _prepare(scratch: Path, app_path: Path, content: bytes | None = None,
             uid: int | None = None) -> tuple[Path, Path, Path]:
    """The folders a host sees: a copy of the learner's file, a private work folder, an empty root.

    ``content`` is the file as taken in; without it the file is taken in here, and a file that cannot be
    is left out (the host then reports it missing). The scratch folder stays closed to everyone else
    (another run's host included): a host reaches its folders by descriptors it opened before it gave up root.
    """
    scratch.chmod(0o700)
    app_dir = scratch / "app"
    app_dir.mkdir(mode=0o755)
    (app_dir / "work").mkdir(mode=0o755)  # where the work folder is mounted in the sandbox
    workdir = scratch / "work"
    workdir.mkdir(mode=0o755)
    root = scratch / "root"
    root.mkdir(mode=0o755)
    if content is None:
        with contextlib.suppress(Refused, ValueError):
            content = intake.take(app_path, None, Limits().app_kb * 1024)
    if content is not None:
        copy = app_dir / app_path.name
        copy.write_bytes(content)
        copy.chmod(0o644)
    if os.geteuid() == 0:
        # Learner code runs as the run's own user (nobody where it cannot): its work folder must be its own.
        with contextlib.suppress(OSError):
            os.chown(workdir, uid or NOBODY, uid or NOBODY)
    return app_dir, workdir, root


# What grading a class cannot do without: learner code that is not root, cannot read the
# course (solutions, specs, hidden checks) and leaves nothing running when its result is written.
CLASS_NEEDS = ("not root", "course hidden", "no survivors")


def protection_record(protections: dict[str, bool], exercise: Exercise, swept: bool,
                      run_hidden: bool) -> tuple[tuple[tuple[str, bool], ...], tuple[str, ...]]:
    """The host's protections with what the judge itself knows, and what a class's grading missed.

    Nothing is recorded when no host got as far as reporting (a file that never imported).
    """
    if not protections:
        return (), ()
    on = dict(protections)
    # A user with no rights of its own: the run's user, or nobody, never the grading user itself.
    stranger = on.get("not root", False) and os.geteuid() == 0
    on["course hidden"] = (on.get("private filesystem", False) or on.get("filesystem rules", False)
                           or (stranger and not _course_visible(exercise)))
    on["no survivors"] = on.get("pid namespace", False) or (on.get("dedicated user", False) and swept)
    missing = tuple(name for name in CLASS_NEEDS if not on.get(name, False)) if run_hidden else ()
    return tuple(on.items()), missing


def _course_visible(exercise: Exercise) -> bool:
    """Whether a stranger could read the spec, the solutions, the variants or the course's settings."""
    spec = exercise.path.resolve()
    course = spec.parent.parent
    return any(stranger_can_read(path) for path in (spec, spec.parent, course / "solutions", course / "tests",
                                                    course / "grader.toml") if path.exists())

