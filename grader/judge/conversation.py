"""Runs one check's steps against the app and judges each one.

A step that goes wrong raises :class:`StepFailed` carrying a learner-facing
:class:`Failure`: which step, what was expected, what arrived, and, when
the learner's code raised, their exception with their own lines.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from grader.files import Refused, Why
from grader.i18n import say
from grader.judge import workfile
from grader.judge.driver import SETTLE, Client, Message, Transcript
from grader.judge.intake import kind_words
from grader.judge.link import HostGone, Link, raised_from_wire
from grader.judge.reports import frozen
from grader.result import CheckResult, Failure, Kind, Raised, Status
from grader.spec import Check, Close, Connect, Expected, FileCheck, Repeat, Step, jsonsafe, payload, pick
from grader.spec.loader import CLIENT_VAR
from grader.spec.match import CAPTURES, Mismatch, explain, match, operator_of, regex_stops_at, resolve, show
from grader.spec.steps import KINDS

TRANSCRIPT_LIMIT = 60
# Real seconds a frame sent just before the endpoint ended may take to reach a client of a real server.
REAL_SETTLE = 1.0
TEARDOWN_TIMEOUT = 2.0


class StepFailed(Exception):
    def __init__(self, failure: Failure) -> None:
        super().__init__(failure.message)
        self.failure = failure


@dataclass(frozen=True)
class Context:
    """What every check of one grading run shares."""

    link: Link  # to the app host
    workdir: Path  # the app's working folder, read from the judge's side
    lang: str = "en"
    client_type: type[Client] = Client  # a RealClient under a real uvicorn
    # Keep the transcript of a passed check as well (otherwise only failures carry one).
    transcripts: bool = False
    # Clients whose endpoint would not stop even when cancelled; the process
    # running them should not be trusted with more checks.
    runaways: list[str] = field(default_factory=list)


async def run_check(check: Check, ctx: Context) -> CheckResult:
    """Run a conversation check and return its verdict (never raises for learner faults)."""
    conversation = Conversation(ctx)
    wall = time.perf_counter()
    failure: Failure | None = None
    try:
        await conversation.run(check.steps)
    except StepFailed as failed:
        failure = conversation.with_raised_elsewhere(failed.failure)
    except HostGone:
        # The app's process died or froze: the run says why, at this step.
        failure = Failure(Kind.CRASH, "", conversation.where)
    finally:
        await conversation.teardown()
    return CheckResult(
        name=check.name,
        title=pick(check.title, ctx.lang) if check.title else "",
        status=Status.PASSED if failure is None else Status.FAILED,
        max_points=check.points,
        points=check.points if failure is None else 0,
        hidden=check.hidden,
        hint=pick(check.hint, ctx.lang) or None,
        failure=failure,
        transcript=conversation.transcript.frames() if failure is not None or ctx.transcripts else (),
        clock_seconds=round(conversation.elapsed(), 3),
        wall_seconds=round(time.perf_counter() - wall, 4),
    )


class Conversation:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.loop = asyncio.get_running_loop()
        self.start = self.loop.time()
        self.clients: dict[str, Client] = {}
        self.retired: list[Client] = []
        self.transcript = Transcript(self.elapsed, TRANSCRIPT_LIMIT)
        self.where = ""
        self.number = ""
        self.captured: dict[str, Any] = {}  # {$capture: name} values, for {$ref: name} later in the check
        self.previous = 0.0  # when the previous step ended, on the grader's clock (for after/within)
        self.arrived: float | None = None  # when what the current step waited for arrived

    def elapsed(self) -> float:
        return self.loop.time() - self.start

    def say(self, text: str, **values: object) -> str:
        """A learner-facing sentence in the learner's language (see grader/locale_ko.py)."""
        return say(self.ctx.lang, text, **values)

    # -- running --

    async def run(self, steps: tuple[Step, ...], env: dict[str, Any] | None = None, prefix: str = "") -> None:
        env = env if env is not None else {CAPTURES: self.captured}
        for number, step in enumerate(steps, 1):
            self.number = f"{prefix}{number}"  # "2.3": the third step of the repeat that is step 2
            self.where = self.say("step {n}, {action} ({place})", n=self.number, action=step.label(),
                                  place=_short(step))
            self.arrived = None
            kind = KINDS.get(step.action)
            if kind is not None:
                await kind.run(self, step, env)
            else:
                await getattr(self, "_" + step.action)(step, env)
            if step.after is not None or step.within is not None:
                self.timed(step)
            self.previous = self.elapsed()

    def timed(self, step: Step) -> None:
        """after:/within: when what the step waited for arrived, measured from the end of the step before."""
        took = (self.arrived if self.arrived is not None else self.elapsed()) - self.previous
        shown = f"{max(took, 0.0):.3f}"
        window = (self.say("between {after} s and {within} s after the previous step", after=f"{step.after:g}",
                           within=f"{step.within:g}") if step.after is not None and step.within is not None
                  else self.say("no sooner than {after} s after the previous step", after=f"{step.after:g}")
                  if step.after is not None else
                  self.say("at most {within} s after the previous step", within=f"{step.within:g}"))
        if step.after is not None and took < step.after:
            raise self.fail(Kind.TIMING, self.say("it arrived too early: {took} s after the previous step, where it "
                                                  "should arrive {window}", took=shown, window=window),
                            expected=window, actual=self.say("{took} s after the previous step", took=shown))
        if step.within is not None and took > step.within:
            raise self.fail(Kind.TIMING, self.say("it arrived too late: {took} s after the previous step, where it "
                                                  "should arrive {window}", took=shown, window=window),
                            expected=window, actual=self.say("{took} s after the previous step", took=shown))

    # -- what a step kind with a module of its own uses (grader.spec.steps.Talk) --

    def raised(self, client: Client) -> StepFailed:
        return self._raised(client)

    def crashed(self, client: Client) -> StepFailed:
        return self._crashed(client)

    def flooded(self, client: Client) -> None:
        self._flooded(client)

    async def settle(self, client: Client) -> None:
        """Let a close frame the endpoint sent as it ended land (free on the grader's clock)."""
        await client.until(lambda: client.closed or None, self.settle_seconds())

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)

    def with_raised_elsewhere(self, failure: Failure) -> Failure:
        """A failure that names no exception, while another client's endpoint raised one: say so.

        (A disconnect handler that sends to the client who just left raises in that client's
        endpoint, while the check fails waiting on another client: the cause is the exception.)
        """
        if failure.errors:
            return failure
        for client in [*self.clients.values(), *self.retired]:
            error = client.side.error
            if error is not None and error.errors:
                return replace(failure, message=failure.message + self.say(
                    "; meanwhile the endpoint of client {client} raised {error} (uvicorn logs 'Exception in ASGI "
                    "application')", client=client.name, error=error.errors[-1].headline()), errors=error.errors)
        return failure

    async def teardown(self) -> None:
        # One client at a time, as a person would leave: an app that announces
        # departures then talks to clients that are still fully connected.
        for client in [*self.clients.values(), *self.retired]:
            if not await client.teardown(TEARDOWN_TIMEOUT):
                # The loop now spins on that endpoint; this process is done for.
                self.ctx.runaways.append(client.name)
                return

    def fail(self, kind: Kind, message: str, expected: str | None = None, actual: str | None = None,
             errors: tuple[Raised, ...] = ()) -> StepFailed:
        return StepFailed(Failure(kind, message, self.where, expected, actual, errors))

    def client(self, step: Step) -> Client:
        return self.clients[step.client]

    def matches(self, expected: Any, actual: Any) -> Mismatch | None:
        """``match``, keeping what ``$capture`` took only when everything matched."""
        taken: dict[str, Any] = {}
        try:
            mismatch = match(expected, actual, captures=taken)
        except RecursionError:
            # Two values nested thousands deep (a captured one compared again): judged unequal, never a crash.
            return Mismatch("$", show(expected, 200), "a value nested too deeply to compare: " + show(actual, 200))
        if mismatch is None:
            self.captured.update(taken)
        return mismatch

    # -- steps --

    async def _connect(self, step: Step, env: dict[str, Any]) -> None:
        spec: Connect = step.arg
        if step.client in self.clients:
            self.retired.append(self.clients.pop(step.client))
        client = self.ctx.client_type(step.client, self.ctx.link, self.transcript)
        self.clients[step.client] = client
        handshake = await client.connect(spec, step.timeout)
        if client.crash is not None:
            raise self._crashed(client)
        wanted = spec.refused if spec.status is None or spec.refused not in (None, False) else True
        if handshake.accepted:
            if wanted not in (None, False):
                raise self.fail(Kind.REFUSED, self.say("the server accepted the connection to {path}; it should have refused it", path=spec.path),
                                expected=self.say("the endpoint closes before accepting")
                                + (f" (code {wanted})" if wanted is not True else "")
                                + (f" (HTTP {spec.status})" if spec.status is not None else ""),
                                actual=self.say("accepted"))
            if spec.subprotocol is not None:
                mismatch = self.matches(resolve(spec.subprotocol, env), handshake.subprotocol)
                if mismatch:
                    raise self.fail(Kind.MISMATCH, self.say("the server picked the wrong subprotocol"),
                                    expected=explain(spec.subprotocol), actual=show(handshake.subprotocol))
            return
        # The spec expects the handshake to fail and names nothing a client cannot see (no ASGI close code):
        # whatever made it fail, the client's view is what is judged.
        expects_failure = wanted is True
        if handshake.aborted and expects_failure and spec.status is None:
            return  # the client gave up on the handshake, as the spec says it should
        if handshake.aborted:
            raise self.fail(Kind.REFUSED, self.say("a real client would abort this handshake: {why}. Accept with one of "
                                                   "websocket.scope['subprotocols'], or with none",
                                                   why=handshake.aborted),
                            expected=self.say("a subprotocol the client offered, or none"),
                            actual=show(handshake.subprotocol))
        side = client.side
        # The endpoint failed the handshake itself (no accept, no refusal): a real client gets HTTP 500.
        failed_itself = not side.accepted and side.close is None and side.status is None
        if failed_itself and expects_failure and spec.status == 500 and handshake.status == 500:
            return  # what escaped is for a later step (ends_cleanly) to report
        if side.ended and side.error is None and failed_itself:
            raise self.fail(Kind.REFUSED, self.say("your endpoint for {path} returned without accepting the connection: "
                                                   "call await websocket.accept() first (uvicorn answers HTTP 500 here "
                                                   "and logs 'ASGI callable returned without completing handshake')",
                                                   path=spec.path),
                            expected="await websocket.accept()", actual=self.say("the endpoint function returned"))
        if handshake.timed_out:
            where = await self._waiting_at(client)
            raise self.fail(Kind.TIMEOUT, self.say("the endpoint for {path} neither accepted nor refused the connection "
                                           "within {seconds} s", path=spec.path, seconds=f"{step.timeout:g}") + where,
                            expected="await websocket.accept()" if wanted in (None, False) else self.say("a refusal"),
                            actual=self.say("no answer to the handshake"))
        if client.side.error is not None and failed_itself:
            errors = client.side.error.errors
            raise self.fail(Kind.ERROR, self.say("your endpoint raised {error} during the handshake (a real client gets "
                                                 "HTTP 500, and uvicorn logs 'Exception in ASGI application')",
                                                 error=errors[-1].headline()),
                            expected=self.say("accepted") if wanted in (None, False) else self.say("a refusal"),
                            actual=self.say("an exception"), errors=errors)
        # What a real client sees is the HTTP status; the ASGI close code stays inside the server.
        refusal = f"HTTP {handshake.status or 403}"
        if handshake.code is not None:
            refusal += " (" + self.say("closed with code {code}", code=handshake.code) + (
                f" {handshake.reason!r}" if handshake.reason else "") + ")"
        if wanted in (None, False):
            routes = self.ctx.link.routes
            detail = ""
            if not client.side.accepted and handshake.code == 1000 and spec.path not in routes:
                detail = "; " + self.say("no WebSocket route of your app matches {path}: it has {routes}", path=spec.path,
                                          routes=", ".join(routes) if routes else self.say("none"))
            raise self.fail(Kind.REFUSED, self.say("the server refused the connection to {path} ({refusal} before accepting)",
                                                   path=spec.path, refusal=refusal) + detail,
                            expected=self.say("the connection is accepted"), actual=self.say("refused: {refusal}", refusal=refusal))
        if spec.status is not None and (handshake.status or 403) != spec.status:
            raise self.fail(Kind.REFUSED, self.say("the server refused the connection with HTTP {status}, not {wanted}",
                                                   status=handshake.status or 403, wanted=spec.status),
                            expected=self.say("refused with HTTP {status}", status=spec.status),
                            actual=self.say("refused: {refusal}", refusal=refusal))
        if wanted is not True and handshake.code != wanted:
            raise self.fail(Kind.REFUSED, self.say("the server refused the connection with code {code}, not {wanted}",
                                                   code=handshake.code, wanted=wanted),
                            expected=self.say("refused with code {code}", code=wanted),
                            actual=self.say("refused: {refusal}", refusal=refusal))
        if spec.refusal_reason is not None and self.matches(resolve(spec.refusal_reason, env), handshake.reason or ""):
            raise self.fail(Kind.REFUSED, self.say("the server refused the connection, but not with the expected reason"),
                            expected=f"reason {explain(spec.refusal_reason)}",
                            actual=self.say("refused: {refusal}", refusal=refusal))

    async def _expect_text(self, step: Step, env: dict[str, Any]) -> None:
        message = await self.next_message(step)
        expected = resolve(step.arg, env)
        if message.kind != "text":
            raise self.fail(Kind.MISMATCH, self.say("a text message was expected but a binary one arrived"),
                            expected=f"text {explain(expected)}", actual=message.describe())
        mismatch = self.matches(expected, message.data)
        if mismatch:
            where = ""
            if isinstance(expected, str) and isinstance(message.data, str):
                at, want, got = first_difference(expected, message.data, self.ctx.lang)
                where = self.say(": they first differ at character {n}, where {want} was expected and {got} arrived",
                                 n=at + 1, want=want, got=got)
            elif operator_of(expected) == "$re" and isinstance(message.data, str):
                operand = expected["$re"]
                stop = regex_stops_at(operand["pattern"] if isinstance(operand, dict) else operand, message.data)
                if stop == 0:
                    where = self.say(": the text does not fit the pattern from its first character on")
                elif stop is not None and stop >= len(message.data):
                    where = self.say(": the whole text fits the start of the pattern, which wants more after it")
                elif stop:
                    where = self.say(": the text fits the pattern up to character {n}; from there on it does not "
                                     "({rest})", n=stop, rest=show(message.data[stop:], 60))
            raise self.fail(Kind.MISMATCH, self.say("the server's text message is not the expected one") + where,
                            expected=explain(expected), actual=show(message.data, 500))

    async def _expect_json(self, step: Step, env: dict[str, Any]) -> None:
        message = await self.next_message(step)
        expected = resolve(step.arg, env)
        if message.kind != "text":
            raise self.fail(Kind.MISMATCH, self.say("a JSON text message was expected but a binary one arrived "
                                            "(send_json sends text; send_bytes sends binary)"),
                            expected=explain(expected), actual=message.describe())
        try:
            value = jsonsafe.loads(message.data)
        except ValueError:
            raise self.fail(Kind.MISMATCH, self.say("the server's message is not JSON (use send_json to send an object)"),
                            expected=explain(expected), actual=message.describe()) from None
        mismatch = self.matches(expected, value)
        if mismatch:
            values = {"path": mismatch.path, "expected": mismatch.expected, "actual": mismatch.actual}
            if mismatch.exact:  # the rule is named only when it is the reason
                why = self.say("the server's JSON answer differs at {path}: expected {expected}, got {actual} "
                               "(objects match exactly: no missing or extra keys)", **values)
            else:
                why = self.say("the server's JSON answer differs at {path}: expected {expected}, got {actual}", **values)
            raise self.fail(Kind.MISMATCH, why, expected=explain(expected), actual=show(value, 500))

    async def _expect_bytes(self, step: Step, env: dict[str, Any]) -> None:
        message = await self.next_message(step)
        anything = isinstance(step.arg, dict) and "$any" in step.arg
        summary = isinstance(step.arg, dict) and next(iter(step.arg), None) in payload.MATCHERS
        wanted = (self.say("any binary message") if anything
                  else payload.explain(step.arg) if summary else payload.describe(step.arg))
        if message.kind != "bytes":
            raise self.fail(Kind.MISMATCH, self.say("a binary message was expected but a text one arrived "
                                            "(send_bytes sends binary; send_text sends text)"),
                            expected=wanted, actual=message.describe())
        if anything:
            return
        if summary:
            assert isinstance(message.data, bytes)
            differs = payload.mismatch(step.arg, message.data)
            if differs:
                raise self.fail(Kind.MISMATCH, self.say("the binary message differs: {how}", how=differs),
                                expected=wanted, actual=message.describe())
            return
        data = payload.build(step.arg)
        if message.data != data:
            assert isinstance(message.data, bytes)
            raise self.fail(Kind.MISMATCH, self.say("the binary message differs") + " " + _first_difference(data, message.data),
                            expected=wanted, actual=message.describe())

    async def _expect_unordered(self, step: Step, env: dict[str, Any]) -> None:
        from grader.judge.unordered import pair, value_of

        wanted: list[Expected] = [replace(e, matcher=resolve(e.matcher, env)) for e in step.arg]
        for name in dict.fromkeys(e.client for e in wanted):
            mine = [e for e in wanted if e.client == name]
            on = replace(step, client=name)
            messages = [await self.next_message(on) for _ in mine]
            chosen, unpaired = pair(mine, messages, lambda m, v: match(m, v) is None)
            if chosen is None:
                shown = [m.describe() for m in messages]
                raise self.fail(Kind.MISMATCH, self.say("the {n} messages on {client} cannot be paired one to one with "
                                                        "the expected ones: none is left for {missing}", n=len(messages),
                                                        client=name, missing=explain(mine[unpaired].matcher)),
                                expected=self.say("in any order: {items}", items="; ".join(
                                    f"{e.kind} {explain(e.matcher)}" for e in mine)),
                                actual="; ".join(shown))
            for expected, index in zip(mine, chosen, strict=True):
                self.matches(expected.matcher, value_of(expected, messages[index])[1])  # keeps its captures

    async def _expect_close(self, step: Step, env: dict[str, Any]) -> None:
        client = self.client(step)
        spec: Close = step.arg
        wanted = (self.say("the server closes the connection with code {code}", code=spec.code) if spec.code
                  else self.say("the server closes the connection"))

        def ready() -> str | None:
            if client.inbox or client.closed or client.crash is not None:
                return "yes"
            return "ended" if client.side.ended else None

        state = await client.until(ready, step.timeout)
        if state == "ended":
            await client.until(lambda: client.closed or client.inbox or None, self.settle_seconds())
        if client.crash is not None:
            raise self._crashed(client)
        if client.inbox:
            message = client.take()
            assert message is not None
            raise self.fail(Kind.MISMATCH, self.say("the server sent a message instead of closing the connection"),
                            expected=wanted, actual=message.describe())
        dropped = client.closed is not None and client.closed.dropped
        if client.closed is None or (dropped and spec.code != 1006):
            if client.side.error is not None:
                raise self._raised(client)
            if client.side.ended:
                raise self.fail(Kind.CLOSED, self.say("the endpoint returned without closing the connection: "
                                                 "call await websocket.close(code=...) before returning"), expected=wanted,
                                actual=self.say("the endpoint returned; no close frame was sent (a real client sees "
                                                "the connection drop: 1006)"))
            raise self.fail(Kind.TIMEOUT, self.say("the server did not close the connection within {seconds} s",
                                                   seconds=f"{step.timeout:g}") + await self._waiting_at(client),
                            expected=wanted, actual=self.say("the connection stayed open"))
        closed = client.closed
        assert closed is not None
        self.arrived = closed.at
        got = f"code {closed.code}" + (f", reason {closed.reason!r}" if closed.reason else "")  # protocol terms, not translated
        if spec.code is not None and closed.code != spec.code:
            raise self.fail(Kind.MISMATCH, self.say("the server closed with code {code}, not {wanted}", code=closed.code,
                                                    wanted=spec.code),
                            expected=f"close code {spec.code}", actual=got)
        if spec.reason is not None:
            mismatch = self.matches(resolve(spec.reason, env), closed.reason)
            if mismatch:
                raise self.fail(Kind.MISMATCH, self.say("the close reason is not the expected one"),
                                expected=f"reason {explain(spec.reason)}", actual=got)

    async def _expect_silence(self, step: Step, env: dict[str, Any]) -> None:
        client = self.client(step)
        seconds: float = step.arg
        started = self.elapsed()
        # A client that already left closed the connection itself: only a frame can break its silence.
        watch_end = not client.left

        def ready() -> bool | None:
            if client.inbox or client.overflow or client.crash is not None:
                return True
            return bool(watch_end and (client.closed or client.side.ended)) or None

        if await client.until(ready, seconds) is None:
            return
        after = f"{self.elapsed() - started:.2f}"
        if not client.inbox and client.closed is None:
            # The endpoint's end can be reported before the frames it sent just before
            # it have crossed the transport: the client's own view settles the order.
            await client.until(lambda: client.inbox or client.closed or None, self.settle_seconds())
        if not client.inbox and not client.side.ended and client.closed is not None and client.closed.dropped:
            # A real client can see the drop before the host's word on why (an exception) reaches the judge.
            await client.until(lambda: client.side.ended or None, self.settle_seconds())
        self._flooded(client)
        wanted = self.say("no message for {seconds} s", seconds=f"{seconds:g}")
        if client.inbox:
            message = client.inbox[0]  # shown, not taken: the frame stays where a later step would read it
            raise self.fail(Kind.MISMATCH, self.say("the server sent a message after {after} s where {seconds} s of silence "
                                            "were expected", after=after, seconds=f"{seconds:g}"),
                            expected=wanted, actual=message.describe())
        if client.crash is not None:
            raise _expecting(self._crashed(client), wanted)
        if client.side.error is not None:
            raise _expecting(self._raised(client), wanted)
        closed = client.closed
        if closed is not None and not closed.dropped:
            reason = f", reason {closed.reason!r}" if closed.reason else ""
            raise self.fail(Kind.CLOSED, self.say("the server closed the connection (code {code}{reason}) after {after} s "
                                                  "where {seconds} s of silence were expected", code=closed.code,
                                                  reason=reason, after=after, seconds=f"{seconds:g}"),
                            expected=wanted, actual=f"close frame: code {closed.code}{reason}")
        raise self.fail(Kind.CLOSED, self.say("your endpoint returned after {after} s where {seconds} s of silence were "
                                              "expected", after=after, seconds=f"{seconds:g}"),
                        expected=wanted, actual=self.say("the endpoint returned; no close frame was sent (a real client "
                                                         "sees the connection drop: 1006)"))

    def settle_seconds(self) -> float:
        """How long frames sent just before an endpoint ended may take to reach the client."""
        # Free on the grader's clock; on a real server, real time over loopback.
        return REAL_SETTLE if self.ctx.link.real_time else SETTLE

    def _flooded(self, client: Client) -> None:
        """A client that stopped reading (its inbox hit the cap) says so before any message it holds."""
        if client.overflow:
            raise self.fail(Kind.MISMATCH, self.say("the server flooded the client with messages nobody asked for"),
                            expected=self.say("one answer per message"),
                            actual=self.say("more than {n} unread messages", n=len(client.inbox)))

    async def _ends_cleanly(self, step: Step, env: dict[str, Any]) -> None:
        client = self.client(step)
        if not await client.wait_ended(step.timeout):
            where = await self._waiting_at(client)
            raise self.fail(Kind.UNCLEAN, self.say("your endpoint was still running {seconds} s after the client left",
                                                   seconds=f"{step.timeout:g}") + where + ": "
                            + self.say("it should notice the disconnect and return"),
                            expected=self.say("the endpoint returns"), actual=self.say("still running"))
        if client.crash is not None:
            raise self._crashed(client)
        error = client.side.error
        if error is None:
            return
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
            why = self.say("your endpoint caught WebSocketDisconnect (at {caught}), then its handler raised {error} "
                           "at {place} ({code}): the client is already gone, so there is nothing left to close or "
                           "send to; let the endpoint return", caught=f"{first.file}:{first.line}",
                           error=f"{final.type}: {final.message}" if final.message else final.type, place=f"{frame.file}:{frame.line}", code=frame.code.strip())
        elif name == "KeyError" and last.message.strip("'\"") in ("text", "bytes"):
            why = self.say("an exception escaped your endpoint after the client left: {error}. websocket.receive() "
                           "does not raise when the client leaves: it returns {{'type': 'websocket.disconnect'}}, "
                           "which has no text; check message['type'] before reading it, or use "
                           "receive_text()/iter_text()", error=last.headline())
        elif name == "WebSocketDisconnect":
            why = self.say("WebSocketDisconnect escaped your endpoint when the client left. A real server (uvicorn) "
                           "logs 'Exception in ASGI application' with a traceback for every client that leaves: catch "
                           "it (try/except WebSocketDisconnect) or iterate with iter_text()/iter_json(), which end quietly")
        elif not client.side.accepted and client.side.close is not None:
            why = self.say("your endpoint kept going after it refused the connection (a close before accept: the client got "
                           "HTTP 403) and raised {error}: return right after close(), or raise "
                           "WebSocketException(code=...) in the dependency, which stops the endpoint there",
                           error=last.headline())
        elif name in ("ClientDisconnected", "ClosedResourceError", "WebSocketDisconnected") or "disconnect message has been received" in error.message:
            why = self.say("your endpoint kept using the connection after the client left ({error}): stop reading "
                           "and sending once WebSocketDisconnect arrives", error=last.headline())
        else:
            why = self.say("an exception escaped your endpoint after the client left: {error}; the endpoint should "
                           "return quietly once the client is gone", error=last.headline())
        raise self.fail(Kind.UNCLEAN, why, expected=self.say("the endpoint returns without an exception"),
                        actual=last.headline(), errors=errors)

    async def _repeat(self, step: Step, env: dict[str, Any]) -> None:
        spec: Repeat = step.arg
        label = f"{self.number}."
        for round_number, value in enumerate(spec.values, 1):
            inner = {**env, spec.var: value}
            try:
                await self.run(_with_client(spec.steps, spec.var, value), inner, prefix=label)
            except StepFailed as failed:
                f = failed.failure
                where = f"{f.step}, " + self.say("round {n} of {total}", n=round_number, total=len(spec.values)) + (
                    f" ({spec.var} = {show(value, 120)})")
                raise StepFailed(Failure(f.kind, f.message, where, f.expected, f.actual, f.errors)) from None

    async def _shutdown(self, step: Step, env: dict[str, Any]) -> None:
        """Stop the app as uvicorn does; what its clients see is for the next steps to check."""
        link = self.ctx.link
        link.shut_down(step.timeout)
        event = await link.event("stopped", "shutdown_failed")
        if event is None:
            raise HostGone()
        for client in self.clients.values():  # the close frames the relay passed on, before the next step looks
            await client.until(_closed_or_ended(client), self.settle_seconds())
        if event["op"] == "stopped":
            return
        errors = raised_from_wire(event.get("errors", []))
        if event.get("reason") == "timeout":
            why = self.say("your app's lifespan shutdown did not finish within {seconds} s", seconds=event.get("message"))
        elif errors:
            why = self.say("your app's lifespan shutdown raised {error} (uvicorn logs 'Application shutdown failed')",
                           error=errors[-1].headline())
        else:
            why = self.say("your app's lifespan shutdown failed: {message}", message=event.get("message", ""))
        raise self.fail(Kind.ERROR, why, expected=self.say("the app shuts down cleanly"),
                        actual=errors[-1].type if errors else str(event.get("reason")), errors=errors)

    async def _expect_file(self, step: Step, env: dict[str, Any]) -> None:
        spec: FileCheck = step.arg
        wanted = payload.describe(spec.content)
        expected = payload.build(spec.content)
        try:
            # The app may still be running: the file is read without following links, never blocking.
            data = workfile.read(self.ctx.workdir, spec.path, len(expected))
        except workfile.Refused as refused:
            raise self._file_refused(spec.path, refused, wanted, len(expected)) from None
        if data != expected:
            raise self.fail(Kind.FILE, self.say("{path} does not hold the expected bytes", path=spec.path) + " "
                            + _first_difference(expected, data),
                            expected=wanted, actual=f"{len(data)} bytes {show(data, 60)}")

    def _file_refused(self, path: str, refused: Refused, wanted: str, expected_size: int) -> StepFailed:
        if refused.why in (Why.LINK, Why.LINKED_FOLDER):
            return self.fail(Kind.FILE, self.say("{path} is a link out of the working directory; write a regular file",
                                                 path=path), expected=wanted, actual=self.say("a symbolic link"))
        if refused.why is Why.MISSING:
            return self.fail(Kind.FILE, self.say("your app did not write {path} in its working directory", path=path),
                             expected=self.say("{path} holding {content}", path=path, content=wanted),
                             actual=self.say("no such file"))
        if refused.why is Why.TOO_LARGE:
            return self.fail(Kind.FILE, self.say("{path} does not hold the expected bytes", path=path) + " "
                             + f"(expected {expected_size} bytes, got {refused.size})",
                             expected=wanted, actual=f"{refused.size} bytes")
        if refused.why is Why.NOT_REGULAR:
            return self.fail(Kind.FILE, self.say("{path} is {kind}, not a regular file: write a regular file",
                                                 path=path, kind=kind_words(refused.kind, self.ctx.lang)),
                             expected=wanted, actual=kind_words(refused.kind, self.ctx.lang))
        return self.fail(Kind.FILE, self.say("{path} cannot be read: {error}", path=path, error=refused.error),
                         expected=wanted, actual=refused.error)

    # -- waiting for the server --

    async def next_message(self, step: Step) -> Message:
        """The next frame on a client, or a StepFailed saying why none came."""
        client = self.client(step)

        def ready() -> str | None:
            if client.inbox or client.overflow or client.closed or client.crash is not None:
                return "yes"
            return "ended" if client.side.ended else None

        state = await client.until(ready, step.timeout)
        if state == "ended":
            # Frames sent just before the endpoint returned may still be in flight.
            await client.until(lambda: client.inbox or client.closed or None, self.settle_seconds())
        self._flooded(client)
        if client.inbox:
            message = client.take()
            assert message is not None
            self.arrived = message.at if self.arrived is None else max(self.arrived, message.at)
            return message
        if client.closed is not None and client.crash is None and client.side.error is None and not client.side.ended:
            # An endpoint that closed, then read or wrote on, raises just after its close frame: let that land,
            # so the report names what the code did rather than only the close it saw.
            await client.until(lambda: client.side.ended or client.side.error or None, self.settle_seconds())
        if client.crash is not None:
            raise self._crashed(client)
        if client.side.error is not None:
            raise self._raised(client)
        if client.closed is not None and not (client.closed.dropped and client.side.ended):
            closed = client.closed
            reason = f", reason {closed.reason!r}" if closed.reason else ""
            raise self.fail(Kind.CLOSED, self.say("the server closed the connection (code {code}{reason}) instead of answering",
                                                 code=closed.code, reason=reason),
                            expected=self.say("a message"), actual=f"close frame: code {closed.code}{reason}")
        if client.transport_error is not None and not client.side.ended:
            error = client.transport_error
            raise self.fail(Kind.INTERNAL, self.say("the grader's WebSocket client failed ({error}); this is not your code's "
                                                   "fault, please report it", error=f"{type(error).__name__}: {error}"),
                            expected=self.say("a message"), actual=self.say("no connection"))
        if client.side.ended:
            departed = self._sent_to_departed(client)
            if departed:
                raise self.fail(Kind.CLOSED, self.say("your endpoint returned after it tried to send to a client that had "
                                                     "already left{where} (Starlette raises WebSocketDisconnect with code "
                                                     "1006 there, and your code caught it): forget clients as soon as "
                                                     "they disconnect", where=departed),
                                expected=self.say("a message"), actual=self.say("the endpoint function returned"))
            raise self.fail(Kind.CLOSED, self.say("your endpoint returned while the client was still waiting for an answer "
                                                 "(did the loop stop after one message, or is there a return inside it?)"),
                            expected=self.say("a message"), actual=self.say("the endpoint function returned"))
        raise self.fail(Kind.TIMEOUT, self.say("no message arrived within {seconds} s", seconds=f"{step.timeout:g}")
                        + await self._waiting_at(client), expected=self.say("a message"), actual=self.say("nothing"))

    async def _waiting_at(self, client: Client) -> str:
        if client.conn is None or client.side.ended:
            return ""
        lines = await self.ctx.link.where(client.conn)
        if self.ctx.link.blocked_ms:
            # A blocking call holds a real uvicorn's loop: the cause, in the words the grader's own server uses.
            held = frozen(self.ctx.lang, f"{self.ctx.link.blocked_ms // 100 / 10:g}", lines[-1] if lines else None)
            raise StepFailed(replace(held, step=self.where))
        if not lines:
            return ""
        last = lines[-1]
        return "; " + self.say("your endpoint is waiting at {place}", place=f"{last.file}:{last.line} ({last.code})")

    def _sent_to_departed(self, client: Client) -> str:
        """Where the endpoint sent to a client that had left, if it did: ' (at app.py:19: ...)'."""
        at = client.side.departed_at
        return f" ({at.file}:{at.line}: {at.code})" if at is not None else ""

    def _raised(self, client: Client) -> StepFailed:
        assert client.side.error is not None
        errors = client.side.error.errors
        closed = client.closed
        if ("once a close message has been sent" in client.side.error.message and not client.left
                and closed is not None and not closed.dropped):
            # The server's own close() came first: nobody left, the endpoint read or wrote on after closing.
            return self.fail(Kind.ERROR, self.say("your endpoint raised {error}: it closed the connection itself "
                                                  "(close code {code}) and then kept using it; return (or break out "
                                                  "of the loop) right after close()",
                                                  error=errors[-1].headline(), code=closed.code),
                             expected=self.say("an answer"), actual=self.say("{error} (uvicorn logs 'Exception in ASGI application' and drops "
                                                             "the connection: the client sees 1006)",
                                                             error=errors[-1].type),
                             errors=errors)
        if self._sent_to_departed(client) or "once a close message has been sent" in client.side.error.message:
            return self.fail(Kind.ERROR, self.say("your endpoint raised {error}: it sent to a client that had already "
                                                  "left; forget clients as soon as they disconnect, before telling the "
                                                  "others", error=errors[-1].headline()),
                             expected=self.say("an answer"), actual=self.say("{error} (uvicorn logs 'Exception in ASGI application' and drops "
                                                             "the connection: the client sees 1006)",
                                                             error=errors[-1].type),
                             errors=errors)
        return self.fail(Kind.ERROR, self.say("your endpoint raised {error}", error=errors[-1].headline()),
                         expected=self.say("an answer"),
                         actual=self.say("{error} (uvicorn logs 'Exception in ASGI application' and drops the "
                                         "connection: the client sees 1006)", error=errors[-1].type),
                         errors=errors)

    def _crashed(self, client: Client) -> StepFailed:
        assert client.crash is not None
        crash = client.crash
        errors = crash.errors
        if crash.exit == "SystemExit":
            message = self.say("your code called sys.exit() while serving a client ({error})", error=crash.headline())
        elif crash.exit == "KeyboardInterrupt":
            message = self.say("your code raised KeyboardInterrupt while serving a client")
        else:
            message = self.say("your endpoint raised {error}", error=crash.headline())
        return self.fail(Kind.ERROR, message, expected=self.say("the endpoint keeps serving"), actual=crash.type,
                         errors=errors)


