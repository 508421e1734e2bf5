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

Operators with a module of their own (``grader/spec/operators/``, spec 1.2):
``{$not: M}`` (anything M does not match) and ``{$len: N}`` (a text, list or
object of that size, or ``{$len: {$gte: 1}}``).

``$var``, ``$ref`` and ``$concat`` are templates: :func:`resolve` replaces
them with literal values before matching, and they are what payloads to
send may use. Captures are kept only when the whole matcher matched.
Nothing is ever formatted into a string, so real JSON with braces is safe.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from grader.errors import SpecError
from grader.spec import jsonsafe
from grader.spec.operators import OPERATORS as REGISTERED
from grader.spec.suggest import did_you_mean
from grader.spec.yamlnodes import Located, describe

TYPES: dict[str, str] = {
    "int": "an integer",
    "number": "a number",
    "str": "a string",
    "bool": "a boolean",
    "null": "null",
    "object": "a JSON object",
    "array": "a JSON array",
}

NUMERIC_OPERATORS = ("$gt", "$gte", "$lt", "$lte", "$between", "$approx")
# The operators kept here, then those with a module of their own (grader/spec/operators/).
MATCH_OPERATORS = ("$re", "$type", "$any", "$subset", "$eq", "$one_of", "$datetime", *NUMERIC_OPERATORS, "$capture",
                   *REGISTERED)
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
    elif op == "$re":
        _validate_re(operand, variables, allow_match, errors)
    elif op == "$datetime":
        within = operand.value.get("within") if isinstance(operand.value, dict) else None
        if within is None or set(operand.value) != {"within"} or not _is_number(within.value) or within.value <= 0:
            errors.append(SpecError(operand.mark, "$datetime takes {within: SECONDS}, a number above 0"))
    elif op == "$type":
        if not isinstance(operand.value, str) or operand.value not in TYPES:
            errors.append(
                SpecError(operand.mark, f"unknown type {operand.value!r}{did_you_mean(str(operand.value), TYPES)}")
            )
    elif op == "$any":
        if operand.value is not True:
            errors.append(SpecError(operand.mark, "$any takes the value true"))
    elif op == "$subset":
        if not isinstance(operand.value, dict):
            errors.append(SpecError(operand.mark, f"$subset needs a mapping, not {operand.kind}"))
            return
        for item in operand.value.values():
            _validate(item, variables, allow_match, errors)
    elif op == "$one_of":
        if not isinstance(operand.value, list) or not operand.value:
            errors.append(SpecError(operand.mark, "$one_of needs a non-empty list of matchers"))
            return
        for item in operand.value:
            _validate(item, variables, allow_match, errors)
    elif op in NUMERIC_OPERATORS:
        _validate_numeric(op, operand, errors)
    elif op == "$capture":
        name = operand
        if isinstance(operand.value, dict):
            unknown = [k for k in operand.value if k not in ("as", "match")]
            for key in unknown:
                errors.append(SpecError(operand.key_mark(key), f"unknown key {key!r} in $capture{did_you_mean(key, ('as', 'match'))}"))
            if "as" not in operand.value or "match" not in operand.value:
                errors.append(SpecError(operand.mark, "$capture takes a name, or {as: NAME, match: MATCHER}"))
                return
            name = operand.value["as"]
            _validate(operand.value["match"], variables, allow_match, errors)
        if not isinstance(name.value, str) or not _NAME.match(name.value):
            errors.append(SpecError(name.mark, f"a capture name is a word (letters, digits, _), not {show(name.value)}"))
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


def _validate_re(operand: Located, variables: frozenset[str], allow_match: bool, errors: list[SpecError]) -> None:
    groups: dict[str, Located] = {}
    pattern = operand
    if isinstance(operand.value, dict):
        unknown = [k for k in operand.value if k not in ("pattern", "groups", "says")]
        for key in unknown:
            errors.append(SpecError(operand.key_mark(key),
                                    f"unknown key {key!r} in $re{did_you_mean(key, ('pattern', 'groups', 'says'))}"))
        says = operand.value.get("says")
        if says is not None and not (isinstance(says.value, str) and says.value.strip()):
            errors.append(SpecError(says.mark, "$re says is the pattern in words for learners, a non-empty string"))
        if "pattern" not in operand.value:
            errors.append(SpecError(operand.mark, "$re needs a pattern"))
            return
        pattern = operand.value["pattern"]
        if "groups" in operand.value:
            node = operand.value["groups"]
            if not isinstance(node.value, dict):
                errors.append(SpecError(node.mark, f"$re groups needs a mapping of group names to matchers, not {node.kind}"))
            else:
                groups = node.value
    if not isinstance(pattern.value, str):
        errors.append(SpecError(pattern.mark, f"$re needs a pattern string, not {pattern.kind}"))
        return
    try:
        compiled = re.compile(pattern.value)
    except re.error as exc:
        errors.append(SpecError(pattern.mark, f"invalid regular expression: {exc}"))
        return
    for name, matcher in groups.items():
        if name not in compiled.groupindex:
            errors.append(SpecError(matcher.mark, f"the pattern has no group named {name!r}; write (?P<{name}>...)"))
        _validate(matcher, variables, allow_match, errors)


