"""Classic mistakes named on the report's first lines, with the line and the fix.

Some mistakes show up in every check as something else (a missing ``await``
as "no message arrived", a plain ``def`` endpoint as a TypeError inside
FastAPI), so they are looked for directly: in the learner's source (read
here, in the judge, from its own copy) and in what Python printed while the
app ran. A diagnosis only adds words; it never changes a verdict.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from grader.i18n import say

_NEVER_AWAITED = re.compile(r"^(?P<file>[^\n:]+):(?P<line>\d+): RuntimeWarning: coroutine '(?P<name>[\w.]+)' "
                            r"was never awaited$", re.MULTILINE)
_HTTP_DECORATORS = {"get", "post", "put", "patch", "delete", "head", "options", "api_route"}
_LIMIT = 5


def diagnose(app: Path, output: str, lang: str = "en") -> tuple[str, ...]:
    """What went wrong in ways every check would otherwise hide, at most a few, in source order."""
    found: list[tuple[int, str]] = []
    try:
        source = app.read_text(encoding="utf-8", errors="replace")
        tree = ast.parse(source)
    except (OSError, SyntaxError, ValueError):
        tree = None
    if tree is not None:
        found += _endpoints(tree, app.name, lang)
    seen: set[tuple[str, str]] = set()
    for match in _NEVER_AWAITED.finditer(output):
        line, name = match["line"], match["name"]
        if (line, name) in seen or Path(match["file"]).name != app.name:
            continue
        seen.add((line, name))
        method = name.rsplit(".", 1)[-1]
        found.append((int(line), say(
            lang, "{place}: {call}(...) is called without await, so it never runs (Python warned: coroutine "
                  "'{name}' was never awaited). Write await before it: await websocket.{method}(...)",
            place=f"{app.name}:{line}", call=method, name=name, method=method)))
    return tuple(text for _, text in sorted(found, key=lambda item: item[0])[:_LIMIT])


def _endpoints(tree: ast.AST, filename: str, lang: str) -> list[tuple[int, str]]:
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for decorator in node.decorator_list:
            kind = _route_kind(decorator)
            place = f"{filename}:{node.lineno}"
            if kind == "websocket" and isinstance(node, ast.FunctionDef):
                found.append((node.lineno, say(
                    lang, "{place}: the WebSocket endpoint {name}() is a plain def; FastAPI awaits WebSocket "
                          "endpoints, so it must be async def {name}(...) (and await receive and send inside)",
                    place=place, name=node.name)))
            elif kind in _HTTP_DECORATORS and _takes_websocket(node):
                place = f"{filename}:{decorator.lineno}"  # the line to change
                found.append((decorator.lineno, say(
                    lang, "{place}: {name}() takes a WebSocket but is declared with @{owner}.{kind}(...), an HTTP "
                          "route; a WebSocket endpoint is declared with @{owner}.websocket(\"/path\")",
                    place=place, name=node.name, owner=_owner(decorator), kind=kind)))
    return found


def _route_kind(decorator: ast.expr) -> str | None:
    """``websocket`` for ``@app.websocket(...)``, ``get`` for ``@router.get(...)``, None for anything else."""
    target = decorator.func if isinstance(decorator, ast.Call) else decorator
    if isinstance(target, ast.Attribute):
        return target.attr if target.attr in _HTTP_DECORATORS | {"websocket"} else None
    return None


def _owner(decorator: ast.expr) -> str:
    target = decorator.func if isinstance(decorator, ast.Call) else decorator
    if isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name):
        return target.value.id
    return "app"


def _takes_websocket(node: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    for arg in node.args.args + node.args.kwonlyargs:
        annotation = arg.annotation
        name = (annotation.id if isinstance(annotation, ast.Name)
                else annotation.attr if isinstance(annotation, ast.Attribute) else None)
        if name == "WebSocket":
            return True
    return False
