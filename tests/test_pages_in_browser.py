"""The HTML pages as a person sees them, in headless Chromium, on a laptop (1280×800) and a phone (390×844).

Each page is produced by the real `grade` command, in English and in Korean
(with a Korean font installed, so Korean is measured as it is drawn). Every
page is opened once per screen size in one browser, and a screenshot of the
whole page is kept in tests/artifacts/pages/. What is asserted is measured in
the rendered page: no console errors and no request but the page's own file;
no badge whose text is cut; no arrow label crossed by a lane's line; no
table header broken inside a word; every lane of a conversation on screen;
chart text at a readable size.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from browser import Browser, Page
from conftest import ARTIFACTS, ROOT, learners_copy, run_grade

VARIANTS = ROOT / "tests" / "variants"
HOSTILE = ROOT / "tests" / "submissions" / "hostile_markup.py"
SHOTS = ARTIFACTS / "pages"
SIZES = ((1280, 800), (390, 844))
LANGS = ("en", "ko")
READABLE_PX = 11  # the smallest chart text a phone's reader is asked to read
# A class with long folder names and a file that does not import (a long note). A name wraps only after a
# hyphen; one without any (underscores) stays on one line, and on a phone the table scrolls instead.
LONG_NAMES = ("maria-fernanda-gonzalez-rodriguez-2026-spring-section-b",
              "jean-baptiste-de-la-fontaine-rousseau-late-resubmission",
              "final_version_resubmitted_by_alexandria_konstantinopoulou_after_deadline")
BROKEN = "from fastapi import FastAPI\napp = FastAPI(\n" + "# a long comment " * 40 + "\n"
LONG_EXCEPTION = (
    "from fastapi import FastAPI, WebSocket\n\napp = FastAPI()\n\n\nclass ConnectionManagerStateCorruptedError(Exception):\n"
    "    pass\n\n\n@app.websocket('/ws')\nasync def router(websocket: WebSocket):\n    await websocket.accept()\n"
    "    await websocket.receive_text()\n    raise ConnectionManagerStateCorruptedError('lost')\n")


def _report(name: str, exercise: str, app: Path, lang: str, root: Path) -> Path:
    out = root / f"{name}-{lang}.html"
    proc = run_grade(exercise, "--app", str(app), "--format", "html", "--output", str(out), "--no-record", "--lang", lang)
    assert proc.returncode == 1, proc.stderr
    return out


def _make(root: Path) -> dict[tuple[str, str], Path]:
    made: dict[tuple[str, str], Path] = {}
    # A folder name with no hyphen, longer than a phone's line: the path must wrap after a slash, whoever runs this.
    long_exception = root / "apps" / "websocket_lessons_of_the_third_week" / "t3l2.py"
    long_exception.parent.mkdir(parents=True)
    long_exception.write_text(LONG_EXCEPTION, encoding="utf-8")
    folder = root / "submissions"
    for name, app in (("ana", ROOT / "solutions" / "t3l2.py"), ("ben", VARIANTS / "t3l2" / "key_error_without_type.py"),
                      ("cy", VARIANTS / "t3l2" / "answers_once.py"), ("eve", HOSTILE),
                      (LONG_NAMES[0], VARIANTS / "t3l2" / "key_error_without_type.py"),
                      (LONG_NAMES[1], VARIANTS / "t3l2" / "answers_once.py"),
                      (LONG_NAMES[2], VARIANTS / "t3l2" / "answers_once.py")):
        (folder / name).mkdir(parents=True)
        shutil.copy(app, folder / name / "t3l2.py")
    (folder / "broken").mkdir()
    (folder / "broken" / "t3l2.py").write_text(BROKEN, encoding="utf-8")
    run_grade("t3l1", "--app", str(learners_copy(ROOT / "solutions" / "t3l1.py", root / "mine")))
    for lang in LANGS:
        made["report", lang] = _report("report", "t3l2", VARIANTS / "t3l2" / "key_error_without_type.py", lang, root)
        made["chat", lang] = _report("chat", "t4l1", VARIANTS / "t4l1" / "broadcast_skips_sender.py", lang, root)
        made["long-exception", lang] = _report("long-exception", "t3l2", long_exception, lang, root)
        made["dashboard", lang] = root / f"class-{lang}" / "index.html"
        proc = run_grade("batch", "t3l2", str(folder), "--out", str(root / f"class-{lang}"), "--html",
                         str(made["dashboard", lang]), "--lang", lang)
        assert proc.returncode == 0, proc.stderr
        made["progress", lang] = root / f"progress-{lang}.html"
        proc = run_grade("progress", "--html", str(made["progress", lang]), "--lang", lang)
        assert proc.returncode == 0, proc.stderr
    made["hostile", "en"] = _report("hostile", "t3l2", HOSTILE, "en", root)
    return made


@pytest.fixture(scope="module")
def shown(browser: Browser, tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str, int], Page]:
    """Every page open at both sizes, keyed by (page, language, width), each screenshotted and without errors."""
    root = tmp_path_factory.mktemp("pages")
    with pytest.MonkeyPatch.context() as env:
        # Module fixtures come before the per-test progress folder: this one keeps its own.
        env.setenv("GRADER_DATA_DIR", str(root / "progress-data"))
        made = _make(root)
    opened = {}
    for (name, lang), path in made.items():
        for width, height in SIZES:
            page = browser.new_page().open(path, width, height)
            page.screenshot(SHOTS / f"{name}-{lang}-{width}.png", full_page=True)
            assert page.console_errors() == [], (name, lang, width)
            assert page.requests() == [path.resolve().as_uri()], (name, lang, width)  # its own file, nothing else
            opened[name, lang, width] = page
    return opened


def _pages(shown: dict[tuple[str, str, int], Page], browser: Browser, *names: str) -> list[tuple[str, Page]]:
    """The pages asked for (all when none is named); the Korean ones only with a Korean font to draw them."""
    korean = browser.korean[0]
    return [(f"{name}-{lang}-{width}", page) for (name, lang, width), page in shown.items()
            if (not names or name in names) and (korean or lang != "ko")]


def _korean_checked(browser: Browser) -> None:
    """After the English pages passed: say so, not pass, when the Korean ones could not be drawn."""
    korean, why = browser.korean
    if not korean:
        pytest.skip(f"English pages checked; Korean pages are checked as rendered, with a Korean font: {why}")


def _gather(pages: list[tuple[str, Page]], script: str) -> dict[str, Any]:
    """``script`` (an expression that gives a list of problems) on every page; the pages that have any."""
    found = {name: page.evaluate(script) for name, page in pages}
    return {name: problems for name, problems in found.items() if problems}


# The screen's width. Not innerWidth: a phone zooms out to show a page wider than itself, and innerWidth grows with it.
SCREEN = "document.documentElement.clientWidth"

# The diagrams a reader sees: in an open check, in the layout the screen's width picked.
DRAWN = ("[...document.querySelectorAll('.diagram svg.sequence')]"
         ".filter(s => s.checkVisibility() && s.getBoundingClientRect().width > 0)")


def box(page: Page, selector: str) -> dict[str, Any]:
    found: dict[str, Any] | None = page.evaluate(
        f"(() => {{ const e = document.querySelector({selector!r}); if (!e) return null;"
        " const r = e.getBoundingClientRect(); return {top: r.top, bottom: r.bottom, left: r.left, right: r.right}; })()")
    assert found is not None, f"nothing matches {selector}"
    return found


def test_the_report_draws_the_failed_conversation_on_the_first_screen(shown: dict[tuple[str, str, int], Page]) -> None:
    page = shown["report", "en", 1280]
    arrows = page.evaluate(
        "[...document.querySelector('section.check.failed .diagram svg.wide').querySelectorAll('g.beat')].map(g => {"
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
                     "section.check.failed svg.wide g.beat.failure"):
        where = box(page, selector)
        assert where["top"] >= 0 and where["bottom"] <= 800, (selector, where)
    # The whole frame is there on hover.
    assert page.evaluate("document.querySelector('section.check.failed g.beat.message title').textContent") == \
        'text {"hello": "world"}'
    # One KeyError is one card: the second check it sank points back to the first, as the text report does.
    cards = page.evaluate("[...document.querySelectorAll('section.check.failed')].map(s => ["
                          " s.querySelectorAll('div.failure').length, s.querySelector('.same-cause')?.textContent || ''])")
    assert cards == [[1, "The same cause sank one more check: many messages on one connection"],
                     [0, "Failed for the same reason as an object without a type is echoed."]], cards


def test_a_hostile_report_runs_nothing(shown: dict[tuple[str, str, int], Page]) -> None:
    for width, _ in SIZES:
        page = shown["hostile", "en", width]
        assert page.evaluate("document.scripts.length") == 0
        assert page.evaluate("document.images.length") == 0
        assert page.evaluate("document.title") != "pwned"
        assert "<script>document.title='pwned'" in page.evaluate("document.body.innerText")


def test_no_page_scrolls_sideways_and_every_lane_is_on_screen(shown: dict[tuple[str, str, int], Page],
                                                              browser: Browser) -> None:
    """A phone gets the narrow drawing: all of a chat's lanes side by side, not one lane and a scroll bar."""
    pages = _pages(shown, browser)
    wide = _gather(pages, "document.documentElement.scrollWidth > " + SCREEN + " ? [document.documentElement.scrollWidth] : []")
    assert wide == {}, wide
    lanes = {name: page.evaluate(
        "[...document.querySelectorAll('.diagram')].filter(d => d.checkVisibility()).map(d => {"
        " const drawn = [...d.querySelectorAll('svg.sequence')].filter(s => s.checkVisibility());"
        " const box = d.getBoundingClientRect();"
        " const heads = drawn.flatMap(s => [...s.querySelectorAll('g.lane rect')]).map(r => r.getBoundingClientRect());"
        " return [drawn.map(s => s.classList[1]), heads.length,"
        "   heads.filter(h => h.left >= box.left - 0.5 && h.right <= box.right + 0.5 && h.width > 0).length]; })")
        for name, page in pages}
    for name, diagrams in lanes.items():
        layout = "narrow" if name.endswith("-390") else "wide"
        assert all(drawn == [layout] and on_screen == heads for drawn, heads, on_screen in diagrams), (name, diagrams)
    # The chat's conversations have three clients and the server: four lanes, all on the phone's screen.
    assert all(max(heads for _, heads, _ in lanes[name]) == 4 for name in lanes if name.startswith("chat-"))
    _korean_checked(browser)


