"""Binary payloads written as data: text, hex, base64, or generated.

``"hello"`` or ``{text: "hello"}``          the UTF-8 bytes of the text
``{hex: "00 ff 10"}``                        hexadecimal, spaces allowed
``{base64: "AP8Q"}``                         standard base64
``{generate: all_bytes}``                    the 256 byte values 0..255 in order
``{generate: random, size: N, seed: S}``     N seeded pseudo-random bytes
``{generate: repeat, size: N, byte: B}``     N copies of byte B (default 0)
``{concat: [P, ...]}``                        payloads one after the other
``{slice: {of: P, start: S, end: E}}``        bytes S (default 0) up to E (default the end) of P

To expect a binary message without spelling it out, ``expect_bytes`` also
takes ``{$len: N}`` (N bytes; N may be a numeric matcher like ``{$gte: 1}``),
``{$prefix: P}`` (starts with payload P) and ``{$sha256: HEX}`` (its SHA-256).

Generated payloads are reproducible: the same spec always sends the same
bytes, so a file the app wrote can be compared byte for byte.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import random
import re
from typing import Any

from grader.errors import SpecError
from grader.spec import match
from grader.spec.suggest import did_you_mean
from grader.spec.yamlnodes import Located

GENERATORS = ("all_bytes", "random", "repeat")
MAX_SIZE = 64 << 20
_SOURCES = ("text", "hex", "base64", "generate", "concat", "slice")
_KEYS = {*_SOURCES, "size", "seed", "byte"}
MATCHERS = ("$len", "$prefix", "$sha256")  # for expect_bytes, beside $any


def validate(node: Located) -> list[SpecError]:
    """Every problem in a payload description."""
    if isinstance(node.value, str):
        return []
    if not isinstance(node.value, dict):
        return [SpecError(node.mark, f"a payload is a string or a mapping (text/hex/base64/generate), not {node.kind}")]
    spec = node.value
    errors = [SpecError(node.key_mark(k), f"unknown payload key {k!r}{did_you_mean(k, sorted(_KEYS))}")
              for k in spec if k not in _KEYS]
    sources = [k for k in _SOURCES if k in spec]
    if len(sources) != 1:
        errors.append(SpecError(node.mark, f"a payload needs exactly one of {', '.join(_SOURCES)}"))
        return errors
    (source,) = sources
    raw = spec[source]
    if source in ("concat", "slice"):
        extra = [k for k in ("size", "seed", "byte") if k in spec]
        errors += [SpecError(node.key_mark(k), f"{k!r} only applies to generate") for k in extra]
        return errors + (_validate_concat(raw) if source == "concat" else _validate_slice(raw))
    if source != "generate":
        extra = [k for k in ("size", "seed", "byte") if k in spec]
        errors += [SpecError(node.key_mark(k), f"{k!r} only applies to generate") for k in extra]
        if not isinstance(raw.value, str):
            errors.append(SpecError(raw.mark, f"{source} needs a string, not {raw.kind}"))
            return errors
        try:
            build(node.plain())
        except ValueError as exc:
            errors.append(SpecError(raw.mark, str(exc)))
        return errors
    if not isinstance(raw.value, str) or raw.value not in GENERATORS:
        errors.append(SpecError(raw.mark, f"unknown generator {raw.value!r}{did_you_mean(str(raw.value), GENERATORS)}"))
        return errors
    needs_size = raw.value in ("random", "repeat")
    if needs_size != ("size" in spec):
        why = "needs a size" if needs_size else "takes no size"
        errors.append(SpecError(node.mark, f"generate: {raw.value} {why}"))
    if "size" in spec:
        size = spec["size"].value
        if not isinstance(size, int) or isinstance(size, bool) or not 0 <= size <= MAX_SIZE:
            errors.append(SpecError(spec["size"].mark, f"size must be an integer from 0 to {MAX_SIZE}"))
    if "seed" in spec and raw.value != "random":
        errors.append(SpecError(spec["seed"].mark, "seed only applies to generate: random"))
    if "byte" in spec:
        byte = spec["byte"].value
        if raw.value != "repeat":
            errors.append(SpecError(spec["byte"].mark, "byte only applies to generate: repeat"))
        elif not isinstance(byte, int) or isinstance(byte, bool) or not 0 <= byte <= 255:
            errors.append(SpecError(spec["byte"].mark, "byte must be an integer from 0 to 255"))
    return errors


def _validate_concat(raw: Located) -> list[SpecError]:
    if not isinstance(raw.value, list) or not raw.value:
        return [SpecError(raw.mark, "concat needs a non-empty list of payloads")]
    return [e for part in raw.value for e in validate(part)]


def _validate_slice(raw: Located) -> list[SpecError]:
    fields = raw.value if isinstance(raw.value, dict) else None
    if fields is None or "of" not in fields:
        return [SpecError(raw.mark, "slice takes {of: PAYLOAD, start: N, end: N}")]
    errors = [SpecError(raw.key_mark(k), f"unknown key {k!r} in slice{did_you_mean(k, ('of', 'start', 'end'))}")
              for k in fields if k not in ("of", "start", "end")]
    for key in ("start", "end"):
        if key in fields and (not isinstance(fields[key].value, int) or isinstance(fields[key].value, bool)):
            errors.append(SpecError(fields[key].mark, f"{key} is a byte position, an integer (negative counts from the end)"))
    return errors + validate(fields["of"])


def validate_matcher(node: Located) -> list[SpecError]:
    """Problems of an expect_bytes matcher: {$len: N}, {$prefix: PAYLOAD} or {$sha256: HEX}."""
    (op,) = node.value
    operand = node.value[op]
    if op == "$len":
        value = operand.value
        if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
            return []
        if match.operator_of(value) in match.NUMERIC_OPERATORS:
            return match.validate(operand, frozenset())
        return [SpecError(operand.mark, "$len takes a number of bytes, or a numeric matcher like {$gte: 1}")]
    if op == "$prefix":
        return validate(operand)
    if not isinstance(operand.value, str) or not re.fullmatch(r"[0-9a-fA-F]{64}", operand.value):
        return [SpecError(operand.mark, "$sha256 takes the 64 hex digits of a SHA-256 digest")]
    return []


def mismatch(matcher: dict[str, Any], data: bytes) -> str | None:
    """Why ``data`` does not satisfy a (validated) expect_bytes matcher, or None."""
    (op,) = matcher
    operand = matcher[op]
    if op == "$len":
        return None if match.match(operand, len(data)) is None else f"{len(data)} bytes"
    if op == "$prefix":
        prefix = build(operand)
        return None if data.startswith(prefix) else f"starts with {data[:len(prefix)][:40]!r}"
    digest = hashlib.sha256(data).hexdigest()
    return None if digest == operand.lower() else f"SHA-256 {digest}"


def explain(matcher: dict[str, Any]) -> str:
    (op,) = matcher
    operand = matcher[op]
    if op == "$len":
        return f"binary data of {operand} bytes" if isinstance(operand, int) else f"binary data whose length is {match.explain(operand)}"
    if op == "$prefix":
        return f"binary data starting with {describe(operand)}"
    return f"binary data with SHA-256 {operand.lower()}"


def build(spec: Any) -> bytes:
    """The bytes a (validated) payload description stands for."""
    if isinstance(spec, str):
        return spec.encode("utf-8")
    if "concat" in spec:
        return b"".join(build(part) for part in spec["concat"])
    if "slice" in spec:
        part = spec["slice"]
        return build(part["of"])[part.get("start"):part.get("end")]
    if "text" in spec:
        return str(spec["text"]).encode("utf-8")
    if "hex" in spec:
        try:
            return bytes.fromhex(spec["hex"])
        except ValueError:
            raise ValueError("invalid hex: use pairs of 0-9a-f, spaces allowed") from None
    if "base64" in spec:
        try:
            return base64.b64decode(spec["base64"], validate=True)
        except binascii.Error as exc:
            raise ValueError(f"invalid base64: {exc}") from None
    kind = spec["generate"]
    if kind == "all_bytes":
        return bytes(range(256))
    if kind == "repeat":
        return bytes([spec.get("byte", 0)]) * spec["size"]
    return random.Random(spec.get("seed", 0)).randbytes(spec["size"])


def describe(spec: Any) -> str:
    """A payload in words, for transcripts and failure messages."""
    if isinstance(spec, dict) and "generate" in spec:
        kind = spec["generate"]
        if kind == "all_bytes":
            return "the 256 byte values 0..255"
        if kind == "repeat":
            return f"{spec['size']} bytes of {spec.get('byte', 0):#04x}"
        return f"{spec['size']} random bytes (seed {spec.get('seed', 0)})"
    data = build(spec)
    return f"{len(data)} bytes {data[:40]!r}{'…' if len(data) > 40 else ''}"


def first_difference(expected: bytes, actual: bytes | str) -> str:
    """Where two byte strings first differ, in a few words: "(expected 4 bytes, got 3)"."""
    if isinstance(actual, str):
        return ""
    if len(expected) != len(actual):
        return f"(expected {len(expected)} bytes, got {len(actual)})"
    index = next(i for i, (a, b) in enumerate(zip(expected, actual, strict=True)) if a != b)
    return f"(first difference at byte {index}: expected {expected[index]:#04x}, got {actual[index]:#04x})"
