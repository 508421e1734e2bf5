"""The HTML pages as a person sees them, in headless Chromium: what is on the first screen, in what order.

Each page is produced by the real `grade` command. For every page: no
console errors, no request but the page's own file, and a screenshot in
tests/artifacts/.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from browser import Browser, Page, korean_font
from conftest import ARTIFACTS, ROOT, learners_copy, run_grade

VARIANTS = ROOT / "tests" / "variants" / "t3l2"
HOSTILE = ROOT / "tests" / "submissions" / "hostile_markup.py"
FIRST_SCREEN = (1280, 800)


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A report (failed, with an exception), a hostile report, a class dashboard and a course page."""
    root = tmp_path_factory.mktemp("pages")
    with pytest.MonkeyPatch.context() as env:
        # Module fixtures come before the per-test progress folder: this one keeps its own.
        env.setenv("GRADER_DATA_DIR", str(root / "progress-data"))
        return _make(root)


def _make(root: Path) -> dict[str, Path]:
    made = {"report": root / "report.html", "hostile": root / "hostile.html", "dashboard": root / "class" / "index.html",
            "progress": root / "progress.html"}
    for name, app in (("report", VARIANTS / "key_error_without_type.py"), ("hostile", HOSTILE)):
        proc = run_grade("t3l2", "--app", str(app), "--format", "html", "--output", str(made[name]), "--no-record")
        assert proc.returncode == 1, proc.stderr
    folder = root / "submissions"
    for name, app in (("ana", ROOT / "solutions" / "t3l2.py"), ("ben", VARIANTS / "key_error_without_type.py"),
                      ("cy", VARIANTS / "answers_once.py"), ("eve", HOSTILE)):
        (folder / name).mkdir(parents=True)
        shutil.copy(app, folder / name / "t3l2.py")
    proc = run_grade("batch", "t3l2", str(folder), "--out", str(root / "class"), "--html", str(made["dashboard"]))
    assert proc.returncode == 0, proc.stderr
    run_grade("t3l1", "--app", str(learners_copy(ROOT / "solutions" / "t3l1.py", root / "mine")))
    proc = run_grade("progress", "--html", str(made["progress"]))
    assert proc.returncode == 0, proc.stderr
    return made


def seen(browser: Browser, path: Path, name: str, width: int = FIRST_SCREEN[0], height: int = FIRST_SCREEN[1]) -> Page:
    page = browser.new_page().open(path, width, height)
    page.screenshot(ARTIFACTS / f"{name}.png")
    assert page.console_errors() == []
    assert page.requests() == [path.resolve().as_uri()]  # the page's own file, nothing else
    return page


def box(page: Page, selector: str) -> dict[str, Any]:
    found: dict[str, Any] | None = page.evaluate(
        f"(() => {{ const e = document.querySelector({selector!r}); if (!e) return null;"
        " const r = e.getBoundingClientRect(); return {top: r.top, bottom: r.bottom, left: r.left, right: r.right}; })()")
    assert found is not None, f"nothing matches {selector}"
    return found


def test_the_report_draws_the_failed_conversation_on_the_first_screen(browser: Browser, pages: dict[str, Path]) -> None:
    page = seen(browser, pages["report"], "report")
    arrows = page.evaluate(
        "[...document.querySelector('section.check.failed .diagram').querySelectorAll('g.beat')].map(g => {"
        " const r = g.getBoundingClientRect(); return [g.dataset.kind, g.dataset.from, g.dataset.to,"
        " g.querySelector('text:last-of-type') ? g.dataset.label : '', r.top]; })")
    assert [a[:4] for a in arrows] == [
        ["connect", "ws", "server", "connect /ws"],
        ["accept", "server", "ws", "accept"],
        ["message", "ws", "server", '{"hello": "world"}'],
        ["error", "server", "", "your code raised KeyError"],
        ["drop", "server", "ws", "dropped without a close frame (a real client sees 1006)"],
        ["failure", "", "", "✗ step 3, expect_json (t3l2.yaml:126)"],
    ]
    tops = [a[4] for a in arrows]
    assert tops == sorted(tops) and len(set(tops)) == len(tops)  # top to bottom, one row each
    # Without scrolling: the failed step, what was expected and what came, and its mark in the diagram.
    for selector in ("section.check.failed .failure .step", "section.check.failed .failure dl",
                     "section.check.failed g.beat.failure"):
        where = box(page, selector)
        assert where["top"] >= 0 and where["bottom"] <= FIRST_SCREEN[1], (selector, where)
    # The whole frame is there on hover.
    assert page.evaluate("document.querySelector('section.check.failed g.beat.message title').textContent") == \
        'text {"hello": "world"}'