_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def _validate_numeric(op: str, operand: Located, errors: list[SpecError]) -> None:
    value = operand.value
    if op == "$between":
        if not (isinstance(value, list) and len(value) == 2 and all(_is_number(v.value) for v in value)):
            errors.append(SpecError(operand.mark, "$between takes [LOW, HIGH], two numbers"))
        elif value[0].value > value[1].value:
            errors.append(SpecError(operand.mark, f"$between [{value[0].value}, {value[1].value}] is empty: "
                                                  "write the lower bound first"))
    elif op == "$approx":
        fields = value if isinstance(value, dict) else {}
        if set(fields) != {"value", "tol"} or not all(_is_number(fields[k].value) for k in fields):
            errors.append(SpecError(operand.mark, "$approx takes {value: NUMBER, tol: NUMBER}"))
        elif fields["tol"].value < 0:
            errors.append(SpecError(fields["tol"].mark, "tol is a distance: a number ≥ 0"))
    elif not _is_number(value):
        errors.append(SpecError(operand.mark, f"{op} takes a number, not {operand.kind}"))


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


_KIND_OF_TYPE = {"int": "number", "number": "number", "str": "str", "bool": "bool", "null": "null",
                 "object": "object", "array": "array"}


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
    if op in ("$any", "$var", "$ref"):
        return False
    if op == "$eq":
        return kind(operand) not in kinds
    if op in ("$re", "$datetime", "$concat"):
        return "str" not in kinds
    if op == "$type":
        return _KIND_OF_TYPE.get(operand, operand) not in kinds
    if op == "$subset":
        return "object" not in kinds
    if op == "$one_of":
        return all(never_matches(m, kinds) for m in operand)
    if op in NUMERIC_OPERATORS:
        return "number" not in kinds
    if op == "$capture":
        return isinstance(operand, dict) and never_matches(operand["match"], kinds)
    return False


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


@dataclass(frozen=True)
class Mismatch:
    """Where and how a value differs from what was expected."""

    path: str
    expected: str
    actual: str
    # True when the difference is a key an exact object does not allow ({$subset: ...} would have).
    exact: bool = False

    def __str__(self) -> str:
        where = "" if self.path == "$" else f"at {self.path}: "
        return f"{where}expected {self.expected}, got {self.actual}"


def show(value: Any, limit: int = 200) -> str:
    """A value as JSON (or repr for bytes), cut to ``limit`` characters."""
    if isinstance(value, bytes | bytearray):
        text = repr(bytes(value[:limit]))
        if len(value) > limit:
            text += f"… ({len(value)} bytes)"
        return text
    if isinstance(value, str) and len(value) > limit:
        # Cut first: answers can be megabytes long.
        return json.dumps(value[:limit], ensure_ascii=False) + f"… ({len(value)} characters)"
    try:
        text = json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        text = repr(value)
    except RecursionError:
        # An app's JSON nested thousands deep: written without the call stack, and only as far as shown.
        text = jsonsafe.dumps(value, limit + 1)
    if len(text) > limit:
        text = text[:limit] + f"… ({len(text)} characters)"
    return text


def explain(expected: Any) -> str:
    """A matcher in words, for "expected ..." lines."""
    op = operator_of(expected)
    if op in REGISTERED:
        return REGISTERED[op].explain(expected[op], explain)
    if op == "$re":
        operand = expected["$re"]
        if isinstance(operand, dict):
            parts = ", ".join(f"{name} = {explain(m)}" for name, m in operand.get("groups", {}).items())
            # A learner reads the instructor's words (`says`), not the pattern, when there are some.
            said = operand.get("says") or f"a string matching /{operand['pattern']}/"
            return said + (f" where {parts}" if parts else "")
        return f"a string matching /{operand}/"
    if op == "$datetime":
        return f"a local date-time like 2026-01-31 12:00:00.000000 within {expected['$datetime']['within']:g} s of now"
    if op == "$type":
        return TYPES[expected["$type"]]
    if op == "$any":
        return "any value"
    if op == "$subset":
        return f"an object with at least {show(_literal_view(expected['$subset']))}"
    if op == "$eq":
        return show(expected["$eq"])
    if op == "$one_of":
        return " or ".join(explain(m) for m in expected["$one_of"])
    if op in NUMERIC_OPERATORS:
        return _explain_number(op, expected[op])
    if op == "$capture":
        operand = expected[op]
        return explain(operand["match"]) if isinstance(operand, dict) else "any value"
    if op in ("$ref", "$var"):
        return f"the value of {expected[op]}"
    return show(_literal_view(expected))


