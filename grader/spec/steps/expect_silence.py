"""``expect_silence: SECONDS``: no message arrives on the client for that long on the grader's clock.

```yaml
- send_json: {type: ping}
- expect_json: {type: pong}
- expect_silence: 5      # and nothing more: no second answer, no close
```

A message, a close or an endpoint that returns meanwhile fails the step;
a message is shown and left in the inbox, where a later step would read it.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, ClassVar

from grader.result import Kind
from grader.spec.args import Seconds
from grader.spec.steps import StepFailed, StepKind, Talk


class ExpectSilence(StepKind):
    name: ClassVar[str] = "expect_silence"
    argument = Seconds("Seconds of the grader's clock with no message.")

    async def run(self, talk: Talk, step: Any, env: dict[str, Any]) -> None:
        client = talk.client(step)
        seconds: float = step.arg
        started = talk.elapsed()
        # A client that already left closed the connection itself: only a frame can break its silence.
        watch_end = not client.left

        def ready() -> bool | None:
            if client.inbox or client.overflow or client.crash is not None:
                return True
            return bool(watch_end and (client.closed or client.side.ended)) or None

        if await client.until(ready, seconds) is None:
            return
        after = f"{talk.elapsed() - started:.2f}"
        if not client.inbox and client.closed is None:
            # The endpoint's end can be reported before the frames it sent just before
            # it have crossed the transport: the client's own view settles the order.
            await client.until(lambda: client.inbox or client.closed or None, talk.settle_seconds())
        if not client.inbox and not client.side.ended and client.closed is not None and client.closed.dropped:
            # A real client can see the drop before the host's word on why (an exception) reaches the judge.
            await client.until(lambda: client.side.ended or None, talk.settle_seconds())
        talk.flooded(client)
        wanted = talk.say("no message for {seconds} s", seconds=f"{seconds:g}")
        if client.inbox:
            message = client.inbox[0]  # shown, not taken: the frame stays where a later step would read it
            raise talk.fail(Kind.MISMATCH, talk.say("the server sent a message after {after} s where {seconds} s of silence "
                                            "were expected", after=after, seconds=f"{seconds:g}"),
                            expected=wanted, actual=message.describe())
        if client.crash is not None:
            raise _expecting(talk.crashed(client), wanted)
        if client.side.error is not None:
            raise _expecting(talk.raised(client), wanted)
        closed = client.closed
        if closed is not None and not closed.dropped:
            reason = f", reason {closed.reason!r}" if closed.reason else ""
            raise talk.fail(Kind.CLOSED, talk.say("the server closed the connection (code {code}{reason}) after {after} s "
                                                  "where {seconds} s of silence were expected", code=closed.code,
                                                  reason=reason, after=after, seconds=f"{seconds:g}"),
                            expected=wanted, actual=f"close frame: code {closed.code}{reason}")
        raise talk.fail(Kind.CLOSED, talk.say("your endpoint returned after {after} s where {seconds} s of silence were "
                                              "expected", after=after, seconds=f"{seconds:g}"),
                        expected=wanted, actual=talk.say("the endpoint returned; no close frame was sent (a real client "
                                                         "sees the connection drop: 1006)"))


def _expecting(failed: StepFailed, expected: str) -> StepFailed:
    """The same failure, saying what the step expected instead."""
    return StepFailed(replace(failed.failure, expected=expected))
