"""``expect_open: SECONDS``: the connection is still open after that long on the grader's clock.

Open means the server neither closed it nor dropped it, and the endpoint
neither returned nor raised. Messages that arrive meanwhile are not this
step's business: they stay in the client's inbox for the steps after it.

```yaml
- send_json: {token: wrong}
- expect_json: {error: unauthorized}
- expect_open: 5      # a bad token is answered, not punished with a close
```
"""

from __future__ import annotations

from typing import Any, ClassVar

from grader.result import Kind
from grader.spec.args import Seconds
from grader.spec.steps import StepKind, Talk


class ExpectOpen(StepKind):
    name: ClassVar[str] = "expect_open"
    argument = Seconds("Seconds of the grader's clock the connection must stay open (not closed, not dropped).")
    since = 1.2
    korean: ClassVar[dict[str, str]] = {
        "the connection should stay open for {seconds} s, but after {after} s the server closed it (code {code}{reason})":
            "연결이 {seconds}초 동안 열려 있어야 하는데, {after}초 뒤에 서버가 닫았어요 (close code {code}{reason})",
        "the connection should stay open for {seconds} s, but after {after} s your endpoint returned without "
        "closing it (a real client sees the connection drop: 1006)":
            "연결이 {seconds}초 동안 열려 있어야 하는데, {after}초 뒤에 endpoint가 연결을 닫지 않고 return 했어요 "
            "(실제 클라이언트에서는 연결이 끊겨요: 1006)",
        "the connection is open for {seconds} s": "연결이 {seconds}초 동안 열려 있음",
        "closed after {after} s": "{after}초 뒤에 닫힘",
    }

    async def run(self, talk: Talk, step: Any, env: dict[str, Any]) -> None:
        client = talk.client(step)
        seconds: float = step.arg
        started = talk.elapsed()

        def gone() -> bool | None:
            # Not the inbox: a message is for later steps, not a reason to stop waiting.
            return bool(client.closed or client.side.ended or client.crash is not None or client.overflow) or None

        if await client.until(gone, seconds) is None:
            return
        after = f"{talk.elapsed() - started:.2f}"
        talk.flooded(client)
        if client.crash is not None:
            raise talk.crashed(client)
        if client.side.ended and client.closed is None:
            await talk.settle(client)  # the close frame it sent may still be crossing
        if client.side.error is not None:
            raise talk.raised(client)
        wanted = talk.say("the connection is open for {seconds} s", seconds=f"{seconds:g}")
        closed = client.closed
        if closed is not None and not closed.dropped:
            reason = f", reason {closed.reason!r}" if closed.reason else ""
            raise talk.fail(Kind.CLOSED, talk.say("the connection should stay open for {seconds} s, but after {after} s "
                                                  "the server closed it (code {code}{reason})", seconds=f"{seconds:g}",
                                                  after=after, code=closed.code, reason=reason),
                            expected=wanted, actual=talk.say("closed after {after} s", after=after))
        raise talk.fail(Kind.CLOSED, talk.say("the connection should stay open for {seconds} s, but after {after} s your "
                                              "endpoint returned without closing it (a real client sees the connection "
                                              "drop: 1006)", seconds=f"{seconds:g}", after=after),
                        expected=wanted, actual=talk.say("closed after {after} s", after=after))
