"""The YAML the grader reads: YAML 1.2's core schema, the same with or without libyaml.

PyYAML resolves plain scalars by YAML 1.1, where ``yes``/``no``/``on``/``off``
are booleans, ``010`` is octal 8 and ``12:30`` is the base-60 number 750:
an ``over: [yes, no]`` would send "true" and "false". Specs are read by the
1.2 core schema instead: only ``true``/``false`` are booleans, only
``null``/``~``/nothing is null, integers are decimal as written (``0o``
and ``0x`` prefixes for octal and hex), and everything else is a string.

libyaml (when PyYAML has it) and the pure-Python parser must give the same
answer for the same file, so the pure-Python scanner is brought in line
where the two differ (a ``?`` inside a plain value in ``{...}`` or
``[...]``), tabs are judged by one rule of our own (never as indentation or
between tokens, only inside values and comments), and parser errors are
reworded from where they happen, not from either parser's wording. A tab
in a line's indentation is refused even inside a block scalar: write
``"\t"`` in a double-quoted string for a real tab.
"""

from __future__ import annotations

import math
import re
from typing import Any

import yaml
from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.parser import Parser
from yaml.reader import Reader
from yaml.resolver import BaseResolver
from yaml.scanner import ScalarToken, Scanner

TAG = "tag:yaml.org,2002:"
_COMMENT = re.compile(r"(?:^|[ \t])#")
_BLANK = "\0 \t\r\n\x85\u2028\u2029"


class CoreResolver(BaseResolver):
    """YAML 1.2 core schema: the only implicit types are null, bool, int and float."""


