"""``python -m bench.platform_throughput``: submissions per hour one platform container grades.

Exports the Exercism test runner of a lesson (the Gradescope autograder runs
the same runner), then runs ``bin/run.sh`` once per submission, one after
the other, as a container that grades one submission per start would:
interpreter start, imports, a fresh sandboxed host, hidden checks. The
submissions are the lesson's reference solution and its known variants.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.platform_throughput")
    parser.add_argument("exercise", nargs="?", default="t3l2")
    parser.add_argument("--rounds", type=int, default=3, help="times each submission is graded")
    opts = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="grader-throughput-"))
    try:
        runner = scratch / "runner"
        grade = Path(sys.executable).with_name("grade")
        subprocess.run([str(grade), "export", "exercism", opts.exercise, "-o", str(runner)], cwd=ROOT, check=True,
                       capture_output=True)
        sources = [ROOT / "solutions" / f"{opts.exercise}.py",
                   *sorted((ROOT / "tests" / "variants" / opts.exercise).glob("*.py"))]
        inputs = []
        for number, source in enumerate(sources):
            folder = scratch / f"in{number}"
            folder.mkdir()
            shutil.copy(source, folder / "solution.py")
            inputs.append(folder)
        env = {**os.environ, "GRADER_PYTHON": sys.executable}
        env.pop("PYTHONPATH", None)
        times = []
        for _ in range(opts.rounds):
            for folder in inputs:
                started = time.perf_counter()
                subprocess.run([str(runner / "bin" / "run.sh"), opts.exercise, str(folder), str(folder / "out")],
                               env=env, check=True, capture_output=True)
                times.append(time.perf_counter() - started)
        total = sum(times)
        load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
        print(f"{len(times)} gradings of {len(inputs)} submissions of {opts.exercise}, one at a time, "
              f"on {os.cpu_count()} cores (load {load:.1f}):")
        print(f"  median {statistics.median(times):.2f} s, slowest {max(times):.2f} s per submission; "
              f"{3600 * len(times) / total:.0f} submissions per hour per container")
        return 0
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
