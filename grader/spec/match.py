"""Matchers as plain data, and the diff that names where a value went wrong.

A matcher is ordinary JSON-like data. Scalars, lists and mappings match
exactly (JSON semantics: numbers by value, ``2 == 2.0``, but ``true`` is not
``1`` and ``"2"`` is not a number; mappings need the same keys). A mapping
whose single key starts with ``$`` is an operator:

``{$re: PATTERN}``      a string that the regular expression matches in full;
                        ``{$re: {pattern: P, groups: {name: M}, says: WORDS}}`` also matches
                        each named group's text against matcher M
``{$datetime: {within: S}}`` a date-time string (``YYYY-MM-DD HH:MM:SS[.ffffff]``,
                        as ``str(datetime.now())`` writes it) at most S seconds
                        from the grader's clock's local time now
``{$type: NAME}``       a value of a JSON type: int, number, str, bool, null,
                        object, array
``{$any: true}``        anything at all
``{$subset: {...}}``    an object with at least these keys (extra keys allowed)
``{$eq: VALUE}``        exactly VALUE, with no operators read inside it
``{$one_of: [M, ...]}`` any one of the matchers
``{$gt: N}``, ``{$gte: N}``, ``{$lt: N}``, ``{$lte: N}`` a number above,
                        at least, below, at most N
``{$between: [LO, HI]}`` a number from LO to HI, both included
``{$approx: {value: V, tol: T}}`` a number within T of V (floats never
                        compare equal by accident: 0.1 + 0.2)
``{$capture: NAME}``    anything, remembered as NAME for the rest of the check;
                        ``{$capture: {as: NAME, match: M}}`` must match M too
``{$var: NAME}``        the current value of a ``repeat`` variable (``a.b`` reads
                        a key of it)
``{$ref: NAME}``        a value captured earlier in the check (``a.b`` reads a
                        key of it), to send or to expect again
``{$concat: [...]}``    strings and variables joined into one string

Spec 1.2 adds ``{$not: M}`` (anything M does not match) and ``{$len: N}``
(a text, list or object of that size, or ``{$len: {$gte: 1}}``), and a
``$re``'s ``says`` in each language (``{en: ..., ko: ...}``).

Each matching operator is a module of its own (``grader/spec/operators/``:
its operand, its load-time checks, its matching and its words); this module
walks matchers and holds the templates.

``$var``, ``$ref`` and ``$concat`` are templates: :func:`resolve` replaces
them with literal values before matching, and they are what payloads to
send may use. Captures are kept only when the whole matcher matched.
Nothing is ever formatted into a string, so real JSON with braces is safe.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from grader.errors import SpecError
from grader.spec.mismatch import Mismatch, is_number, show
from grader.spec.operators import OPERATORS as REGISTERED
from grader.spec.operators.capture import NAME as _NAME
from grader.spec.operators.datetime_ import NOW  # noqa: F401 - what the run sets "now" to
from grader.spec.operators.type_ import TYPES  # noqa: F401 - re-exported
from grader.spec.suggest import did_you_mean
from grader.spec.yamlnodes import Located, describe

NUMERIC_OPERATORS = ("$gt", "$gte", "$lt", "$lte", "$between", "$approx")
# Every matching operator has a module of its own (grader/spec/operators/), in the format's order.
MATCH_OPERATORS = tuple(REGISTERED)
TEMPLATE_OPERATORS = ("$var", "$ref", "$concat")
CAPTURES = "$captured"  # the key of a conversation's captures in the template environment
OPERATORS = MATCH_OPERATORS + TEMPLATE_OPERATORS

# The one matching default, stated in failure messages.
DEFAULT_RULE = "objects match exactly (same keys); use {$subset: ...} to allow extra keys"


def operator_of(value: Any) -> str | None:
    """The operator a mapping stands for, if it is an operator object."""
    if isinstance(value, Mapping) and len(value) == 1:
        (key,) = value
        if isinstance(key, str) and key.startswith("$"):
            return key
    return None


# --- validation (load time) -------------------------------------------------


def validate(node: Located, variables: frozenset[str], *, allow_match: bool = True) -> list[SpecError]:
    """Every problem in a matcher (or, with ``allow_match=False``, a template)."""
    errors: list[SpecError] = []
    _validate(node, variables, allow_match, errors)
    return errors


def _validate(node: Located, variables: frozenset[str], allow_match: bool, errors: list[SpecError]) -> None:
    value = node.value
    if isinstance(value, list):
        for item in value:
            _validate(item, variables, allow_match, errors)
        return
    if not isinstance(value, dict):
        return
    dollar = [k for k in value if k.startswith("$")]
    if not dollar:
        for item in value.values():
            _validate(item, variables, allow_match, errors)
        return
    if len(value) != 1:
        errors.append(
            SpecError(
                node.key_mark(dollar[0]),
                f"operator {dollar[0]!r} must be the only key of its mapping "
                "(use {$eq: ...} for a literal key that starts with '$')",
            )
        )
        return
    op = dollar[0]
    operand = value[op]
    where = node.key_mark(op)
    allowed = OPERATORS if allow_match else TEMPLATE_OPERATORS
    if op not in allowed:
        if op in MATCH_OPERATORS:
            errors.append(SpecError(where, f"matcher {op!r} cannot be used in a value to send"))
        else:
            errors.append(SpecError(where, f"unknown operator {op!r}{did_you_mean(op, allowed)}"))
        return
    if op in REGISTERED:
        REGISTERED[op].validate(operand, errors, lambda inner: _validate(inner, variables, allow_match, errors))
    elif op == "$ref":
        _validate_ref(operand, errors)
    elif op == "$var":
        _validate_var(operand, variables, errors)
    elif op == "$concat":
        if not isinstance(operand.value, list) or not operand.value:
            errors.append(SpecError(operand.mark, "$concat needs a non-empty list"))
            return
        for part in operand.value:
            if isinstance(part.value, str | int | float) and not isinstance(part.value, bool):
                continue
            if operator_of(part.value) == "$var":
                _validate_var(part.value["$var"], variables, errors)
                continue
            if operator_of(part.value) == "$ref":
                _validate_ref(part.value["$ref"], errors)
                continue
            errors.append(
                SpecError(part.mark, f"$concat parts are strings, numbers, {{$var: ...}} or {{$ref: ...}}, not {part.kind}")
            )


def captures_in(value: Any) -> list[str]:
    """The names a (valid) matcher captures, in order."""
    op = operator_of(value)
    if op == "$capture":
        operand = value[op]
        if isinstance(operand, dict):
            return [operand["as"], *captures_in(operand["match"])]
        return [operand]
    if isinstance(value, dict):
        return [n for v in value.values() for n in captures_in(v)]
    if isinstance(value, list):
        return [n for v in value for n in captures_in(v)]
    return []


def refs_in(value: Any) -> list[str]:
    """The capture names a value reads with $ref (the first part of a.b)."""
    op = operator_of(value)
    if op == "$ref":
        return [str(value[op]).split(".", 1)[0]]
    if isinstance(value, dict):
        return [n for v in value.values() for n in refs_in(v)]
    if isinstance(value, list):
        return [n for v in value for n in refs_in(v)]
    return []


def _validate_ref(operand: Located, errors: list[SpecError]) -> None:
    if not isinstance(operand.value, str) or not _NAME.match(operand.value.split(".", 1)[0]):
        errors.append(SpecError(operand.mark, f"$ref needs the name of a capture, not {operand.kind}"))


def _validate_var(operand: Located, variables: frozenset[str], errors: list[SpecError]) -> None:
    if not isinstance(operand.value, str) or not operand.value:
        errors.append(SpecError(operand.mark, f"$var needs a variable name, not {operand.kind}"))
        return
    root = operand.value.split(".", 1)[0]
    if root not in variables:
        if variables:
            errors.append(SpecError(operand.mark, f"unknown variable {root!r}{did_you_mean(root, sorted(variables))}"))
        else:
            errors.append(SpecError(operand.mark, f"unknown variable {root!r}: none is defined here "
                                                  "($var reads a repeat's 'as' name, or from spec 1.2 a constant under vars:)"))


def kind(value: Any) -> str:
    """The JSON kind of a plain value: str, number, bool, null, object or array."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, dict):
        return "object"
    if isinstance(value, list):
        return "array"
    return "str"


