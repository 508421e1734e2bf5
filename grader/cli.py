"""The ``grade`` command: parse arguments, call the engine, print. Nothing else.

Learners:
    grade [help] | next
    grade EXERCISE [--app PATH[:ATTR]] [--watch] [--server grader|uvicorn] [--format F] [--output FILE] [--lang en|ko]
    grade list | show EXERCISE | start EXERCISE [--force] | hint EXERCISE | progress [--html FILE] [--open]
    grade reset [EXERCISE] | submit EXERCISE [-o ZIP] | try EXERCISE [--path P] [--transcript FILE]
Instructors and CI:
    grade validate [PATH ...]
    grade check [EXERCISE ...] [--jobs N]
    grade batch EXERCISE SUBMISSION ... [--jobs N] [--out DIR] [--html FILE]
    grade new EXERCISE --title TITLE
    grade export gradescope|exercism|classroom EXERCISE[:SLUG]... -o PATH
    grade schema

Exit codes (--format exercism: 0 whenever results were written, as its runners must):
0 every check passed; 1 a check failed (the learner's code,
including code that cannot be imported, crashes, hangs or exits); 2 a usage
or spec error; 3 the grader itself failed.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from grader.course import config
from grader.course.validate import validate_paths
from grader.errors import GraderError, InternalError, SpecErrors, UsageError
from grader.i18n import language, say, t
from grader.judge.run import Options, grade
from grader.render import RENDERERS, html
from grader.render import text as text_report
from grader.result import Result, one_line
from grader.spec import Exercise, load_exercise

if TYPE_CHECKING:
    from grader.course.learn import Recorder


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args == ["--version"]:
        from importlib.metadata import version

        print(f"grade {version('grader')}")
        return 0
    # `grade` alone (or with only a language) says what there is to do.
    command: Callable[[list[str]], int] | None
    if not args or args[0].startswith("--lang"):
        command, rest = _help, args
    else:
        command, rest = COMMANDS.get(args[0]), args[1:]
    try:
        return command(rest) if command else _grade(args)
    except SpecErrors as exc:
        print(str(exc), file=sys.stderr)
        return 2
    except InternalError as exc:
        print("grade: " + say(_lang_of(args), "the grader itself failed; this is not your code's fault. Please report "
                                              "it:") + f"\n{exc}", file=sys.stderr)
        return exc.exit_code
    except GraderError as exc:
        key = getattr(exc, "key", None)
        text = t(key, _lang_of(args), **exc.values) if isinstance(exc, UsageError) and key else str(exc)
        print(f"grade: {text}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        raise  # the reader went away (grade ... | head): grader/entry.py ends quietly
    except Exception as exc:  # a bug of the grader's: never a bare traceback, never exit 1 (the learner's code)
        import traceback

        where = "".join(traceback.format_exception(exc)[-6:])
        print("grade: " + say(_lang_of(args), "the grader itself failed; this is not your code's fault. Please report "
                                              "it with the command you ran:") + f"\n{type(exc).__name__}: {exc}\n{where}",
              file=sys.stderr)
        return 3


def _lang_of(args: list[str]) -> str:
    """The language asked for on the command line (--lang ko, --lang=ko), else the locale's."""
    for index, arg in enumerate(args):
        if arg == "--lang" and index + 1 < len(args):
            return language(args[index + 1])
        if arg.startswith("--lang="):
            return language(arg.split("=", 1)[1])
    return language()


def _parse(parser: argparse.ArgumentParser, args: list[str]) -> argparse.Namespace | int:
    lang = _lang_of(args)
    if lang != "en":
        parser.error = lambda message: _usage_error(parser, message, lang)  # type: ignore[method-assign]
    try:
        return parser.parse_args(args)
    except SystemExit as exc:
        return 0 if exc.code == 0 else 2


# argparse's own complaints (Lib/argparse.py), as a learner reading another language is told them.
_ARGPARSE: list[tuple[re.Pattern[str], Callable[[str, tuple[str, ...]], str]]] = [
    (re.compile(r"unrecognized arguments: (.*)"), lambda lang, g: say(lang, "unrecognized arguments: {args}", args=g[0])),
    (re.compile(r"the following arguments are required: (.*)"),
     lambda lang, g: say(lang, "the following arguments are required: {args}", args=g[0])),
    (re.compile(r"argument (\S+): invalid choice: (.*) \(choose from (.*)\)"),
     lambda lang, g: say(lang, "argument {args}: invalid choice: {value} (choose from {choices})", args=g[0],
                         value=g[1], choices=g[2])),
    (re.compile(r"argument (\S+): expected one argument"),
     lambda lang, g: say(lang, "argument {args}: expected one argument", args=g[0])),
]


