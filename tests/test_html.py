"""The HTML pages, read as markup: what each shows, that nothing reaches out, that learner text stays text.

What a person sees in a real browser is checked in test_pages_in_browser.py.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from conftest import ROOT, learners_copy, parsed, run_grade, self_contained
from grader import Options, Result, grade, load_exercise
from grader.render.html import report
from grader.render.html.beats import beats
from grader.render.html.jsondiff import Difference, differences

T3L2 = load_exercise(ROOT / "exercises" / "t3l2.yaml")
VARIANTS = ROOT / "tests" / "variants" / "t3l2"
HOSTILE = ROOT / "tests" / "submissions" / "hostile_markup.py"


@pytest.fixture(scope="module")
def key_error() -> Result:
    return grade(T3L2, VARIANTS / "key_error_without_type.py", Options(transcripts=True))


def test_grade_format_html_writes_a_self_contained_report(tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    proc = run_grade("t3l2", "--app", str(VARIANTS / "key_error_without_type.py"), "--format", "html",
                     "--output", str(out), "--no-record")
    assert proc.returncode == 1, proc.stderr
    assert "✗ an object without a type is echoed" in proc.stdout  # the terminal still shows the text report
    page = out.read_text(encoding="utf-8")
    self_contained(page)
    assert page.count('class="check ') == len([c for c in T3L2.checks if not c.hidden])
    # Every conversation check is drawn, passed ones too.
    conversations = [c for c in T3L2.checks if c.steps and not c.hidden]
    assert page.count('<div class="diagram"') == len(conversations)


def test_the_failed_step_its_expected_and_got_and_the_learners_exception(key_error: Result) -> None:
    page = report.render(key_error, "en")
    text = " ".join(parsed(page).text)
    assert "step 3, expect_json (t3l2.yaml:126)" in text
    assert "KeyError: 'type'" in text and "key_error_without_type.py:11 in router" in text
    assert 'if msg["type"] == "ping":' in text
    check = next(c for c in key_error.checks if c.name == "an object without a type is echoed")
    kinds = [(b.kind, b.label) for b in beats(check, "en")]
    assert kinds == [
        ("connect", "connect /ws"),
        ("accept", "accept"),
        ("message", '{"hello": "world"}'),
        ("error", "your code raised KeyError"),
        ("drop", "dropped without a close frame (a real client sees 1006)"),
        ("failure", "✗ step 3, expect_json (t3l2.yaml:126)"),
    ]


def test_failed_checks_come_first_and_passed_ones_are_folded(key_error: Result) -> None:
    page = report.render(key_error, "en")
    first_failed = page.index('<section class="check failed"')
    first_passed = page.index('<details class="check passed"')
    assert first_failed < first_passed


def test_a_json_answer_is_diffed_by_key_path() -> None:
    result = grade(T3L2, VARIANTS / "drops_nested_values.py", Options())
    page = report.render(result, "en")
    assert '<td class="mono">$.data.nested</td><td>missing</td>' in page
    # Numbers match by value, true is not 1, every difference is listed, not only the first.
    assert differences({"a": 1, "b": [1, 2], "c": True}, {"a": 1.0, "b": [1], "c": 1, "d": None}) == [
        Difference("$.b[1]", "missing", "2", ""),
        Difference("$.c", "changed", "true", "1"),
        Difference("$.d", "extra", "", "null"),
    ]
    assert [d.path for d in differences({"x": {"y z": 1}}, {"x": {"y z": 2}})] == ['$.x["y z"]']


def test_silence_closes_and_refusals_are_drawn(tmp_path: Path) -> None:
    heartbeat = grade(load_exercise(ROOT / "exercises" / "t3l6.yaml"), ROOT / "solutions" / "t3l6.py",
                      Options(transcripts=True))
    rows = [b for c in heartbeat.checks for b in beats(c, "en")]
    gaps = [b.label for b in rows if b.kind == "gap"]
    assert "10.0 s of the grader's clock pass with nothing on the wire" in gaps
    closing = grade(load_exercise(ROOT / "exercises" / "t3l8.yaml"), ROOT / "solutions" / "t3l8.py",
                    Options(transcripts=True))
    labels = [b.label for c in closing.checks for b in beats(c, "en") if b.kind == "close"]
    assert "close · close code 1000, close reason 'done'" in labels
    assert any(label.startswith("close · close code 1003") for label in labels)
    guarded = grade(load_exercise(ROOT / "exercises" / "t4l2.yaml"), ROOT / "solutions" / "t4l2.py",
                    Options(transcripts=True))
    refusals = [b for c in guarded.checks for b in beats(c, "en") if b.kind == "refuse"]
    assert refusals and all(b.source == "server" and b.label.startswith("refused: HTTP 403") for b in refusals)


def test_a_hostile_submission_is_shown_as_text(tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    proc = run_grade("t3l2", "--app", str(HOSTILE), "--format", "html", "--output", str(out), "--no-record")
    assert proc.returncode == 1, proc.stderr
    page = out.read_text(encoding="utf-8")
    self_contained(page)
    text = "".join(parsed(page).text)
    assert "<script>document.title='pwned'" in text  # what it printed, as text
    assert "</text></svg><script>" in text  # what it sent, as text
    assert "<img src=x onerror=" in text  # what it raised, as text


def test_the_report_speaks_korean(key_error: Result) -> None:
    page = report.render(key_error, "ko")
    assert '<html lang="ko">' in page
    assert "검사 9개 중 7개 통과" in page
    assert "<dt>기대</dt>" in page and "<dt>실제</dt>" in page
    assert "연결: /ws" in page and "서버" in page


def test_batch_html_writes_a_dashboard_linking_every_report(tmp_path: Path) -> None:
    folder = tmp_path / "class"
    for name, source in (("ana", ROOT / "solutions" / "t3l2.py"), ("ben", VARIANTS / "answers_once.py"),
                         ("<eve>", HOSTILE)):
        (folder / name).mkdir(parents=True)
        (folder / name / "t3l2.py").write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    dashboard = tmp_path / "out" / "class.html"
    proc = run_grade("batch", "t3l2", str(folder), "--out", str(tmp_path / "out"), "--html", str(dashboard), "--jobs", "2")
    assert proc.returncode == 0, proc.stderr
    page = dashboard.read_text(encoding="utf-8")
    self_contained(page)
    tags = parsed(page)
    links = [attrs["href"] for tag, attrs in tags.tags if tag == "a" and attrs.get("href")]
    reports = sorted({link.split("#")[0] for link in links if link})
    assert len(reports) == 3
    for link in reports:
        assert (dashboard.parent / link).is_file(), link
        self_contained((dashboard.parent / link).read_text(encoding="utf-8"))
    book = json.loads((tmp_path / "out" / "gradebook.json").read_text(encoding="utf-8"))
    bars = {attrs["data-label"]: int(attrs["data-part"] or 0) for tag, attrs in tags.tags
            if tag == "div" and attrs.get("class") == "share"}
    for check in book["checks"]:
        assert bars[check] == sum(1 for s in book["submissions"] if s["checks"][check] == "passed"), check
    bins = [int(attrs["data-count"] or 0) for tag, attrs in tags.tags if tag == "div" and attrs.get("class") == "bin"]
    assert sum(bins) == 3
    assert "1 of 3 submissions passed every check" in page
    assert "&lt;eve&gt;" in page


def test_progress_html_shows_level_tracks_achievements_and_attempts(tmp_path: Path) -> None:
    for app in (VARIANTS / "answers_once.py", ROOT / "solutions" / "t3l2.py"):
        run_grade("t3l2", "--app", str(learners_copy(app, tmp_path / app.stem)))
    run_grade("t3l1", "--app", str(learners_copy(ROOT / "solutions" / "t3l1.py", tmp_path)))
    out = tmp_path / "me.html"
    proc = run_grade("progress", "--html", str(out))
    assert proc.returncode == 0, proc.stderr
    page = out.read_text(encoding="utf-8")
    self_contained(page)
    assert "Level 0 · Poller" in page and "30/120 XP to next level (Listener)" in page
    assert 'data-track="3" data-done="2" data-total="8"' in page
    assert page.count('data-earned="true"') == 2  # First frame, and Clean handshake (t3l1 on the first try)
    assert page.count('class="attempt"') == 3
    assert "to unlock: pass every lesson of track 4" in page


def test_progress_open_writes_the_page_and_opens_it_in_the_browser(tmp_path: Path, private_progress: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    opened = tmp_path / "opened.txt"
    fake = tmp_path / "fake-browser"
    fake.write_text(f'#!/bin/sh\necho "$1" > {opened}\n', encoding="utf-8")
    fake.chmod(0o755)
    monkeypatch.setenv("BROWSER", str(fake))  # the webbrowser module runs $BROWSER with the page's URL
    proc = run_grade("progress", "--open")
    assert proc.returncode == 0, proc.stderr
    page = private_progress / "progress.html"
    assert f"Course page written to {page}" in proc.stdout
    assert opened.read_text(encoding="utf-8").strip() == page.resolve().as_uri()
    self_contained(page.read_text(encoding="utf-8"))


def test_format_html_without_output_prints_the_page(tmp_path: Path) -> None:
    proc = run_grade("t3l1", "--app", str(ROOT / "solutions" / "t3l1.py"), "--format", "html", "--no-record")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("<!DOCTYPE html>") and "All 4 checks passed" in proc.stdout


def test_the_exception_badge_keeps_the_whole_type(tmp_path: Path) -> None:
    """A long exception name on the server lane is shown whole, inside the picture."""
    app = tmp_path / "t3l2.py"
    app.write_text(
        "from fastapi import FastAPI, WebSocket\n\napp = FastAPI()\n\n\nclass ConnectionManagerStateCorruptedError(Exception):\n"
        "    pass\n\n\n@app.websocket('/ws')\nasync def router(websocket: WebSocket):\n    await websocket.accept()\n"
        "    await websocket.receive_text()\n    raise ConnectionManagerStateCorruptedError('lost')\n", encoding="utf-8")
    proc = run_grade("t3l2", "--app", str(app), "--format", "html", "--no-record")
    badges = re.findall(r'<g class="beat error"[^>]*>.*?<rect x="([\d.-]+)" y="[\d.]+" width="([\d.]+)".*?>([^<]*)</text></g>',
                         proc.stdout)
    assert badges, proc.stdout[:2000]
    widths = [int(w) for w in re.findall(r'<svg[^>]*class="sequence" width="(\d+)"', proc.stdout)]
    for (left, box, text), width in zip(badges, widths, strict=False):
        assert text == "your code raised ConnectionManagerStateCorruptedError", text
        assert float(left) >= 0 and float(left) + float(box) <= width


MANY_KEYS = """\
version: 1
id: keys
title: Keys
track: 1
lesson: 1
xp: 5
file: keys.py
instructions: Answer with every key.
checks:
  - name: answers with every key
    points: 1
    steps:
      - connect: /ws
      - send_text: keys
      - expect_json: {keys}