def _explain_number(op: str, operand: Any) -> str:
    if op == "$between":
        return f"a number from {operand[0]:g} to {operand[1]:g}"
    if op == "$approx":
        return f"a number within {operand['tol']:g} of {operand['value']:g}"
    words = {"$gt": "above", "$gte": "at least", "$lt": "below", "$lte": "at most"}
    return f"a number {words[op]} {operand:g}"


def _literal_view(expected: Any) -> Any:
    """The matcher as a value to print: operators shown compactly."""
    op = operator_of(expected)
    if op == "$eq":
        return expected["$eq"]
    if op is not None:
        return f"<{explain(expected)}>"
    if isinstance(expected, dict):
        return {k: _literal_view(v) for k, v in expected.items()}
    if isinstance(expected, list):
        return [_literal_view(v) for v in expected]
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
    if _is_number(expected) and _is_number(actual):
        return expected == actual
    if type(expected) is not type(actual):
        return False
    return bool(expected == actual)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


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
        return REGISTERED[op].match(operand, actual, path, lambda e, a, p: match(e, a, p, captures=captures))
    if op == "$eq":
        return match(operand, actual, path, literal=True)
    if op == "$any":
        return None
    if op in NUMERIC_OPERATORS:
        return None if _is_number(actual) and _in_range(op, operand, actual) else Mismatch(
            path, _explain_number(op, operand), show(actual))
    if op == "$capture":
        if isinstance(operand, dict):
            mismatch = match(operand["match"], actual, path, captures=captures)
            if mismatch:
                return mismatch
            operand = operand["as"]
        captures[operand] = actual
        return None
    if op == "$re":
        pattern = operand["pattern"] if isinstance(operand, dict) else operand
        found = re.fullmatch(pattern, actual, re.DOTALL) if isinstance(actual, str) else None
        if found is None:
            return Mismatch(path, explain({"$re": operand}) if isinstance(operand, dict) else
                            f"a string matching /{pattern}/", show(actual))
        for name, sub in (operand.get("groups", {}) if isinstance(operand, dict) else {}).items():
            mismatch = match(sub, found.group(name), f"{path}<{name}>", captures=captures)
            if mismatch:
                return mismatch
        return None
    if op == "$datetime":
        return _match_datetime(operand["within"], actual, path)
    if op == "$type":
        return None if _has_type(operand, actual) else Mismatch(path, TYPES[operand], show(actual))
    if op == "$subset":
        if not isinstance(actual, dict):
            return Mismatch(path, "an object", show(actual))
        return _match_keys(operand, actual, path, exact=False, captures=captures)
    if op == "$one_of":
        for m in operand:
            tried: dict[str, Any] = {}
            if match(m, actual, path, captures=tried) is None:
                captures.update(tried)
                return None
        return Mismatch(path, explain({op: operand}), show(actual))
    raise ValueError(f"operator {op} must be resolved before matching")


def _in_range(op: str, operand: Any, value: float) -> bool:
    if op == "$gt":
        return value > operand
    if op == "$gte":
        return value >= operand
    if op == "$lt":
        return value < operand
    if op == "$lte":
        return value <= operand
    if op == "$between":
        return bool(operand[0] <= value <= operand[1])
    return bool(abs(value - operand["value"]) <= operand["tol"])


# What "now" is for `$datetime`: the judge's wall clock, or (under `wall_clock: virtual`)
# the one the app reads, which the grader's clock moves.
NOW: ContextVar[Callable[[], datetime]] = ContextVar("NOW", default=datetime.now)


def _match_datetime(within: float, actual: Any, path: str) -> Mismatch | None:
    wanted = f"a local date-time within {within:g} s of now"
    if not isinstance(actual, str):
        return Mismatch(path, wanted, show(actual))
    try:
        moment = datetime.fromisoformat(actual)
    except ValueError:
        return Mismatch(path, wanted + " (YYYY-MM-DD HH:MM:SS[.ffffff])", f"{show(actual)}, which is not a date-time")
    if moment.tzinfo is not None:
        moment = moment.astimezone().replace(tzinfo=None)
    now = NOW.get()()
    off = abs((moment - now).total_seconds())
    if off > within:
        return Mismatch(path, f"{wanted} ({now})", f"{show(actual)}, {off:.0f} s away")
    return None


def _has_type(name: str, value: Any) -> bool:
    if name == "int":
        return _is_number(value) and (isinstance(value, int) or (math.isfinite(value) and value.is_integer()))
    if name == "number":
        return _is_number(value)
    if name == "str":
        return isinstance(value, str)
    if name == "bool":
        return isinstance(value, bool)
    if name == "null":
        return value is None
    if name == "object":
        return isinstance(value, dict)
    if name == "array":
        return isinstance(value, list)
    return False


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