def test_a_hostile_report_runs_nothing(browser: Browser, pages: dict[str, Path]) -> None:
    page = seen(browser, pages["hostile"], "hostile")
    assert page.evaluate("document.scripts.length") == 0
    assert page.evaluate("document.images.length") == 0
    assert page.evaluate("document.title") != "pwned"
    assert "<script>document.title='pwned'" in page.evaluate("document.body.innerText")


def test_the_report_fits_a_phone(browser: Browser, pages: dict[str, Path]) -> None:
    page = seen(browser, pages["report"], "report-phone", 390, 844)
    # The page never scrolls sideways; a wide diagram scrolls inside its own box.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    diagram = "document.querySelector('section.check.failed .diagram')"
    assert page.evaluate(f"{diagram}.getBoundingClientRect().right") <= 390
    assert page.evaluate(f"{diagram}.scrollWidth > {diagram}.clientWidth")


def test_the_dashboard_charts_the_class(browser: Browser, pages: dict[str, Path]) -> None:
    page = seen(browser, pages["dashboard"], "dashboard")
    bars = page.evaluate("Object.fromEntries([...document.querySelectorAll('#pass-rates g.bar')]"
                         ".map(g => [g.dataset.label, [+g.dataset.part, +g.dataset.whole, g.getBBox().width > 0]]))")
    assert len(bars) == 10 and all(whole == 4 and drawn for _, whole, drawn in bars.values())
    assert bars["ping gets pong"][0] == 4
    assert bars["an object without a type is echoed"][0] == 2  # ana and cy; ben raises, eve too
    bins = page.evaluate("[...document.querySelectorAll('#scores g.bin')].map(g => +g.dataset.count)")
    assert sum(bins) == 4
    causes = page.evaluate("[...document.querySelectorAll('#causes li.cause')].map(li => +li.dataset.count)")
    assert causes and causes == sorted(causes, reverse=True)
    rows = page.evaluate("[...document.querySelectorAll('#submissions tr.submission')]"
                         ".map(tr => [tr.querySelector('a').textContent, tr.dataset.passed])")
    assert rows == [["ana", "true"], ["ben", "false"], ["cy", "false"], ["eve", "false"]]


def test_the_course_page_shows_level_and_achievements(browser: Browser, pages: dict[str, Path]) -> None:
    page = seen(browser, pages["progress"], "progress")
    level = page.evaluate("(() => { const s = document.querySelector('#level'); return [s.dataset.level, s.dataset.have,"
                          " s.dataset.need, s.querySelector('.bar > span').getBoundingClientRect().width,"
                          " s.querySelector('.bar').getBoundingClientRect().width]; })()")
    number, have, need, filled, track = level
    assert (number, have, need) == ("0", "10", "120")
    assert abs(filled / track - 10 / 120) < 0.03
    earned = page.evaluate("[...document.querySelectorAll('#achievements .achievement')].map(a => a.dataset.earned)")
    assert earned.count("true") == 2 and earned.count("false") == 8


ONE_LINE = ("(sel => [...document.querySelectorAll(sel)].filter(e => {"
            " const r = document.createRange(); r.selectNodeContents(e);"
            " return new Set([...r.getClientRects()].map(b => Math.round(b.top))).size > 1; })"
            ".map(e => e.textContent))")


