"""Rules about the learner's source, read from the AST, never by text search.

Only real calls count: ``websocket.iter_json()`` and ``iter_json()`` call
``iter_json``; the word in a comment or a string does not, and
``receive_text(`` is not a call of ``receive``.
"""

from __future__ import annotations

import ast
import gc
from collections import defaultdict
from pathlib import Path

from grader.i18n import os_error, say
from grader.result import Failure, Kind
from grader.spec import SourceRule


def calls(tree: ast.AST) -> dict[str, list[int]]:
    """Each called name (plain or attribute) and the lines it is called on."""
    found: dict[str, list[int]] = defaultdict(list)
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Name):
                found[func.id].append(node.lineno)
            elif isinstance(func, ast.Attribute):
                found[func.attr].append(node.lineno)
    return found


def parse(source: bytes | str, filename: str) -> ast.AST:
    """``ast.parse`` with the garbage collector paused.

    CPython 3.11 can fail with "SystemError: AST constructor recursion depth
    mismatch" when a collection runs finalizers (an un-awaited coroutine's
    warning, say) while the tree is being built; the judge has such garbage.
    """
    paused = gc.isenabled()
    gc.disable()
    try:
        return ast.parse(source, filename=filename)
    finally:
        if paused:
            gc.enable()


def check(rule: SourceRule, path: Path, lang: str = "en") -> Failure | None:
    """None if the file follows the rule, else a failure naming the line."""
    shown = path.name
    try:
        tree = parse(path.read_bytes(), str(path))
    except OSError as exc:
        return Failure(Kind.SOURCE, say(lang, "cannot read {file}: {error}", file=shown, error=os_error(lang, exc)))
    except (SyntaxError, ValueError) as exc:
        return Failure(Kind.SOURCE, say(lang, "{file} is not valid Python (line {line}): {error}", file=shown,
                                        line=getattr(exc, "lineno", None) or "?", error=getattr(exc, "msg", exc)))
    called = calls(tree)
    missing = [name for name in rule.calls if name not in called]
    found = _Facts(tree)
    wanted = [*[(f"{name}()", name in called) for name in rule.calls], *found.wanted(rule, lang)]
    if rule.match == "any" and wanted and not any(present for _, present in wanted):
        return Failure(Kind.SOURCE, say(lang, "{file} has none of: {items} (only real code counts, not comments or "
                                              "strings)", file=shown, items=", ".join(item for item, _ in wanted)),
                       expected=say(lang, "one of: {items}", items=", ".join(item for item, _ in wanted)),
                       actual=say(lang, "none of them in the code"))
    if rule.match == "any":
        missing = []
    absent = [item for item, present in wanted[len(rule.calls):] if not present] if rule.match == "all" else []
    if absent and not missing:
        return Failure(Kind.SOURCE, say(lang, "{file} lacks {items} (only real code counts, not comments or strings)",
                                        file=shown, items=", ".join(absent)),
                       expected=", ".join(absent), actual=say(lang, "not in the code"))
    if missing:
        return Failure(
            Kind.SOURCE,
            say(lang, "{file} never calls {names}() (only real calls count, not comments or strings)", file=shown,
                names=", ".join(missing)),
            expected=say(lang, "a call of {names}", names=" + ".join(missing)),
            actual=say(lang, "no such call in the code"),
        )
    banned = [name for name in rule.not_calls if name in called]
    if banned:
        name = banned[0]
        lines = ", ".join(str(n) for n in sorted(set(called[name])))
        return Failure(
            Kind.SOURCE,
            say(lang, "{file} calls {name}() on line {lines}, which this exercise asks you not to use", file=shown,
                name=name, lines=lines),
            expected=say(lang, "no call of {name}", name=name),
            actual=say(lang, "{name}() on line {lines}", name=name, lines=lines),
        )
    return None


def dotted(node: ast.AST) -> str:
    """``app.websocket`` for ``app.websocket(...)`` or ``app.websocket``; '' for anything else."""
    if isinstance(node, ast.Call):
        return dotted(node.func)
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        inner = dotted(node.value)
        return f"{inner}.{node.attr}" if inner else node.attr
    return ""


class _Facts:
    """What a file imports, subclasses, decorates and passes by keyword, from its AST."""

    def __init__(self, tree: ast.AST) -> None:
        self.imports: set[str] = set()
        self.bases: set[str] = set()
        self.decorators: set[str] = set()
        self.keywords: set[tuple[str, str]] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                self.imports.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module:
                self.imports.add(node.module)
            elif isinstance(node, ast.ClassDef):
                self.bases.update(dotted(base) for base in node.bases)
            if isinstance(node, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
                self.decorators.update(dotted(d) for d in node.decorator_list)
            if isinstance(node, ast.Call):
                name = dotted(node.func).rsplit(".", 1)[-1]
                self.keywords.update((name, k.arg) for k in node.keywords if k.arg)

    def wanted(self, rule: SourceRule, lang: str) -> list[tuple[str, bool]]:
        """Each positive rule, in words, and whether the file has it."""
        def named(wanted: str, names: set[str]) -> bool:
            # "BaseModel" is met by pydantic.BaseModel; "pydantic" by pydantic.v1.
            return any(n == wanted or n.endswith("." + wanted) or n.startswith(wanted + ".") for n in names)

        return [
            *[(say(lang, "an import of {name}", name=m), named(m, self.imports)) for m in rule.imports],
            *[(say(lang, "a class based on {name}", name=b), named(b, self.bases)) for b in rule.bases],
            *[(say(lang, "a function decorated with @{name}", name=d), named(d, self.decorators)) for d in rule.decorators],
            *[(say(lang, "a call of {call}({keyword}=...)", call=c, keyword=k), (c, k) in self.keywords)
              for c, k in rule.keywords],
        ]