def never_matches(matcher: Any, kinds: frozenset[str]) -> bool:
    """True when no value of these JSON kinds can satisfy the (valid) matcher, e.g. {$type: int} for a text."""
    op = operator_of(matcher)
    if op is None:
        return kind(matcher) not in kinds
    operand = matcher[op]
    if op in REGISTERED:
        return REGISTERED[op].never(operand, kinds, never_matches)
    if op == "$concat":
        return "str" not in kinds
    return False  # $var and $ref: any value


# --- templates (run time) ---------------------------------------------------


def resolve(value: Any, env: Mapping[str, Any]) -> Any:
    """Replace ``$var`` / ``$concat`` with literal values; leave matchers alone.

    A resolved variable is wrapped in ``$eq`` so that data which happens to
    look like an operator is still compared literally.
    """
    op = operator_of(value)
    if op == "$var":
        return {"$eq": lookup(env, value["$var"])}
    if op == "$ref":
        return {"$eq": lookup(env.get(CAPTURES, {}), value["$ref"])}
    if op == "$concat":
        return {"$eq": "".join(_text(resolve(p, env)["$eq"] if operator_of(p) else p) for p in value["$concat"])}
    if op == "$capture" and isinstance(value["$capture"], dict):
        return {"$capture": {**value["$capture"], "match": resolve(value["$capture"]["match"], env)}}
    if op == "$eq":
        return value
    if isinstance(value, dict):
        return {k: resolve(v, env) for k, v in value.items()}
    if isinstance(value, list):
        return [resolve(v, env) for v in value]
    return value


