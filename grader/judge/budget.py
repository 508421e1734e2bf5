"""The judge's memory budget for what one app host sends it.

Everything an app sends is held by the judge for a while: a frame being
read off the wire, a message on its way through the relay and httpx-ws's
in-memory transport to a client, a message waiting in a client's inbox.
Each is charged here while the judge holds it, and a frame that would take
the total past the limit is refused before a byte of it is kept: the app
host's link ends as a flood (the learner's failure, like any other way of
breaking the check), and the judge's memory never grows past its budget.

A message in transit is held several times over: the wire reader's buffer
and the payload cut from it, then, inside httpx-ws, the frame wsproto
encodes, wsproto's receive buffer, and the message it decodes
(``httpx_ws/transport.py``: ``read`` encodes the whole message with
``connection.send``; ``_api.py``: ``_background_receive`` feeds it to
``connection.receive_data``). So a message is charged :data:`TRANSIT_COPIES`
times its size until it reaches a client's inbox, and once from then until
the conversation takes it.
"""

from __future__ import annotations

from collections import deque

MIB = 1 << 20
DEFAULT_BYTES = 256 * MIB
# The copies of a message alive at once on its way to a client (see above), with the allocator's
# slack: measured with floods of 16 to 60 MiB frames through the real transport
# (tests/trust/flood_*.py), whose judge's peak stays within its budget.
TRANSIT_COPIES = 12


class Budget:
    """A byte count with a ceiling: what the judge holds of one host's output."""

    def __init__(self, limit: int = DEFAULT_BYTES) -> None:
        self.limit = limit
        self.used = 0
        self.peak = 0

    def room(self) -> int:
        return max(0, self.limit - self.used)

    def take(self, size: int) -> bool:
        """Charge ``size`` bytes; False (and nothing charged) if they do not fit."""
        if size > self.room():
            return False
        self.used += size
        self.peak = max(self.peak, self.used)
        return True

    def give(self, size: int) -> None:
        self.used = max(0, self.used - size)

    def describe(self) -> str:
        return f"{self.limit / MIB:g} MiB"


class Holding:
    """What one connection holds of the budget: messages in transit (oldest first) and in its client's inbox."""

    def __init__(self, budget: Budget) -> None:
        self.budget = budget
        self.transit: deque[tuple[int, int]] = deque()  # (charged, payload size) of each message in transit
        self.held = 0  # everything this connection has charged and not given back
        self.over = False  # its client is gone: nothing more is held for it

    def send(self, size: int) -> bool:
        """A message of ``size`` bytes arrived for the client: charge its transit."""
        cost = size * TRANSIT_COPIES
        if not self.budget.take(cost):
            return False
        self.transit.append((cost, size))
        self.held += cost
        return True

    def landed(self) -> int:
        """The oldest message in transit reached the inbox (or was dropped): what it still costs there."""
        if not self.transit:
            return 0
        cost, size = self.transit.popleft()
        self._give(cost - size)
        return size

    def dropped(self) -> None:
        """The oldest message in transit will never reach the client."""
        self._give(self.landed())

    def taken(self, size: int) -> None:
        """A message of the inbox (charged ``size``) was taken by the conversation."""
        self._give(size)

    def release(self) -> None:
        """The connection is over: everything it held is given back."""
        self.over = True
        self.transit.clear()
        self.budget.give(self.held)
        self.held = 0

    def _give(self, size: int) -> None:
        size = min(size, self.held)
        self.held -= size
        self.budget.give(size)