def test_no_arrow_label_crosses_a_lifeline(shown: dict[tuple[str, str, int], Page], browser: Browser) -> None:
    pages = _pages(shown, browser, "report", "chat", "long-exception")
    crossed = _gather(pages, DRAWN + ".flatMap(s => {"
                      " const lines = [...s.querySelectorAll('g.lane line.lifeline')].map(l => l.getBoundingClientRect());"
                      " return [...s.querySelectorAll('g.beat text.label')].flatMap(t => { const b = t.getBoundingClientRect();"
                      "   return lines.filter(l => l.left >= b.left && l.left <= b.right && l.top < b.bottom && l.bottom > b.top)"
                      "     .map(l => [t.textContent, Math.round(l.left)]); }); })")
    assert crossed == {}, crossed
    # The idle band's break marks stay off its words.
    marked = _gather(pages, DRAWN + ".flatMap(s => [...s.querySelectorAll('g.beat.gap')].flatMap(g => {"
                     " const t = g.querySelector('text').getBoundingClientRect();"
                     " return [...g.querySelectorAll('path')].map(p => p.getBoundingClientRect())"
                     "   .filter(p => p.left < t.right && p.right > t.left).map(() => g.dataset.label); }))")
    assert marked == {}, marked
    # The pages do draw what is measured: arrows whose labels span other lanes, and idle bands.
    spans = shown["chat", "en", 390].evaluate(DRAWN + ".flatMap(s => [...s.querySelectorAll('g.beat text.label')]).length")
    gaps = shown["chat", "en", 390].evaluate(DRAWN + ".flatMap(s => [...s.querySelectorAll('g.beat.gap')]).length")
    assert spans > 20 and gaps > 0
    _korean_checked(browser)