def _usage_error(parser: argparse.ArgumentParser, message: str, lang: str) -> NoReturn:
    """argparse's error exit (usage, then the complaint, exit 2), in ``lang``."""
    for pattern, words in _ARGPARSE:
        found = pattern.fullmatch(message)
        if found:
            message = words(lang, found.groups())
            break
    usage = parser.format_usage().replace("usage: ", say(lang, "usage: "), 1)
    parser.exit(2, f"{usage}{parser.prog}: {say(lang, 'error')}: {message}\n")


def _exercise(course: config.Course, ident: str) -> Exercise:
    path = course.spec_path(ident)
    if not path.is_file():
        known = ", ".join(p.stem for p in course.spec_paths())
        raise UsageError(f"no exercise {ident!r} (known: {known})", key="no_exercise", id=ident, known=known)
    return load_exercise(path)


def _shown(path: Path) -> str:
    """A path as a learner would type it here: relative below the current folder, absolute elsewhere."""
    absolute = path.resolve()
    try:
        return str(absolute.relative_to(Path.cwd()))
    except ValueError:
        return str(absolute)


def _store_warnings(store: object, lang: str = "en") -> None:
    for warning in getattr(store, "warnings", []):
        print(t("warning", lang, text=warning), file=sys.stderr)


# --- grading -----------------------------------------------------------------------


def _grade_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="grade",
        description="Grade your FastAPI WebSocket solution for one lesson.",
        epilog="Other commands: list, show, start, hint, progress, reset, validate, check, batch, new, export, schema, "
        "doctor (grade COMMAND --help).",
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
    parser.add_argument("--server", choices=("grader", "uvicorn"), default="grader",
                        help="uvicorn: serve your app under a real uvicorn on a loopback port and talk to it over "
                             "TCP, on real time, to confirm a verdict (slower; never recorded)")
    return parser


def _grade(args: list[str]) -> int:
    opts = _parse(_grade_parser(), args)
    if isinstance(opts, int):
        return opts
    course = config.load()
    exercise = _exercise(course, opts.exercise)
    app_path, attr = _app_argument(opts.app, course.workspace / exercise.file)
    lang = language(opts.lang)
    options = Options(attr=attr, lang=lang, limits=course.limits, run_hidden=opts.all_checks,
                      uvicorn=opts.server == "uvicorn", transcripts=opts.format == "html")
    if options.uvicorn:
        opts.no_record = True  # a confirmation, not an attempt
        if opts.format == "text":
            sys.stdout.write(t("under uvicorn", lang) + "\n\n")
    from grader.course.learn import Recorder

    recorder = Recorder(course, exercise, lang, watching=opts.watch)
    if opts.watch:
        from grader.course.watch import watch

        return watch(exercise, app_path, options, lambda result: _report(opts, exercise, result, lang, recorder))
    if opts.format == "text" and sys.stderr.isatty():
        options.on_progress = _progress_line(lang)
    result = grade(exercise, app_path, options)
    return _report(opts, exercise, result, lang, recorder)


def _progress_line(lang: str) -> Callable[[int, int, str], None]:
    def show(index: int, total: int, name: str) -> None:
        columns = shutil.get_terminal_size((80, 24)).columns  # COLUMNS, else the terminal's width
        line = t("running", lang, index=index, total=total, name=name)[:max(10, columns - 2)]
        sys.stderr.write("\r\x1b[2K" + line if index <= total else "\r\x1b[2K")
        sys.stderr.flush()

    return show


def _report(opts: argparse.Namespace, exercise: Exercise, result: Result, lang: str, recorder: Recorder) -> int:
    text = text_report.render(result, lang=lang)
    if opts.format == "text":
        sys.stdout.write(text)
    else:
        report = html.render(result, lang) if opts.format == "html" else RENDERERS[opts.format](result, exercise)
        if opts.output:
            Path(opts.output).write_text(report, encoding="utf-8")
            sys.stdout.write(text)
        else:
            sys.stdout.write(report)
    if opts.format == "text" and opts.output:
        Path(opts.output).write_text(text, encoding="utf-8")
    shown = opts.format == "text" or opts.output
    # Exercism's runner interface: exit 0 whenever results.json was written, whatever the tests say.
    code = 0 if result.passed or opts.format == "exercism" else 1
    if opts.no_record:
        return code
    app = Path(result.app)
    try:
        content = _take(app, recorder.course, lang)
    except UsageError:  # not taken in (missing, too large, not a regular file): graded as nothing, no attempt
        return code
    lines = recorder.record(app, content, result)
    _store_warnings(recorder, recorder.lang)
    if shown and lines:
        sys.stdout.write("\n".join(lines) + "\n")
    return code


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
    return 1 if doctor.missing(report) else 0


