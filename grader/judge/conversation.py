"""Runs one check's steps against the app and judges each one.

A step that goes wrong raises :class:`StepFailed` carrying a learner-facing
:class:`Failure`: which step, what was expected, what arrived, and, when
the learner's code raised, their exception with their own lines.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from grader.i18n import say
from grader.judge import answers, unordered, workfile
from grader.judge.driver import SETTLE, Client, Message, Transcript
from grader.judge.intake import kind_words
from grader.judge.link import HostGone, Link, raised_from_wire
from grader.result import CheckResult, Failure, Kind, Raised, Status
from grader.spec import Check, Expected, Step, pick
from grader.spec.match import CAPTURES, Mismatch, match, show
from grader.spec.steps import KINDS, StepFailed
from grader.spec.steps.expect_text import first_difference  # noqa: F401 - where callers found it

TRANSCRIPT_LIMIT = 60
# Real seconds a frame sent just before the endpoint ended may take to reach a client of a real server.
REAL_SETTLE = 1.0
TEARDOWN_TIMEOUT = 2.0


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
            await KINDS[step.action].run(self, step, env)
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

    # -- what the step kinds use (grader.spec.steps.Talk) --

    @property
    def lang(self) -> str:
        return self.ctx.lang

    def raised(self, client: Client) -> StepFailed:
        return answers.raised(self, client)

    def crashed(self, client: Client) -> StepFailed:
        return answers.crashed(self, client)

    def open(self, step: Step) -> Client:
        if step.client in self.clients:
            self.retired.append(self.clients.pop(step.client))
        client = self.ctx.client_type(step.client, self.ctx.link, self.transcript)
        self.clients[step.client] = client
        return client

    def routes(self) -> list[str]:
        return list(self.ctx.link.routes)

    def pair(self, expected: list[Expected], messages: list[Message]) -> tuple[list[int] | None, int]:
        return unordered.pair(expected, messages, lambda m, v: match(m, v) is None)

    def value_of(self, expected: Expected, message: Message) -> Any:
        return unordered.value_of(expected, message)[1]

    async def shut_down(self, grace: float) -> tuple[str, str, str, tuple[Raised, ...]]:
        link = self.ctx.link
        link.shut_down(grace)
        event = await link.event("stopped", "shutdown_failed")
        if event is None:
            raise HostGone()
        for client in self.clients.values():  # the close frames the relay passed on, before the next step looks
            await client.until(_closed_or_ended(client), self.settle_seconds())
        errors = raised_from_wire(event.get("errors", []))
        return event["op"], str(event.get("reason")), str(event.get("message", "")), errors

    def read_file(self, path: str, size: int) -> bytes:
        return workfile.read(self.ctx.workdir, path, size)

    def file_kind(self, kind: str) -> str:
        return kind_words(kind, self.ctx.lang)

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
            await self._settled(client)

    async def _settled(self, client: Client) -> None:
        """Wait for the host's answer to the cancellation the relay sent an endpoint still running at teardown.

        The endpoint either ends or ignores it, which the host says (``runaway``)
        a few loop iterations later: known before the next check starts, that
        check gets a fresh host instead of one the endpoint keeps busy. (A real
        uvicorn cancels nothing when a client leaves: nothing to wait for.)
        """
        conn, link = client.conn, self.ctx.link
        if self.ctx.client_type is not Client or conn is None or conn.side.ended or link.dead is not None:
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(link.until(lambda: conn.side.ended or conn.id in link.runaways or None),
                                   TEARDOWN_TIMEOUT)

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

    # -- waiting for the server --

    async def next_message(self, step: Step) -> Message:
        return await answers.next_message(self, step)

    async def waiting_at(self, client: Client) -> str:
        return await answers.waiting_at(self, client)

    def settle_seconds(self) -> float:
        """How long frames sent just before an endpoint ended may take to reach the client."""
        # Free on the grader's clock; on a real server, real time over loopback.
        return REAL_SETTLE if self.ctx.link.real_time else SETTLE

    def flooded(self, client: Client) -> None:
        """A client that stopped reading (its inbox hit the cap) says so before any message it holds."""
        if client.overflow:
            raise self.fail(Kind.MISMATCH, self.say("the server flooded the client with messages nobody asked for"),
                            expected=self.say("one answer per message"),
                            actual=self.say("more than {n} unread messages", n=len(client.inbox)))


def _closed_or_ended(client: Client) -> Callable[[], bool | None]:
    return lambda: bool(client.closed or client.side.ended) or None


def _short(step: Step) -> str:
    return f"{Path(step.mark.file).name}:{step.mark.line}"
