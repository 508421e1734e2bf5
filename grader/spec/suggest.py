"""'Did you mean' for names an author misspelled: keys, actions, operators, check names."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def did_you_mean(word: str, known: Iterable[str], *, listing: str = "known") -> str:
    """``; did you mean 'x'?`` for a close match, else ``; known: a, b, c`` (empty without candidates)."""
    choices = list(known)
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    if not close:
        # A prefix or a synonym in another spelling: $regex for $re, subprotocol for subprotocols.
        close = [c for c in choices if len(c) > 2 and len(word) > 2 and (word.startswith(c) or c.startswith(word))][:1]
    if close:
        return f"; did you mean {close[0]!r}?"
    return f"; {listing}: {', '.join(choices)}" if choices else ""