def literal(value: Any, env: Mapping[str, Any]) -> Any:
    """A template turned into the plain value to send."""
    op = operator_of(value)
    if op in TEMPLATE_OPERATORS:
        return resolve(value, env)["$eq"]
    if op == "$eq":
        return value["$eq"]
    if isinstance(value, dict):
        return {k: literal(v, env) for k, v in value.items()}
    if isinstance(value, list):
        return [literal(v, env) for v in value]
    return value


def lookup(env: Mapping[str, Any], name: str) -> Any:
    root, *path = name.split(".")
    value = env[root]
    for key in path:
        if isinstance(value, Mapping) and key in value:
            value = value[key]
        elif isinstance(value, list) and key.isdigit() and int(key) < len(value):
            value = value[int(key)]
        else:
            raise KeyError(f"{name}: no {key!r} in {value!r}")
    return value


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return json.dumps(value, ensure_ascii=False)


# --- matching ----------------------------------------------------------------


def explain(expected: Any) -> str:
    """A matcher in words, for "expected ..." lines."""
    op = operator_of(expected)
    if op in REGISTERED:
        return REGISTERED[op].explain(expected[op], explain)
    if op in ("$ref", "$var"):
        return f"the value of {expected[op]}"
    return show(literal_view(expected))


def literal_view(expected: Any) -> Any:
    """The matcher as a value to print: operators shown compactly."""
    op = operator_of(expected)
    if op == "$eq":
        return expected["$eq"]
    if op is not None:
        return f"<{explain(expected)}>"
    if isinstance(expected, dict):
        return {k: literal_view(v) for k, v in expected.items()}
    if isinstance(expected, list):
        return [literal_view(v) for v in expected]
    return expected