"""
EMPTY_ANSWER = """\
from fastapi import FastAPI, WebSocket

app = FastAPI()


@app.websocket("/ws")
async def answer(websocket: WebSocket):
    await websocket.accept()
    await websocket.receive_text()
    await websocket.send_json({})
    await websocket.close()
"""


@pytest.mark.parametrize(("lang", "words"), [("en", "… and one more difference"), ("ko", "… 차이가 1개 더 있어요")])
def test_one_difference_past_the_list_reads_as_one(tmp_path: Path, lang: str, words: str) -> None:
    """An answer missing one key more than the page lists: the count of the rest agrees with one."""
    keys = {chr(ord("a") + n): 0 for n in range(report.jsondiff.LIMIT + 1)}  # short, so "expected" is shown whole
    (tmp_path / "keys.yaml").write_text(MANY_KEYS.format(keys=json.dumps(keys)), encoding="utf-8")
    (tmp_path / "keys.py").write_text(EMPTY_ANSWER, encoding="utf-8")
    result = grade(load_exercise(tmp_path / "keys.yaml"), tmp_path / "keys.py",
                   Options(transcripts=True, lang=lang))
    page = report.render(result, lang)
    table = re.search(r'<table class="diff">(.*?)</table></div>(<p class="dim">[^<]*</p>)?', page, re.S)
    assert table is not None, page
    assert table.group(1).count("<tr>") == report.jsondiff.LIMIT + 1  # the header, then the listed differences
    assert table.group(2) == f'<p class="dim">{words}</p>', table.group(2)


ANSWERS_THREE = """\
from fastapi import FastAPI, WebSocket

