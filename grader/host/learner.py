"""The learner's code, seen from the host: importing it fresh, and describing its errors.

Only frames from the learner's own folder are ever reported, so a NameError
in their handler reads as ``t3l2.py:12 in chat``, never as a page of
FastAPI, Starlette and grader internals. Errors leave this process as plain
data (dicts of type, message and frames); the judge words them.
"""

from __future__ import annotations

import importlib.util
import linecache
import os
import sys
import sysconfig
import traceback
from pathlib import Path
from types import CodeType, FrameType, ModuleType, TracebackType
from typing import Any

Described = dict[str, Any]  # {"type", "message", "frames": [{"file", "line", "function", "code"}]}

_LIBRARY_DIRS = tuple(
    os.path.realpath(p) + os.sep
    for p in {sysconfig.get_paths()["stdlib"], sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
)
_GRADER_DIR = os.path.dirname(os.path.dirname(os.path.realpath(__file__))) + os.sep


class LoadFailed(Exception):
    """The learner's file gave no app; ``facts`` say why, for the judge to word."""

    def __init__(self, reason: str, **facts: Any) -> None:
        super().__init__(reason)
        self.facts = {"reason": reason, **facts}


class LearnerCode:
    """Which files count as the learner's: their file's folder, minus libraries and the grader."""

    def __init__(self, path: Path) -> None:
        self.path = path.resolve()
        self.folder = str(self.path.parent) + os.sep

    def owns(self, filename: str) -> bool:
        if not os.path.isabs(filename):
            # "<frozen importlib._bootstrap>", "<string>": no file of anyone's; resolved
            # against the working folder (inside the learner's) they would pass for theirs.
            return False
        real = os.path.realpath(filename)
        if not real.startswith(self.folder) or real.startswith(_GRADER_DIR):
            return False
        return not (real.startswith(_LIBRARY_DIRS) or "site-packages" in real)

    def display(self, filename: str) -> str:
        real = os.path.realpath(filename)
        return real[len(self.folder) :] if real.startswith(self.folder) else real

    def line(self, filename: str, lineno: int, function: str) -> dict[str, Any]:
        code = linecache.getline(filename, lineno).strip()
        return {"file": self.display(filename), "line": lineno, "function": function, "code": code}

    def frames(self, tb: TracebackType | None) -> list[dict[str, Any]]:
        return [self.line(f.filename, f.lineno or 0, f.name) for f in traceback.extract_tb(tb) if self.owns(f.filename)]

    def stack(self, stack: traceback.StackSummary) -> list[dict[str, Any]]:
        return [self.line(f.filename, f.lineno or 0, f.name) for f in stack if self.owns(f.filename)]

    def raised(self, exc: BaseException) -> list[Described]:
        """The exception and what led to it, first cause first, learner frames only."""
        chain: list[BaseException] = []
        seen: set[int] = set()
        current: BaseException | None = exc
        while current is not None and id(current) not in seen and len(chain) < 8:
            seen.add(id(current))
            chain.append(current)
            if current.__cause__ is not None:
                current = current.__cause__
            elif not current.__suppress_context__:
                current = current.__context__
            else:
                current = None
        return [self._one(e) for e in reversed(chain)]

    def _one(self, exc: BaseException) -> Described:
        frames = self.frames(exc.__traceback__)
        if isinstance(exc, SyntaxError) and exc.filename and self.owns(exc.filename):
            code = (exc.text or "").rstrip("\n")
            caret = ""
            if exc.offset and code:
                stripped = code.lstrip()
                caret = "\n" + " " * max(0, exc.offset - 1 - (len(code) - len(stripped))) + "^"
                code = stripped
            frames.append({"file": self.display(exc.filename), "line": exc.lineno or 0, "function": "<module>",
                           "code": code + caret})
            return {"type": type(exc).__name__, "message": _cut(str(exc.msg)), "frames": frames}
        try:
            message = str(exc)
        except Exception:  # noqa: BLE001 - a learner's __str__ may raise
            message = "<unprintable>"
        if type(exc).__name__ == "WebSocketDisconnect":
            close_code, reason = getattr(exc, "code", None), getattr(exc, "reason", None)
            shown_code = close_code if isinstance(close_code, int) else "?"
            message = f"code {shown_code}" + (f", reason {reason!r}" if reason else "")
        elif isinstance(exc, SystemExit):
            message = f"exit code {exc.code}" if exc.code is not None else ""
        return {"type": type(exc).__name__, "message": _cut(message), "frames": frames}

    def suspended_at(self, coro: Any) -> list[dict[str, Any]]:
        """Where a suspended coroutine chain is waiting, learner frames only.

        ``Task.get_stack`` only shows the outermost coroutine, so follow
        ``cr_await`` / ``ag_await`` down to the innermost awaitable.
        """
        lines: list[dict[str, Any]] = []
        depth = 0
        while coro is not None and depth < 64:
            depth += 1
            frame: FrameType | None = (getattr(coro, "cr_frame", None) or getattr(coro, "ag_frame", None)
                                       or getattr(coro, "gi_frame", None))
            if frame is not None and self.owns(frame.f_code.co_filename):
                lines.append(self.line(frame.f_code.co_filename, frame.f_lineno, _name(frame.f_code)))
            coro = getattr(coro, "cr_await", None) or getattr(coro, "ag_await", None) or getattr(coro, "gi_yieldfrom", None)
        return lines


def _name(code: CodeType) -> str:
    return getattr(code, "co_qualname", code.co_name)


def _cut(text: str, limit: int = 500) -> str:
    return text if len(text) <= limit else text[:limit] + f"… ({len(text)} characters)"


def module_name(path: Path) -> str:
    """The learner's module keeps its own name unless that would shadow a real module."""
    name = path.stem if path.stem.isidentifier() else "learner_app"
    if name in sys.modules or importlib.util.find_spec(name) is not None:
        return f"learner_{name}"
    return name


def import_app(path: Path, attr: str = "app") -> tuple[Any, ModuleType]:
    """Import the learner's file as a fresh module and return its ASGI app."""
    code = LearnerCode(path)
    shown = code.display(str(path))
    if not path.is_file():
        raise LoadFailed("missing", file=shown)
    name = module_name(path)
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise LoadFailed("not_a_module", file=shown)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    folder = str(path.resolve().parent)
    if folder not in sys.path:
        sys.path.insert(0, folder)
    try:
        spec.loader.exec_module(module)
    except BaseException as exc:  # noqa: BLE001 - whatever their import does is theirs to see
        kind = ("syntax" if isinstance(exc, SyntaxError) else "exit" if isinstance(exc, SystemExit)
                else "no_module" if isinstance(exc, ModuleNotFoundError) else "raised")
        module_missing = exc.name if isinstance(exc, ModuleNotFoundError) else None
        raise LoadFailed(kind, file=shown, errors=code.raised(exc), module=module_missing) from None
    if not hasattr(module, attr):
        found = [n for n, v in vars(module).items() if _is_app(v)]
        raise LoadFailed("no_attr", file=shown, attr=attr, found=found)
    app = getattr(module, attr)
    if not callable(app):
        raise LoadFailed("not_callable", file=shown, attr=attr, kind=type(app).__name__, value=f"{app!r:.60}")
    return app, module


def _is_app(value: Any) -> bool:
    return type(value).__name__ in ("FastAPI", "Starlette")


def websocket_paths(app: Any) -> list[str]:
    """The WebSocket routes an app declares, to say what exists when a path is wrong."""
    paths = []
    for route in getattr(app, "routes", None) or ():
        if type(route).__name__ in ("WebSocketRoute", "APIWebSocketRoute"):
            paths.append(str(getattr(route, "path", "?")))
    return paths
