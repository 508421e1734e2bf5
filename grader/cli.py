"""The ``grade`` command: parse arguments, call the engine, render. Nothing else.

    grade EXERCISE [--app PATH[:ATTR]] [--format text|json] [--output FILE] [--lang en|ko]
    grade validate [PATH ...]
    grade check [EXERCISE ...] [--jobs N]
    grade batch EXERCISE SUBMISSION ... [--jobs N] [--out DIR]
    grade new EXERCISE --title TITLE
    grade schema

Exit codes: 0 every check passed; 1 a check failed (the learner's code,
including code that cannot be imported, crashes, hangs or exits); 2 a usage
or spec error; 3 the grader itself failed.
"""

from __future__ import annotations

import argparse
import locale
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from . import config
from .errors import GraderError, InternalError, SpecErrors
from .launch import Zygote
from .render import RENDERERS
from .sandbox import Options, grade
from .spec import load_exercise
from .validate import validate_paths

COMMANDS = ("validate", "schema")


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        if args and args[0] == "validate":
            return _validate(args[1:])
        if args and args[0] == "schema":
            return _schema(args[1:])
        if args and args[0] == "check":
            return _check(args[1:])
        if args and args[0] == "batch":
            return _batch(args[1:])
        if args and args[0] == "new":
            return _new(args[1:])
        return _grade(args)
    except SpecErrors as exc:
        print(str(exc), file=sys.stderr)
        return 2
    except InternalError as exc:
        print(f"grade: the grader itself failed; this is not your code's fault. Please report it:\n{exc}", file=sys.stderr)
        return exc.exit_code
    except GraderError as exc:
        print(f"grade: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        return 130


def _grade_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="grade",
        description="Grade your FastAPI WebSocket solution for one lesson.",
        epilog="Other commands: grade validate [SPEC ...], grade check [EXERCISE ...], "
        "grade batch EXERCISE SUBMISSION ..., grade new EXERCISE --title TITLE, grade schema.",
    )
    parser.add_argument("exercise", help="the lesson id, e.g. t3l2")
    parser.add_argument("--app", metavar="PATH[:ATTR]", help="your file (default: from grader.toml), and the app's name")
    parser.add_argument("--format", choices=sorted(RENDERERS), default="text", help="report format (default: text)")
    parser.add_argument("--output", metavar="FILE", help="also write the report in --format to FILE")
    parser.add_argument("--lang", choices=("en", "ko"), help="language of the report (default: from the locale)")
    parser.add_argument("--all-checks", action="store_true",
                        help="also run hidden checks (for CI and autograders; learners see only that they exist)")
    return parser


def _grade(args: list[str]) -> int:
    parser = _grade_parser()
    try:
        opts = parser.parse_args(args)
    except SystemExit as exc:
        return 0 if exc.code == 0 else 2
    course = config.load()
    spec_path = course.spec_path(opts.exercise)
    if not spec_path.is_file():
        known = ", ".join(p.stem for p in course.spec_paths())
        print(f"grade: no exercise {opts.exercise!r} (known: {known})", file=sys.stderr)
        return 2
    exercise = load_exercise(spec_path)
    app_path, attr = _app_argument(opts.app, course.workspace / exercise.file)
    lang = opts.lang or _locale_language()
    result = grade(exercise, app_path, Options(attr=attr, lang=lang, limits=course.limits, run_hidden=opts.all_checks))
    report = RENDERERS[opts.format](result, exercise)
    if opts.output:
        Path(opts.output).write_text(report, encoding="utf-8")
        sys.stdout.write(RENDERERS["text"](result, exercise))
    else:
        sys.stdout.write(report)
    return 0 if result.passed else 1


def _app_argument(value: str | None, default: Path) -> tuple[Path, str]:
    if not value:
        return default, "app"
    path, sep, attr = value.rpartition(":")
    if sep and path and attr.isidentifier():
        return Path(path), attr
    return Path(value), "app"


def _locale_language() -> str:
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(name)
        if value:
            return "ko" if value.lower().startswith("ko") else "en"
    code = locale.getlocale()[0] or ""
    return "ko" if code.lower().startswith("ko") else "en"


def _validate(args: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="grade validate", description="Check exercise specs; print every error.")
    parser.add_argument("paths", nargs="*", help="spec files or folders (default: the course's exercises)")
    opts = parser.parse_args(args)
    paths = [Path(p) for p in opts.paths] or [Path(os.path.relpath(config.load().exercises))]
    errors, count = validate_paths(paths)
    for error in errors:
        print(error, file=sys.stderr)
    if errors:
        print(f"{len(errors)} error{'s' if len(errors) != 1 else ''} in {count} spec{'s' if count != 1 else ''}", file=sys.stderr)
        return 2
    print(f"{count} spec{'s' if count != 1 else ''} valid")
    return 0