CoreResolver.yaml_implicit_resolvers = {}
CoreResolver.add_implicit_resolver(TAG + "bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))
CoreResolver.add_implicit_resolver(TAG + "int", re.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$"),
                                   list("-+0123456789"))
CoreResolver.add_implicit_resolver(
    TAG + "float",
    re.compile(r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"),
    list("-+.0123456789"),
)
CoreResolver.add_implicit_resolver(TAG + "null", re.compile(r"^(?:~|null|Null|NULL|)$"), ["~", "n", "N", ""])


class _Scanner(Scanner):
    """PyYAML's scanner, letting a plain scalar in flow context contain '?' as libyaml (and YAML 1.2) do."""

    def scan_plain(self) -> ScalarToken:  # adapted from yaml.scanner.Scanner.scan_plain
        chunks: list[str] = []
        start_mark = self.get_mark()
        end_mark = start_mark
        indent = self.indent + 1
        spaces: list[str] = []
        while True:
            length = 0
            if self.peek() == "#":
                break
            while True:
                ch = self.peek(length)
                if (ch in _BLANK
                        or (ch == ":" and self.peek(length + 1) in _BLANK + (",[]{}" if self.flow_level else ""))
                        or (self.flow_level and ch in ",[]{}")):
                    break
                length += 1
            if length == 0:
                break
            self.allow_simple_key = False
            chunks.extend(spaces)
            chunks.append(self.prefix(length))
            self.forward(length)
            end_mark = self.get_mark()
            spaces = self.scan_plain_spaces(indent, start_mark)
            if not spaces or self.peek() == "#" or (not self.flow_level and self.column < indent):
                break
        return ScalarToken("".join(chunks), True, start_mark, end_mark)


class PureLoader(Reader, _Scanner, Parser, Composer, SafeConstructor, CoreResolver):
    def __init__(self, stream: str) -> None:
        Reader.__init__(self, stream)
        _Scanner.__init__(self)
        Parser.__init__(self)
        Composer.__init__(self)
        SafeConstructor.__init__(self)
        CoreResolver.__init__(self)


try:
    from yaml.cyaml import CParser
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    CParser = None

if CParser is not None:

    class FastLoader(CParser, SafeConstructor, CoreResolver):  # type: ignore[misc]
        def __init__(self, stream: str) -> None:
            CParser.__init__(self, stream)
            SafeConstructor.__init__(self)
            CoreResolver.__init__(self)

    LOADER: type = FastLoader
else:  # pragma: no cover
    LOADER = PureLoader


def scalar(node: yaml.ScalarNode) -> Any:
    """The value of a resolved scalar node, by the core schema; ValueError when an explicit tag does not fit."""
    tag, text = node.tag, node.value
    if tag == TAG + "null":
        if text not in ("", "~", "null", "Null", "NULL"):
            raise ValueError(f"{text!r} is not null")
        return None
    if tag == TAG + "bool":
        if text.lower() not in ("true", "false"):
            raise ValueError(f"{text!r} is not true or false")
        return text.lower() == "true"
    if tag == TAG + "int":
        if re.fullmatch(r"0o[0-7]+", text):
            return int(text[2:], 8)
        if re.fullmatch(r"0x[0-9a-fA-F]+", text):
            return int(text[2:], 16)
        if re.fullmatch(r"[-+]?[0-9]+", text):
            return int(text, 10)
        raise ValueError(f"{text!r} is not an integer")
    if tag == TAG + "float":
        lowered = text.lower()
        if lowered in (".inf", "+.inf", "-.inf"):
            return -math.inf if lowered.startswith("-") else math.inf
        if lowered == ".nan":
            return math.nan
        return float(text)
    return text  # str, and timestamps kept as the author wrote them


def tab_outside_values(text: str, tokens: list[tuple[int, int]]) -> int | None:
    """The offset of the first tab used as indentation or separation, if any.

    That is a tab in a line's leading whitespace (even inside a block
    scalar, where libyaml rejects some and PyYAML none), or between two
    tokens outside a comment. ``tokens`` are the (start, end) offsets of the
    scanned tokens in order.
    """
    leading = re.search(r"(?m)^ *\t", text)
    between = _tab_between(text, tokens)
    found = [offset for offset in (leading.end() - 1 if leading else None, between) if offset is not None]
    return min(found) if found else None


def _tab_between(text: str, tokens: list[tuple[int, int]]) -> int | None:
    position = 0
    for start, end in [*tokens, (len(text), len(text))]:
        gap = text[position:start]
        for line_start, line in _lines(gap, position):
            found = _COMMENT.search(line)
            comment = found.start() if found else -1
            tab = line.find("\t")
            if tab != -1 and (comment == -1 or tab < comment):
                return line_start + tab
        position = max(position, end)
    return None


def _lines(gap: str, offset: int) -> list[tuple[int, str]]:
    result = []
    for line in gap.split("\n"):
        result.append((offset, line))
        offset += len(line) + 1
    return result


def token_spans(text: str, loader: type) -> tuple[list[tuple[int, int]], Exception | None]:
    """The offsets of the tokens the scanner reads before it stops, and why it stopped (None at the end)."""
    spans: list[tuple[int, int]] = []
    scanner = loader(text)
    try:
        while True:
            token = scanner.get_token()
            if token is None:
                return spans, None
            # A tab inside an unquoted value: libyaml keeps it, PyYAML stops there. Neither, here.
            if getattr(token, "plain", False) and "\t" in token.value:
                continue
            if token.start_mark.index != token.end_mark.index:
                spans.append((token.start_mark.index, token.end_mark.index))
    except yaml.YAMLError as exc:
        return spans, exc
    finally:
        scanner.dispose()


def plain_problem(exc: yaml.MarkedYAMLError, text: str) -> str:
    """A parser's complaint in words an author can act on, the same whichever parser complained."""
    problem = (exc.problem or "").lower()
    context = (exc.context or "").lower()
    mark = exc.problem_mark
    here = text[mark.index] if mark is not None and mark.index < len(text) else ""
    opened = f" (opened at line {exc.context_mark.line + 1})" if exc.context_mark is not None else ""
    if "mapping values are not allowed" in problem:
        return ("a ': ' inside a plain value starts a new key here; put the whole value in quotes, "
                "e.g. expect_text: \"Message: hi\"")
    if "cannot start any token" in problem:
        if here == "\t":
            return TAB
        return f"a value cannot start with {here!r} unquoted; put it in quotes"
    if "quoted scalar" in context:
        return f"a quoted string is never closed{opened}"
    if "flow sequence" in context:
        return f"a [ ... ] list is not closed, or a ',' is missing between its items{opened}"
    if "flow mapping" in context:
        return (f"a {{ ... }} mapping is not closed, or a ',' is missing between its entries{opened}; "
                "a value containing ': ' or ',' needs quotes")
    if "block mapping" in context or "block collection" in context:
        return "this line's indentation does not line up with the keys above it"
    if "undefined alias" in problem:
        return "'*' refers to an anchor (&name) that is not defined above; quote the value if you meant a '*'"
    if "tab" in problem:
        return TAB
    what = repr(here) if here not in ("", "\0") else "the end of the file"
    return f"invalid YAML at {what}: check the quotes, colons and indentation around it"


TAB = "a tab character: YAML indents and separates with spaces only; replace it with spaces"
