"""``send_frame``: the client writes one WebSocket frame exactly as given (spec 1.2).

For what real clients send and a well-behaved client library never does:
a text frame that is not UTF-8, a message in fragments, a pong nobody asked
for, a reserved opcode or bit, an unmasked frame. The server judges the
frame as uvicorn does (the grader's own server reads frames with the rules
of uvicorn's default protocol, websockets-sansio): a fragmented message
reaches the endpoint whole; a frame no server accepts fails the connection
(1007 for text that is not UTF-8, 1002 for the rest), and the endpoint hears
a disconnect with that code.

```yaml
- send_frame: {opcode: text, payload: "hel", fin: false}     # the first fragment
- send_frame: {opcode: continuation, payload: "lo"}           # the last: the endpoint receives "hello"
- send_frame: {opcode: text, payload: {hex: "fffe"}}          # not UTF-8: uvicorn closes with 1007
- expect_close: 1007
```

A close frame is the ``disconnect`` step (``disconnect: {payload: ...}`` for
one written byte by byte), a well-formed ping the ``ping`` step.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from grader.spec import match, payload
from grader.spec.args import Reader
from grader.spec.flow import Flow
from grader.spec.rawframe import CLOSE, NAMES, PING, RawFrame
from grader.spec.steps import StepKind, Talk
from grader.spec.suggest import did_you_mean
from grader.spec.yamlnodes import Located

if TYPE_CHECKING:
    from grader.errors import Mark

# Opcodes send_frame takes by name; any number 0-15 but a close's is taken too.
OPCODES = {name: code for name, code in NAMES.items() if code != CLOSE}


@dataclass(frozen=True)
class Frame:
    """What a ``send_frame`` step writes (the payload still as the spec wrote it)."""

    opcode: int
    payload: Any = ""
    fin: bool = True
    rsv: int = 0
    masked: bool = True

    def raw(self) -> RawFrame:
        return RawFrame(self.opcode, payload.build(self.payload), self.fin, self.rsv, self.masked)


@dataclass(frozen=True)
class FrameArg:
    """{opcode, payload, fin, rsv, masked}: one frame, bit for bit."""

    def schema(self) -> dict[str, Any]:
        return {"type": "object", "required": ["opcode"], "additionalProperties": False,
                "description": "One WebSocket frame exactly as given (spec 1.2).",
                "properties": {
                    "opcode": {"oneOf": [{"enum": sorted(OPCODES)},
                                         {"type": "integer", "minimum": 0, "maximum": 15, "not": {"const": CLOSE}}],
                               "description": "continuation, text, binary, ping, pong, or a number 0-15 (not 8: a "
                                              "close frame is the disconnect step)"},
                    "payload": {"$ref": "#/$defs/payload"},
                    "fin": {"type": "boolean", "description": "false: more fragments follow (default true)"},
                    "rsv": {"type": "integer", "minimum": 0, "maximum": 7,
                            "description": "the three reserved bits, RSV1 = 4 (default 0)"},
                    "masked": {"type": "boolean", "description": "false: an unmasked frame (default true)"}}}

    def read(self, reader: Reader, node: Located, what: str, variables: frozenset[str]) -> Frame | None:
        fields = reader.mapping(node, {"opcode": True, "payload": False, "fin": False, "rsv": False,
                                       "masked": False}, what)
        if not fields or "opcode" not in fields:
            return None
        opcode = _opcode(reader, fields["opcode"])
        body: Any = ""
        if "payload" in fields:
            for error in payload.validate(fields["payload"]):
                reader.error(error.mark, error.message)
            body = fields["payload"].plain()
        flags = {key: _boolean(reader, fields[key], key) for key in ("fin", "masked") if key in fields}
        rsv = 0
        if "rsv" in fields:
            value = fields["rsv"].value
            if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 7:
                reader.error(fields["rsv"].mark, f"rsv is the three reserved bits as a number from 0 to 7 (RSV1 is 4), "
                                                 f"not {match.show(fields['rsv'].plain())}")
            else:
                rsv = value
        return Frame(opcode, body, flags.get("fin", True), rsv, flags.get("masked", True))


def _opcode(reader: Reader, node: Located) -> int:
    value = node.value
    if isinstance(value, str):
        if value in OPCODES:
            return OPCODES[value]
        if value == "close":
            reader.error(node.mark, "a close frame is the disconnect step: disconnect: {code: 4000} for a well-formed "
                                    "one, disconnect: {payload: {hex: \"03\"}} for one written byte by byte")
            return 0
        reader.error(node.mark, f"no opcode {value!r}" + did_you_mean(value, OPCODES, listing="opcodes are"))
        return 0
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 15:
        if value == CLOSE:
            reader.error(node.mark, "opcode 8 is a close frame: write it as the disconnect step "
                                    "(disconnect: {payload: ...} for one written byte by byte)")
        return value
    reader.error(node.mark, f"an opcode is one of {', '.join(OPCODES)} or a number from 0 to 15, "
                            f"not {match.show(node.plain())}")
    return 0


def _boolean(reader: Reader, node: Located, what: str) -> bool:
    if not isinstance(node.value, bool):
        reader.error(node.mark, f"{what} is true or false, not {match.show(node.plain())}")
        return True
    return node.value


class SendFrame(StepKind):
    name: ClassVar[str] = "send_frame"
    argument = FrameArg()
    since = 1.2
    # The transcript's words for the frame (grader/render/text.py reads rawframe.describe()).
    korean: ClassVar[dict[str, str]] = {
        "text frame": "텍스트 프레임",
        "binary frame": "바이너리 프레임",
        "{kind} frame": "{kind} 프레임",
        "FIN off": "FIN 꺼짐",
        "unmasked": "마스킹 안 됨",
    }

    def follow(self, flow: Flow, reader: Reader, client: str, arg: Any, where: Mark) -> None:
        if flow.connected(reader, client, self.name, where) and isinstance(arg, Frame) and arg.opcode == PING:
            flow.pinged.add(client)

    async def run(self, talk: Talk, step: Any, env: dict[str, Any]) -> None:
        frame: Frame = step.arg
        await talk.client(step).send_frame(frame.raw())
