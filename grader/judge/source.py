"""Rules about the learner's source, read from the AST, never by text search.

Only real calls count: ``websocket.iter_json()`` and ``iter_json()`` call
``iter_json``; the word in a comment or a string does not, and
``receive_text(`` is not a call of ``receive``.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

from grader.i18n import say
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


def check(rule: SourceRule, path: Path, lang: str = "en") -> Failure | None:
    """None if the file follows the rule, else a failure naming the line."""
    shown = path.name
    try:
        tree = ast.parse(path.read_bytes(), filename=str(path))
    except OSError as exc:
        return Failure(Kind.SOURCE, say(lang, "cannot read {file}: {error}", file=shown, error=exc.strerror))
    except (SyntaxError, ValueError) as exc:
        return Failure(Kind.SOURCE, say(lang, "{file} is not valid Python (line {line}): {error}", file=shown,
                                        line=getattr(exc, "lineno", None) or "?", error=getattr(exc, "msg", exc)))
    called = calls(tree)
    missing = [name for name in rule.calls if name not in called]
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
