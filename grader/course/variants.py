"""Known variants of learner code that prove a spec's strength, and their rules.

A variant is a Python file under ``<folder>/<exercise id>/`` whose first
line says what the grader must conclude:

    # expect: pass                    a correct program in another idiom
    # expect-fail: <check name>       a realistic mistake that check must catch
    # expect-fail-first: <check name> the same, and that check is the first to fail
                                      (no check before it fails: the mistake is caught where it belongs)

A course asks each exercise for at least ``min_wrong`` wrong and
``min_correct`` correct variants (``[variants]`` in ``grader.toml``, 4 and 2
by default): a spec proven only by its own reference solution has not been
shown to catch anything. A file that breaks these rules is reported as
``file:line:column: message``, never as a crash, so one bad header cannot
hide the rest of the catalog.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from pathlib import Path

from grader.errors import Mark, SpecError

PASS = "# expect: pass"
FAIL = "# expect-fail: <check name>"
FAIL_FIRST = "# expect-fail-first: <check name>"
_PASS = re.compile(r"^#\s*expect\s*:\s*pass\s*$")
_FAIL = re.compile(r"^#\s*expect-fail(?P<first>-first)?\s*:(?P<space>\s*)(?P<check>.*?)\s*$")
_LOOSE = re.compile(r"^#\s*expect\b")  # meant to be a header, but is not one


@dataclass(frozen=True)
class Variant:
    exercise: str
    path: Path
    fails: str | None  # the check that must fail; None when the variant must pass
    check_mark: Mark | None = None  # where the check's name is written
    first: bool = False  # the named check must be the first to fail

    @property
    def name(self) -> str:
        return self.path.stem


@dataclass(frozen=True)
class Minimums:
    wrong: int = 4
    correct: int = 2


def read_variant(path: Path) -> Variant:
    """The variant in ``path``; SpecError (at line 1) when its header is not one of the two forms."""
    start = Mark(str(path), 1, 1)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise SpecError(start, f"cannot read the variant: {exc}") from None
    first = lines[0].strip() if lines else ""
    if _PASS.match(first):
        return Variant(path.parent.name, path, None)
    found = _FAIL.match(first)
    if found:
        must_be_first = found.group("first") is not None
        header, form = ("# expect-fail-first:", FAIL_FIRST) if must_be_first else ("# expect-fail:", FAIL)
        if not found.group("check"):
            raise SpecError(start, f"'{header}' needs the name of the check that must fail: {form}")
        column = found.start("check") + 1 + (len(lines[0]) - len(lines[0].lstrip()))
        return Variant(path.parent.name, path, found.group("check"), Mark(str(path), 1, column), must_be_first)
    if re.match(r"^#\s*expect\s*:\s*fail", first):
        raise SpecError(start, f"'{first}' does not say which check must catch this mistake: write {FAIL}")
    if _LOOSE.match(first):
        raise SpecError(start, f"'{first}' is not a variant header: write {PASS!r} or {FAIL!r}")
    raise SpecError(start, f"a variant's first line says what it proves: {PASS!r} (a correct program) "
                           f"or {FAIL!r} (a mistake that check must catch)")


def find_variants(folder: Path, exercise: str = "*") -> tuple[list[Variant], list[SpecError]]:
    """Every readable variant under ``folder`` (of one exercise, or all) and the problems of those that are not."""
    variants: list[Variant] = []
    problems: list[SpecError] = []
    if not folder.is_dir():
        return variants, problems
    for path in sorted(folder.glob(f"{exercise}/*.py")):
        try:
            variants.append(read_variant(path))
        except SpecError as exc:
            problems.append(exc)
    return variants, problems


def unknown_checks(ident: str, checks: list[str], variants: list[Variant]) -> list[SpecError]:
    """Wrong variants of ``ident`` naming a check the spec does not have."""
    return [SpecError(v.check_mark or Mark(str(v.path), 1, 1),
                      f"{ident} has no check named {v.fails!r}{_suggest(v.fails, checks)}")
            for v in variants if v.exercise == ident and v.fails is not None and v.fails not in checks]


def too_few(ident: str, spec_mark: Mark, variants: list[Variant], minimums: Minimums, shown_folder: str) -> list[SpecError]:
    """The kinds of variant ``ident`` has fewer of than the course asks for, reported at the spec's id."""
    mine = [v for v in variants if v.exercise == ident]
    wrong = sum(v.fails is not None for v in mine)
    problems = []
    for count, need, kind, header in ((wrong, minimums.wrong, "wrong", FAIL),
                                      (len(mine) - wrong, minimums.correct, "correct", PASS)):
        if count < need:
            problems.append(SpecError(spec_mark, (
                f"{ident} has {count} {kind} variant{'' if count == 1 else 's'} in {shown_folder}/; "
                f"the course asks for at least {need} (files starting with {header!r})")))
    return problems


def _suggest(name: str, checks: list[str]) -> str:
    close = difflib.get_close_matches(name, checks, n=1, cutoff=0.6)
    if close:
        return f"; did you mean {close[0]!r}?"
    return "; its checks are " + ", ".join(repr(c) for c in checks) if checks else ""