app = FastAPI()


@app.websocket("/ws")
async def router(websocket: WebSocket):
    await websocket.accept()
    answered = 0
    async for msg in websocket.iter_json():
        await websocket.send_json({"type": "pong"} if msg.get("type") == "ping" else {"type": "echo", "data": msg})
        answered += 1
        if answered == 3:
            break
"""


def test_a_korean_dashboard_quotes_failures_in_korean_and_names_the_exception(tmp_path: Path) -> None:
    """--lang ko grades in Korean, so the causes' examples read as the Korean reports do; a cause names its
    exception's type, and one KeyError that sank two checks is one cause counted once. Loops that stop after
    one answer and after three fail the same step in different rounds: one cause, counted twice."""
    folder = tmp_path / "class"
    for name, source in (("ben", (VARIANTS / "key_error_without_type.py").read_text(encoding="utf-8")),
                         ("cy", (VARIANTS / "answers_once.py").read_text(encoding="utf-8")),
                         ("dee", ANSWERS_THREE)):
        (folder / name).mkdir(parents=True)
        (folder / name / "t3l2.py").write_text(source, encoding="utf-8")
    dashboard = tmp_path / "out" / "class.html"
    proc = run_grade("batch", "t3l2", str(folder), "--out", str(tmp_path / "out"), "--html", str(dashboard),
                     "--lang", "ko")
    assert proc.returncode == 0, proc.stderr
    page = dashboard.read_text(encoding="utf-8")
    causes = [attrs for tag, attrs in parsed(page).tags if tag == "li" and attrs.get("class") == "cause"]
    keyed = [(c["data-check"], c["data-kind"], c["data-error"], c["data-count"]) for c in causes]
    assert ("an object without a type is echoed", "error", "KeyError", "1") in keyed, keyed
    assert ("many messages on one connection", "closed", "", "2") in keyed, keyed
    assert not any(check == "many messages on one connection" and kind == "closed" and count == "1"
                   for check, kind, _, count in keyed), keyed
    reports = {name: (tmp_path / "out" / "class-reports" / f"{name}.html").read_text(encoding="utf-8")
               for name in ("ben", "cy", "dee")}
    assert "6번 중 2번째" in reports["cy"] and "6번 중 4번째" in reports["dee"]  # the rounds they failed in
    steps = re.findall(r'<span class="mono dim">([^<]*)</span>', page.split('id="causes"')[1].split("</ol>")[0])
    assert steps and not any("번째" in step for step in steps), steps  # where a cause shows, without its round
    assert "endpoint에서 예외가 발생했어요: KeyError" in page and "endpoint에서 예외가 발생했어요: KeyError" in reports["ben"]
    assert "your endpoint raised" not in page