def test_the_submissions_table_never_breaks_a_word_at_desktop_width(browser: Browser, tmp_path: Path) -> None:
    """Long folder names and a long note (a file that does not import) squeeze the other columns."""
    folder = tmp_path / "submissions"
    for name, text in (("maria-fernanda-gonzalez-rodriguez-2026-spring-section-b", None),
                       ("jean-baptiste-de-la-fontaine-rousseau-late-resubmission", None),
                       ("broken", "from fastapi import FastAPI\napp = FastAPI(\n" + "# a long comment " * 40 + "\n")):
        (folder / name).mkdir(parents=True)
        target = folder / name / "t3l2.py"
        if text is None:
            shutil.copy(VARIANTS / "key_error_without_type.py", target)
        else:
            target.write_text(text, encoding="utf-8")
    dashboard = tmp_path / "class" / "index.html"
    proc = run_grade("batch", "t3l2", str(folder), "--out", str(tmp_path / "class"), "--html", str(dashboard))
    assert proc.returncode == 0, proc.stderr
    page = seen(browser, dashboard, "dashboard-1280")
    broken = page.evaluate(ONE_LINE + "('#submissions th, #submissions td.num, #submissions td.mono')")
    assert broken == [], broken
    # A long name wraps only where a word ends (after a hyphen), never inside a word.
    inside = page.evaluate(
        "[...document.querySelectorAll('#submissions td:first-child')].flatMap(td => {"
        " const text = td.firstChild.firstChild || td.firstChild; const r = document.createRange(); const out = [];"
        " for (let i = 1; i < text.length; i++) { r.setStart(text, i - 1); r.setEnd(text, i); const a = r.getBoundingClientRect();"
        "   r.setStart(text, i); r.setEnd(text, i + 1); const b = r.getBoundingClientRect();"
        "   if (b.top > a.top + 1 && !/[-\\s]/.test(text.data[i - 1])) out.push(text.data.slice(0, i)); }"
        " return out; })")
    assert inside == [], inside


def test_a_korean_report_keeps_words_whole_and_names_checks_in_korean(browser: Browser, tmp_path: Path) -> None:
    installed, why = korean_font()
    if not installed:
        pytest.skip(f"Korean pages are checked as rendered, with a Korean font: {why}")
    report = tmp_path / "ko.html"
    proc = run_grade("t3l2", "--app", str(VARIANTS / "key_error_without_type.py"), "--format", "html", "--output",
                     str(report), "--no-record", "--lang", "ko")
    assert proc.returncode == 1, proc.stderr
    for width, height in ((1280, 800), (390, 844)):
        page = seen(browser, report, f"report-ko-{width}", width, height)
        assert page.evaluate("getComputedStyle(document.querySelector('main')).wordBreak") == "keep-all"
        names = page.evaluate("[...document.querySelectorAll('section.check h3, details.check h3')]"
                              ".map(h => h.textContent)")
        assert names and all(any("\uac00" <= c <= "\ud7a3" for c in name) for name in names), names
        # As rendered: a line of Korean prose breaks only after a space, never inside a word.
        inside = page.evaluate(
            "[...document.querySelectorAll('p.message, h3')].flatMap(e => [...e.childNodes]"
            ".filter(n => n.nodeType === 3).flatMap(text => { const r = document.createRange(); const out = [];"
            " for (let i = 1; i < text.length; i++) { r.setStart(text, i - 1); r.setEnd(text, i); const a = r.getBoundingClientRect();"
            "   r.setStart(text, i); r.setEnd(text, i + 1); const b = r.getBoundingClientRect();"
            "   if (b.top > a.top + 1 && /[\\uac00-\\ud7a3]/.test(text.data[i - 1]) && /[\\uac00-\\ud7a3]/.test(text.data[i]))"
            "     out.push(text.data.slice(Math.max(0, i - 6), i + 6)); }"
            " return out; }))")
        assert inside == [], inside
