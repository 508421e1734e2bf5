"""``ping`` and ``expect_pong``: the client pings, and the server's pong comes back (spec 1.2).

uvicorn answers a ping at the protocol layer, with a pong carrying the
ping's payload: the endpoint never sees either, but only a server whose
event loop is free to run answers at all, and a connection the endpoint
closed or dropped answers nothing.

```yaml
- ping: are you there     # the payload: a string (UTF-8) or {hex}, {base64}...; nothing: an empty one
- expect_pong:            # nothing: the pong answers this client's oldest ping not yet answered
- expect_pong: {hex: "00"}  # or exactly this payload
```

A ping over 125 bytes is not a ping a server accepts (uvicorn fails the
connection with 1002); ``send_frame: {opcode: ping, ...}`` sends one anyway.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from grader.result import Kind
from grader.spec import payload
from grader.spec.args import Reader
from grader.spec.flow import Flow
from grader.spec.rawframe import PING, RawFrame
from grader.spec.steps import StepKind, Talk
from grader.spec.yamlnodes import Located

if TYPE_CHECKING:
    from grader.errors import Mark

MAX_CONTROL_PAYLOAD = 125  # RFC 6455 5.5: a control frame's payload


@dataclass(frozen=True)
class ControlPayload:
    """Nothing (an empty payload), or a payload of at most 125 bytes."""

    description: str

    def schema(self) -> dict[str, Any]:
        return {"oneOf": [{"type": "null"}, {"$ref": "#/$defs/payload"}], "description": self.description}

    def read(self, reader: Reader, node: Located, what: str, variables: frozenset[str]) -> Any:
        if node.value is None:
            return None
        errors = payload.validate(node)
        for error in errors:
            reader.error(error.mark, error.message)
        if not errors and len(payload.build(node.plain())) > MAX_CONTROL_PAYLOAD:
            reader.error(node.mark, f"a {what} payload is at most {MAX_CONTROL_PAYLOAD} bytes (a control frame's); "
                                    "for a longer one on purpose, write send_frame: {opcode: ping, payload: ...}")
        return node.plain()


class Ping(StepKind):
    name: ClassVar[str] = "ping"
    argument = ControlPayload("The ping's payload, at most 125 bytes; nothing: an empty one (spec 1.2).")
    since = 1.2

    def follow(self, flow: Flow, reader: Reader, client: str, arg: Any, where: Mark) -> None:
        if flow.connected(reader, client, self.name, where):
            flow.pinged.add(client)

    async def run(self, talk: Talk, step: Any, env: dict[str, Any]) -> None:
        data = payload.build(step.arg) if step.arg is not None else b""
        await talk.client(step).send_frame(RawFrame(PING, data))


class ExpectPong(StepKind):
    name: ClassVar[str] = "expect_pong"
    argument = ControlPayload("The payload the pong must carry; nothing: the payload of this client's oldest ping "
                              "not answered yet (spec 1.2).")
    since = 1.2

    def follow(self, flow: Flow, reader: Reader, client: str, arg: Any, where: Mark) -> None:
        # A pong only ever answers a ping: without one sent on this connection the step could never pass.
        if flow.connected(reader, client, self.name, where) and client not in flow.pinged:
            reader.error(where, f"client {client!r} expects a pong but sends no ping before it on this connection: "
                                "a server sends a pong only to answer a ping (add a ping step first)")
    korean: ClassVar[dict[str, str]] = {
        "a pong carrying {payload}": "pong (페이로드: {payload})",
        "a pong carrying any payload": "pong (페이로드는 상관없음)",
        "the pong carried {got}, where it should carry {payload}":
            "pong의 페이로드가 기대와 달라요: {got} (기대: {payload})",
        "no pong arrived within {seconds} s: a server answers a ping as soon as its event loop runs, so your endpoint "
        "kept the loop busy all that time (time.sleep, CPU work or another blocking call); use await asyncio.sleep(...) "
        "or run the work in a thread":
            "{seconds}초 안에 pong이 오지 않았어요. 서버는 이벤트 루프가 돌면 바로 ping에 답하는데, endpoint가 그동안 "
            "이벤트 루프를 막고 있었어요 (time.sleep, CPU 작업이나 다른 블로킹 호출). await asyncio.sleep(...)을 쓰거나 "
            "작업을 스레드에서 실행하세요",
        "no pong arrived within {seconds} s, and this client has no ping waiting for one: write a ping step before "
        "expect_pong":
            "{seconds}초 안에 pong이 오지 않았어요. 이 클라이언트에는 답을 기다리는 ping이 없어요: expect_pong 앞에 "
            "ping 단계를 쓰세요",
        "the server closed the connection before a pong arrived (code {code})":
            "pong이 오기 전에 서버가 연결을 닫았어요 (close code {code})",
        "the connection dropped before a pong arrived (a real client sees 1006)":
            "pong이 오기 전에 연결이 끊겼어요 (실제 클라이언트는 1006으로 봐요)",
        "nothing within {seconds} s": "{seconds}초 동안 아무것도 오지 않음",
    }

    async def run(self, talk: Talk, step: Any, env: dict[str, Any]) -> None:
        client = talk.client(step)
        # Pongs come in the order of the pings (RFC 6455 5.5.3): each expect_pong takes the next one, and with
        # nothing written, it carries the payload of the oldest ping not answered yet (any, if none was sent).
        wanted = payload.build(step.arg) if step.arg is not None else (client.pinged[0] if client.pinged else None)
        expected = (talk.say("a pong carrying {payload}", payload=repr(wanted)) if wanted is not None
                    else talk.say("a pong carrying any payload"))

        def ready() -> bool | None:
            return bool(client.pongs or client.closed or client.side.ended or client.crash is not None) or None

        await client.until(ready, step.timeout)
        if client.pongs:
            pong = client.pongs.popleft()
            if client.pinged:
                client.pinged.popleft()
            if wanted is not None and pong.data != wanted:
                got = repr(pong.data)
                raise talk.fail(Kind.MISMATCH, talk.say("the pong carried {got}, where it should carry {payload}",
                                                        got=got, payload=repr(wanted)),
                                expected=expected, actual=talk.say("a pong carrying {payload}", payload=got))
            return
        talk.flooded(client)
        if client.crash is not None:
            raise talk.crashed(client)
        if client.side.ended and client.closed is None:
            await talk.settle(client)  # the close frame it sent may still be crossing
        if client.side.error is not None:
            raise talk.raised(client)
        seconds = f"{step.timeout:g}"
        nothing = talk.say("nothing within {seconds} s", seconds=seconds)
        closed = client.closed
        if closed is None:
            # Open, the endpoint running: only a loop that never ran leaves a ping unanswered (see ping in host/serve.py).
            why = (talk.say("no pong arrived within {seconds} s: a server answers a ping as soon as its event loop runs, "
                            "so your endpoint kept the loop busy all that time (time.sleep, CPU work or another blocking "
                            "call); use await asyncio.sleep(...) or run the work in a thread", seconds=seconds)
                   if client.pinged else
                   talk.say("no pong arrived within {seconds} s, and this client has no ping waiting for one: write a "
                            "ping step before expect_pong", seconds=seconds))
            raise talk.fail(Kind.TIMEOUT, why, expected=expected, actual=nothing)
        message = (talk.say("the connection dropped before a pong arrived (a real client sees 1006)") if closed.dropped
                   else talk.say("the server closed the connection before a pong arrived (code {code})",
                                 code=closed.code))
        raise talk.fail(Kind.CLOSED, message, expected=expected, actual=message)
