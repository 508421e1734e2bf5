"""Progress that is never lost: XP once, levels, achievements, crashes, concurrency."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from conftest import ROOT, run_grade
from grader.course import config
from grader.course.progress import Achievement, Progress, Store, earned, rules_from

RULES = rules_from(
    {
        "levels": [{"name": "Poller", "xp": 0}, {"name": "Listener", "xp": 120}, {"name": "Streamer", "xp": 420}],
        "achievements": [],
    },
    "test",
)
TRACKS = {"a1": 1, "a2": 1, "b1": 2}


def record(store: Store, exercise: str, passed: bool = True, xp: int = 20):  # type: ignore[no-untyped-def]
    return store.record(exercise, xp, passed, 1 if passed else 0, 1, 1 if passed else 0, 1, RULES, TRACKS)


def test_xp_is_banked_once_on_the_first_full_pass(tmp_path: Path) -> None:
    store = Store(tmp_path)
    first = record(store, "a1", passed=False)
    assert first.xp_gained == 0 and not first.first_pass
    second = record(store, "a1")
    assert second.xp_gained == 20 and second.first_pass
    third = record(store, "a1")
    assert third.xp_gained == 0 and third.xp == 20
    progress = store.load()
    assert progress.xp == 20
    assert [a["passed"] for a in progress.attempts] == [False, True, True]
    assert progress.passed["a1"]["first_try"] is False


def test_level_up(tmp_path: Path) -> None:
    store = Store(tmp_path)
    assert record(store, "a1", xp=100).level.name == "Poller"
    award = record(store, "a2", xp=60)
    assert (award.level_before.name, award.level.name) == ("Poller", "Listener")
    assert award.next_level is not None and award.next_level.name == "Streamer"
    assert [RULES.level_of(xp)[0].name for xp in (0, 119, 120, 419, 420)] == ["Poller", "Poller", "Listener", "Listener", "Streamer"]
    assert (award.xp, RULES.level_of(120)[1], RULES.level_of(420)[1]) == (160, RULES.levels[2], None)


def achievement(rule: str, at_least: int = 1, track: int | None = None) -> Achievement:
    return Achievement("x", {"en": "x"}, {"en": "x"}, rule, at_least, track)


def passes(*items: tuple[str, dict]) -> Progress:  # type: ignore[type-arg]
    return Progress(attempts=[], passed=dict(items))


@pytest.mark.parametrize(
    ("rule", "yes", "no"),
    [
        (achievement("passes", 2), passes(("a1", {}), ("a2", {})), passes(("a1", {}))),
        (achievement("track", track=1), passes(("a1", {}), ("a2", {})), passes(("a1", {}), ("b1", {}))),
        (achievement("first_try", 1), passes(("a1", {"first_try": True})), passes(("a1", {"first_try": False}))),
        (achievement("all"), passes(("a1", {}), ("a2", {}), ("b1", {})), passes(("a1", {}), ("a2", {}))),
        (achievement("day", 2), passes(("a1", {"at": "2026-11-22T10:00"}), ("a2", {"at": "2026-11-22T18:00"})),
         passes(("a1", {"at": "2026-11-21T10:00"}), ("a2", {"at": "2026-11-22T18:00"}))),
        (achievement("xp", 30), passes(("a1", {"xp": 20}), ("a2", {"xp": 10})), passes(("a1", {"xp": 20}))),
        (achievement("comeback", 3), passes(("a1", {"failed_before": 3})), passes(("a1", {"failed_before": 2}))),
    ],
    ids=lambda v: v.rule if isinstance(v, Achievement) else "",
)
def test_each_achievement_rule(rule: Achievement, yes: Progress, no: Progress) -> None:
    assert earned(rule, yes, TRACKS)
    assert not earned(rule, no, TRACKS)


def test_attempts_rule_counts_every_grading() -> None:
    rule = achievement("attempts", 3)
    assert earned(rule, Progress(attempts=[{}, {}, {}]), TRACKS)
    assert not earned(rule, Progress(attempts=[{}, {}]), TRACKS)


def test_the_course_defines_ten_achievements_and_starts_at_poller() -> None:
    course = config.load(ROOT / "grader.toml")
    assert len(course.rules.achievements) == 10
    first, following = course.rules.level_of(0)
    assert first.name == "Poller" and following is not None and following.xp == 120


WRITER = textwrap.dedent("""\
    import sys
    from pathlib import Path
    from grader.course.progress import Store, rules_from
    rules = rules_from({}, "t")
    store = Store(Path(sys.argv[1]))
    store.record(sys.argv[2], 10, True, 1, 1, 1, 1, rules, {})
    """)


def test_eight_concurrent_writers_all_record(tmp_path: Path) -> None:
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, str(tmp_path), f"ex{i}"]) for i in range(8)]
    assert [p.wait(timeout=60) for p in procs] == [0] * 8
    progress = Store(tmp_path).load()
    assert sorted(progress.passed) == [f"ex{i}" for i in range(8)]
    assert len(progress.attempts) == 8 and progress.xp == 80


KEEPS_WRITING = textwrap.dedent("""\
    import sys
    from pathlib import Path
    from grader.course.progress import Store, rules_from
    rules = rules_from({}, "t")
    store = Store(Path(sys.argv[1]))
    store.record("banked", 10, True, 1, 1, 1, 1, rules, {})
    print("banked", flush=True)
    n = 0
    while True:
        n += 1
        store.record(f"busy{n % 50}", 1, n % 2 == 0, 1, 1, 1, 1, rules, {})
    """)


@pytest.mark.parametrize("delay", [0.01, 0.05, 0.2])
def test_a_writer_killed_mid_write_loses_nothing_banked(tmp_path: Path, delay: float) -> None:
    proc = subprocess.Popen([sys.executable, "-c", KEEPS_WRITING, str(tmp_path)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "banked"
    time.sleep(delay)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    store = Store(tmp_path)
    progress = store.load()
    assert not store.warnings
    assert "banked" in progress.passed and progress.xp >= 10
    # And the store is still writable: the lock died with the writer.
    record(store, "after")
    assert "after" in store.load().passed


def test_a_corrupt_store_is_reported_and_backed_up(tmp_path: Path) -> None:
    (tmp_path / "progress.json").write_text("{ this is not json")
    store = Store(tmp_path)
    assert store.load().xp == 0
    (warning,) = store.warnings
    backups = list(tmp_path.glob("progress.json.corrupt-*"))
    assert len(backups) == 1 and str(backups[0]) in warning
    assert backups[0].read_text() == "{ this is not json"


def test_the_cli_reports_a_corrupt_store(private_progress: Path) -> None:
    (private_progress / "progress.json").write_text(json.dumps({"version": 99}))
    proc = run_grade("progress")
    assert proc.returncode == 0
    assert "warning: your progress file was unreadable" in proc.stderr


def learners_pass(tmp_path: Path) -> str:
    """A passing t3l1 written by a learner (not byte-identical to the reference, which records nothing)."""
    mine = tmp_path / "t3l1.py"
    mine.write_text((ROOT / "solutions" / "t3l1.py").read_text(encoding="utf-8") + "# mine\n", encoding="utf-8")
    return str(mine)


def test_grading_banks_xp_and_unlocks_achievements(tmp_path: Path) -> None:
    mine = learners_pass(tmp_path)
    first = run_grade("t3l1", "--app", mine)
    assert "+10 XP — Level 0 · Poller, 10/120 XP to next level" in first.stdout
    assert "Achievement unlocked: First frame" in first.stdout
    again = run_grade("t3l1", "--app", mine)
    assert "+10 XP" not in again.stdout and "banked on its first pass" in again.stdout
    listing = run_grade("list")
    assert any(line.split()[:2] == ["✓", "t3l1"] for line in listing.stdout.splitlines())
    progress = run_grade("progress")
    assert "10 XP" in progress.stdout and "2/10 achievements" in progress.stdout
    assert "Track 3: 1/8 lessons" in progress.stdout


def test_no_record_leaves_progress_alone(private_progress: Path) -> None:
    proc = run_grade("t3l1", "--app", "solutions/t3l1.py", "--no-record")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.splitlines()[-1] == "✓ All 4 checks passed. This lesson is worth 10 XP."  # no XP line after it
    assert not (private_progress / "progress.json").exists()


def test_reset_asks_first(private_progress: Path, tmp_path: Path) -> None:
    run_grade("t3l1", "--app", learners_pass(tmp_path))
    declined = subprocess.run([sys.executable, "-m", "grader", "reset", "t3l1"], cwd=ROOT, input="no\n",
                              capture_output=True, text=True, env=os.environ)
    assert declined.returncode == 1 and "Nothing was reset" in declined.stdout
    assert Store(private_progress).load().xp == 10
    done = run_grade("reset", "t3l1", "--yes")
    assert done.returncode == 0
    assert Store(private_progress).load().xp == 0


def test_tracks_follow_the_specs_as_they_change(course: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from grader.course import config

    monkeypatch.chdir(course)
    loaded = config.load()
    assert loaded.tracks()["t4l1"] == 4
    assert loaded.tracks()["t4l1"] == 4  # from the cache this time
    spec = course / "exercises" / "t4l1.yaml"
    spec.write_text(spec.read_text(encoding="utf-8").replace("track: 4", "track: 7"), encoding="utf-8")
    assert loaded.tracks()["t4l1"] == 7


def test_progress_says_where_it_lives(private_progress: Path) -> None:
    for lang, prefix in (("en", "Kept in "), ("ko", "저장 위치: ")):
        proc = run_grade("progress", "--lang", lang)
        assert proc.returncode == 0, proc.stderr
        line = proc.stdout.splitlines()[-1]
        assert line.startswith(prefix + str(private_progress / "progress.json")), line
