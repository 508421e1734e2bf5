"""A client left behind by an earlier check, named as the cause of the checks it sinks later.

Checks served by one app share its module state. When an endpoint lets an
exception escape (a ``json.loads`` on a message that is not JSON, say),
uvicorn drops that connection, but the code that forgets the client (in an
``except WebSocketDisconnect`` block, typically) never runs: the dead socket
stays in the app's list of clients. Every later check that broadcasts then
fails at a send to it, and on its own would blame "a client that had already
left" although no client of that check left. The first such exception is the
cause: the later failures say so, and carry it first among their errors, so
the report groups them under it (``grader.render.causes``).
"""

from __future__ import annotations

from dataclasses import replace

from grader.i18n import say
from grader.result import CheckResult, Failure, Kind, Raised

# What a send to a connection that is gone raises, in Starlette and uvicorn.
_DISCONNECTS = frozenset({"WebSocketDisconnect", "WebSocketDisconnected", "ClientDisconnected"})
def _send_failed(error: Raised) -> bool:
    if error.type == "ClientDisconnected" or (error.type == "WebSocketDisconnected" and '"send"' in error.message):
        return True
    # Starlette turns a send on a lost connection into WebSocketDisconnect(1006).
    return error.type == "WebSocketDisconnect" and "1006" in error.message


def sent_to_gone(failure: Failure, lang: str) -> bool:
    """Did the failure come from sending to a connection that is gone?"""
    if any(_send_failed(error) for error in failure.errors):
        return True
    if failure.kind is Kind.CLOSED:
        # The words conversation.py uses for it (the location follows the first part).
        departed = say(lang, "your endpoint returned after it tried to send to a client that had already left{where} "
                             "(Starlette raises WebSocketDisconnect with code 1006 there, and your code caught it): "
                             "forget clients as soon as they disconnect", where="\0")
        return failure.message.startswith(departed.split("\0", 1)[0])
    return False


def escaped(failure: Failure) -> Raised | None:
    """The exception that escaped an endpoint and dropped its connection, if one did (not a disconnect)."""
    if failure.kind is not Kind.ERROR or not failure.errors:
        return None
    last = failure.errors[-1]
    return None if last.type in _DISCONNECTS else last


class Leftovers:
    """Follows the checks one app serves, in order, and relates later failures to an earlier escape."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self.first: tuple[str, Raised] | None = None  # the first check whose endpoint let an exception escape

    def relate(self, result: CheckResult) -> CheckResult:
        failure = result.failure
        if failure is None:
            return result
        if self.first is not None and sent_to_gone(failure, self.lang) and self.first[1] not in failure.errors:
            check, error = self.first
            message = say(self.lang, "a client of the check \u201c{check}\u201d is probably still in your list of "
                                     "clients: its endpoint raised {error} there, so the code that forgets a client "
                                     "never ran for it, and sending to it fails here. Fix that exception first. What "
                                     "happened here: {message}",
                          check=check, error=error.headline(), message=failure.message)
            # The earlier exception led to the failed send; what came before that send here (a client
            # leaving, which is why the endpoint was telling the others) is not part of that chain.
            sends = [i for i, e in enumerate(failure.errors) if _send_failed(e)]
            later = failure.errors[sends[0]:] if sends else ()
            return replace(result, failure=replace(failure, message=message, errors=(error, *later)))
        escaped_here = escaped(failure)
        if self.first is None and escaped_here is not None:
            self.first = (result.shown, escaped_here)
        return result
