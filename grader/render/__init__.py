"""Renderers: each turns a finished Result into one output format, nothing more.

Every renderer is ``render(result, exercise=None) -> str``; the exercise is
there for formats that quote the spec (Exercism's test_code). The text and
HTML reports also take the learner's language, so the CLI calls them itself.
"""

from __future__ import annotations

from collections.abc import Callable

from grader.result import Result
from grader.spec import Exercise

from . import exercism, gradescope, html, json_format, junit, text

Renderer = Callable[[Result, Exercise | None], str]


def _ignoring_exercise(render: Callable[[Result], str]) -> Renderer:
    def renderer(result: Result, exercise: Exercise | None = None) -> str:
        return render(result)

    return renderer


RENDERERS: dict[str, Renderer] = {
    "text": _ignoring_exercise(text.render),  # the CLI calls text.render itself, with its language
    "json": _ignoring_exercise(json_format.render),
    "junit": _ignoring_exercise(junit.render),
    "gradescope": _ignoring_exercise(gradescope.render),
    "exercism": exercism.render,
    "html": _ignoring_exercise(html.render),  # the CLI calls html.render itself, with its language
}

__all__ = ["RENDERERS", "Renderer"]
