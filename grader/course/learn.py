"""The learner's commands beyond grading: list, show, start, hint, progress, reset.

Each function returns the text to print; the CLI only parses and prints.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from grader.course.config import Course
from grader.course.progress import Award, Progress, Store, data_dir, earned, how_to_unlock
from grader.i18n import t
from grader.render.width import pad, width
from grader.result import Result
from grader.spec import Exercise, load_exercise, pick

BAR = 24


@dataclass(frozen=True)
class Catalog:
    course: Course
    exercises: tuple[Exercise, ...]

    @classmethod
    def load(cls, course: Course) -> Catalog:
        exercises = sorted((load_exercise(p) for p in course.spec_paths()), key=lambda e: (e.track, e.lesson, e.id))
        return cls(course, tuple(exercises))

    @property
    def tracks(self) -> dict[str, int]:
        return {e.id: e.track for e in self.exercises}


def bar(have: int, need: int, width: int = BAR) -> str:
    filled = 0 if need <= 0 else min(width, have * width // need)
    return "[" + "#" * filled + "." * (width - filled) + "]"


def level_lines(xp: int, course: Course, lang: str) -> list[str]:
    level, following = course.rules.level_of(xp)
    lines = [t("level_line", lang, number=level.number, name=level.shown(lang)) + " · " + t("xp_total", lang, xp=xp)]
    if following is None:
        lines.append(t("max_level", lang))
    else:
        have, need = xp - level.xp, following.xp - level.xp
        lines.append(f"{bar(have, need)} " + t("to_next", lang, have=have, need=need))
    return lines


def not_yours(course: Course, exercise: Exercise, app: Path, lang: str) -> str | None:
    """Why grading ``app`` records nothing (a file inside the course's own folders), or None.

    Only where the file lives decides: a learner's file is theirs whatever its
    content, even when it matches the reference byte for byte (a starter with
    its hints applied literally can).
    """
    resolved = app.resolve()
    if any(resolved.is_relative_to(folder.resolve()) for folder in (course.solutions, course.variants)):
        return t("not_recorded_reference", lang, id=exercise.id)
    if resolved.is_relative_to(course.starters.resolve()):
        return t("not_recorded_course_starter", lang, id=exercise.id)
    return None


def content_note(course: Course, exercise: Exercise, content: bytes, passed: bool, lang: str) -> tuple[bool, str | None]:
    """(whether to count this run as an attempt, a note for the learner) for a learner's own file.

    An untouched starter that fails is not an attempt yet (it would cost the
    first-try achievement for only looking); anything that passes is.
    """
    if _same(course.solutions / f"{exercise.id}.py", content):
        return True, t("same_as_reference", lang)
    if not passed and _same(course.starters / f"{exercise.id}.py", content):
        return False, t("still_starter", lang)
    return True, None


def _same(path: Path, content: bytes) -> bool:
    try:
        return path.is_file() and path.read_bytes() == content
    except OSError:
        return False


def award_lines(award: Award, result: Result, course: Course, lang: str) -> list[str]:
    """What a grading run did to the learner's progress, for the end of the report."""
    lines: list[str] = []
    if award.repeated:
        lines.append(t("same_file", lang))
    if award.first_pass:
        level = award.level
        head = (t("xp_gained", lang, xp=award.xp_gained) + " — "
                + t("level_line", lang, number=level.number, name=level.shown(lang)))
        if award.next_level is not None:
            have, need = award.xp - level.xp, award.next_level.xp - level.xp
            head += ", " + t("to_next", lang, have=have, need=need)
        lines.append(head)
        if award.level.number > award.level_before.number:
            lines.append(t("level_up", lang, number=level.number, name=level.shown(lang)))
    elif result.passed:
        lines.append(t("already_banked", lang, xp=result.xp))
    else:
        lines.append(t("no_xp_yet", lang))
    lines += [t("unlocked", lang, name=pick(a.name, lang), description=pick(a.description, lang)) for a in award.unlocked]
    return lines


class Recorder:
    """What each grading run of one ``grade`` command adds to progress, and the lines that say so.

    In watch mode a save that changes nothing in the verdict is not a new
    attempt; the verdict compared is the last one *recorded*, so a run that
    was not recorded (a course file, an untouched starter) never hides the
    next one, and a pass not banked yet is always recorded.
    """

    def __init__(self, course: Course, exercise: Exercise, lang: str, watching: bool = False) -> None:
        self.course, self.exercise, self.lang, self.watching = course, exercise, lang, watching
        self.last: tuple[bool, int, int] | None = None
        self.warnings: list[str] = []  # from the progress store, for stderr

    def record(self, app: Path, content: bytes, result: Result) -> list[str]:
        """``content``: the file's bytes as grading took them in (grader.judge.intake)."""
        self.warnings = []
        reason = not_yours(self.course, self.exercise, app, self.lang)
        if reason is not None:
            return [reason]
        counted, note = content_note(self.course, self.exercise, content, result.passed, self.lang)
        lines = [note] if note else []
        if not counted:
            return lines
        store = Store(lang=self.lang)
        verdict = (result.passed, result.passed_count, result.points)
        if self.watching and verdict == self.last and not (result.passed and self.exercise.id not in store.load().passed):
            return lines + [t("same_verdict", self.lang)]
        award = store.record(self.exercise.id, self.exercise.xp, result.passed, result.passed_count,
                             len(result.checks), result.points, result.max_points, self.course.rules,
                             self.course.tracks(), digest=hashlib.sha256(content).hexdigest())
        self.last = verdict
        self.warnings = store.warnings
        return lines + award_lines(award, result, self.course, self.lang)


def list_text(catalog: Catalog, progress: Progress, lang: str) -> str:
    lines = [t("list_title", lang)]
    current = None
    for exercise in catalog.exercises:
        if exercise.track != current:
            current = exercise.track
            lines += ["", t("track", lang, track=current)]
        status = progress.status(exercise.id)
        mark = {"passed": "✓", "attempted": "•", "new": " "}[status]
        label = t(f"status_{status}", lang)
        lines.append(f"  {mark} {exercise.id:<6} {pad(pick(exercise.title, lang), 40)} {exercise.xp:>3} XP  {label}")
    done = sum(1 for e in catalog.exercises if progress.status(e.id) == "passed")
    lines += ["", t("course_done", lang, done=done, total=len(catalog.exercises)) + " · " + t("xp_total", lang, xp=progress.xp)]
    return "\n".join(lines) + "\n"


def show_text(exercise: Exercise, lang: str, learner_file: Path) -> str:
    title = f"{exercise.id} · {pick(exercise.title, lang)}  ({exercise.xp} XP)"
    body = pick(exercise.instructions, lang).rstrip()
    visible = [c for c in exercise.checks if not c.hidden]
    hidden = len(exercise.checks) - len(visible)
    checks = [t("show_checks", lang, n=len(visible))] + [f"  · {pick(check.title, lang) if check.title else check.name}"
                                                         for check in visible]
    if hidden:
        checks.append("  " + t("show_hidden", lang, n=hidden))
    return f"{title}\n{'=' * width(title)}\n\n{body}\n\n" + "\n".join(checks) + f"\n\n→ {learner_file}\n"


def next_lesson(catalog: Catalog, progress: Progress) -> Exercise | None:
    """The first lesson, in course order, not passed yet."""
    return next((e for e in catalog.exercises if e.id not in progress.passed), None)


def help_text(catalog: Catalog, progress: Progress, lang: str) -> str:
    """What ``grade`` alone says: the commands, and what to do next."""
    lines = [t("help_head", lang), "", t("help_learners", lang)]
    lines += [f"  {command:<27}{t(key, lang)}" for command, key in HELP_LEARNER]
    lines += ["", t("help_instructors", lang),
              "  grade validate | check | batch | new | export | schema | doctor   (grade COMMAND --help)", ""]
    following = next_lesson(catalog, progress)
    if following is None:
        lines.append(t("help_all_done", lang))
    else:
        started = (catalog.course.workspace / following.file).exists()
        lines.append(t("help_next", lang, id=following.id, title=pick(following.title, lang),
                       command=f"grade {following.id}" if started else f"grade start {following.id}"))
    return "\n".join(lines) + "\n"


# (the command, what it does): the learner's commands, in the order a newcomer needs them.
HELP_LEARNER = [
    ("grade next", "help_next_cmd"),
    ("grade list", "help_list_cmd"),
    ("grade show ID", "help_show_cmd"),
    ("grade start ID [--force]", "help_start_cmd"),
    ("grade ID [--watch]", "help_grade_cmd"),
    ("grade ID --server uvicorn", "help_uvicorn_cmd"),
    ("grade try ID", "help_try_cmd"),
    ("grade hint ID", "help_hint_cmd"),
    ("grade progress [--html F]", "help_progress_cmd"),
    ("grade submit ID", "help_submit_cmd"),
]


def start(exercise: Exercise, course: Course, learner_file: Path, lang: str, force: bool = False) -> str:
    starter = course.starters / f"{exercise.id}.py"
    kept = ""
    if learner_file.exists() and force:
        # Never lost: the learner's file moves aside, under a name no other run can take.
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        aside = learner_file.with_name(f"{learner_file.name}.{stamp}.bak")
        number = 1
        while aside.exists():
            number += 1
            aside = learner_file.with_name(f"{learner_file.name}.{stamp}-{number}.bak")
        learner_file.rename(aside)
        kept = t("start_kept", lang, path=aside) + " "
    if learner_file.exists():
        return t("start_exists", lang, path=learner_file, id=exercise.id)
    learner_file.parent.mkdir(parents=True, exist_ok=True)
    # O_EXCL: never overwrite work, even if it appeared a moment ago.
    with open(learner_file, "x", encoding="utf-8") as out:
        out.write(starter.read_text(encoding="utf-8") if starter.is_file() else "from fastapi import FastAPI\n\napp = FastAPI()\n")
    return kept + t("start_wrote", lang, path=learner_file, id=exercise.id)


def hint_text(exercise: Exercise, store: Store, lang: str) -> str:
    if not exercise.hints:
        return t("no_hints", lang)
    seen = store.see_hint(exercise.id, len(exercise.hints))
    lines = []
    for number, hint in enumerate(exercise.hints[:seen], 1):
        lines += [t("hint_tier", lang, n=number, total=len(exercise.hints)) + ":", "  " + pick(hint, lang), ""]
    lines.append(t("hint_more", lang, id=exercise.id) if seen < len(exercise.hints) else t("hint_last", lang))
    return "\n".join(lines)


def progress_text(catalog: Catalog, progress: Progress, lang: str) -> str:
    course = catalog.course
    lines = [t("progress_title", lang), "", *level_lines(progress.xp, course, lang), ""]
    tracks = sorted({e.track for e in catalog.exercises})
    for track in tracks:
        mine = [e for e in catalog.exercises if e.track == track]
        done = sum(1 for e in mine if e.id in progress.passed)
        lines.append(f"{bar(done, len(mine), 10)} " + t("lessons_done", lang, track=track, done=done, total=len(mine)))
    achievements = course.rules.achievements
    got = [a for a in achievements if earned(a, progress, catalog.tracks)]
    lines += ["", t("achievements", lang, done=len(got), total=len(achievements))]
    for achievement in achievements:
        name = pick(achievement.name, lang)
        if achievement in got:
            lines.append(f"  ★ {name} — {pick(achievement.description, lang)}")
        else:
            lines.append(f"  ☆ {name} — " + t("locked", lang, how=how_to_unlock(achievement, lang)))
    lines += ["", t("progress_where", lang, path=data_dir() / "progress.json")]
    return "\n".join(lines) + "\n"


def write_progress_page(catalog: Catalog, progress: Progress, lang: str, path: Path | None = None) -> Path:
    """The course page as HTML, at ``path`` or beside the progress store; where it was written."""
    from grader.render.html import progress_page

    target = path or data_dir() / "progress.html"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(progress_page.render(catalog, progress, lang), encoding="utf-8")
    return target
