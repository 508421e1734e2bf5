"""Many gradings at once, each judge in a process of its own.

A judge is mostly Python work (clients, the transport, matching), and the
threads of one process share one interpreter lock: two judge threads grade
little faster than one. ``grade batch`` and ``grade check`` therefore run
``jobs`` judge processes, each with its own warm host template, and hand
them gradings; results come back as the plain data every renderer reads.
With one job everything stays in this process.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
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
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context, initializer=_start_worker) as pool:
        futures = [pool.submit(_work, str(exercise.path), str(path), replace(plain, intake_root=root))
                   for exercise, path, root in tasks]
        for future in futures:
            kind, value = future.result()
            yield Result.from_dict(value) if kind == "result" else GraderError(value)


def _guarded(exercise: Exercise, path: Path, options: Options) -> Outcome:
    try:
        return grade(exercise, path, options)
    except GraderError as exc:
        return exc
    except Exception as exc:  # noqa: BLE001 - a grader bug must not lose the rest of the class
        return GraderError(f"grader error: {exc!r}")


def _start_worker() -> None:
    global _template
    _template = Template()


def _work(spec: str, path: str, options: Options) -> tuple[str, Any]:
    assert _template is not None
    stat = os.stat(spec)
    key = (spec, stat.st_mtime_ns)
    if key not in _specs:
        _specs[key] = load_exercise(spec)
    outcome = _guarded(_specs[key], Path(path), replace(options, launcher=_template))
    if isinstance(outcome, GraderError):
        return "error", str(outcome)
    return "result", outcome.to_dict()