def _list(args: list[str]) -> int:
    from grader.course.learn import Catalog, list_text
    from grader.course.progress import Store

    opts = _parse(_learner_parser("grade list", "Lessons, with your status and XP.", False), args)
    if isinstance(opts, int):
        return opts
    store = Store(lang=language(opts.lang))
    progress = store.load()
    _store_warnings(store, store.lang)
    sys.stdout.write(list_text(Catalog.load(config.load()), progress, language(opts.lang)))
    return 0


def _show(args: list[str]) -> int:
    from grader.course.learn import show_text

    opts = _parse(_learner_parser("grade show", "A lesson's instructions.", True), args)
    if isinstance(opts, int):
        return opts
    course = config.load()
    exercise = _exercise(course, opts.exercise)
    sys.stdout.write(show_text(exercise, language(opts.lang), Path(_shown(course.workspace / exercise.file))))
    return 0


def _start(args: list[str]) -> int:
    from grader.course.learn import start

    parser = _learner_parser("grade start", "Write the lesson's starter to your file (never overwrites).", True)
    parser.add_argument("--force", action="store_true",
                        help="start over: your file is moved aside (never deleted), then the starter is written")
    opts = _parse(parser, args)
    if isinstance(opts, int):
        return opts
    course = config.load()
    exercise = _exercise(course, opts.exercise)
    target = course.workspace / exercise.file
    print(start(exercise, course, Path(_shown(target)), language(opts.lang), force=opts.force))
    return 0


def _help(args: list[str]) -> int:
    """``grade`` alone or ``grade help``: the commands, and the next lesson to do."""
    from grader.course.learn import Catalog, help_text
    from grader.course.progress import Store

    opts = _parse(_learner_parser("grade help", "The commands, and what to do next.", False), args)
    if isinstance(opts, int):
        return opts
    store = Store(lang=language(opts.lang))
    sys.stdout.write(help_text(Catalog.load(config.load()), store.load(), language(opts.lang)))
    _store_warnings(store, store.lang)
    return 0


def _next(args: list[str]) -> int:
    """Start the first lesson not passed yet, or grade it if it is started."""
    from grader.course.learn import Catalog, next_lesson, show_text, start
    from grader.course.progress import Store

    opts = _parse(_learner_parser("grade next", "Start (or grade) the next lesson you have not passed.", False), args)
    if isinstance(opts, int):
        return opts
    lang = language(opts.lang)
    course = config.load()
    store = Store(lang=lang)
    following = next_lesson(Catalog.load(course), store.load())
    _store_warnings(store, store.lang)
    if following is None:
        print(t("next_all_done", lang))
        return 0
    target = course.workspace / following.file
    if target.exists():
        return _grade([following.id, *(["--lang", opts.lang] if opts.lang else [])])
    sys.stdout.write(show_text(following, lang, Path(_shown(target))) + "\n")
    print(start(following, course, Path(_shown(target)), lang))
    return 0


def _try(args: list[str]) -> int:
    """Serve the learner's app under uvicorn and talk to it from the terminal."""
    from grader.course import poke

    parser = _learner_parser("grade try", "Serve your app under uvicorn and talk to it from the terminal "
                             "(type /help there).", True)
    parser.add_argument("--app", metavar="PATH[:ATTR]", help="your file (default: from grader.toml)")
    parser.add_argument("--path", help="the WebSocket path to connect to (default: the lesson's)")
    parser.add_argument("--transcript", metavar="FILE", help="save what crossed the connection to FILE at the end")
    opts = _parse(parser, args)
    if isinstance(opts, int):
        return opts
    course, exercise, app_path, attr, lang = _learners_work(opts)
    path = opts.path or _first_path(exercise)
    if not path.startswith("/") or any(c.isspace() or not c.isprintable() for c in path):
        raise UsageError(f"--path {path!r}: a WebSocket path starts with / and has no spaces, e.g. /{path.strip('/ ')}")
    return poke.run(exercise.id, app_path, attr, course.limits, lang, path,
                    Path(opts.transcript) if opts.transcript else None)