def test_no_badge_loses_its_text(shown: dict[tuple[str, str, int], Page], browser: Browser) -> None:
    pages = _pages(shown, browser)
    clipped = _gather(pages, "[...document.querySelectorAll('.badge')].filter(b => b.checkVisibility() && ("
                      " b.scrollWidth > b.clientWidth || b.getBoundingClientRect().right > " + SCREEN + ")).map(b => b.textContent)")
    assert clipped == {}, clipped
    # The exception on the server's lane: its type whole, inside its box, inside the diagram as it is on screen.
    badges = {name: page.evaluate(
        DRAWN + ".flatMap(s => [...s.querySelectorAll('g.beat.error')].map(g => {"
        " const r = g.querySelector('rect').getBoundingClientRect(), label = g.querySelector('rect ~ text'),"
        " t = label.getBoundingClientRect(), d = s.closest('.diagram').getBoundingClientRect();"
        " return [g.dataset.error, label.textContent, t.left >= r.left && t.right <= r.right"
        "   && r.left >= d.left && r.right <= d.right]; }))")
        for name, page in pages if name.startswith(("report", "long-exception"))}
    for name, found in badges.items():
        expected = "ConnectionManagerStateCorruptedError" if name.startswith("long") else "KeyError"
        assert found and all(kind == expected and expected in text and inside for kind, text, inside in found), (name, found)
    _korean_checked(browser)


