"""What arrived, or why nothing did: the next message a step waits for, and an endpoint that raised.

Every step that waits for the server comes here, so that a close, a return,
an exception or a crash reads the same in every step kind.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from grader.judge.driver import Client, Message
from grader.judge.reports import frozen
from grader.result import Kind
from grader.spec import Step
from grader.spec.steps import StepFailed

if TYPE_CHECKING:
    from grader.judge.conversation import Conversation


async def next_message(talk: Conversation, step: Step) -> Message:
    """The next frame on the step's client, or a StepFailed saying why none came."""
    client = talk.client(step)

    def ready() -> str | None:
        if client.inbox or client.overflow or client.closed or client.crash is not None:
            return "yes"
        return "ended" if client.side.ended else None

    state = await client.until(ready, step.timeout)
    if state == "ended":
        # Frames sent just before the endpoint returned may still be in flight.
        await client.until(lambda: client.inbox or client.closed or None, talk.settle_seconds())
    talk.flooded(client)
    if client.inbox:
        message = client.take()
        assert message is not None
        talk.arrived = message.at if talk.arrived is None else max(talk.arrived, message.at)
        return message
    if client.closed is not None and client.crash is None and client.side.error is None and not client.side.ended:
        # An endpoint that closed, then read or wrote on, raises just after its close frame: let that land,
        # so the report names what the code did rather than only the close it saw.
        await client.until(lambda: client.side.ended or client.side.error or None, talk.settle_seconds())
    if client.crash is not None:
        raise crashed(talk, client)
    if client.side.error is not None:
        raise raised(talk, client)
    if client.closed is not None and not (client.closed.dropped and client.side.ended):
        closed = client.closed
        reason = f", reason {closed.reason!r}" if closed.reason else ""
        raise talk.fail(Kind.CLOSED, talk.say("the server closed the connection (code {code}{reason}) instead of answering",
                                             code=closed.code, reason=reason),
                        expected=talk.say("a message"), actual=f"close frame: code {closed.code}{reason}")
    if client.transport_error is not None and not client.side.ended:
        error = client.transport_error
        raise talk.fail(Kind.INTERNAL, talk.say("the grader's WebSocket client failed ({error}); this is not your code's "
                                               "fault, please report it", error=f"{type(error).__name__}: {error}"),
                        expected=talk.say("a message"), actual=talk.say("no connection"))
    if client.side.ended:
        departed = sent_to_departed(client)
        if departed:
            raise talk.fail(Kind.CLOSED, talk.say("your endpoint returned after it tried to send to a client that had "
                                                 "already left{where} (Starlette raises WebSocketDisconnect with code "
                                                 "1006 there, and your code caught it): forget clients as soon as "
                                                 "they disconnect", where=departed),
                            expected=talk.say("a message"), actual=talk.say("the endpoint function returned"))
        raise talk.fail(Kind.CLOSED, talk.say("your endpoint returned while the client was still waiting for an answer "
                                             "(did the loop stop after one message, or is there a return inside it?)"),
                        expected=talk.say("a message"), actual=talk.say("the endpoint function returned"))
    raise talk.fail(Kind.TIMEOUT, talk.say("no message arrived within {seconds} s", seconds=f"{step.timeout:g}")
                    + await waiting_at(talk, client), expected=talk.say("a message"), actual=talk.say("nothing"))

async def waiting_at(talk: Conversation, client: Client) -> str:
    """'; your endpoint is waiting at app.py:12 (...)', when the host can say where it waits."""
    if client.conn is None or client.side.ended:
        return ""
    lines = await talk.ctx.link.where(client.conn)
    if talk.ctx.link.blocked_ms:
        # A blocking call holds a real uvicorn's loop: the cause, in the words the grader's own server uses.
        held = frozen(talk.lang, f"{talk.ctx.link.blocked_ms // 100 / 10:g}", lines[-1] if lines else None)
        raise StepFailed(replace(held, step=talk.where))
    if not lines:
        return ""
    last = lines[-1]
    return "; " + talk.say("your endpoint is waiting at {place}", place=f"{last.file}:{last.line} ({last.code})")

def sent_to_departed(client: Client) -> str:
    """Where the endpoint sent to a client that had left, if it did: ' (at app.py:19: ...)'."""
    at = client.side.departed_at
    return f" ({at.file}:{at.line}: {at.code})" if at is not None else ""

def raised(talk: Conversation, client: Client) -> StepFailed:
    assert client.side.error is not None
    errors = client.side.error.errors
    closed = client.closed
    if ("once a close message has been sent" in client.side.error.message and not client.left
            and closed is not None and not closed.dropped):
        # The server's own close() came first: nobody left, the endpoint read or wrote on after closing.
        return talk.fail(Kind.ERROR, talk.say("your endpoint raised {error}: it closed the connection itself "
                                              "(close code {code}) and then kept using it; return (or break out "
                                              "of the loop) right after close()",
                                              error=errors[-1].headline(), code=closed.code),
                         expected=talk.say("an answer"), actual=talk.say("{error} (uvicorn logs 'Exception in ASGI application' and drops "
                                                         "the connection: the client sees 1006)",
                                                         error=errors[-1].type),
                         errors=errors)
    if sent_to_departed(client) or "once a close message has been sent" in client.side.error.message:
        return talk.fail(Kind.ERROR, talk.say("your endpoint raised {error}: it sent to a client that had already "
                                              "left; forget clients as soon as they disconnect, before telling the "
                                              "others", error=errors[-1].headline()),
                         expected=talk.say("an answer"), actual=talk.say("{error} (uvicorn logs 'Exception in ASGI application' and drops "
                                                         "the connection: the client sees 1006)",
                                                         error=errors[-1].type),
                         errors=errors)
    return talk.fail(Kind.ERROR, talk.say("your endpoint raised {error}", error=errors[-1].headline()),
                     expected=talk.say("an answer"),
                     actual=talk.say("{error} (uvicorn logs 'Exception in ASGI application' and drops the "
                                     "connection: the client sees 1006)", error=errors[-1].type),
                     errors=errors)

def crashed(talk: Conversation, client: Client) -> StepFailed:
    assert client.crash is not None
    crash = client.crash
    errors = crash.errors
    if crash.exit == "SystemExit":
        message = talk.say("your code called sys.exit() while serving a client ({error})", error=crash.headline())
    elif crash.exit == "KeyboardInterrupt":
        message = talk.say("your code raised KeyboardInterrupt while serving a client")
    else:
        message = talk.say("your endpoint raised {error}", error=crash.headline())
    return talk.fail(Kind.ERROR, message, expected=talk.say("the endpoint keeps serving"), actual=crash.type,
                     errors=errors)
