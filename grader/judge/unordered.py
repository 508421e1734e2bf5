"""``expect_unordered``: pair a set of messages with a set of matchers, one to one.

"These three answers, in any order" is a bipartite matching, not a
``$one_of`` per message: with ``$one_of`` the answers c, c, c would pass for
a, b, c (a late-binding closure bug looks exactly like that).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from grader.judge.driver import Message
from grader.spec import Expected, jsonsafe

Matches = Callable[[Any, Any], bool]


def value_of(expected: Expected, message: Message) -> tuple[bool, Any]:
    """What a matcher of this kind compares: the text, or the text read as JSON. (False, None) if it cannot."""
    if message.kind != "text":
        return False, None
    if expected.kind == "text":
        return True, message.data
    try:
        return True, jsonsafe.loads(message.data)
    except ValueError:
        return False, None


def pair(expected: list[Expected], messages: list[Message], fits: Matches) -> tuple[list[int] | None, int]:
    """For each matcher the index of its message, or (None, the first matcher left without one).

    Kuhn's augmenting paths: the sets are a handful of messages, so the
    simple algorithm is plenty.
    """
    ok = [[_fits(e, m, fits) for m in messages] for e in expected]
    owner: list[int | None] = [None] * len(messages)

    def place(i: int, seen: set[int]) -> bool:
        for j, good in enumerate(ok[i]):
            if good and j not in seen:
                seen.add(j)
                current = owner[j]
                if current is None or place(current, seen):
                    owner[j] = i
                    return True
        return False

    for i in range(len(expected)):
        if not place(i, set()):
            return None, i
    chosen = [0] * len(expected)
    for j, holder in enumerate(owner):
        if holder is not None:
            chosen[holder] = j
    return chosen, -1


def _fits(expected: Expected, message: Message, fits: Matches) -> bool:
    readable, value = value_of(expected, message)
    return readable and fits(expected.matcher, value)
