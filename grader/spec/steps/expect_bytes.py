"""``expect_bytes``: the next message on the client is a binary message with these bytes.

```yaml
- expect_bytes: {hex: "00ff"}               # exactly these bytes (any payload: a string, {base64}, {generate}...)
- expect_bytes: {$any: true}               # any binary message
- expect_bytes: {$len: {$gte: 16}}         # its length; or {$prefix: PAYLOAD}, {$sha256: HEX}
```
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from grader.result import Kind
from grader.spec import match, payload
from grader.spec.args import Reader
from grader.spec.steps import StepKind, Talk
from grader.spec.suggest import did_you_mean
from grader.spec.yamlnodes import Located


@dataclass(frozen=True)
class BytesMatcher:
    """A payload, or one of $any, $len, $prefix, $sha256."""

    def schema(self) -> dict[str, Any]:
        from grader.spec.schema import operator_object

        numeric = [operator_object(op) for op in match.NUMERIC_OPERATORS]
        return {"anyOf": [
            {"$ref": "#/$defs/payload"}, operator_object("$any"),
            {"type": "object", "properties": {"$len": {"anyOf": [{"type": "integer", "minimum": 0}, *numeric]}},
             "required": ["$len"], "additionalProperties": False},
            {"type": "object", "properties": {"$prefix": {"$ref": "#/$defs/payload"}}, "required": ["$prefix"],
             "additionalProperties": False},
            {"type": "object", "properties": {"$sha256": {"type": "string", "pattern": "^[0-9a-fA-F]{64}$"}},
             "required": ["$sha256"], "additionalProperties": False},
        ]}

    def read(self, reader: Reader, node: Located, what: str, variables: frozenset[str]) -> Any:
        op = match.operator_of(node.value)
        if op == "$any":
            reader.matcher(node, variables)
        elif op in payload.MATCHERS:
            for error in payload.validate_matcher(node):
                reader.error(error.mark, error.message)
        elif op is not None:
            reader.error(node.key_mark(op), f"expect_bytes takes a payload, or one of $any, {', '.join(payload.MATCHERS)}"
                         + did_you_mean(op, ("$any", *payload.MATCHERS)))
        else:
            for error in payload.validate(node):
                reader.error(error.mark, error.message)
        return node.plain()


class ExpectBytes(StepKind):
    name: ClassVar[str] = "expect_bytes"
    argument = BytesMatcher()
    timed = True
    own_operators = True  # its $len counts bytes: not the matchers' $len

    async def run(self, talk: Talk, step: Any, env: dict[str, Any]) -> None:
        message = await talk.next_message(step)
        anything = isinstance(step.arg, dict) and "$any" in step.arg
        summary = isinstance(step.arg, dict) and next(iter(step.arg), None) in payload.MATCHERS
        wanted = (talk.say("any binary message") if anything
                  else payload.explain(step.arg) if summary else payload.describe(step.arg))
        if message.kind != "bytes":
            raise talk.fail(Kind.MISMATCH, talk.say("a binary message was expected but a text one arrived "
                                            "(send_bytes sends binary; send_text sends text)"),
                            expected=wanted, actual=message.describe())
        if anything:
            return
        if summary:
            assert isinstance(message.data, bytes)
            differs = payload.mismatch(step.arg, message.data)
            if differs:
                raise talk.fail(Kind.MISMATCH, talk.say("the binary message differs: {how}", how=differs),
                                expected=wanted, actual=message.describe())
            return
        data = payload.build(step.arg)
        if message.data != data:
            assert isinstance(message.data, bytes)
            raise talk.fail(Kind.MISMATCH, talk.say("the binary message differs") + " "
                            + payload.first_difference(data, message.data),
                            expected=wanted, actual=message.describe())
