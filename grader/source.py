"""Rules about the learner's source, read from the AST, never by text search.

Only real calls count: ``websocket.iter_json()`` and ``iter_json()`` call
``iter_json``; the word in a comment or a string does not, and
``receive_text(`` is not a call of ``receive``.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

from .result import Failure, Kind
from .spec import SourceRule


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


def check(rule: SourceRule, path: Path) -> Failure | None:
    """None if the file follows the rule, else a failure naming the line."""
    shown = path.name
    try:
        tree = ast.parse(path.read_bytes(), filename=str(path))
    except OSError as exc:
        return Failure(Kind.SOURCE, f"cannot read {shown}: {exc.strerror}")
    except (SyntaxError, ValueError) as exc:
        line = getattr(exc, "lineno", None)
        at = f" (line {line})" if line else ""
        return Failure(Kind.SOURCE, f"{shown} is not valid Python{at}: {getattr(exc, 'msg', exc)}")
    called = calls(tree)
    missing = [name for name in rule.calls if name not in called]
    if missing:
        return Failure(
            Kind.SOURCE,
            f"{shown} never calls {', '.join(missing)}() (only real calls count, not comments or strings)",
            expected=f"a call of {' and '.join(missing)}",
            actual="no such call in the code",
        )
    banned = [name for name in rule.not_calls if name in called]
    if banned:
        name = banned[0]
        lines = ", ".join(str(n) for n in sorted(set(called[name])))
        return Failure(
            Kind.SOURCE,
            f"{shown} calls {name}() on line {lines}, which this exercise asks you not to use",
            expected=f"no call of {name}",
            actual=f"{name}() on line {lines}",
        )
    return None