def match(expected: Any, actual: Any, path: str = "$", *, literal: bool = False,
          captures: dict[str, Any] | None = None) -> Mismatch | None:
    """None if ``actual`` satisfies the matcher, else the first difference.

    With ``literal=True`` no operators are read: ``expected`` is plain data.
    ``$capture`` operators put what they matched in ``captures``, which the
    caller keeps only when the whole match succeeded.
    """
    if captures is None:
        captures = {}
    op = None if literal else operator_of(expected)
    if op is not None:
        return _match_operator(op, expected[op], actual, path, captures)
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return Mismatch(path, "an object", describe(actual) + " " + show(actual))
        return _match_keys(expected, actual, path, exact=True, literal=literal, captures=captures)
    if isinstance(expected, list):
        if not isinstance(actual, list):
            return Mismatch(path, "an array", describe(actual) + " " + show(actual))
        if len(actual) != len(expected):
            return Mismatch(path, f"an array of {len(expected)} items", f"{len(actual)} items: {show(actual)}")
        for i, (e, a) in enumerate(zip(expected, actual, strict=True)):
            found = match(e, a, f"{path}[{i}]", literal=literal, captures=captures)
            if found:
                return found
        return None
    return None if same_scalar(expected, actual) else Mismatch(path, show(expected), show(actual))


def same_scalar(expected: Any, actual: Any) -> bool:
    """JSON equality of scalars: numbers by value, booleans only equal booleans."""
    if isinstance(expected, bool) or isinstance(actual, bool):
        return isinstance(expected, bool) and isinstance(actual, bool) and expected == actual
    if is_number(expected) and is_number(actual):
        return expected == actual
    if type(expected) is not type(actual):
        return False
    return bool(expected == actual)


def _match_keys(
    expected: dict[str, Any], actual: dict[str, Any], path: str, *, exact: bool, literal: bool = False,
    captures: dict[str, Any] | None = None,
) -> Mismatch | None:
    for key, sub in expected.items():
        where = f"{path}.{key}" if key.isidentifier() else f"{path}[{json.dumps(key, ensure_ascii=False)}]"
        if key not in actual:
            wanted = show(sub) if literal else explain(sub)
            return Mismatch(where, f"key {key!r} ({wanted})", f"no such key in {show(actual)}")
        found = match(sub, actual[key], where, literal=literal, captures=captures)
        if found:
            return found
    if exact:
        extra = [k for k in actual if k not in expected]
        if extra:
            return Mismatch(
                path,
                f"exactly the keys {sorted(expected)}",
                f"extra key{'s' if len(extra) > 1 else ''} {', '.join(map(repr, extra))} in {show(actual)}",
                exact=True,
            )
    return None


def _match_operator(op: str, operand: Any, actual: Any, path: str, captures: dict[str, Any]) -> Mismatch | None:
    if op in REGISTERED:
        return REGISTERED[op].match(operand, actual, path, _Matching(captures))
    raise ValueError(f"operator {op} must be resolved before matching")


class _Matching:
    """The recursion an operator matches what it holds with (see grader.spec.operators.Match)."""

    def __init__(self, captures: dict[str, Any]) -> None:
        self.captures = captures

    def __call__(self, expected: Any, actual: Any, path: str) -> Mismatch | None:
        return match(expected, actual, path, captures=self.captures)

    def literal(self, expected: Any, actual: Any, path: str) -> Mismatch | None:
        return match(expected, actual, path, literal=True)

    def keys(self, expected: dict[str, Any], actual: dict[str, Any], path: str) -> Mismatch | None:
        return _match_keys(expected, actual, path, exact=False, captures=self.captures)

    def trying(self) -> _Matching:
        return _Matching({})


def regex_stops_at(pattern: str, text: str) -> int | None:
    """How far into ``text`` the regular expression ``pattern`` can follow it (0-based), or None if unknown.

    The pattern is cut into its top-level pieces (with the ``re`` module's own
    parser); the longest run of leading pieces that matches at the start of
    the text says where the text stops fitting. An approximation for the
    learner's eyes only: a verdict never depends on it.
    """
    try:
        from re import _compiler, _parser  # type: ignore[attr-defined]

        parsed = _parser.parse(pattern, re.DOTALL)
        best = 0
        for count in range(len(parsed.data), 0, -1):
            head = _parser.SubPattern(parsed.state, parsed.data[:count])
            found = _compiler.compile(head, re.DOTALL).match(text)
            if found is not None:
                best = max(best, found.end())
                break
        return best
    except Exception:  # a private module that changed: say nothing rather than something wrong
        return None
