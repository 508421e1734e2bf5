"""Renderers: each turns a finished Result into one output format, nothing more.

Every renderer is ``render(result, exercise=None) -> str``; the exercise is
there for formats that quote the spec (Exercism's test_code).
"""

from __future__ import annotations

from collections.abc import Callable

from ..result import Result
from ..spec import Exercise
from . import exercism, gradescope, json_format, junit, text

Renderer = Callable[[Result, Exercise | None], str]

RENDERERS: dict[str, Renderer] = {
    "text": lambda result, exercise=None: text.render(result),  # the CLI calls text.render with its language
    "json": lambda result, exercise=None: json_format.render(result),
    "junit": lambda result, exercise=None: junit.render(result),
    "gradescope": lambda result, exercise=None: gradescope.render(result),
    "exercism": exercism.render,
}

__all__ = ["RENDERERS", "Renderer"]
