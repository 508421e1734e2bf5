"""Grade FastAPI WebSocket exercises described by YAML specs.

The public surface::

    exercise = load_exercise("exercises/t3l2.yaml")   # or raise SpecErrors
    result = grade(exercise, Path("t3l2.py"))         # isolated in a child process
    print(render_text(result))                        # or result.to_dict() for JSON
"""

from __future__ import annotations

from .errors import GraderError, InternalError, Mark, SpecError, SpecErrors, UsageError
from .render.text import render as render_text
from .result import CheckResult, Failure, Kind, Result, Status
from .sandbox import Limits, Options, grade
from .spec import Check, Exercise, load_exercise

__all__ = [
    "Check",
    "CheckResult",
    "Exercise",
    "Failure",
    "GraderError",
    "InternalError",
    "Kind",
    "Limits",
    "Mark",
    "Options",
    "Result",
    "SpecError",
    "SpecErrors",
    "Status",
    "UsageError",
    "grade",
    "load_exercise",
    "render_text",
]
