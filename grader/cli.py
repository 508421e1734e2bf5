"""The ``grade`` command: parse arguments, call the engine, print. Nothing else.

Learners:
    grade EXERCISE [--app PATH[:ATTR]] [--watch] [--format F] [--output FILE] [--lang en|ko]
    grade list | show EXERCISE | start EXERCISE | hint EXERCISE | progress | reset [EXERCISE]
Instructors and CI:
    grade validate [PATH ...]
    grade check [EXERCISE ...] [--jobs N]
    grade batch EXERCISE SUBMISSION ... [--jobs N] [--out DIR]
    grade new EXERCISE --title TITLE
    grade schema

Exit codes (--format exercism: 0 whenever results were written, as its runners must):
0 every check passed; 1 a check failed (the learner's code,
including code that cannot be imported, crashes, hangs or exits); 2 a usage
or spec error; 3 the grader itself failed.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from grader.course import config
from grader.course.validate import validate_paths
from grader.errors import GraderError, InternalError, SpecErrors, UsageError
from grader.i18n import language, t
from grader.judge.run import Options, grade
from grader.render import RENDERERS
from grader.render import text as text_report
from grader.result import Result
from grader.spec import Exercise, load_exercise


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args == ["--version"]:
        from importlib.metadata import version

        print(f"grade {version('grader')}")
        return 0
    command = COMMANDS.get(args[0]) if args else None
    try:
        return command(args[1:]) if command else _grade(args)
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


def _parse(parser: argparse.ArgumentParser, args: list[str]) -> argparse.Namespace | int:
    try:
        return parser.parse_args(args)
    except SystemExit as exc:
        return 0 if exc.code == 0 else 2


def _exercise(course: config.Course, ident: str) -> Exercise:
    path = course.spec_path(ident)
    if not path.is_file():
        known = ", ".join(p.stem for p in course.spec_paths())
        raise UsageError(f"no exercise {ident!r} (known: {known})")
    return load_exercise(path)


def _store_warnings(store: object) -> None:
    for warning in getattr(store, "warnings", []):
        print(t("warning", "en", text=warning), file=sys.stderr)


# --- grading -----------------------------------------------------------------------


def _grade_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="grade",
        description="Grade your FastAPI WebSocket solution for one lesson.",
        epilog="Other commands: list, show, start, hint, progress, reset, validate, check, batch, new, schema, doctor "
        "(grade COMMAND --help).",
    )
    parser.add_argument("exercise", help="the lesson id, e.g. t3l2")
    parser.add_argument("--app", metavar="PATH[:ATTR]", help="your file (default: from grader.toml), and the app's name")
    parser.add_argument("--format", choices=sorted(RENDERERS), default="text", help="report format (default: text)")
    parser.add_argument("--output", metavar="FILE", help="also write the report in --format to FILE")
    parser.add_argument("--lang", choices=("en", "ko"), help="language of the report (default: from the locale)")
    parser.add_argument("--watch", action="store_true", help="grade again every time the file is saved")
    parser.add_argument("--all-checks", action="store_true",
                        help="also run hidden checks (for CI and autograders; learners see only that they exist)")
    parser.add_argument("--no-record", action="store_true", help="do not record the attempt in your progress")
    return parser


def _grade(args: list[str]) -> int:
    opts = _parse(_grade_parser(), args)
    if isinstance(opts, int):
        return opts
    course = config.load()
    exercise = _exercise(course, opts.exercise)
    app_path, attr = _app_argument(opts.app, course.workspace / exercise.file)
    lang = language(opts.lang)
    options = Options(attr=attr, lang=lang, limits=course.limits, run_hidden=opts.all_checks)
    if opts.watch:
        from grader.course.watch import watch

        return watch(exercise, app_path, options, lambda result: _report(opts, course, exercise, result, lang))
    if opts.format == "text" and sys.stderr.isatty():
        options.on_progress = _progress_line(lang)
    result = grade(exercise, app_path, options)
    return _report(opts, course, exercise, result, lang)


def _progress_line(lang: str) -> Callable[[int, int, str], None]:
    def show(index: int, total: int, name: str) -> None:
        line = t("running", lang, index=index, total=total, name=name)[:78]
        sys.stderr.write("\r\x1b[2K" + line if index <= total else "\r\x1b[2K")
        sys.stderr.flush()

    return show


def _report(opts: argparse.Namespace, course: config.Course, exercise: Exercise, result: Result, lang: str) -> int:
    text = text_report.render(result, lang=lang)
    if opts.format == "text":
        sys.stdout.write(text)
    else:
        report = RENDERERS[opts.format](result, exercise)
        if opts.output:
            Path(opts.output).write_text(report, encoding="utf-8")
            sys.stdout.write(text)
        else:
            sys.stdout.write(report)
    if opts.format == "text" and opts.output:
        Path(opts.output).write_text(text, encoding="utf-8")
    if not opts.no_record and Path(result.app).is_file():  # nothing written yet is no attempt
        from grader.course.learn import award_lines
        from grader.course.progress import Store

        store = Store()
        award = store.record(exercise.id, exercise.xp, result.passed, result.passed_count, len(result.checks),
                             result.points, result.max_points, course.rules, course.tracks())
        _store_warnings(store)
        if opts.format == "text" or opts.output:
            sys.stdout.write("\n".join(award_lines(award, result, course, lang)) + "\n")
    if opts.format == "exercism":
        return 0  # Exercism's runner interface: exit 0 whenever results.json was written, whatever the tests say
    return 0 if result.passed else 1


def _app_argument(value: str | None, default: Path) -> tuple[Path, str]:
    if not value:
        return default, "app"
    path, sep, attr = value.rpartition(":")
    if sep and path and attr.isidentifier():
        return Path(path), attr
    return Path(value), "app"


# --- the learner's other commands ------------------------------------------------------


def _learner_parser(prog: str, description: str, exercise: bool | None) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=prog, description=description)
    if exercise is True:
        parser.add_argument("exercise")
    elif exercise is None:
        parser.add_argument("exercise", nargs="?")
    parser.add_argument("--lang", choices=("en", "ko"))
    return parser


def _doctor(args: list[str]) -> int:
    from grader.judge import doctor

    parser = argparse.ArgumentParser(prog="grade doctor",
                                     description="Which protections learner apps run under on this machine.")
    opts = _parse(parser, args)
    if isinstance(opts, int):
        return opts
    report = doctor.probe()
    sys.stdout.write(doctor.text(report))
    return 0 if all(report.protections.get(name, False) for name in doctor.MEANING) else 1


def _list(args: list[str]) -> int:
    from grader.course.learn import Catalog, list_text
    from grader.course.progress import Store

    opts = _parse(_learner_parser("grade list", "Lessons, with your status and XP.", False), args)
    if isinstance(opts, int):
        return opts
    store = Store()
    progress = store.load()
    _store_warnings(store)
    sys.stdout.write(list_text(Catalog.load(config.load()), progress, language(opts.lang)))
    return 0


def _show(args: list[str]) -> int:
    from grader.course.learn import show_text

    opts = _parse(_learner_parser("grade show", "A lesson's instructions.", True), args)
    if isinstance(opts, int):
        return opts
    course = config.load()
    exercise = _exercise(course, opts.exercise)
    sys.stdout.write(show_text(exercise, language(opts.lang), course.workspace / exercise.file))
    return 0


def _start(args: list[str]) -> int:
    from grader.course.learn import start

    opts = _parse(_learner_parser("grade start", "Write the lesson's starter to your file (never overwrites).", True), args)
    if isinstance(opts, int):
        return opts
    course = config.load()
    exercise = _exercise(course, opts.exercise)
    target = course.workspace / exercise.file
    print(start(exercise, course, Path(os.path.relpath(target)), language(opts.lang)))
    return 0


def _hint(args: list[str]) -> int:
    from grader.course.learn import hint_text
    from grader.course.progress import Store

    opts = _parse(_learner_parser("grade hint", "The lesson's hints, one more tier each time.", True), args)
    if isinstance(opts, int):
        return opts
    exercise = _exercise(config.load(), opts.exercise)
    store = Store()
    print(hint_text(exercise, store, language(opts.lang)))
    _store_warnings(store)
    return 0


def _progress(args: list[str]) -> int:
    from grader.course.learn import Catalog, progress_text
    from grader.course.progress import Store

    opts = _parse(_learner_parser("grade progress", "Your level, XP, lessons and achievements.", False), args)
    if isinstance(opts, int):
        return opts
    store = Store()
    progress = store.load()
    _store_warnings(store)
    sys.stdout.write(progress_text(Catalog.load(config.load()), progress, language(opts.lang)))
    return 0


def _reset(args: list[str]) -> int:
    from grader.course.progress import Store

    parser = _learner_parser("grade reset", "Forget your progress (one lesson, or everything).", None)
    parser.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    opts = _parse(parser, args)
    if isinstance(opts, int):
        return opts
    lang = language(opts.lang)
    if opts.exercise:
        _exercise(config.load(), opts.exercise)
    what = opts.exercise or t("reset_all", lang)
    if not opts.yes:
        try:
            answer = input(t("reset_confirm", lang, what=what))
        except EOFError:
            answer = ""
        if answer.strip().lower() not in ("yes", "y"):
            print(t("reset_cancelled", lang))
            return 1
    Store().reset(opts.exercise)
    print(t("reset_done", lang, what=what))
    return 0


# --- instructors and CI ------------------------------------------------------------------


def _validate(args: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="grade validate", description="Check exercise specs; print every error.")
    parser.add_argument("paths", nargs="*", help="spec files or folders (default: the course's exercises)")
    opts = _parse(parser, args)
    if isinstance(opts, int):
        return opts
    paths = [Path(p) for p in opts.paths] or [Path(os.path.relpath(config.load().exercises))]
    found = validate_paths(paths)
    for warning in found.warnings:
        print(f"{warning.mark}: warning: {warning.message}", file=sys.stderr)
    for error in found.errors:
        print(error, file=sys.stderr)
    count, errors = found.specs, found.errors
    if errors:
        print(f"{len(errors)} error{'s' if len(errors) != 1 else ''} in {count} spec{'s' if count != 1 else ''}", file=sys.stderr)
        return 2
    print(f"{count} spec{'s' if count != 1 else ''} valid")
    return 0


def _check(args: list[str]) -> int:
    from grader.course import catalog

    parser = argparse.ArgumentParser(
        prog="grade check",
        description="Prove each spec: the reference passes, the starter fails, "
        "wrong variants fail the check they name, correct variants pass.",
    )
    parser.add_argument("exercises", nargs="*", help="exercise ids (default: all)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="gradings at once (default: cores)")
    opts = _parse(parser, args)
    if isinstance(opts, int):
        return opts
    course = config.load()
    exercises = [_exercise(course, e) for e in opts.exercises] or [load_exercise(p) for p in course.spec_paths()]
    items, problems = catalog.subjects_of(course, exercises)
    started = time.perf_counter()
    outcomes = catalog.run(items, Options(limits=course.limits, run_hidden=True), opts.jobs)
    sys.stdout.write(catalog.table(outcomes, course.minimums))
    for problem in problems:
        print(problem, file=sys.stderr)
    bad = sum(not o.ok for o in outcomes)
    print(f"\n{len(outcomes) - bad}/{len(outcomes)} as expected across {len(exercises)} exercise{'' if len(exercises) == 1 else 's'} "
          f"in {time.perf_counter() - started:.1f} s" + (f"; {len(problems)} variant rule(s) broken" if problems else ""))
    return 0 if bad == 0 and not problems else 1


def _batch(args: list[str]) -> int:
    from grader.course import batch

    parser = argparse.ArgumentParser(prog="grade batch", description="Grade many submissions and write a gradebook.")
    parser.add_argument("exercise")
    parser.add_argument("submissions", nargs="+", help="files, folders, or a folder of one folder per learner")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="gradings at once (default: cores)")
    parser.add_argument("--out", default=".", help="folder for gradebook.csv and gradebook.json (default: here)")
    opts = _parse(parser, args)
    if isinstance(opts, int):
        return opts
    course = config.load()
    exercise = _exercise(course, opts.exercise)
    submissions = batch.find_submissions(exercise, [Path(p) for p in opts.submissions])
    started = time.perf_counter()
    rows = batch.run(exercise, submissions, course.limits, opts.jobs)
    elapsed = time.perf_counter() - started
    out = Path(opts.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "gradebook.csv").write_text(batch.gradebook_csv(exercise, rows), encoding="utf-8")
    (out / "gradebook.json").write_text(batch.gradebook_json(exercise, rows), encoding="utf-8")
    book = [row.as_dict(exercise) for row in rows]
    width = max([len(data["submission"]) for data in book] + [10])
    for data in book:
        mark = "✓" if data["passed"] else "✗"
        note = f"  {data['error'][:80]}" if data["error"] else ""
        print(f"{mark} {data['submission']:<{width}} {data['points']:>3}/{data['max_points']}{note}")
    passed = sum(data["passed"] for data in book)
    print(f"\n{passed}/{len(rows)} passed · {len(rows) / elapsed:.1f} submissions/s · "
          f"gradebook in {out / 'gradebook.csv'} and {out / 'gradebook.json'}")
    return 0


def _new(args: list[str]) -> int:
    from grader.course.scaffold import scaffold

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
    from grader.spec.schema import SCHEMA_PATH

    sys.stdout.write(SCHEMA_PATH.read_text(encoding="utf-8"))
    return 0


COMMANDS: dict[str, Callable[[list[str]], int]] = {
    "list": _list,
    "show": _show,
    "start": _start,
    "hint": _hint,
    "progress": _progress,
    "reset": _reset,
    "validate": _validate,
    "check": _check,
    "batch": _batch,
    "new": _new,
    "schema": _schema,
    "doctor": _doctor,
}
