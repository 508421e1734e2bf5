"""``python -m bench.wall_clock``: what putting the app's wall clock on the grader's clock costs.

The same lesson and reference solution graded with ``wall_clock: real`` (the
baseline) and ``wall_clock: virtual`` (version 1.1's default), interleaved,
on one warm host template, as ``grade --watch`` and ``grade batch`` run.
"""

from __future__ import annotations

import argparse
import statistics
import time
from dataclasses import replace
from pathlib import Path

from grader import Options, grade, load_exercise
from grader.judge.launch import Template

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.wall_clock")
    parser.add_argument("exercise", nargs="?", default="t5l4")
    parser.add_argument("--rounds", type=int, default=12)
    opts = parser.parse_args()
    exercise = load_exercise(ROOT / "exercises" / f"{opts.exercise}.yaml")
    app = ROOT / "solutions" / f"{opts.exercise}.py"
    runs = {"real": replace(exercise, wall_clock="real"), "virtual": replace(exercise, wall_clock="virtual")}
    seconds: dict[str, list[float]] = {name: [] for name in runs}
    with Template() as template:
        options = Options(launcher=template)
        for _ in range(opts.rounds):
            for name, variant in runs.items():
                started = time.perf_counter()
                result = grade(variant, app, options)
                seconds[name].append(time.perf_counter() - started)
                if not result.passed:
                    print(f"{name}: the reference solution failed; the figures mean nothing")
                    return 1
    real, virtual = (statistics.median(seconds[name]) for name in ("real", "virtual"))
    print(f"{opts.exercise}, {opts.rounds} interleaved rounds: real {real * 1000:.0f} ms, "
          f"virtual {virtual * 1000:.0f} ms (median); virtual / real = {virtual / real:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
