"""``python -m bench.under_load``: the README's test command, again and again, on busy cores.

A suite that passes only on an idle machine decides nothing. This starts
CPU-burning processes (two by default, one per core of the machines the
suite runs on), runs ``pytest`` the given number of times while they burn,
and prints one line per run and a summary. Exit status 0 only if every run
passed.

    python -m bench.under_load --runs 5 --burners 2 [-- extra pytest arguments]
"""

from __future__ import annotations

import argparse
import multiprocessing
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _burn() -> None:
    while True:
        pass


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.under_load", description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--burners", type=int, default=2)
    parser.add_argument("pytest_args", nargs="*", help="extra arguments for pytest (after --)")
    args = parser.parse_args(argv)

    burners = [multiprocessing.Process(target=_burn, daemon=True) for _ in range(args.burners)]
    for burner in burners:
        burner.start()
    failures = 0
    try:
        for run in range(1, args.runs + 1):
            started = time.monotonic()
            proc = subprocess.run([sys.executable, "-m", "pytest", "-q", *args.pytest_args], cwd=ROOT,
                                  capture_output=True, text=True)
            summary = (proc.stdout.strip().splitlines() or ["(no output)"])[-1]
            ok = proc.returncode == 0
            failures += not ok
            print(f"run {run}/{args.runs} under {args.burners} burners: {'PASS' if ok else 'FAIL'} "
                  f"in {time.monotonic() - started:.0f} s: {summary}", flush=True)
            if not ok:
                failed = [line for line in proc.stdout.splitlines() if line.startswith(("FAILED", "ERROR"))]
                print("\n".join("    " + line for line in failed[:20]), flush=True)
    finally:
        for burner in burners:
            burner.terminate()
    print(f"{args.runs - failures} of {args.runs} runs passed with {args.burners} CPU burners")
    return 0 if failures == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
