"""What each client can do at each point of a conversation, tracked while a spec is read.

A step kind says how it moves a client along (``StepKind.follow``); this
module holds the states and the rule most kinds share: the client must be
connected, and stays so unless the kind ``leaves`` it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from grader.errors import Mark
    from grader.spec.args import Reader


class Flow:
    """Each client's state at this point of a conversation, to catch order mistakes."""

    NEW, OPEN, CLOSED, LEFT = "new", "open", "closed by the server", "disconnected"

    def __init__(self, states: dict[str, str] | None = None, stopped: bool = False,
                 pinged: set[str] | None = None) -> None:
        self.states: dict[str, str] = dict(states or {})
        self.stopped = stopped  # after a shutdown step, no new connection
        # Clients that have sent a ping on their current connection: only those can expect a pong.
        self.pinged: set[str] = set(pinged or ())

    def copy(self) -> Flow:
        return Flow(self.states, self.stopped, self.pinged)

    def connected(self, reader: Reader, client: str, action: str, where: Mark) -> bool:
        """Whether the client is open here; when not, say why ``action`` cannot run on it."""
        state = self.states.get(client, self.NEW)
        if state == self.NEW:
            reader.error(where, f"client {client!r} is used before it connects (add a connect step first)")
            return False
        if state != self.OPEN:
            reader.error(where, f"client {client!r} is {state} here: {action} needs an open connection")
            return False
        return True
