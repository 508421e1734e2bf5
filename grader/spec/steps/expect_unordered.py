"""``expect_unordered``: the next messages, matched one to one in any order (per client).

```yaml
- expect_unordered:
    - {json: {type: joined, user: ann}}
    - {json: {type: joined, user: bob}, client: bob}   # on another client
    - {text: ready}
```

The messages of each client are paired with its expected ones as a whole
(no greedy first fit), so a loose matcher cannot take a message a strict
one needs.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, ClassVar

from grader.errors import Mark
from grader.result import Kind
from grader.spec.args import CLIENT_NAME, Reader
from grader.spec.flow import Flow
from grader.spec.match import explain, resolve
from grader.spec.steps import StepKind, Talk
from grader.spec.yamlnodes import Located


@dataclass(frozen=True)
class Expected:
    """One message of an ``expect_unordered`` set: on which client, read as text or JSON, and its matcher."""

    client: str
    kind: str  # "text" or "json"
    matcher: Any


@dataclass(frozen=True)
class Messages:
    """A non-empty list of {text: MATCHER} or {json: MATCHER}, each with an optional client."""

    def schema(self) -> dict[str, Any]:
        return {
            "type": "array", "minItems": 1,
            "description": "The next messages, matched one to one in any order (per client).",
            "items": {"type": "object",
                      "properties": {"text": {"$ref": "#/$defs/string_matcher"}, "json": {"$ref": "#/$defs/matcher"},
                                     "client": {"type": "string", "pattern": CLIENT_NAME.pattern}},
                      "oneOf": [{"required": ["text"]}, {"required": ["json"]}],
                      "additionalProperties": False},
        }

    def read(self, reader: Reader, node: Located, what: str, variables: frozenset[str]) -> tuple[Expected, ...]:
        flow, client = reader.flow, reader.client
        if not isinstance(node.value, list) or not node.value:
            reader.error(node.mark, "expect_unordered needs a list of messages, like [{json: ...}, {text: ...}]")
            return ()
        result = []
        for entry in node.value:
            fields = reader.mapping(entry, ("text", "json", "client"), "an expect_unordered message")
            if fields is None:
                continue
            kinds = [k for k in ("text", "json") if k in fields]
            if len(kinds) != 1:
                reader.error(entry.mark, "each expect_unordered message has one of text or json (a matcher)")
                continue
            kind = kinds[0]
            who = reader.string(fields.get("client"), "client", client) or client
            if flow.states.get(who, Flow.NEW) != Flow.OPEN:
                reader.error(fields["client"].mark if "client" in fields else entry.mark,
                             f"client {who!r} is not connected here: expect_unordered needs an open connection")
            matcher = fields[kind]
            if reader.matcher(matcher, variables) and kind == "text":
                reader.never(matcher, frozenset({"str"}), "a text message is a string",
                             "; to read it as JSON, write json: instead of text:")
            result.append(Expected(who, kind, matcher.plain()))
        return tuple(result)


class ExpectUnordered(StepKind):
    name: ClassVar[str] = "expect_unordered"
    argument = Messages()
    timed = True

    def follow(self, flow: Flow, reader: Reader, client: str, arg: Any, where: Mark) -> None:
        pass  # each message names its client, checked as it is read

    async def run(self, talk: Talk, step: Any, env: dict[str, Any]) -> None:
        wanted: list[Expected] = [replace(e, matcher=resolve(e.matcher, env)) for e in step.arg]
        for name in dict.fromkeys(e.client for e in wanted):
            mine = [e for e in wanted if e.client == name]
            on = replace(step, client=name)
            messages = [await talk.next_message(on) for _ in mine]
            chosen, unpaired = talk.pair(mine, messages)
            if chosen is None:
                shown = [m.describe() for m in messages]
                raise talk.fail(Kind.MISMATCH, talk.say("the {n} messages on {client} cannot be paired one to one with "
                                                        "the expected ones: none is left for {missing}", n=len(messages),
                                                        client=name, missing=explain(mine[unpaired].matcher)),
                                expected=talk.say("in any order: {items}", items="; ".join(
                                    f"{e.kind} {explain(e.matcher)}" for e in mine)),
                                actual="; ".join(shown))
            for expected, index in zip(mine, chosen, strict=True):
                talk.matches(expected.matcher, talk.value_of(expected, messages[index]))  # keeps its captures
