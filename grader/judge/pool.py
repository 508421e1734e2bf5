"""Many gradings at once, each judge in a process of its own.

A judge is mostly Python work (clients, the transport, matching), and the
threads of one process share one interpreter lock: two judge threads
computing at once grade little faster than one. But a judge spends about
two thirds of a grading waiting for its host (the learner's import, the
app's answers, the host's end), with the lock released. ``grade batch`` and
``grade check`` therefore run ``jobs`` judge processes, each with its own
warm host template and :data:`GRADINGS_PER_JUDGE` gradings on threads of its
own: while one waits for its host, another computes. No more than
``jobs`` × :data:`GRADINGS_PER_JUDGE` gradings hold a place at once. Results
come back as the plain data every renderer reads. With one job everything stays in this process, one grading
after another.

Judge processes are forked from a fork server that has imported the judge
once (:func:`_context`): a judge process then starts in milliseconds, where a
spawned one would import the grader again (most of a second of CPU each,
spare processes included). The server is a fresh interpreter of its own, so
no thread or state of the command that asked for it is copied into a judge.

An app that never answers costs its grading seconds of real time (the
import or the check limit) in which its judge does nothing but wait; that
grading then gives its place away (:class:`_Place`, through the clock's
gate), and one more grading is handed out, to a spare process started only
when one is needed. So a class with a few never-ending submissions is not
held up by them.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import multiprocessing.forkserver as forkserver
import os
import queue
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from grader.errors import GraderError, InternalError
from grader.judge.launch import SpawnLauncher, Template
from grader.judge.run import Options, grade
from grader.result import Result
from grader.spec import Exercise, load_exercise

Outcome = Result | GraderError

# Gradings one judge process runs at once (see the module's docstring). Measured in one judge process
# on two shared cores: two at once graded 1.1-1.7 times as many per second as one, three no more than two.
GRADINGS_PER_JUDGE = 2
# Real seconds between looks at whether a grading gave its place away or a judge process ended.
_LOOK_AGAIN = 0.05

_specs: dict[tuple[str, int], Exercise] = {}


def grade_many(tasks: list[tuple[Exercise, Path, Path | None]], options: Options, jobs: int) -> Iterator[Outcome]:
    """Grade each (exercise, file, submission folder or None) in order; a grading that could not run yields
    its GraderError. Below a submission folder no link is followed (``Options.intake_root``)."""
    jobs = max(1, min(jobs, len(tasks) or 1))
    if jobs == 1:
        with Template() as template:
            local = replace(options, launcher=template)
            for exercise, path, root in tasks:
                yield _guarded(exercise, path, replace(local, intake_root=root))
        return
    plain = replace(options, launcher=SpawnLauncher(), on_progress=None)  # what crosses to the workers
    work = [(index, str(exercise.path), str(path), replace(plain, intake_root=root))
            for index, (exercise, path, root) in enumerate(tasks)]
    with _Judges(jobs) as judges:
        yield from judges.run(work)


def _guarded(exercise: Exercise, path: Path, options: Options) -> Outcome:
    try:
        return grade(exercise, path, options)
    except GraderError as exc:
        return exc
    except Exception as exc:  # noqa: BLE001 - a grader bug must not lose the rest of the class
        return GraderError(f"grader error: {exc!r}")


def _context() -> Any:
    """Where judge processes come from: a fork server with the judge imported, or spawned where no server can
    start (no fork server on the platform; a TMPDIR too long for the server's socket path, 107 bytes)."""
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload([__name__])
        try:
            forkserver.ensure_running()
        except OSError:
            pass
        else:
            return context
    return multiprocessing.get_context("spawn")


@dataclass
class _Judges:
    """``jobs`` judge processes (and spares), fed from one queue, answering on another."""

    jobs: int
    context: Any = field(default_factory=_context)
    processes: list[Any] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.places = self.context.Semaphore(self.jobs * GRADINGS_PER_JUDGE)
        self.waiting = self.context.Value("i", 0)
        self.todo = self.context.Queue()
        self.done = self.context.Queue()

    def start(self) -> None:
        process = self.context.Process(target=_serve, args=(self.todo, self.done, self.places, self.waiting),
                                       daemon=True)
        process.start()
        self.processes.append(process)

    def run(self, work: list[tuple[int, str, str, Options]]) -> Iterator[Outcome]:
        for _ in range(self.jobs):
            self.start()
        taken: dict[int, int] = {}  # grading → the process grading it
        finished: dict[int, Outcome] = {}
        handed = given = 0
        while given < len(work):
            # As many gradings out as places, plus one for each grading that gave its place away.
            waiting = self.waiting.value
            while handed < len(work) and handed - given - len(finished) < self.jobs * GRADINGS_PER_JUDGE + waiting:
                self.todo.put(work[handed])
                handed += 1
            threads = len(self.processes) * GRADINGS_PER_JUDGE
            if handed - given - len(finished) > threads and len(self.processes) < self.jobs * 2:
                self.start()  # more out than threads to grade them: a spare takes what waiting gradings made room for
            try:
                index, kind, value = self.done.get(timeout=_LOOK_AGAIN)
            except queue.Empty:
                self._lost(taken, finished)
            else:
                if kind == "taken":
                    taken[index] = value
                else:
                    taken.pop(index, None)
                    finished[index] = Result.from_dict(value) if kind == "result" else GraderError(value)
            while given in finished:
                yield finished.pop(given)
                given += 1

    def _lost(self, taken: dict[int, int], finished: dict[int, Outcome]) -> None:
        """A judge process that ended mid-grading (nothing a learner does reaches it) fails its gradings."""
        ended = {p.pid for p in self.processes if p.exitcode is not None}
        if len(ended) == len(self.processes):
            raise InternalError("every judge process ended before the batch was graded")
        for index, pid in list(taken.items()):
            if pid in ended:
                del taken[index]
                finished[index] = GraderError("grader error: a judge process ended while grading this submission")

    def __enter__(self) -> _Judges:
        return self

    def __exit__(self, *exc: object) -> None:
        for _ in range(len(self.processes) * GRADINGS_PER_JUDGE):
            self.todo.put(None)
        for process in self.processes:
            process.join(timeout=30)
            if process.exitcode is None:
                process.kill()
                process.join()
        self.todo.close()
        self.done.close()


class _Place:
    """One of the places to work, shared by the judge processes; see the module's docstring."""

    def __init__(self, places: Any, waiting: Any) -> None:
        self.places = places
        self.waiting = waiting

    def enter(self) -> None:
        self.places.acquire()
        with self.waiting.get_lock():
            self.waiting.value -= 1

    def leave(self) -> None:
        with self.waiting.get_lock():
            self.waiting.value += 1
        self.places.release()


def _serve(todo: Any, done: Any, places: Any, waiting: Any) -> None:
    """A judge process: a warm template, and threads grading what the queue hands out until told to stop."""
    place = _Place(places, waiting)
    with Template() as template:
        threads = [threading.Thread(target=_grade_from, args=(todo, done, place, template))
                   for _ in range(GRADINGS_PER_JUDGE)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()


def _grade_from(todo: Any, done: Any, place: _Place, template: Template) -> None:
    while True:
        item = todo.get()
        if item is None:
            return
        index, spec, path, options = item
        done.put((index, "taken", os.getpid()))
        place.places.acquire()
        try:
            outcome = _one(spec, path, replace(options, launcher=template, gate=place))
        finally:
            place.places.release()
        with contextlib.suppress(ValueError):  # the parent has gone: nothing to answer
            if isinstance(outcome, GraderError):
                done.put((index, "error", str(outcome)))
            else:
                done.put((index, "result", outcome.to_dict()))


def _one(spec: str, path: str, options: Options) -> Outcome:
    try:
        stat = os.stat(spec)
        key = (spec, stat.st_mtime_ns)
        if key not in _specs:
            _specs[key] = load_exercise(spec)
        exercise = _specs[key]
    except (OSError, GraderError) as exc:
        return GraderError(str(exc))
    return _guarded(exercise, Path(path), options)
