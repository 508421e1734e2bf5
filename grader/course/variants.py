"""Known variants of learner code that prove a spec's strength.

A variant is a Python file under ``<folder>/<exercise id>/`` whose first
line says what the grader must conclude:

    # expect: pass                    a correct program in another idiom
    # expect-fail: <check name>       a realistic mistake that check must catch
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

_HEADER = re.compile(r"^#\s*(expect:\s*pass|expect-fail:\s*(?P<check>.+?))\s*$")


@dataclass(frozen=True)
class Variant:
    exercise: str
    path: Path
    fails: str | None  # the check that must fail; None when the variant must pass

    @property
    def name(self) -> str:
        return self.path.stem


def read_variant(path: Path) -> Variant:
    first = path.read_text(encoding="utf-8").splitlines()[:1]
    found = _HEADER.match(first[0]) if first else None
    if found is None:
        raise ValueError(f"{path}:1: a variant starts with '# expect: pass' or '# expect-fail: <check name>'")
    return Variant(path.parent.name, path, found.group("check"))


def find_variants(folder: Path) -> list[Variant]:
    return [read_variant(p) for p in sorted(folder.glob("*/*.py"))]
