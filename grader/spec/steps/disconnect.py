"""``disconnect``: the client closes the connection (its own close frame).

```yaml
- disconnect:                           # code 1000
- disconnect: 4000
- disconnect: {code: 4001, reason: bye}   # a reason of at most 123 bytes of UTF-8
- ends_cleanly:                         # usually next: the endpoint must return quietly
```
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from grader.spec.args import Reader, close_code
from grader.spec.steps import StepKind, Talk
from grader.spec.yamlnodes import Located

MAX_REASON_BYTES = 123  # what fits in a close frame's payload after the code


@dataclass(frozen=True)
class Disconnect:
    """The client's close frame (the ``disconnect`` step)."""

    code: int = 1000
    reason: str = ""


@dataclass(frozen=True)
class CloseFrame:
    """Nothing, a close code, or {code, reason}."""

    def schema(self) -> dict[str, Any]:
        return {"oneOf": [{"type": "null"}, {"$ref": "#/$defs/close_code"},
                          {"type": "object", "properties": {"code": {"$ref": "#/$defs/close_code"},
                                                            "reason": {"type": "string", "minLength": 1,
                                                                       "maxLength": MAX_REASON_BYTES}},
                           "additionalProperties": False}]}

    def read(self, reader: Reader, node: Located, what: str, variables: frozenset[str]) -> Disconnect:
        if node.value is None:
            return Disconnect()
        if isinstance(node.value, dict):
            fields = reader.mapping(node, ("code", "reason"), what)
            if not fields:
                return Disconnect()
            code = close_code(reader, fields["code"]) if "code" in fields else 1000
            reason = ""
            if "reason" in fields:
                reason = reader.string(fields["reason"], "reason") or ""
                if len(reason.encode()) > MAX_REASON_BYTES:
                    reader.error(fields["reason"].mark, "a close reason is at most 123 bytes of UTF-8")
            return Disconnect(code, reason)
        return Disconnect(close_code(reader, node))


class DisconnectKind(StepKind):
    name: ClassVar[str] = "disconnect"
    argument = CloseFrame()
    leaves = "left"

    async def run(self, talk: Talk, step: Any, env: dict[str, Any]) -> None:
        leave: Disconnect = step.arg
        await talk.client(step).leave(leave.code, leave.reason)
