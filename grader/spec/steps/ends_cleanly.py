"""``ends_cleanly``: after the client left (or the server closed), the endpoint returns with no exception.

```yaml
- disconnect:
- ends_cleanly:          # WebSocketDisconnect caught, the loop ended, nothing escaped
```

The failure says what escaped and why it usually does: the disconnect not
caught, ``receive()`` read as text, a handler that sends to the client that
just left, or an endpoint that kept going after it refused the connection.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from grader.errors import Mark
from grader.result import Kind
from grader.spec.args import Reader
from grader.spec.flow import Flow
from grader.spec.steps import StepKind, Talk
from grader.spec.yamlnodes import Located


@dataclass(frozen=True)
class Nothing:
    """No value: ``- ends_cleanly:``."""

    def schema(self) -> dict[str, Any]:
        return {"oneOf": [{"type": "null"}, {"const": True}]}

    def read(self, reader: Reader, node: Located, what: str, variables: frozenset[str]) -> None:
        if node.value not in (None, True):
            reader.error(node.mark, "ends_cleanly takes no value (write `- ends_cleanly:`)")


class EndsCleanly(StepKind):
    name: ClassVar[str] = "ends_cleanly"
    argument = Nothing()

    def follow(self, flow: Flow, reader: Reader, client: str, arg: Any, where: Mark) -> None:
        state = flow.states.get(client, flow.NEW)
        if state == flow.NEW:
            reader.error(where, f"client {client!r} is used before it connects (add a connect step first)")
        elif state == flow.OPEN:
            reader.error(where, f"ends_cleanly on client {client!r} needs a disconnect (or expect_close) before it")

    async def run(self, talk: Talk, step: Any, env: dict[str, Any]) -> None:
        client = talk.client(step)
        if not await client.wait_ended(step.timeout):
            where = await talk.waiting_at(client)
            raise talk.fail(Kind.UNCLEAN, talk.say("your endpoint was still running {seconds} s after the client left",
                                                   seconds=f"{step.timeout:g}") + where + ": "
                            + talk.say("it should notice the disconnect and return"),
                            expected=talk.say("the endpoint returns"), actual=talk.say("still running"))
        if client.crash is not None:
            raise talk.crashed(client)
        error = client.side.error
        if error is None:
            return
        errors = error.errors
        raise talk.fail(Kind.UNCLEAN, _why(talk, client, error), expected=talk.say("the endpoint returns without an exception"),
                        actual=error.headline(), errors=errors)


def _why(talk: Talk, client: Any, error: Any) -> str:
    """What escaped the endpoint after the client left, and the usual reason it does."""
    errors = error.errors
    last = error
    name = error.type
    caught = [e for e in errors[:-1] if e.type == "WebSocketDisconnect"]
    final = errors[-1] if errors else None
    if (caught and final is not None and final.frames and caught[0].frames
            and final.frames[-1] != caught[0].frames[-1]):
        # The disconnect was caught; the code that handled it raised again (close() or send() to a client
        # that is gone): the advice is about the handler, not about catching.
        frame, first = final.frames[-1], caught[0].frames[-1]
        return talk.say("your endpoint caught WebSocketDisconnect (at {caught}), then its handler raised {error} "
                        "at {place} ({code}): the client is already gone, so there is nothing left to close or "
                        "send to; let the endpoint return", caught=f"{first.file}:{first.line}",
                        error=f"{final.type}: {final.message}" if final.message else final.type,
                        place=f"{frame.file}:{frame.line}", code=frame.code.strip())
    if name == "KeyError" and last.message.strip("'\"") in ("text", "bytes"):
        return talk.say("an exception escaped your endpoint after the client left: {error}. websocket.receive() "
                        "does not raise when the client leaves: it returns {{'type': 'websocket.disconnect'}}, "
                        "which has no text; check message['type'] before reading it, or use "
                        "receive_text()/iter_text()", error=last.headline())
    if name == "WebSocketDisconnect":
        return talk.say("WebSocketDisconnect escaped your endpoint when the client left. A real server (uvicorn) "
                        "logs 'Exception in ASGI application' with a traceback for every client that leaves: catch "
                        "it (try/except WebSocketDisconnect) or iterate with iter_text()/iter_json(), which end quietly")
    if not client.side.accepted and client.side.close is not None:
        return talk.say("your endpoint kept going after it refused the connection (a close before accept: the client got "
                        "HTTP 403) and raised {error}: return right after close(), or raise "
                        "WebSocketException(code=...) in the dependency, which stops the endpoint there",
                        error=last.headline())
    if name in ("ClientDisconnected", "ClosedResourceError", "WebSocketDisconnected") or "disconnect message has been received" in error.message:
        return talk.say("your endpoint kept using the connection after the client left ({error}): stop reading "
                        "and sending once WebSocketDisconnect arrives", error=last.headline())
    return talk.say("an exception escaped your endpoint after the client left: {error}; the endpoint should "
                    "return quietly once the client is gone", error=last.headline())