ONE_LINE = ("(sel => [...document.querySelectorAll(sel)].filter(e => e.checkVisibility()).filter(e => {"
            " const r = document.createRange(); r.selectNodeContents(e);"
            " return new Set([...r.getClientRects()].map(b => Math.round(b.top))).size > 1"
            "   || e.scrollWidth > e.clientWidth; }).map(e => e.textContent))")
# Where a line of text breaks between two characters that belong to one word (Latin, digits or Hangul).
MID_WORD = (
    "(sel => [...document.querySelectorAll(sel)].filter(e => e.checkVisibility()).flatMap(e => [...e.childNodes]"
    ".filter(n => n.nodeType === 3).flatMap(text => { const r = document.createRange(); const out = [];"
    " const word = /[A-Za-z0-9\\uac00-\\ud7a3]/;"
    " for (let i = 1; i < text.length; i++) { r.setStart(text, i - 1); r.setEnd(text, i); const a = r.getBoundingClientRect();"
    "   r.setStart(text, i); r.setEnd(text, i + 1); const b = r.getBoundingClientRect();"
    "   if (b.top > a.top + 1 && word.test(text.data[i - 1]) && word.test(text.data[i]))"
    "     out.push(text.data.slice(Math.max(0, i - 8), i) + '|' + text.data.slice(i, i + 8)); }"
    " return out; })))")


def test_no_table_header_or_name_breaks_inside_a_word(shown: dict[tuple[str, str, int], Page], browser: Browser) -> None:
    pages = _pages(shown, browser)
    headers = _gather(pages, ONE_LINE + "('th, #submissions td.num, #submissions td.mono')")
    assert headers == {}, headers
    assert all(page.evaluate("document.querySelectorAll('th').length") for name, page in pages if "dashboard" in name)
    # On a laptop the whole submissions table is on screen, long names and notes included (a phone scrolls it).
    scrolled = _gather([(name, page) for name, page in pages if name.startswith("dashboard") and name.endswith("1280")],
                       "(t => t.scrollWidth > t.parentElement.clientWidth ? [t.scrollWidth] : [])"
                       "(document.querySelector('#submissions'))")
    assert scrolled == {}, scrolled
    # Names, headings, prose and chart labels wrap between words only (a long folder name after a hyphen).
    inside = _gather(pages, MID_WORD + "('h1, h2, h3, p, li, th, #submissions td:first-child a, .share .name, .also')")
    assert inside == {}, inside
    # Expected and got: a value that fits the screen keeps its words whole (the long exception's name on a phone).
    # One wider than any screen (the hostile page's unbroken markup) wraps anywhere rather than widen the page.
    values = _gather([(name, page) for name, page in pages if not name.startswith("hostile")], MID_WORD + "('dd')")
    assert values == {}, values
    _korean_checked(browser)


def test_chart_text_is_readable_at_both_sizes(shown: dict[tuple[str, str, int], Page], browser: Browser) -> None:
    pages = _pages(shown, browser, "dashboard")
    small = _gather(pages, (
        "[...document.querySelectorAll('#pass-rates, #scores')].flatMap(root => {"
        " const walk = document.createTreeWalker(root, NodeFilter.SHOW_TEXT); const out = [];"
        " while (walk.nextNode()) { const n = walk.currentNode; if (!n.data.trim()) continue;"
        "   const e = n.parentElement, s = e.closest('svg');"
        "   const scale = s ? s.getBoundingClientRect().width / s.viewBox.baseVal.width : 1;"
        "   const size = parseFloat(getComputedStyle(e).fontSize) * scale;"
        "   const r = document.createRange(); r.selectNodeContents(n); const b = r.getBoundingClientRect();"
        f"   if (size < {READABLE_PX} || b.left < 0 || b.right > {SCREEN}) out.push([n.data, size, b.left, b.right]); }}"
        " return out; })"))
    assert small == {}, small
    # The charts say what they should: every check's pass rate out of the eight submissions, every score counted.
    for name, page in pages:
        bars = page.evaluate("[...document.querySelectorAll('#pass-rates .share')].map(s => [+s.dataset.part,"
                             " +s.dataset.whole, s.querySelector('.bar > span').getBoundingClientRect().width"
                             " / s.querySelector('.bar').getBoundingClientRect().width])")
        assert len(bars) == 10 and all(whole == 8 and abs(drawn - part / whole) < 0.03 for part, whole, drawn in bars), \
            (name, bars)
        assert sum(page.evaluate("[...document.querySelectorAll('#scores .bin')].map(b => +b.dataset.count)")) == 8
    _korean_checked(browser)


