"""pytest as a runner for the catalog: ``pytest exercises/`` proves every spec.

Each ``exercises/*.yaml`` of a course (a folder with ``grader.toml`` above it)
becomes pytest items: one per check for the reference solution and for each
correct variant (the check must pass), one per wrong variant (the check it
names must fail), and one for the starter (something must fail). A failing
item shows the learner-facing report, not an assertion dump. Registered by
the ``pytest11`` entry point, so ``-k``, ``-x``, ``--junitxml`` and ``-n``
work as for any test.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from grader.course import config
from grader.course.catalog import Subject, subjects
from grader.course.validate import variant_problems
from grader.errors import SpecErrors
from grader.judge.launch import Template
from grader.judge.run import Options, grade
from grader.render.report import failure_text
from grader.result import CheckResult, Result, Status
from grader.spec import Check, Exercise, load_exercise

_RESULTS = pytest.StashKey[dict[tuple[str, str], Result]]()
_ZYGOTE = pytest.StashKey[Template]()


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    if file_path.suffix not in (".yaml", ".yml"):
        return None
    found = config.find(file_path.parent)
    if found is None:
        return None
    course = config.load(found)
    if file_path.resolve().parent != course.exercises.resolve():
        return None
    return SpecFile.from_parent(parent, path=file_path)


class SpecFile(pytest.File):
    def collect(self) -> Iterator[pytest.Item]:
        try:
            exercise = load_exercise(self.path)
        except SpecErrors as exc:
            yield SpecErrorItem.from_parent(self, name="spec", errors=str(exc))
            return
        course = config.load(config.find(self.path.parent))
        # Unreadable headers and too few variants: one failing item, the rest still graded.
        problems = variant_problems(course, exercise, unknown=False)
        if problems:
            yield SpecErrorItem.from_parent(self, name="variants", errors="\n".join(map(str, problems)))
        for subject in subjects([exercise], course.solutions, course.starters, course.variants):
            label = subject.label.replace(" ", ":")
            if subject.role in ("reference", "correct"):
                for check in exercise.checks:
                    yield CheckItem.from_parent(self, name=f"{label}::{check.name}", exercise=exercise,
                                                subject=subject, check=check, must_pass=True, limits=course.limits)
            elif subject.role == "wrong":
                named = next((c for c in exercise.checks if c.name == subject.fails), None)
                if named is None:
                    yield SpecErrorItem.from_parent(
                        self, name=label, errors=f"{subject.path}: names a check {subject.fails!r} that {exercise.id} does not have")
                    continue
                yield CheckItem.from_parent(self, name=f"{label}::{named.name}", exercise=exercise,
                                            subject=subject, check=named, must_pass=False, limits=course.limits)
            else:
                yield CheckItem.from_parent(self, name=label, exercise=exercise, subject=subject, check=None,
                                            must_pass=False, limits=course.limits)


class CheckFailed(Exception):
    def __init__(self, report: str) -> None:
        super().__init__(report)
        self.report = report


class CheckItem(pytest.Item):
    def __init__(self, *, exercise: Exercise, subject: Subject, check: Check | None, must_pass: bool,
                 limits: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.exercise = exercise
        self.subject = subject
        self.check = check
        self.must_pass = must_pass
        self.limits = limits

    def _result(self) -> Result:
        cache = self.config.stash.setdefault(_RESULTS, {})
        key = (self.exercise.id, str(self.subject.path))
        if key not in cache:
            if _ZYGOTE not in self.config.stash:
                template = Template()
                self.config.stash[_ZYGOTE] = template
                self.config.add_cleanup(template.close)
            options = Options(limits=self.limits, launcher=self.config.stash[_ZYGOTE], run_hidden=True)
            cache[key] = grade(self.exercise, self.subject.path, options)
        return cache[key]

    def runtest(self) -> None:
        result = self._result()
        if self.check is None:  # the starter: doing nothing must not pass
            if result.passed:
                raise CheckFailed(f"the starter {self.subject.path} passes every check: the spec asks for nothing")
            return
        found: CheckResult = next(c for c in result.checks if c.name == self.check.name)
        if self.must_pass and found.status is not Status.PASSED:
            raise CheckFailed(f"{self.subject.path} should pass {found.name!r}:\n" + failure_text(found))
        if not self.must_pass and found.status is Status.PASSED:
            raise CheckFailed(f"{self.subject.path} should fail {found.name!r}, but it passed: "
                              "the check does not catch this mistake")
        if not self.must_pass and self.subject.first:
            earlier = next(c for c in result.checks if c.status is not Status.PASSED)
            if earlier.name != found.name:
                raise CheckFailed(f"{self.subject.path} should fail {found.name!r} first, but {earlier.name!r} "
                                  "failed before it:\n" + failure_text(earlier))

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> Any:
        if isinstance(excinfo.value, CheckFailed):
            return excinfo.value.report
        return super().repr_failure(excinfo)

    def reportinfo(self) -> tuple[Path, int, str]:
        line = self.check.mark.line - 1 if self.check else 0
        return self.path, line, f"{self.exercise.id} · {self.subject.label} · {self.check.name if self.check else 'fails'}"


class SpecErrorItem(pytest.Item):
    def __init__(self, *, errors: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.errors = errors

    def runtest(self) -> None:
        raise CheckFailed(self.errors)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        return self.errors

    def reportinfo(self) -> tuple[Path, int, str]:
        return self.path, 0, f"{self.path.name}: invalid spec"
