"""Many gradings at once, each judge in a process of its own.

A judge is mostly Python work (clients, the transport, matching), and the
threads of one process share one interpreter lock: two judge threads grade
little faster than one. ``grade batch`` and ``grade check`` therefore run
``jobs`` judge processes, each with its own warm host template, and hand
them gradings; results come back as the plain data every renderer reads.
With one job everything stays in this process.

``jobs`` counts gradings at work, not gradings waiting. An app that never
answers costs its grading seconds of real time (the import or the check
limit) in which its judge does nothing but wait; that judge then gives its
place to another (:class:`_Place`, through the clock's gate), and one more
grading is handed out, to a spare process started only when one is needed.
So a class with a few never-ending submissions is not held up by them,
while no more than ``jobs`` judges ever work at once.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import replace
from pathlib import Path
from typing import Any

from grader.errors import GraderError
from grader.judge.launch import SpawnLauncher, Template
from grader.judge.run import Options, grade
from grader.result import Result
from grader.spec import Exercise, load_exercise

Outcome = Result | GraderError

_template: Template | None = None
_place: _Place | None = None
_specs: dict[tuple[str, int], Exercise] = {}
# Real seconds between looks at whether a grading gave its place away.
_LOOK_AGAIN = 0.05


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
    context = multiprocessing.get_context("spawn")
    places = context.Semaphore(jobs)
    waiting = context.Value("i", 0)
    with ProcessPoolExecutor(max_workers=jobs * 2, mp_context=context, initializer=_start_worker,
                             initargs=(places, waiting)) as pool:
        futures: dict[int, Future[tuple[str, Any]]] = {}
        handed, given = 0, 0
        while given < len(tasks):
            # As many gradings out as places, plus one for each grading that gave its place away.
            working = sum(1 for f in futures.values() if not f.done())
            while handed < len(tasks) and working < jobs + waiting.value:
                exercise, path, root = tasks[handed]
                futures[handed] = pool.submit(_work, str(exercise.path), str(path), replace(plain, intake_root=root))
                handed, working = handed + 1, working + 1
            while given in futures and futures[given].done():
                kind, value = futures.pop(given).result()
                given += 1
                yield Result.from_dict(value) if kind == "result" else GraderError(value)
            if given < len(tasks):
                wait([f for f in futures.values() if not f.done()], timeout=_LOOK_AGAIN, return_when=FIRST_COMPLETED)


def _guarded(exercise: Exercise, path: Path, options: Options) -> Outcome:
    try:
        return grade(exercise, path, options)
    except GraderError as exc:
        return exc
    except Exception as exc:  # noqa: BLE001 - a grader bug must not lose the rest of the class
        return GraderError(f"grader error: {exc!r}")


class _Place:
    """One of the ``jobs`` places to work, shared by the worker processes; see the module's docstring."""

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


def _start_worker(places: Any, waiting: Any) -> None:
    global _template, _place
    _template = Template()
    _place = _Place(places, waiting)


def _work(spec: str, path: str, options: Options) -> tuple[str, Any]:
    assert _template is not None and _place is not None
    _place.places.acquire()
    try:
        stat = os.stat(spec)
        key = (spec, stat.st_mtime_ns)
        if key not in _specs:
            _specs[key] = load_exercise(spec)
        outcome = _guarded(_specs[key], Path(path), replace(options, launcher=_template, gate=_place))
    finally:
        _place.places.release()
    if isinstance(outcome, GraderError):
        return "error", str(outcome)
    return "result", outcome.to_dict()