def test_the_dashboard_counts_each_cause_once(shown: dict[tuple[str, str, int], Page]) -> None:
    page = shown["dashboard", "en", 1280]
    causes = page.evaluate("[...document.querySelectorAll('#causes li.cause')].map(li => [li.dataset.check,"
                           " li.dataset.error, +li.dataset.count, li.querySelector('.also')?.textContent || ''])")
    counts = [count for _, _, count, _ in causes]
    assert counts == sorted(counts, reverse=True)
    # ben and the long-named copy raise one KeyError that sinks two checks: one cause, counted per submission.
    # eve raises a ValueError at the same step of the same check: another cause, not a third KeyError.
    at_step = [c for c in causes if c[0] == "an object without a type is echoed"]
    assert sorted(at_step) == [
        ["an object without a type is echoed", "KeyError", 2,
         "The same cause sank one more check: many messages on one connection"],
        ["an object without a type is echoed", "ValueError", 1, ""]], causes
    assert not any(c[0] == "many messages on one connection" and c[1] == "KeyError" for c in causes), causes
    shown_error = page.evaluate("document.querySelector('#causes li.cause[data-error=KeyError]').textContent")
    assert "the app raised an exception (KeyError)" in shown_error
    rows = page.evaluate("[...document.querySelectorAll('#submissions tr.submission')]"
                         ".map(tr => [tr.querySelector('td').textContent, tr.dataset.passed])")
    assert sorted(rows) == sorted([["ana", "true"], ["ben", "false"], ["broken", "false"], ["cy", "false"],
                                   ["eve", "false"], [LONG_NAMES[0], "false"], [LONG_NAMES[1], "false"],
                                   [LONG_NAMES[2], "false"]]), rows
    # The Korean dashboard names checks in Korean.
    names = shown["dashboard", "ko", 1280].evaluate("[...document.querySelectorAll('#causes li.cause > b')]"
                                                    ".map(b => b.textContent)")
    assert names and all(any("\uac00" <= c <= "\ud7a3" for c in name) for name in names), names
    # ... and quotes each example's failure as the Korean report says it.
    examples = shown["dashboard", "ko", 1280].evaluate("[...document.querySelectorAll('#causes li.cause > div.dim')]"
                                                       ".map(d => d.querySelector('.mono').textContent)")
    assert len(examples) == len(names) and all(any("\uac00" <= c <= "\ud7a3" for c in e) for e in examples), examples


def test_the_course_page_shows_level_and_achievements(shown: dict[tuple[str, str, int], Page]) -> None:
    page = shown["progress", "en", 1280]
    level = page.evaluate("(() => { const s = document.querySelector('#level'); return [s.dataset.level, s.dataset.have,"
                          " s.dataset.need, s.querySelector('.bar > span').getBoundingClientRect().width,"
                          " s.querySelector('.bar').getBoundingClientRect().width]; })()")
    number, have, need, filled, track = level
    assert (number, have, need) == ("0", "10", "120")
    assert abs(filled / track - 10 / 120) < 0.03
    earned = page.evaluate("[...document.querySelectorAll('#achievements .achievement')].map(a => a.dataset.earned)")
    assert earned.count("true") == 2 and earned.count("false") == 8


def test_korean_pages_keep_words_whole_and_name_checks_in_korean(shown: dict[tuple[str, str, int], Page],
                                                                 browser: Browser) -> None:
    _korean_checked(browser)
    for (name, lang, width), page in shown.items():
        if lang != "ko" or name not in ("report", "chat"):
            continue
        assert page.evaluate("getComputedStyle(document.querySelector('main')).wordBreak") == "keep-all", name
        names = page.evaluate("[...document.querySelectorAll('section.check h3, details.check h3')].map(h => h.textContent)")
        assert names and all(any("\uac00" <= c <= "\ud7a3" for c in n) for n in names), (name, width, names)