def _learners_work(opts: argparse.Namespace) -> tuple[config.Course, Exercise, Path, str, str]:
    """The course, the lesson, the learner's file (which must exist: there is nothing to use yet
    otherwise), the app's name in it, and the language."""
    course = config.load()
    exercise = _exercise(course, opts.exercise)
    app_path, attr = _app_argument(opts.app, course.workspace / exercise.file)
    lang = language(opts.lang)
    if not os.path.lexists(app_path):
        raise UsageError(t("submit_missing", lang, path=_shown(app_path), id=exercise.id))
    _take(app_path, course, lang)  # a file that cannot be graded says why before anything starts
    return course, exercise, app_path, attr, lang


def _take(app_path: Path, course: config.Course, lang: str) -> bytes:
    """The learner's file as grading takes it in (see grader.judge.intake), or a UsageError saying why not."""
    from grader.files import Refused
    from grader.judge.intake import refusal, take

    try:
        return take(app_path, None, course.limits.app_kb * 1024)
    except Refused as refused:
        raise UsageError(refusal(refused, _shown(app_path), lang, submission=False).message) from None


def _first_path(exercise: Exercise) -> str:
    """The path the lesson's first conversation connects to."""
    for check in exercise.checks:
        for step in check.steps:
            if step.action == "connect":
                return str(getattr(step.arg, "path", "/ws"))
    return "/ws"


def _submit(args: list[str]) -> int:
    """Grade the learner's file and package it with its result for the instructor."""
    from grader.course.submit import package

    parser = _learner_parser("grade submit", "Package your file and its result for your instructor.", True)
    parser.add_argument("--app", metavar="PATH[:ATTR]", help="your file (default: from grader.toml)")
    parser.add_argument("-o", "--output", metavar="ZIP", help="where to write the package (default: ID-submission.zip)")
    opts = _parse(parser, args)
    if isinstance(opts, int):
        return opts
    course, exercise, app_path, attr, lang = _learners_work(opts)
    content = _take(app_path, course, lang)
    result = grade(exercise, app_path, Options(attr=attr, lang=lang, limits=course.limits))
    if _take(app_path, course, lang) != content:
        # The zip must hold the bytes that were graded.
        raise UsageError(t("submit_changed", lang, path=_shown(app_path), id=exercise.id))
    out = Path(opts.output or f"{exercise.id}-submission.zip")
    digest = package(out, exercise, content, result)
    sys.stdout.write(text_report.render(result, lang=lang))
    print("\n" + t("submit_wrote", lang, path=_shown(out), digest=digest[:12], n=result.hidden_pending))
    return 0


def _hint(args: list[str]) -> int:
    from grader.course.learn import hint_text
    from grader.course.progress import Store

    opts = _parse(_learner_parser("grade hint", "The lesson's hints, one more tier each time.", True), args)
    if isinstance(opts, int):
        return opts
    exercise = _exercise(config.load(), opts.exercise)
    store = Store(lang=language(opts.lang))
    print(hint_text(exercise, store, language(opts.lang)))
    _store_warnings(store, store.lang)
    return 0


def _progress(args: list[str]) -> int:
    from grader.course.learn import Catalog, progress_text
    from grader.course.progress import Store

    parser = _learner_parser("grade progress", "Your level, XP, lessons and achievements.", False)
    parser.add_argument("--html", metavar="FILE", help="also write your course page to FILE")
    parser.add_argument("--open", action="store_true", help="open the course page in your browser")
    opts = _parse(parser, args)
    if isinstance(opts, int):
        return opts
    store = Store(lang=language(opts.lang))
    progress = store.load()
    _store_warnings(store, store.lang)
    catalog = Catalog.load(config.load())
    lang = language(opts.lang)
    sys.stdout.write(progress_text(catalog, progress, lang))
    if opts.html or opts.open:
        from grader.course.learn import write_progress_page

        path = write_progress_page(catalog, progress, lang, Path(opts.html) if opts.html else None)
        print(t("page_written", lang, path=path))
        if opts.open:
            import webbrowser

            if not webbrowser.open(path.resolve().as_uri()):
                print(t("no_browser", lang, path=path), file=sys.stderr)
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
    one = "_one" if opts.exercise else ""
    if not opts.yes:
        try:
            answer = input(t("reset_confirm" + one, lang, id=opts.exercise))
        except EOFError:
            answer = ""
        if answer.strip().lower() not in ("yes", "y"):
            print(t("reset_cancelled", lang))
            return 1
    Store(lang=lang).reset(opts.exercise)
    print(t("reset_done" + one, lang, id=opts.exercise))
    return 0


# --- instructors and CI ------------------------------------------------------------------


