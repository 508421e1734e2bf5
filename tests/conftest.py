"""Shared helpers: run a check against an app served by the host code in a thread, or the real `grade` command."""

from __future__ import annotations

import gc
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import textwrap
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from grader.result import CheckResult
from grader.spec import parse_exercise
from grader.testing import converse as serve_in_thread

ROOT = Path(__file__).resolve().parent.parent
HEAD = "version: 1\nid: demo\ntitle: Demo\ntrack: 1\nlesson: 1\nxp: 5\nfile: demo.py\ninstructions: x\n"


def check_from_steps(steps: str, *, extra: str = "") -> Any:
    text = HEAD + extra + "checks:\n  - name: the check\n    steps:\n" + textwrap.indent(textwrap.dedent(steps), "      ")
    exercise = parse_exercise(text, Path("demo.yaml"))
    return exercise.checks[0]


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """Render failures with the garbage collector paused.

    CPython 3.11's AST constructor fails ("AST constructor recursion depth
    mismatch") when a collection runs finalizers while pytest parses a
    failing test's source, and the whole run then ends in an internal error
    that hides which test failed.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return (yield)
    finally:
        if was_enabled:
            gc.enable()


def pytest_configure(config: pytest.Config) -> None:
    """Let Ctrl-C reach every `grade` the tests start, however the run itself was started.

    A run started in the background by a shell without job control (`cmd &` in a script, as some CI
    runners do) inherits SIGINT ignored, and every child would too: the tests that stop `grade --watch`
    with SIGINT, as a learner's Ctrl-C does, would wait on a process that cannot hear it. A handled
    signal is back to its default in a child after exec, where Python turns it into KeyboardInterrupt.
    """
    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)


# Real seconds a conversation served in this process may take before its test fails (pytest-timeout):
# a clock that never moves would otherwise hold the run for good. The slowest one here takes about 10 s.
CONVERSATION_SECONDS = 120


# The first browser test may install Chromium and a Korean font with apt-get (three commands of up to 900 s
# each, browser.apt_install).
BROWSER_SECONDS = 3000


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        fixtures = getattr(item, "fixturenames", ())
        if item.get_closest_marker("timeout") is not None:
            continue
        if "browser" in fixtures:
            item.add_marker(pytest.mark.timeout(BROWSER_SECONDS))
        elif "converse" in fixtures:
            item.add_marker(pytest.mark.timeout(CONVERSATION_SECONDS))


@pytest.fixture(autouse=True)
def private_progress(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test (and every `grade` it runs) keeps progress in a folder of its own."""
    folder = tmp_path_factory.mktemp("progress")
    monkeypatch.setenv("GRADER_DATA_DIR", str(folder))
    return folder


@pytest.fixture
def converse(tmp_path: Path) -> Callable[..., tuple[CheckResult, float]]:
    """Run one conversation against ``app`` (served by the real host code in a thread); return (result, clock)."""

    def run(app: Any, steps: str, owner: str = __file__) -> tuple[CheckResult, float]:
        return serve_in_thread(app, check_from_steps(steps), tmp_path, Path(owner))

    return run


def grade_bin() -> str:
    found = Path(sys.executable).with_name("grade")
    return str(found) if found.exists() else (shutil.which("grade") or "grade")


def run_grade(*args: str, cwd: Path = ROOT, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """The real `grade` command, as a learner or CI runs it."""
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    return subprocess.run([grade_bin(), *args], cwd=cwd, capture_output=True, text=True, timeout=timeout, env=env)


def grade_json(*args: str, cwd: Path = ROOT) -> tuple[int, dict[str, Any]]:
    proc = run_grade(*args, "--format", "json", cwd=cwd)
    assert proc.stdout.strip(), proc.stderr
    return proc.returncode, json.loads(proc.stdout)


@pytest.fixture
def course(tmp_path: Path) -> Path:
    """A copy of the course with tight limits, for submissions that hang or crash."""
    root = tmp_path / "course"
    root.mkdir()
    shutil.copytree(ROOT / "exercises", root / "exercises")
    (root / "grader.toml").write_text(
        "[course]\ntitle = 'test'\n[limits]\ncheck_seconds = 1\nimport_seconds = 10\nrun_seconds = 60\n",
        encoding="utf-8",
    )
    return root


ARTIFACTS = ROOT / "tests" / "artifacts"  # screenshots of the pages, kept after the run (gitignored)


@pytest.fixture(scope="session")
def browser() -> Any:
    """One headless Chromium for the session, installed with apt when missing (as CI does).

    The Korean font is settled first (installed when missing and we may): Chromium reads the installed fonts
    when it starts, so a font installed later would not be used for the Korean pages.
    """
    from browser import Browser, prepare

    executable, why, korean = prepare()
    if executable is None:
        pytest.skip(f"no headless Chromium for the browser tests: {why}")
    chromium = Browser(executable)
    chromium.korean = korean
    try:
        yield chromium
    finally:
        chromium.close()


class Tags(HTMLParser):
    """Every start tag and attribute of a page, and its text."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parsed(page: str) -> Tags:
    tags = Tags()
    tags.feed(page)
    return tags


def self_contained(page: str) -> None:
    """No scripts, no handlers, nothing fetched: every URL stays inside the page (or names the SVG namespace)."""
    tags = parsed(page)
    names = {tag for tag, _ in tags.tags}
    assert not names & {"script", "img", "link", "iframe", "object", "embed"}, names
    for tag, attrs in tags.tags:
        assert not [a for a in attrs if a.startswith("on")], (tag, attrs)
        for name in ("src", "href"):
            value = attrs.get(name) or ""
            assert not re.match(r"\w+:", value), (tag, name, value)
    assert "default-src 'none'" in page


def learners_copy(source: Path, folder: Path) -> Path:
    """``source`` as a learner's own file (the course's files, byte for byte, are never recorded as work)."""
    folder.mkdir(parents=True, exist_ok=True)
    mine = folder / source.name
    mine.write_text(source.read_text(encoding="utf-8") + "# written by the learner\n", encoding="utf-8")
    return mine
