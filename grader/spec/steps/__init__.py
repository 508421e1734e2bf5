"""Step kinds, one module each, registered in one table.

A kind's module holds everything about it: the argument it takes (declared
with :mod:`grader.spec.args`, from which both the JSON Schema and the
loader's checks are derived), how a conversation runs it, and its sentences
in English and Korean. Adding a kind is adding a module and a line to
:data:`KINDS`. The kinds not yet moved here are read by
``grader/spec/loader.py`` and run by ``grader/judge/conversation.py``.

The module lives on the spec's side of the trust boundary and never
imports the judge: ``run`` is handed the conversation (see :class:`Talk`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, Protocol

from grader.spec.args import Arg

if TYPE_CHECKING:
    from grader.errors import Mark
    from grader.result import Kind, Raised
    from grader.spec.loader import Step
    from grader.spec.yamlnodes import Located


class Talk(Protocol):
    """What a running step may use of the conversation it is part of."""

    def client(self, step: Step) -> Any: ...

    def elapsed(self) -> float: ...

    def say(self, text: str, **values: object) -> str: ...

    def fail(self, kind: Kind, message: str, expected: str | None = None, actual: str | None = None,
             errors: tuple[Raised, ...] = ()) -> Exception: ...

    def raised(self, client: Any) -> Exception: ...

    def crashed(self, client: Any) -> Exception: ...

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
    # What the step leaves its client as: "left" after the client's own close frame (see _Flow in the loader).
    leaves: ClassVar[str] = ""
    # Sentences this kind says to a learner: English template -> Korean (merged into grader.locale_ko).
    korean: ClassVar[dict[str, str]] = {}

    def parse(self, reader: Any, node: Located, where: Mark, variables: frozenset[str]) -> Any:
        """The step's argument, read from YAML (``variables``: the repeat variables in scope); problems go to
        ``reader.error``."""
        return self.argument.read(reader, node, self.name, variables)

    async def run(self, talk: Talk, step: Step, env: dict[str, Any]) -> None:
        raise NotImplementedError


def _kinds() -> tuple[StepKind, ...]:
    from grader.spec.steps.disconnect import DisconnectKind
    from grader.spec.steps.expect_open import ExpectOpen
    from grader.spec.steps.ping import ExpectPong, Ping
    from grader.spec.steps.send import SendBytes, SendJson, SendText
    from grader.spec.steps.send_frame import SendFrame
    from grader.spec.steps.wait import Wait

    return (SendText(), SendJson(), SendBytes(), ExpectOpen(), Wait(), DisconnectKind(), SendFrame(), Ping(),
            ExpectPong())


KINDS: dict[str, StepKind] = {kind.name: kind for kind in _kinds()}


def korean() -> dict[str, str]:
    """Every registered kind's Korean sentences, for the catalog in grader.locale_ko."""
    from grader.spec.operators import OPERATORS

    merged: dict[str, str] = {}
    for holder in (*KINDS.values(), *OPERATORS.values()):
        merged.update(holder.korean)
    return merged
