"""Hostile and broken learner code always ends in a clear verdict, in bounded time.

The corpus lives in tests/hostile/: each file says the failure kind and the
words the learner must see for the first check it fails.
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from conftest import ROOT, self_contained
from grader import Limits, Options, grade, load_exercise
from grader.judge.launch import Template
from grader.render import html

CORPUS = sorted((Path(__file__).parent / "hostile").glob("*.py"))
T3L1 = load_exercise(ROOT / "exercises" / "t3l1.yaml")
LIMITS = Limits(check_seconds=1, import_seconds=15, run_seconds=90)


def expectations(path: Path) -> tuple[list[str], list[str], Limits]:
    """The header: the failure kind, the words the learner sees, and limits the file needs (optional).

    A file whose verdict depends on which limit trips first (memory against
    the blocked-loop watchdog) names its limits, so the limit decides, not
    the machine's speed.
    """
    lines = [line for line in path.read_text().splitlines() if line.startswith("# ")][:3]
    header = dict(line[2:].split(": ", 1) for line in lines if ": " in line)
    limits = LIMITS
    if "limits" in header:
        limits = replace(LIMITS, **{k: float(v) if "seconds" in k else int(v)
                                    for k, v in (item.split("=") for item in header["limits"].split())})
    return ([k.strip() for k in header["kind"].split("|")], [s.strip() for s in header["says"].split("|")], limits)


@pytest.fixture(scope="module")
def zygote() -> Iterator[Template]:
    with Template() as warm:
        yield warm


def test_the_corpus_has_at_least_fifteen_submissions() -> None:
    assert len(CORPUS) >= 15


@pytest.mark.parametrize("path", CORPUS, ids=lambda p: p.stem)
def test_hostile_submission_gets_a_clear_verdict(path: Path, zygote: Template, monkeypatch: pytest.MonkeyPatch) -> None:
    marker = uuid.uuid4().hex
    monkeypatch.setenv("HOSTILE_MARKER", marker)  # inherited by anything the submission starts
    kinds, says, limits = expectations(path)
    started = time.monotonic()
    result = grade(T3L1, path, Options(limits=limits, launcher=zygote, transcripts=True))
    elapsed = time.monotonic() - started
    assert elapsed < limits.run_seconds
    assert not result.passed
    failed = [c for c in result.checks if not c.passed]
    first = failed[0].failure
    assert first is not None
    assert first.kind.value in kinds, (first.kind, first.message)
    assert any(s in first.message or s in (first.expected or "") for s in says), first.message
    for check in result.checks:
        if check.failure is not None:
            assert "Traceback (most recent call last)" not in check.failure.message
            assert all("/grader/" not in f.file for e in check.failure.errors for f in e.frames)
    assert not survivors(marker), "processes the submission started outlived its grading"
    self_contained(html.render(result, "en"))  # its report as a page shows all of it as text


def survivors(marker: str) -> list[int]:
    found = []
    needle = f"HOSTILE_MARKER={marker}".encode()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            if needle in (entry / "environ").read_bytes():
                found.append(int(entry.name))
        except OSError:
            continue
    return found


def test_output_flood_is_cut_with_a_notice(zygote: Template) -> None:
    result = grade(T3L1, Path(__file__).parent / "hostile" / "prints_twenty_megabytes.py",
                   Options(limits=LIMITS, launcher=zygote))
    assert len(result.output) <= LIMITS.output_kb * 1024
    assert result.output_dropped > 19 * 1024 * 1024
