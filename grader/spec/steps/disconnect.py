"""``disconnect``: the client closes the connection (its own close frame).

```yaml
- disconnect:                           # code 1000
- disconnect: 4000
- disconnect: {code: 4001, reason: bye}   # a reason of at most 123 bytes of UTF-8
- disconnect: {payload: ""}             # 1.2: the close frame's payload byte by byte: none at all (the endpoint hears 1005)
- disconnect: {payload: {hex: "03"}}    # or one no close frame may have (uvicorn fails the connection: 1002)
- ends_cleanly:                         # usually next: the endpoint must return quietly
```
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from grader.spec import payload
from grader.spec.args import Reader, close_code
from grader.spec.steps import StepKind, Talk
from grader.spec.yamlnodes import Located

MAX_REASON_BYTES = 123  # what fits in a close frame's payload after the code


@dataclass(frozen=True)
class Disconnect:
    """The client's close frame (the ``disconnect`` step)."""

    code: int = 1000
    reason: str = ""
    payload: Any = None  # the close frame's payload as the spec wrote it, sent as it is (spec 1.2)


@dataclass(frozen=True)
class CloseFrame:
    """Nothing, a close code, or {code, reason}."""

    def schema(self) -> dict[str, Any]:
        return {"oneOf": [{"type": "null"}, {"$ref": "#/$defs/close_code"},
                          {"type": "object", "properties": {"code": {"$ref": "#/$defs/close_code"},
                                                            "reason": {"type": "string", "minLength": 1,
                                                                       "maxLength": MAX_REASON_BYTES}},
                           "additionalProperties": False},
                          {"type": "object", "required": ["payload"], "additionalProperties": False,
                           "properties": {"payload": {"$ref": "#/$defs/payload",
                                                      "description": "the close frame's payload as it is (1.2)"}}}]}

    def read(self, reader: Reader, node: Located, what: str, variables: frozenset[str]) -> Disconnect:
        if node.value is None:
            return Disconnect()
        if isinstance(node.value, dict):
            fields = reader.mapping(node, ("code", "reason", "payload"), what)
            if not fields:
                return Disconnect()
            if "payload" in fields:
                return self._raw(reader, fields, what)
            code = close_code(reader, fields["code"]) if "code" in fields else 1000
            reason = ""
            if "reason" in fields:
                reason = reader.string(fields["reason"], "reason") or ""
                if len(reason.encode()) > MAX_REASON_BYTES:
                    reader.error(fields["reason"].mark, "a close reason is at most 123 bytes of UTF-8")
            return Disconnect(code, reason)
        return Disconnect(close_code(reader, node))

    def _raw(self, reader: Reader, fields: dict[str, Located], what: str) -> Disconnect:
        given = fields["payload"]
        if "code" in fields or "reason" in fields:
            other = "code" if "code" in fields else "reason"
            reader.error(fields[other].mark, f"{what} takes either payload (the close frame's bytes as they are) or "
                                             "code and reason, not both")
        reader.newer(given.mark, f"{what} with payload", 1.2)
        for error in payload.validate(given):
            reader.error(error.mark, error.message)
        return Disconnect(payload=given.plain())


class DisconnectKind(StepKind):
    name: ClassVar[str] = "disconnect"
    argument = CloseFrame()
    leaves = "left"
    korean: ClassVar[dict[str, str]] = {
        "client disconnects (close frame payload {payload})": "클라이언트가 연결을 끊음 (close 프레임 페이로드: {payload})",
    }

    async def run(self, talk: Talk, step: Any, env: dict[str, Any]) -> None:
        leave: Disconnect = step.arg
        raw = payload.build(leave.payload) if leave.payload is not None else None
        await talk.client(step).leave(leave.code, leave.reason, raw=raw)
