"""``vars:``: named constants of a spec, written in place wherever ``{$var: NAME}`` stands.

A constant is put in before anything else reads the spec, so it can stand
anywhere a value can (a timeout, a repeat count, a message, a matcher) and
is checked where it is used as if written there. ``$var`` also reads a
``repeat``'s ``as`` name at run time; to keep the two apart a repeat may not
take a constant's name, so every ``{$var: NAME}`` means exactly one thing.
``$eq`` keeps its content literal: nothing inside it is replaced.
"""

from __future__ import annotations

import re
from dataclasses import replace

from grader.errors import SpecError
from grader.spec.suggest import did_you_mean
from grader.spec.yamlnodes import Located

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def read(node: Located | None, errors: list[SpecError]) -> dict[str, Located]:
    """The constants a ``vars:`` mapping defines; their values may not use ``$var`` themselves."""
    if node is None:
        return {}
    if not isinstance(node.value, dict):
        errors.append(SpecError(node.mark, f"vars is a mapping of names to values, like {{limit: 5}}, not {node.kind}"))
        return {}
    found: dict[str, Located] = {}
    for name, value in node.value.items():
        if not _NAME.match(name):
            errors.append(SpecError(node.key_mark(name), f"a constant's name is a word (letters, digits, _), not {name!r}"))
        elif _uses_var(value):
            errors.append(SpecError(value.mark, f"constant {name!r} cannot use $var: write its value out"))
        else:
            found[name] = value
    return found


def substitute(node: Located, constants: dict[str, Located], errors: list[SpecError]) -> Located:
    """``node`` with every ``{$var: CONSTANT}`` replaced by the constant's value (at the place it is used)."""
    value = node.value
    if isinstance(value, list):
        return replace(node, value=[substitute(item, constants, errors) for item in value])
    if not isinstance(value, dict):
        return node
    if set(value) == {"$eq"}:
        return node
    if set(value) == {"$var"} and isinstance(value["$var"].value, str):
        name = value["$var"].value
        root, _, rest = name.partition(".")
        if root in constants:
            return _read_path(constants[root], rest, node, errors)
        return node
    if "repeat" in value and isinstance(value["repeat"].value, dict):
        alias = value["repeat"].value.get("as")
        if alias is not None and alias.value in constants:
            errors.append(SpecError(alias.mark, f"repeat variable {alias.value!r} has the name of a constant in vars: "
                                                "pick another name, so that {$var: ...} means one thing"))
    return replace(node, value={k: substitute(v, constants, errors) for k, v in value.items()})


def _read_path(constant: Located, path: str, use: Located, errors: list[SpecError]) -> Located:
    found = constant
    for key in path.split(".") if path else ():
        if isinstance(found.value, dict) and key in found.value:
            found = found.value[key]
        elif isinstance(found.value, list) and key.isdigit() and int(key) < len(found.value):
            found = found.value[int(key)]
        else:
            keys = sorted(found.value) if isinstance(found.value, dict) else []
            errors.append(SpecError(use.mark, f"the constant has no {key!r}{did_you_mean(key, keys) if keys else ''}"))
            return replace(use, value=None)  # reported once, here
    return replace(found, mark=use.mark)


def _uses_var(node: Located) -> bool:
    if isinstance(node.value, dict):
        return "$var" in node.value or any(_uses_var(v) for v in node.value.values())
    if isinstance(node.value, list):
        return any(_uses_var(v) for v in node.value)
    return False
