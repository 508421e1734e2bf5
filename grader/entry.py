"""The ``grade`` console script: start the app host first, then everything else."""

from __future__ import annotations

import atexit
import contextlib
import os
import sys

# Subcommands that never grade one file right away; everything else does.
_NOT_GRADING = {"help", "try", "list", "show", "start", "hint", "progress", "reset", "validate", "check", "batch", "new", "schema", "doctor", "export"}


def main() -> int:
    args = sys.argv[1:]
    if args and args[0] not in _NOT_GRADING and not {"-h", "--help", "--version", "--watch"} & set(args):
        from grader.judge.prestart import prestart

        prestart()
    from grader.cli import main as cli_main

    try:
        code = cli_main(args)
    except BrokenPipeError:
        # The reader went away (`grade list | head`): what is left to say has nobody to hear it.
        with contextlib.suppress(OSError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        code = 0
    # Everything is said: flush, run the exit handlers (they end a spare host),
    # and leave without the interpreter's teardown of every module.
    for stream in (sys.stdout, sys.stderr):
        # A reader that went away (`grade ... | head`) has nothing more to hear.
        with contextlib.suppress(BrokenPipeError, ValueError):
            stream.flush()
    atexit._run_exitfuncs()
    os._exit(code)