def _validate(args: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="grade validate", description="Check exercise specs; print every error.")
    parser.add_argument("paths", nargs="*", help="spec files or folders (default: the course's exercises)")
    opts = _parse(parser, args)
    if isinstance(opts, int):
        return opts
    paths = [Path(p) for p in opts.paths] or [Path(_shown(config.load().exercises))]
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
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="judge processes, each grading two files at once (default: cores)")
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
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="judge processes, each grading two files at once (default: cores)")
    parser.add_argument("--out", default=".", help="folder for gradebook.csv and gradebook.json (default: here)")
    parser.add_argument("--html", metavar="FILE",
                        help="also write a class dashboard to FILE, with each submission's report beside it")
    parser.add_argument("--lang", choices=("en", "ko"), help="language of the HTML pages (default: from the locale)")
    opts = _parse(parser, args)
    if isinstance(opts, int):
        return opts
    course = config.load()
    exercise = _exercise(course, opts.exercise)
    submissions = batch.find_submissions(exercise, [Path(p) for p in opts.submissions])
    started = time.perf_counter()
    # With pages, every failure message is written in the pages' language (the gradebook's notes too).
    rows = batch.run(exercise, submissions, course.limits, opts.jobs, transcripts=bool(opts.html),
                     lang=language(opts.lang) if opts.html else "en")
    elapsed = time.perf_counter() - started
    out = Path(opts.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "gradebook.csv").write_text(batch.gradebook_csv(exercise, rows), encoding="utf-8")
    (out / "gradebook.json").write_text(batch.gradebook_json(exercise, rows), encoding="utf-8")
    book = [row.as_dict(exercise) for row in rows]
    # Folder names and errors are the learners': shown inert, on one line each.
    names = [one_line(data["submission"]) for data in book]
    width = max([len(name) for name in names] + [10])
    for name, data in zip(names, book, strict=True):
        mark = "✓" if data["passed"] else "✗"
        note = f"  {one_line(data['error'][:80])}" if data["error"] else ""
        print(f"{mark} {name:<{width}} {data['points']:>3}/{data['max_points']}{note}")
    passed = sum(data["passed"] for data in book)
    print(f"\n{passed}/{len(rows)} passed · {len(rows) / elapsed:.1f} submissions/s · "
          f"gradebook in {out / 'gradebook.csv'} and {out / 'gradebook.json'}")
    if opts.html:
        written = batch.write_dashboard(exercise, rows, Path(opts.html), language(opts.lang))
        print(f"dashboard in {written[0]}, {len(written) - 1} reports in {written[0].parent / (written[0].stem + '-reports')}")
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


def _export(args: list[str]) -> int:
    from grader.course.export import MANY, PLATFORMS, export

    parser = argparse.ArgumentParser(
        prog="grade export",
        description="Package a lesson for a platform that grades each submission in its own container.",
    )
    parser.add_argument("platform", choices=sorted(PLATFORMS),
                        help="gradescope: an autograder zip; exercism: a test-runner folder with a Dockerfile; "
                        "classroom: a GitHub Classroom workflow folder")
    parser.add_argument("exercise", nargs="+", metavar="EXERCISE[:SLUG]",
                        help="the lesson; for exercism, one or more, each with the slug the track gives it "
                        "(t3l2:json-router; the lesson's id when no slug is given)")
    parser.add_argument("-o", "--output", required=True, metavar="PATH", help="the zip (gradescope) or folder to write")
    opts = _parse(parser, args)
    if isinstance(opts, int):
        return opts
    if len(opts.exercise) > 1 and opts.platform not in MANY:
        raise UsageError(f"a {opts.platform} export holds one lesson; export each lesson on its own")
    course = config.load()
    named = [item.partition(":") for item in opts.exercise]
    if any(colon and opts.platform not in MANY for _, colon, _ in named):
        raise UsageError(f"only an exercism export takes a slug (EXERCISE:SLUG); {opts.platform} does not")
    exercises = [_exercise(course, ident) for ident, _, _ in named]
    written = export(opts.platform, course, exercises, Path(opts.output), [slug or None for _, _, slug in named])
    print(f"wrote {written}")
    return 0


def _schema(args: list[str]) -> int:
    from grader.spec.schema import SCHEMA_PATH

    sys.stdout.write(SCHEMA_PATH.read_text(encoding="utf-8"))
    return 0


COMMANDS: dict[str, Callable[[list[str]], int]] = {
    "help": _help,
    "next": _next,
    "submit": _submit,
    "try": _try,
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
    "export": _export,
    "doctor": _doctor,
}