def _check(args: list[str]) -> int:
    from . import catalog

    parser = argparse.ArgumentParser(
        prog="grade check",
        description="Prove each spec: the reference passes, the starter fails, "
        "wrong variants fail the check they name, correct variants pass.",
    )
    parser.add_argument("exercises", nargs="*", help="exercise ids (default: all)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="gradings at once (default: cores)")
    try:
        opts = parser.parse_args(args)
    except SystemExit as exc:
        return 0 if exc.code == 0 else 2
    course = config.load()
    paths = [course.spec_path(e) for e in opts.exercises] or course.spec_paths()
    missing = [p.stem for p in paths if not p.is_file()]
    if missing:
        print(f"grade check: no exercise {', '.join(map(repr, missing))}", file=sys.stderr)
        return 2
    exercises = [load_exercise(p) for p in paths]
    items = catalog.subjects(exercises, course.solutions, course.starters, course.variants)
    started = time.perf_counter()
    with Zygote() as zygote:
        outcomes = catalog.run(items, Options(limits=course.limits, launcher=zygote, run_hidden=True), opts.jobs)
    sys.stdout.write(catalog.table(outcomes))
    bad = sum(not o.ok for o in outcomes)
    print(f"\n{len(outcomes) - bad}/{len(outcomes)} as expected across {len(exercises)} exercises "
          f"in {time.perf_counter() - started:.1f} s")
    return 0 if bad == 0 else 1


def _parse(parser: argparse.ArgumentParser, args: list[str]) -> argparse.Namespace | int:
    try:
        return parser.parse_args(args)
    except SystemExit as exc:
        return 0 if exc.code == 0 else 2


def _batch(args: list[str]) -> int:
    from . import batch

    parser = argparse.ArgumentParser(prog="grade batch", description="Grade many submissions and write a gradebook.")
    parser.add_argument("exercise")
    parser.add_argument("submissions", nargs="+", help="files, folders, or a folder of one folder per learner")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="gradings at once (default: cores)")
    parser.add_argument("--out", default=".", help="folder for gradebook.csv and gradebook.json (default: here)")
    opts = _parse(parser, args)
    if isinstance(opts, int):
        return opts
    course = config.load()
    spec_path = course.spec_path(opts.exercise)
    if not spec_path.is_file():
        print(f"grade batch: no exercise {opts.exercise!r}", file=sys.stderr)
        return 2
    exercise = load_exercise(spec_path)
    submissions = batch.find_submissions(exercise, [Path(p) for p in opts.submissions])
    started = time.perf_counter()
    rows = batch.run(exercise, submissions, course.limits, opts.jobs)
    elapsed = time.perf_counter() - started
    out = Path(opts.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "gradebook.csv").write_text(batch.gradebook_csv(exercise, rows), encoding="utf-8")
    (out / "gradebook.json").write_text(batch.gradebook_json(exercise, rows), encoding="utf-8")
    width = max([len(r.submission.name) for r in rows] + [10])
    for row in rows:
        data = row.as_dict(exercise)
        mark = "✓" if data["passed"] else "✗"
        note = f"  {data['error'][:80]}" if data["error"] else ""
        print(f"{mark} {data['submission']:<{width}} {data['points']:>3}/{data['max_points']}{note}")
    passed = sum(r.as_dict(exercise)["passed"] for r in rows)
    print(f"\n{passed}/{len(rows)} passed · {len(rows) / elapsed:.1f} submissions/s · "
          f"gradebook in {out / 'gradebook.csv'} and {out / 'gradebook.json'}")
    return 0


def _new(args: list[str]) -> int:
    from .scaffold import scaffold

    parser = argparse.ArgumentParser(prog="grade new", description="Scaffold a spec, a solution and a starter.")
    parser.add_argument("exercise", help="the new id, e.g. t5l1")
    parser.add_argument("--title", required=True)
    parser.add_argument("--xp", type=int, default=10)
    opts = _parse(parser, args)
    if isinstance(opts, int):
        return opts
    course = config.load()
    for path in scaffold(course, opts.exercise, opts.title, opts.xp):
        print(f"wrote {os.path.relpath(path)}")
    print(f"next: edit the spec, then `grade check {opts.exercise}`")
    return 0


def _schema(args: list[str]) -> int:
    from .schema import SCHEMA_PATH

    sys.stdout.write(SCHEMA_PATH.read_text(encoding="utf-8"))
    return 0
