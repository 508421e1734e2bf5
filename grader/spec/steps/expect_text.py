"""``expect_text``: the next message on the client is a text message that matches.

```yaml
- expect_text: hello                       # exactly this text
- expect_text: {$re: "^Hi, \\w+!$"}       # or any string matcher ($re, $one_of, $len...)
- expect_text: {$capture: greeting}        # anything, kept for {$ref: greeting} later
```

A text that differs is reported with the first character where it differs;
one that leaves a pattern, with where it leaves it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, ClassVar

from grader.i18n import say
from grader.result import Kind
from grader.spec import match
from grader.spec.args import Reader
from grader.spec.steps import StepKind, Talk
from grader.spec.yamlnodes import Located


@dataclass(frozen=True)
class StringMatcher:
    """A string, or a {$op: ...} matcher that some string can satisfy."""

    def schema(self) -> dict[str, Any]:
        return {"$ref": "#/$defs/string_matcher"}

    def read(self, reader: Reader, node: Located, what: str, variables: frozenset[str]) -> Any:
        if isinstance(node.value, int | float | bool | list) or node.value is None:
            reader.error(node.mark, f"expect_text needs a string or a matcher, not {node.kind}")
        elif isinstance(node.value, dict) and match.operator_of(node.value) is None:
            reader.error(node.mark, "expect_text needs a string or a matcher; for a JSON answer use expect_json")
        else:
            if reader.matcher(node, variables):
                reader.never(node, frozenset({"str"}), "expect_text receives a text message, always a string",
                             "; to read the text as JSON, use expect_json")
            return node.plain()
        reader.matcher(node, variables)
        return node.plain()


class ExpectText(StepKind):
    name: ClassVar[str] = "expect_text"
    argument = StringMatcher()
    timed = True

    async def run(self, talk: Talk, step: Any, env: dict[str, Any]) -> None:
        message = await talk.next_message(step)
        expected = match.resolve(step.arg, env)
        if message.kind != "text":
            raise talk.fail(Kind.MISMATCH, talk.say("a text message was expected but a binary one arrived"),
                            expected=f"text {match.explain(expected)}", actual=message.describe())
        mismatch = talk.matches(expected, message.data)
        if mismatch:
            where = ""
            if isinstance(expected, str) and isinstance(message.data, str):
                at, want, got = first_difference(expected, message.data, talk.lang)
                where = talk.say(": they first differ at character {n}, where {want} was expected and {got} arrived",
                                 n=at + 1, want=want, got=got)
            elif match.operator_of(expected) == "$re" and isinstance(message.data, str):
                operand = expected["$re"]
                pattern = operand["pattern"] if isinstance(operand, dict) else operand
                # When the whole text fits and a group's matcher failed, no place in the text is to blame.
                fits = re.fullmatch(pattern, message.data, re.DOTALL) is not None
                stop = None if fits else match.regex_stops_at(pattern, message.data)
                if stop == 0:
                    where = talk.say(": the text does not fit the pattern from its first character on")
                elif stop is not None and stop >= len(message.data):
                    where = talk.say(": the whole text fits the start of the pattern, which wants more after it")
                elif stop:
                    where = talk.say(": the text fits the pattern up to character {n}; from there on it does not "
                                     "({rest})", n=stop, rest=match.show(message.data[stop:], 60))
            raise talk.fail(Kind.MISMATCH, talk.say("the server's text message is not the expected one") + where,
                            expected=match.explain(expected), actual=match.show(message.data, 500))


def first_difference(expected: str, actual: str, lang: str = "en") -> tuple[int, str, str]:
    """Where two texts first differ (0-based), and what each has there, in words a learner can read."""
    at = next((i for i, (a, b) in enumerate(zip(expected, actual, strict=False)) if a != b),
              min(len(expected), len(actual)))

    def shown(text: str) -> str:
        if at >= len(text):
            return say(lang, "the end of the text")
        char = text[at]
        if char == " ":
            return say(lang, "a space")
        if char == "\n":
            return say(lang, "a line break")
        if char == "\t":
            return say(lang, "a tab")
        return json.dumps(char, ensure_ascii=False)

    return at, shown(expected), shown(actual)
