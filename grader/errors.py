"""The grader's exceptions, one root per audience.

    GraderError
    ├── SpecError            the instructor's spec is wrong: file:line:column
    │   └── SpecErrors       several SpecErrors reported together
    ├── UsageError           the command line or grader.toml is wrong
    └── InternalError        the grader itself broke: a bug to report

The learner's mistakes are not exceptions here: they become failed checks
in a :class:`grader.result.Result` (see ``grader.result``).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Mark:
    """A place in a file, 1-based, as editors count."""

    file: str
    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


class GraderError(Exception):
    """Root of every error the grader raises on purpose."""

    exit_code = 2


class SpecError(GraderError):
    """One problem in an exercise spec, at a place in its file."""

    def __init__(self, mark: Mark, message: str) -> None:
        super().__init__(f"{mark}: {message}")
        self.mark = mark
        self.message = message


class SpecErrors(GraderError):
    """Every problem found in one or more specs, in file order."""

    def __init__(self, errors: list[SpecError]) -> None:
        self.errors = sorted(errors, key=lambda e: e.mark)
        super().__init__("\n".join(str(e) for e in self.errors))


class UsageError(GraderError):
    """The command line or the course configuration asks for something impossible.

    ``key`` (with ``values``) names the learner-facing sentence in ``grader.i18n``
    that says the same in the learner's language; the message is its English.
    """

    def __init__(self, message: str, key: str | None = None, **values: object) -> None:
        super().__init__(message)
        self.key = key
        self.values = values


class InternalError(GraderError):
    """The grader failed in a way that is not the learner's or the spec's fault."""

    exit_code = 3
