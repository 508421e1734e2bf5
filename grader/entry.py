"""The ``grade`` console script: start the grading child first, then everything else."""

from __future__ import annotations

import sys

# Subcommands that never grade one file right away; everything else does.
_NOT_GRADING = {"list", "show", "start", "hint", "progress", "reset", "validate", "check", "batch", "new", "schema", "doctor"}


def main() -> int:
    args = sys.argv[1:]
    if args and args[0] not in _NOT_GRADING and not {"-h", "--help", "--version", "--watch"} & set(args):
        from grader.judge.prestart import prestart

        prestart()
    from grader.cli import main as cli_main

    return cli_main(args)
