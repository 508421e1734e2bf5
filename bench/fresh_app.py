"""``python -m bench.fresh_app``: what a fresh app for every check costs against one shared app.

Two rows, each interleaved (A B A B …) so that a shared machine's load
shifts both sides of every pair alike:

- the real, cold ``grade`` command on a lesson written as spec 1.2 (every
  check on a fresh app, the default) against the same lesson with
  ``defaults: {fresh_app: false}`` (every check on one app);
- the same two inside one warm process (hosts forked from a template, as
  ``grade batch`` and watch mode run), where the figure shown is what one
  fresh start adds to a grading.

``rows(runs)`` gives both rows in the form ``python -m bench`` prints its own.
"""

from __future__ import annotations

import argparse
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from bench.__main__ import GRADE, ROOT, Row, interleaved, machine, timed

LESSON = "t3l2"  # ten conversation checks, no state kept between connections


def _course(folder: Path, fresh: bool) -> Path:
    """A course of one lesson, the catalog's t3l2 as spec 1.2 with fresh apps on or off."""
    (folder / "exercises").mkdir(parents=True)
    (folder / "solutions").mkdir()
    shutil.copy(ROOT / "grader.toml", folder / "grader.toml")
    shutil.copy(ROOT / "solutions" / f"{LESSON}.py", folder / "solutions" / f"{LESSON}.py")
    text = (ROOT / "exercises" / f"{LESSON}.yaml").read_text(encoding="utf-8")
    text, found = re.subn(r"(?m)^version: .*$", 'version: "1.2"', text, count=1)
    assert found, "the lesson has no version line"
    text, found = re.subn(r"(?m)^(checks:)$", f"defaults: {{fresh_app: {str(fresh).lower()}}}\n\\1", text, count=1)
    assert found, "the lesson has no checks line"
    (folder / "exercises" / f"{LESSON}.yaml").write_text(text, encoding="utf-8")
    return folder


def _cold(course: Path) -> float:
    command = [GRADE, LESSON, "--app", str(course / "solutions" / f"{LESSON}.py"), "--no-record"]
    return timed(lambda: subprocess.run(command, cwd=course, check=True, capture_output=True))


def row_cold(runs: int) -> Row:
    with tempfile.TemporaryDirectory() as scratch:
        fresh, shared = _course(Path(scratch) / "fresh", True), _course(Path(scratch) / "shared", False)
        _cold(fresh), _cold(shared)  # warm the page cache
        a, b = interleaved(lambda: _cold(fresh), lambda: _cold(shared), runs)
    return Row(f"fresh app per check vs shared: cold grade {LESSON} (10 checks, spec 1.2) ÷ defaults: "
               "{fresh_app: false}", f"{statistics.median(a) * 1000:.0f} ms", f"{statistics.median(b) * 1000:.0f} ms",
               [x / y for x, y in zip(a, b, strict=True)], "≤ 1.25")


def row_in_process(runs: int) -> Row:
    from grader import Options, grade, load_exercise
    from grader.judge.launch import Template

    exercise = load_exercise(ROOT / "exercises" / f"{LESSON}.yaml")
    fresh = replace(exercise, checks=tuple(replace(c, fresh_app=True) for c in exercise.checks))
    shared = replace(exercise, checks=tuple(replace(c, fresh_app=False) for c in exercise.checks))
    app = ROOT / "solutions" / f"{LESSON}.py"
    starts = sum(1 for c in exercise.checks[1:] if c.source is None)
    with Template() as template:
        options = Options(launcher=template)

        def one(variant: object) -> float:
            start = time.perf_counter()
            result = grade(variant, app, options)  # type: ignore[arg-type]
            if not result.passed:
                raise SystemExit(f"{LESSON}: the reference solution failed; the figures mean nothing")
            return time.perf_counter() - start

        one(fresh), one(shared)
        a, b = interleaved(lambda: one(fresh), lambda: one(shared), runs)
    extra = (statistics.median(a) - statistics.median(b)) / starts
    return Row(f"per-check cost inside one grading: {LESSON}, every check on a fresh app ÷ one shared app, warm "
               f"template (one fresh start adds {extra * 1000:.1f} ms)", f"{statistics.median(a) * 1000:.0f} ms",
               f"{statistics.median(b) * 1000:.0f} ms", [x / y for x, y in zip(a, b, strict=True)], "≤ 1.25")


def rows(runs: int) -> list[Row]:
    return [row_cold(runs), row_in_process(runs * 2)]


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.fresh_app")
    parser.add_argument("--runs", type=int, default=5, help="pairs per row (default 5)")
    opts = parser.parse_args()
    before = machine()
    measured = rows(opts.runs)
    # The figures lean with the machine's load (see bench/README.md): say what it was.
    print(f"machine: {before} (at the start); load average {machine().rsplit('load average ', 1)[1]} (at the end)")
    for row in measured:
        print("| " + " | ".join(row.cells()) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
