"""Grade FastAPI WebSocket exercises described by YAML specs.

The public surface::

    exercise = load_exercise("exercises/t3l2.yaml")   # or raise SpecErrors
    result = grade(exercise, Path("t3l2.py"))         # isolated in a child process
    print(render_text(result))                        # or result.to_dict() for JSON

Names are imported on first use, so that starting ``grade`` (and each
grading child) does not pay for modules it does not need.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

_WHERE = {
    "Check": "spec",
    "CheckResult": "result",
    "Exercise": "spec",
    "Failure": "result",
    "GraderError": "errors",
    "InternalError": "errors",
    "Kind": "result",
    "Limits": "judge.run",
    "Mark": "errors",
    "Options": "judge.run",
    "Result": "result",
    "SpecError": "errors",
    "SpecErrors": "errors",
    "Status": "result",
    "UsageError": "errors",
    "grade": "judge.run",
    "load_exercise": "spec",
    "render_text": "render.text",
}

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


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module 'grader' has no attribute {name!r}")
    module = importlib.import_module(f".{_WHERE[name]}", __name__)
    value = getattr(module, "render" if name == "render_text" else name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


if TYPE_CHECKING:
    from .errors import GraderError, InternalError, Mark, SpecError, SpecErrors, UsageError
    from .judge.run import Limits, Options, grade
    from .render.text import render as render_text
    from .result import CheckResult, Failure, Kind, Result, Status
    from .spec import Check, Exercise, load_exercise
