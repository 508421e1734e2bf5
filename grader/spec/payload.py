"""Binary payloads written as data: text, hex, base64, or generated.

``"hello"`` or ``{text: "hello"}``          the UTF-8 bytes of the text
``{hex: "00 ff 10"}``                        hexadecimal, spaces allowed
``{base64: "AP8Q"}``                         standard base64
``{generate: all_bytes}``                    the 256 byte values 0..255 in order
``{generate: random, size: N, seed: S}``     N seeded pseudo-random bytes
``{generate: repeat, size: N, byte: B}``     N copies of byte B (default 0)

Generated payloads are reproducible: the same spec always sends the same
bytes, so a file the app wrote can be compared byte for byte.
"""

from __future__ import annotations

import base64
import binascii
import random
from typing import Any

from grader.errors import SpecError
from grader.spec.suggest import did_you_mean
from grader.spec.yamlnodes import Located

GENERATORS = ("all_bytes", "random", "repeat")
MAX_SIZE = 64 << 20
_KEYS = {"text", "hex", "base64", "generate", "size", "seed", "byte"}


def validate(node: Located) -> list[SpecError]:
    """Every problem in a payload description."""
    if isinstance(node.value, str):
        return []
    if not isinstance(node.value, dict):
        return [SpecError(node.mark, f"a payload is a string or a mapping (text/hex/base64/generate), not {node.kind}")]
    spec = node.value
    errors = [SpecError(node.key_mark(k), f"unknown payload key {k!r}{did_you_mean(k, sorted(_KEYS))}")
              for k in spec if k not in _KEYS]
    sources = [k for k in ("text", "hex", "base64", "generate") if k in spec]
    if len(sources) != 1:
        errors.append(SpecError(node.mark, "a payload needs exactly one of text, hex, base64, generate"))
        return errors
    (source,) = sources
    raw = spec[source]
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


def build(spec: Any) -> bytes:
    """The bytes a (validated) payload description stands for."""
    if isinstance(spec, str):
        return spec.encode("utf-8")
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
