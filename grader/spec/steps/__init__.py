"""Step kinds, one module each, registered in one table.

A kind's module holds everything about it: the argument it takes (declared
with :mod:`grader.spec.args`, from which both the JSON Schema and the
loader's checks are derived), how a conversation runs it, and its sentences
in English and Korean. Adding a kind is adding a module and a line to
:data:`KINDS`: the loader (``grader/spec/stepreader.py``) reads every step
through it, the JSON Schema (``grader/spec/schema.py``) is built from it,
and a conversation (``grader/judge/conversation.py``) runs each step by it.

The modules live on the spec's side of the trust boundary and never
import the judge: ``run`` is handed the conversation (see :class:`Talk`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, Protocol

from grader.spec.args import Arg

if TYPE_CHECKING:
    from grader.errors import Mark
    from grader.result import Failure, Kind, Raised
    from grader.spec.args import Reader
    from grader.spec.flow import Flow
    from grader.spec.loader import Step
    from grader.spec.match import Mismatch
    from grader.spec.yamlnodes import Located


class StepFailed(Exception):
    """A step went wrong: carries the learner-facing failure (which step, expected, arrived, why)."""

    def __init__(self, failure: Failure) -> None:
        super().__init__(failure.message)
        self.failure = failure


class Talk(Protocol):
    """What a running step may use of the conversation it is part of."""

    number: str  # the step's number ("2.3": the third step of the repeat that is step 2)
    arrived: float | None  # when what the step waited for arrived (for after/within)

    @property
    def lang(self) -> str:
        """The learner's language."""
        ...

    def client(self, step: Step) -> Any: ...

    def open(self, step: Step) -> Any:
        """A new client under the step's client name (one of that name before is retired)."""
        ...

    def routes(self) -> list[str]: ...

    async def next_message(self, step: Step) -> Any:
        """The next frame on the step's client, or a failure saying why none came."""
        ...

    def matches(self, expected: Any, actual: Any) -> Mismatch | None:
        """``match``, keeping what ``$capture`` took only when everything matched."""
        ...

    def pair(self, expected: list[Any], messages: list[Any]) -> tuple[list[int] | None, int]:
        """expect_unordered's one-to-one pairing (see grader.judge.unordered)."""
        ...

    def value_of(self, expected: Any, message: Any) -> Any: ...

    async def waiting_at(self, client: Any) -> str:
        """'; your endpoint is waiting at app.py:12 (...)', or nothing."""
        ...

    def settle_seconds(self) -> float: ...

    async def run(self, steps: tuple[Step, ...], env: dict[str, Any], prefix: str = "") -> None: ...

    async def shut_down(self, grace: float) -> tuple[str, str, str, tuple[Raised, ...]]:
        """Stop the app as uvicorn does: (op, reason, message, errors) of the host's answer."""
        ...

    def read_file(self, path: str, size: int) -> bytes:
        """A file the app wrote in its working folder; raises grader.files.Refused."""
        ...

    def file_kind(self, kind: str) -> str: ...

    def elapsed(self) -> float: ...

    def say(self, text: str, **values: object) -> str: ...

    def fail(self, kind: Kind, message: str, expected: str | None = None, actual: str | None = None,
             errors: tuple[Raised, ...] = ()) -> StepFailed: ...

    def raised(self, client: Any) -> StepFailed: ...

    def crashed(self, client: Any) -> StepFailed: ...

    def flooded(self, client: Any) -> None: ...

    async def settle(self, client: Any) -> None: ...

    async def sleep(self, seconds: float) -> None: ...


class StepKind:
    """One kind of step. Subclasses set the class attributes and ``run``."""

    name: ClassVar[str]
    argument: ClassVar[Arg]
    since: ClassVar[float] = 1.0  # the spec version that introduced it
    # Whether the step acts on one client, which must be connected then (and stays so).
    on_client: ClassVar[bool] = True
    # Why a step without one client refuses client: (after "<kind> takes no client: ").
    no_client_why: ClassVar[str] = "it is not about one client"
    # What the step leaves its client as: "left" after the client's own close frame, "closed" after the
    # server's (see grader.spec.flow).
    leaves: ClassVar[str] = ""
    # Whether it waits for something the server sends, so after:/within: can time its arrival.
    timed: ClassVar[bool] = False
    # Whether its argument holds steps, read one by one (their $ref and operators are checked there).
    holds_steps: ClassVar[bool] = False
    # Whether the $operators of its argument are its own, not the matchers' (no matcher's version applies).
    own_operators: ClassVar[bool] = False
    # Sentences this kind says to a learner: English template -> Korean (merged into grader.locale_ko).
    korean: ClassVar[dict[str, str]] = {}

    def parse(self, reader: Reader, node: Located, where: Mark, variables: frozenset[str]) -> Any:
        """The step's argument, read from YAML (``variables``: the repeat variables in scope); problems go to
        ``reader.error``."""
        return self.argument.read(reader, node, self.name, variables)

    def defs(self) -> dict[str, Any]:
        """Definitions this kind adds to the JSON Schema's ``$defs`` (its argument may ``$ref`` them)."""
        return {}

    def follow(self, flow: Flow, reader: Reader, client: str, arg: Any, where: Mark) -> None:
        """Move the client along: most kinds need it connected, and some leave it closed."""
        if self.on_client and flow.connected(reader, client, self.name, where) and self.leaves:
            flow.states[client] = flow.LEFT if self.leaves == "left" else flow.CLOSED

    async def run(self, talk: Talk, step: Step, env: dict[str, Any]) -> None:
        raise NotImplementedError


def _kinds() -> tuple[StepKind, ...]:
    from grader.spec.steps.connect import ConnectKind
    from grader.spec.steps.disconnect import DisconnectKind
    from grader.spec.steps.ends_cleanly import EndsCleanly
    from grader.spec.steps.expect_bytes import ExpectBytes
    from grader.spec.steps.expect_close import ExpectClose
    from grader.spec.steps.expect_file import ExpectFile
    from grader.spec.steps.expect_json import ExpectJson
    from grader.spec.steps.expect_open import ExpectOpen
    from grader.spec.steps.expect_silence import ExpectSilence
    from grader.spec.steps.expect_text import ExpectText
    from grader.spec.steps.expect_unordered import ExpectUnordered
    from grader.spec.steps.ping import ExpectPong, Ping
    from grader.spec.steps.repeat import RepeatKind
    from grader.spec.steps.send import SendBytes, SendJson, SendText
    from grader.spec.steps.send_frame import SendFrame
    from grader.spec.steps.shutdown import Shutdown
    from grader.spec.steps.wait import Wait

    # In the format's order: the JSON Schema, `grade schema` and "did you mean" list them so.
    return (ConnectKind(), SendText(), SendJson(), SendBytes(), ExpectText(), ExpectJson(), ExpectBytes(),
            ExpectUnordered(), ExpectClose(), ExpectSilence(), ExpectOpen(), Wait(), DisconnectKind(), SendFrame(),
            Ping(), ExpectPong(), EndsCleanly(), RepeatKind(), ExpectFile(), Shutdown())


KINDS: dict[str, StepKind] = {kind.name: kind for kind in _kinds()}


def korean() -> dict[str, str]:
    """Every registered kind's Korean sentences, for the catalog in grader.locale_ko."""
    from grader.spec.operators import OPERATORS

    merged: dict[str, str] = {}
    for kind in KINDS.values():
        merged.update(kind.korean)
    for operator in OPERATORS.values():
        merged.update(operator.korean)
    return merged
