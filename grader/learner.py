"""The learner's code: importing it fresh, and describing its errors as theirs.

Only frames from the learner's own folder are ever shown, so a NameError in
their handler reads as ``t3l2.py:12 in chat``, never as a page of FastAPI,
Starlette and grader internals.
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

from grader.i18n import say
from grader.result import Failure, Kind, Raised, SourceLine

_LIBRARY_DIRS = tuple(
    os.path.realpath(p) + os.sep
    for p in {sysconfig.get_paths()["stdlib"], sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
)
_GRADER_DIR = os.path.dirname(os.path.realpath(__file__)) + os.sep


class LoadError(Exception):
    """The learner's file could not give us an app; ``failure`` says why, in their terms."""

    def __init__(self, failure: Failure) -> None:
        super().__init__(failure.message)
        self.failure = failure


class LearnerCode:
    """Which files count as the learner's: their file's folder, minus libraries."""

    def __init__(self, path: Path) -> None:
        self.path = path.resolve()
        self.folder = str(self.path.parent) + os.sep

    def owns(self, filename: str) -> bool:
        real = os.path.realpath(filename)
        if not real.startswith(self.folder) or real.startswith(_GRADER_DIR):
            return False
        return not (real.startswith(_LIBRARY_DIRS) or "site-packages" in real)

    def display(self, filename: str) -> str:
        real = os.path.realpath(filename)
        return real[len(self.folder) :] if real.startswith(self.folder) else real

    def line(self, filename: str, lineno: int, function: str) -> SourceLine:
        code = linecache.getline(filename, lineno).strip()
        return SourceLine(self.display(filename), lineno, function, code)

    def frames(self, tb: TracebackType | None) -> tuple[SourceLine, ...]:
        return tuple(
            self.line(f.filename, f.lineno or 0, f.name)
            for f in traceback.extract_tb(tb)
            if self.owns(f.filename)
        )

    def raised(self, exc: BaseException) -> tuple[Raised, ...]:
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
        return tuple(self._one(e) for e in reversed(chain))

    def _one(self, exc: BaseException) -> Raised:
        frames = self.frames(exc.__traceback__)
        if isinstance(exc, SyntaxError) and exc.filename and self.owns(exc.filename):
            code = (exc.text or "").rstrip("\n")
            caret = ""
            if exc.offset and code:
                stripped = code.lstrip()
                caret = "\n" + " " * (exc.offset - 1 - (len(code) - len(stripped))) + "^"
                code = stripped
            frames += (SourceLine(self.display(exc.filename), exc.lineno or 0, "<module>", code + caret),)
            return Raised(type(exc).__name__, exc.msg, frames)
        message: str = str(exc)
        if type(exc).__name__ == "WebSocketDisconnect":
            close_code, reason = getattr(exc, "code", None), getattr(exc, "reason", None)
            shown_code = int(close_code) if close_code is not None else "?"
            message = f"code {shown_code}" + (f", reason {reason!r}" if reason else "")
        elif isinstance(exc, SystemExit):
            message = f"exit code {exc.code}" if exc.code is not None else ""
        return Raised(type(exc).__name__, _cut(message), frames)

    def suspended_at(self, coro: Any) -> tuple[SourceLine, ...]:
        """Where a suspended coroutine chain is waiting, learner frames only.

        ``Task.get_stack`` only shows the outermost coroutine, so follow
        ``cr_await`` / ``ag_await`` down to the innermost awaitable.
        """
        lines: list[SourceLine] = []
        depth = 0
        while coro is not None and depth < 64:
            depth += 1
            frame: FrameType | None = getattr(coro, "cr_frame", None) or getattr(coro, "ag_frame", None) or getattr(coro, "gi_frame", None)
            if frame is not None and self.owns(frame.f_code.co_filename):
                lines.append(self.line(frame.f_code.co_filename, frame.f_lineno, _name(frame.f_code)))
            coro = getattr(coro, "cr_await", None) or getattr(coro, "ag_await", None) or getattr(coro, "gi_yieldfrom", None)
        return tuple(lines)


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


def import_app(path: Path, attr: str = "app", lang: str = "en") -> tuple[Any, ModuleType]:
    """Import the learner's file as a fresh module and return its ASGI app."""
    code = LearnerCode(path)
    shown = code.display(str(path))
    if not path.is_file():
        raise LoadError(Failure(Kind.IMPORT, say(lang, "{path} does not exist yet: `grade start` writes the lesson's starter "
                                                 "there, or pass --app PATH", path=path)))
    name = module_name(path)
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise LoadError(Failure(Kind.IMPORT, say(lang, "{file} cannot be imported as a Python module", file=shown)))
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    folder = str(path.resolve().parent)
    if folder not in sys.path:
        sys.path.insert(0, folder)
    try:
        spec.loader.exec_module(module)
    except BaseException as exc:  # noqa: BLE001 - whatever their import does is theirs to see
        errors = code.raised(exc)
        first = errors[0]
        if isinstance(exc, SyntaxError):
            message = say(lang, "{file} has a syntax error: {error}", file=shown, error=first.headline())
        elif isinstance(exc, SystemExit):
            message = say(lang, "{file} called sys.exit() while being imported ({error})", file=shown,
                          error=first.headline())
        elif isinstance(exc, ModuleNotFoundError):
            message = say(lang, "{file} imports a module that is not installed: {module} ({error})", file=shown,
                          module=repr(exc.name), error=first.headline())
        else:
            message = say(lang, "{file} raised an error while being imported: {error}", file=shown,
                          error=errors[-1].headline())
        raise LoadError(Failure(Kind.IMPORT, message, errors=errors)) from None
    if not hasattr(module, attr):
        found = [n for n, v in vars(module).items() if _is_app(v)]
        also = say(lang, " (it has {found}: name it {attr} or pass --app {file}:{first})", found=", ".join(found),
                   attr=attr, file=shown, first=found[0]) if found else ""
        raise LoadError(Failure(Kind.IMPORT, say(lang, "{file} defines no `{attr}`: write `{attr} = FastAPI()` at the "
                                                 "top level", file=shown, attr=attr) + also))
    app = getattr(module, attr)
    if not callable(app):
        raise LoadError(Failure(Kind.IMPORT, say(lang, "`{attr}` in {file} is {kind} {value}, not an application: "
                                                 "write `{attr} = FastAPI()`", attr=attr, file=shown,
                                                 kind=type(app).__name__, value=f"{app!r:.60}")))
    return app, module


def _is_app(value: Any) -> bool:
    return type(value).__name__ in ("FastAPI", "Starlette")


def websocket_paths(app: Any) -> list[str]:
    """The WebSocket routes an app declares, to say what exists when a path is wrong."""
    paths = []
    for route in getattr(app, "routes", None) or ():
        if type(route).__name__ in ("WebSocketRoute", "APIWebSocketRoute"):
            paths.append(getattr(route, "path", "?"))
    return paths