def _expecting(failed: StepFailed, expected: str) -> StepFailed:
    """The same failure, saying what the step expected instead."""
    return StepFailed(replace(failed.failure, expected=expected))


def _closed_or_ended(client: Client) -> Callable[[], bool | None]:
    return lambda: bool(client.closed or client.side.ended) or None


def _with_client(steps: tuple[Step, ...], var: str, value: Any) -> tuple[Step, ...]:
    """The steps of one round of a repeat over clients: client {$var: var} becomes this round's client."""
    marker = CLIENT_VAR + var
    bound = []
    for step in steps:
        if step.client == marker:
            step = replace(step, client=str(value))
        if step.action == "repeat" and step.arg is not None:
            step = replace(step, arg=replace(step.arg, steps=_with_client(step.arg.steps, var, value)))
        bound.append(step)
    return tuple(bound)


def _short(step: Step) -> str:
    return f"{Path(step.mark.file).name}:{step.mark.line}"


def _first_difference(expected: bytes, actual: bytes | str) -> str:
    if isinstance(actual, str):
        return ""
    if len(expected) != len(actual):
        return f"(expected {len(expected)} bytes, got {len(actual)})"
    index = next(i for i, (a, b) in enumerate(zip(expected, actual, strict=True)) if a != b)
    return f"(first difference at byte {index}: expected {expected[index]:#04x}, got {actual[index]:#04x})"


def first_difference(expected: str, actual: str, lang: str = "en") -> tuple[int, str, str]:
    """Where two texts first differ (0-based), and what each has there, in words a learner can read."""
    at = next((i for i, (a, b) in enumerate(zip(expected, actual, strict=False)) if a != b),
              min(len(expected), len(actual)))

    def shown(text: str) -> str:
        if at >= len(text):
            return say(lang, "the end of the text")
        char = text[at]
        if char == " ":
            return say(lang, "a space")
        if char == "\n":
            return say(lang, "a line break")
        if char == "\t":
            return say(lang, "a tab")
        return json.dumps(char, ensure_ascii=False)

    return at, shown(expected), shown(actual)
