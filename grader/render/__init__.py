"""Renderers: each turns a finished Result into one output format, nothing more."""

from __future__ import annotations

from collections.abc import Callable

from ..result import Result
from . import json_format, text

RENDERERS: dict[str, Callable[[Result], str]] = {
    "text": text.render,
    "json": json_format.render,
}

__all__ = ["RENDERERS"]
