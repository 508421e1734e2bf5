"""``expect_close``: the server closes the connection (its close frame), with this code and reason.

```yaml
- expect_close:                                    # any code
- expect_close: 4001
- expect_close: {code: 1008, reason: {$re: "too many.*"}}   # reason: a matcher
- expect_close: 1006                               # the connection drops: the endpoint returned or raised
```

A message that arrives first fails the step (the server answered instead
of closing); so does an endpoint that returns without a close frame,
unless the spec expects 1006.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from grader.result import Kind
from grader.spec.args import Reader, close_code
from grader.spec.match import explain, resolve
from grader.spec.steps import StepKind, Talk
from grader.spec.yamlnodes import Located


@dataclass(frozen=True)
class Close:
    code: int | None = None
    reason: Any = None  # a matcher, or None for any reason


@dataclass(frozen=True)
class CloseExpected:
    """Nothing, a close code, or {code, reason} with a matcher for the reason."""

    def schema(self) -> dict[str, Any]:
        return {
            "oneOf": [
                {"type": "null"},
                {"$ref": "#/$defs/close_code"},
                {"type": "object", "properties": {"code": {"$ref": "#/$defs/close_code"},
                                                  "reason": {"$ref": "#/$defs/matcher"}},
                 "additionalProperties": False},
            ]
        }

    def read(self, reader: Reader, node: Located, what: str, variables: frozenset[str]) -> Close:
        if node.value is None:
            return Close()
        if isinstance(node.value, int) and not isinstance(node.value, bool):
            return Close(code=close_code(reader, node))
        fields = reader.mapping(node, ("code", "reason"), "expect_close")
        if fields is None:
            return Close()
        reason = None
        if "reason" in fields:
            if reader.matcher(fields["reason"], variables):
                reader.never(fields["reason"], frozenset({"str"}), "a close reason is a string")
            reason = fields["reason"].plain()
        return Close(code=close_code(reader, fields["code"]) if "code" in fields else None, reason=reason)


class ExpectClose(StepKind):
    name: ClassVar[str] = "expect_close"
    argument = CloseExpected()
    timed = True
    leaves = "closed"

    async def run(self, talk: Talk, step: Any, env: dict[str, Any]) -> None:
        client = talk.client(step)
        spec: Close = step.arg
        wanted = (talk.say("the server closes the connection with code {code}", code=spec.code) if spec.code
                  else talk.say("the server closes the connection"))

        def ready() -> str | None:
            if client.inbox or client.closed or client.crash is not None:
                return "yes"
            return "ended" if client.side.ended else None

        state = await client.until(ready, step.timeout)
        if state == "ended":
            await client.until(lambda: client.closed or client.inbox or None, talk.settle_seconds())
        if client.crash is not None:
            raise talk.crashed(client)
        if client.inbox:
            message = client.take()
            assert message is not None
            raise talk.fail(Kind.MISMATCH, talk.say("the server sent a message instead of closing the connection"),
                            expected=wanted, actual=message.describe())
        dropped = client.closed is not None and client.closed.dropped
        if client.closed is None or (dropped and spec.code != 1006):
            if client.side.error is not None:
                raise talk.raised(client)
            if client.side.ended:
                raise talk.fail(Kind.CLOSED, talk.say("the endpoint returned without closing the connection: "
                                                 "call await websocket.close(code=...) before returning"), expected=wanted,
                                actual=talk.say("the endpoint returned; no close frame was sent (a real client sees "
                                                "the connection drop: 1006)"))
            raise talk.fail(Kind.TIMEOUT, talk.say("the server did not close the connection within {seconds} s",
                                                   seconds=f"{step.timeout:g}") + await talk.waiting_at(client),
                            expected=wanted, actual=talk.say("the connection stayed open"))
        closed = client.closed
        assert closed is not None
        talk.arrived = closed.at
        got = f"code {closed.code}" + (f", reason {closed.reason!r}" if closed.reason else "")  # protocol terms, not translated
        if spec.code is not None and closed.code != spec.code:
            raise talk.fail(Kind.MISMATCH, talk.say("the server closed with code {code}, not {wanted}", code=closed.code,
                                                    wanted=spec.code),
                            expected=f"close code {spec.code}", actual=got)
        if spec.reason is not None:
            mismatch = talk.matches(resolve(spec.reason, env), closed.reason)
            if mismatch:
                raise talk.fail(Kind.MISMATCH, talk.say("the close reason is not the expected one"),
                                expected=f"reason {explain(spec.reason)}", actual=got)
