"""``expect_json``: the next message on the client is a text message holding JSON that matches.

```yaml
- expect_json: {type: joined, room: lobby}          # objects match exactly: no missing or extra keys
- expect_json: {type: tick, n: {$type: int}, at: {$datetime: {within: 5}}}
- expect_json: {$subset: {type: error}}             # at least these keys
```
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from grader.result import Kind
from grader.spec import jsonsafe, match
from grader.spec.args import Reader
from grader.spec.steps import StepKind, Talk
from grader.spec.yamlnodes import Located


@dataclass(frozen=True)
class Matcher:
    """Plain data, matched exactly, with {$op: ...} matchers anywhere inside."""

    def schema(self) -> dict[str, Any]:
        return {"$ref": "#/$defs/matcher"}

    def read(self, reader: Reader, node: Located, what: str, variables: frozenset[str]) -> Any:
        reader.matcher(node, variables)
        return node.plain()


class ExpectJson(StepKind):
    name: ClassVar[str] = "expect_json"
    argument = Matcher()
    timed = True

    async def run(self, talk: Talk, step: Any, env: dict[str, Any]) -> None:
        message = await talk.next_message(step)
        expected = match.resolve(step.arg, env)
        if message.kind != "text":
            raise talk.fail(Kind.MISMATCH, talk.say("a JSON text message was expected but a binary one arrived "
                                            "(send_json sends text; send_bytes sends binary)"),
                            expected=match.explain(expected), actual=message.describe())
        try:
            value = jsonsafe.loads(message.data)
        except ValueError:
            raise talk.fail(Kind.MISMATCH, talk.say("the server's message is not JSON (use send_json to send an object)"),
                            expected=match.explain(expected), actual=message.describe()) from None
        mismatch = talk.matches(expected, value)
        if mismatch:
            values = {"path": mismatch.path, "expected": mismatch.expected, "actual": mismatch.actual}
            if mismatch.exact:  # the rule is named only when it is the reason
                why = talk.say("the server's JSON answer differs at {path}: expected {expected}, got {actual} "
                               "(objects match exactly: no missing or extra keys)", **values)
            else:
                why = talk.say("the server's JSON answer differs at {path}: expected {expected}, got {actual}", **values)
            raise talk.fail(Kind.MISMATCH, why, expected=match.explain(expected), actual=match.show(value, 500))
