"""Learner progress: attempts, XP, levels and achievements that are never lost.

The store is one JSON file in the user's data folder (``GRADER_DATA_DIR``
overrides it). Every change is a read-modify-write under an exclusive file
lock, written to a temporary file, flushed to disk and renamed over the old
one: eight ``grade`` processes at once all record their passes, and a
process killed mid-write leaves the previous file whole. An unreadable file
is moved aside (never silently replaced) and the learner is told where.

XP for an exercise is banked once, on its first full pass. Levels and
achievements are defined in ``grader.toml`` and computed from the records.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from grader.errors import UsageError
from grader.i18n import os_error, say

STORE_VERSION = 1
DATA_DIR_ENV = "GRADER_DATA_DIR"


def data_dir() -> Path:
    override = os.environ.get(DATA_DIR_ENV)
    if override:
        return Path(override)
    import platformdirs

    return Path(platformdirs.user_data_dir("grader", appauthor=False))


# --- course rules (from grader.toml) ----------------------------------------------


@dataclass(frozen=True)
class Level:
    number: int
    name: str  # in English
    xp: int  # XP needed to reach it
    names: tuple[tuple[str, str], ...] = ()  # (language, name) pairs from `name = {en, ko}`

    def shown(self, lang: str) -> str:
        return dict(self.names).get(lang) or self.name


@dataclass(frozen=True)
class Achievement:
    id: str
    name: dict[str, str]  # by language, "en" always present
    description: dict[str, str]
    rule: str
    at_least: int = 1
    track: int | None = None


RULES: dict[str, dict[str, str]] = {
    "passes": {"en": "pass {n} different lessons", "en_one": "pass a lesson", "ko": "서로 다른 레슨 {n}개 통과"},
    "track": {"en": "pass every lesson of track {track}", "ko": "{track}번 트랙의 모든 레슨 통과"},
    "first_try": {"en": "pass {n} lessons on the first attempt", "en_one": "pass a lesson on the first attempt",
                  "ko": "레슨 {n}개를 첫 시도에 통과"},
    "all": {"en": "pass every lesson of the course", "ko": "코스의 모든 레슨 통과"},
    "day": {"en": "pass {n} lessons in one day", "en_one": "pass a lesson in one day", "ko": "하루에 레슨 {n}개 통과"},
    "xp": {"en": "earn {n} XP", "ko": "{n} XP 모으기"},
    "attempts": {"en": "grade your work {n} times", "en_one": "grade your work once", "ko": "채점 {n}번 받기"},
    "comeback": {"en": "pass a lesson after {n} failed attempts at it",
                 "en_one": "pass a lesson after a failed attempt at it", "ko": "{n}번 실패한 레슨을 통과"},
}


def _text(value: Any, source: str, what: str) -> dict[str, str]:
    if isinstance(value, str):
        return {"en": value}
    if isinstance(value, dict) and isinstance(value.get("en"), str):
        return {k: str(v) for k, v in value.items()}
    raise UsageError(f"{source}: {what} is a string or a table with at least en")


@dataclass(frozen=True)
class Rules:
    levels: tuple[Level, ...]
    achievements: tuple[Achievement, ...]

    def level_of(self, xp: int) -> tuple[Level, Level | None]:
        current = self.levels[0]
        for level in self.levels:
            if xp >= level.xp:
                current = level
        following = next((lv for lv in self.levels if lv.xp > xp), None)
        return current, following


def rules_from(data: dict[str, Any], source: str) -> Rules:
    raw_levels = data.get("levels") or [{"name": "Poller", "xp": 0}, {"name": "Listener", "xp": 120}]
    levels = []
    for number, item in enumerate(raw_levels):
        if not isinstance(item, dict) or not isinstance(item.get("xp"), int):
            raise UsageError(f"{source}: each [[levels]] needs a name and an integer xp")
        names = _text(item.get("name"), source, "a level's name")
        levels.append(Level(number, names["en"], item["xp"], tuple(sorted(names.items()))))
    if levels[0].xp != 0 or any(a.xp >= b.xp for a, b in zip(levels, levels[1:], strict=False)):
        raise UsageError(f"{source}: levels start at 0 XP and go up")
    achievements = []
    for item in data.get("achievements") or []:
        rule = item.get("rule")
        if rule not in RULES:
            raise UsageError(f"{source}: achievement {item.get('id')!r} has unknown rule {rule!r}; known: {', '.join(RULES)}")
        achievements.append(
            Achievement(
                id=str(item["id"]),
                name=_text(item.get("name"), source, f"achievement {item.get('id')!r} name"),
                description=_text(item.get("description", ""), source, f"achievement {item.get('id')!r} description"),
                rule=rule,
                at_least=int(item.get("at_least", 1)),
                track=item.get("track"),
            )
        )
    return Rules(tuple(levels), tuple(achievements))


# --- the records ------------------------------------------------------------------


@dataclass
class Progress:
    attempts: list[dict[str, Any]] = field(default_factory=list)
    passed: dict[str, dict[str, Any]] = field(default_factory=dict)
    hints_seen: dict[str, int] = field(default_factory=dict)

    @property
    def xp(self) -> int:
        return sum(int(p.get("xp", 0)) for p in self.passed.values())

    def attempts_at(self, exercise: str) -> list[dict[str, Any]]:
        return [a for a in self.attempts if a.get("exercise") == exercise]

    def status(self, exercise: str) -> str:
        if exercise in self.passed:
            return "passed"
        return "attempted" if self.attempts_at(exercise) else "new"

    def to_dict(self) -> dict[str, Any]:
        return {"version": STORE_VERSION, "attempts": self.attempts, "passed": self.passed, "hints_seen": self.hints_seen}

    @classmethod
    def from_dict(cls, data: Any) -> Progress:
        if not isinstance(data, dict) or data.get("version") != STORE_VERSION:
            raise ValueError("not a progress file of this grader")
        attempts, passed, hints = data.get("attempts"), data.get("passed"), data.get("hints_seen", {})
        if not isinstance(attempts, list) or not isinstance(passed, dict) or not isinstance(hints, dict):
            raise ValueError("the progress file's records are damaged")
        return cls(attempts, passed, hints)


@dataclass(frozen=True)
class Award:
    """What one recorded attempt changed."""

    xp_gained: int
    xp: int
    level_before: Level
    level: Level
    next_level: Level | None
    unlocked: tuple[Achievement, ...]
    first_pass: bool
    repeated: bool = False  # the same file as the last attempt at this lesson: not counted again


def unlocked(progress: Progress, rules: Rules, course: dict[str, int]) -> list[Achievement]:
    """The achievements the records earn. ``course`` maps exercise id to its track."""
    return [a for a in rules.achievements if earned(a, progress, course)]


def earned(achievement: Achievement, progress: Progress, course: dict[str, int]) -> bool:
    n = achievement.at_least
    passed = progress.passed
    rule = achievement.rule
    if rule == "passes":
        return len(passed) >= n
    if rule == "track":
        lessons = [e for e, t in course.items() if t == achievement.track]
        return bool(lessons) and all(e in passed for e in lessons)
    if rule == "first_try":
        return sum(1 for p in passed.values() if p.get("first_try")) >= n
    if rule == "all":
        return bool(course) and all(e in passed for e in course)
    if rule == "day":
        days: dict[str, int] = {}
        for record in passed.values():
            day = str(record.get("at", ""))[:10]
            days[day] = days.get(day, 0) + 1
        return any(count >= n for count in days.values())
    if rule == "xp":
        return progress.xp >= n
    if rule == "attempts":
        return len(progress.attempts) >= n
    if rule == "comeback":
        return any(p.get("failed_before", 0) >= n for p in passed.values())
    return False


def how_to_unlock(achievement: Achievement, lang: str = "en") -> str:
    texts = RULES[achievement.rule]
    if achievement.at_least == 1 and f"{lang}_one" in texts:
        return texts[f"{lang}_one"].format(track=achievement.track)
    return (texts.get(lang) or texts["en"]).format(n=achievement.at_least, track=achievement.track)


# --- the store --------------------------------------------------------------------


class Store:
    """The progress file, safe against crashes and concurrent writers."""

    def __init__(self, folder: Path | None = None, lang: str = "en") -> None:
        self.folder = folder or data_dir()
        self.path = self.folder / "progress.json"
        self.lock_path = self.folder / "progress.lock"
        self.lang = lang  # of the warnings and errors a learner reads
        self.warnings: list[str] = []

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        self.folder.mkdir(parents=True, exist_ok=True)
        with open(self.lock_path, "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def _read(self) -> Progress:
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return Progress()
        except OSError as exc:
            raise UsageError(say(self.lang, "cannot read your progress file {path}: {error}", path=self.path,
                                 error=os_error(self.lang, exc))) from None
        try:
            return Progress.from_dict(json.loads(text))
        except (ValueError, UnicodeDecodeError) as exc:
            backup = self.path.with_name(f"progress.json.corrupt-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}")
            os.replace(self.path, backup)
            self.warnings.append(say(self.lang, "your progress file was unreadable ({error}); it is kept as {backup}, "
                                                "and a new one was started", error=exc, backup=backup))
            return Progress()

    def _write(self, progress: Progress) -> None:
        data = json.dumps(progress.to_dict(), ensure_ascii=False, indent=1).encode("utf-8")
        fd, temp = tempfile.mkstemp(prefix=".progress-", suffix=".tmp", dir=self.folder)
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temp, self.path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temp)
            raise
        with contextlib.suppress(OSError):
            dir_fd = os.open(self.folder, os.O_RDONLY)
            try:
                os.fsync(dir_fd)
            finally:
                os.close(dir_fd)

    def load(self) -> Progress:
        with self._locked():
            return self._read()

    @contextlib.contextmanager
    def update(self) -> Iterator[Progress]:
        """Read, let the caller change, write back: all under the lock."""
        with self._locked():
            progress = self._read()
            yield progress
            self._write(progress)

    def record(self, exercise: str, xp: int, passed: bool, checks_passed: int, checks_total: int,
               points: int, max_points: int, rules: Rules, course: dict[str, int], digest: str | None = None) -> Award:
        """Record one attempt; bank the exercise's XP if this is its first full pass.

        ``digest`` names the graded file's content: the same file graded again
        (byte for byte, right after itself) is the same attempt, not a new one.
        """
        now = datetime.now().isoformat(timespec="seconds")
        with self.update() as progress:
            before_xp = progress.xp
            before_unlocked = {a.id for a in unlocked(progress, rules, course)}
            earlier = progress.attempts_at(exercise)
            repeated = digest is not None and bool(earlier) and earlier[-1].get("sha256") == digest
            if not repeated:
                progress.attempts.append({
                    "at": now, "exercise": exercise, "passed": passed, "checks_passed": checks_passed,
                    "checks_total": checks_total, "points": points, "max_points": max_points,
                    **({"sha256": digest} if digest is not None else {}),
                })
            first_pass = passed and exercise not in progress.passed
            if first_pass:
                progress.passed[exercise] = {
                    "at": now, "xp": xp, "first_try": not earlier,
                    "failed_before": sum(1 for a in earlier if not a.get("passed")),
                }
            after_xp = progress.xp
            new = tuple(a for a in unlocked(progress, rules, course) if a.id not in before_unlocked)
        level_before, _ = rules.level_of(before_xp)
        level, following = rules.level_of(after_xp)
        return Award(after_xp - before_xp, after_xp, level_before, level, following, new, first_pass, repeated)

    def reset(self, exercise: str | None = None) -> None:
        with self.update() as progress:
            if exercise is None:
                progress.attempts.clear()
                progress.passed.clear()
                progress.hints_seen.clear()
            else:
                progress.attempts[:] = [a for a in progress.attempts if a.get("exercise") != exercise]
                progress.passed.pop(exercise, None)
                progress.hints_seen.pop(exercise, None)

    def see_hint(self, exercise: str, available: int) -> int:
        """Reveal the next hint tier; return how many are now seen."""
        with self.update() as progress:
            seen = min(progress.hints_seen.get(exercise, 0) + 1, available)
            progress.hints_seen[exercise] = seen
            return seen
