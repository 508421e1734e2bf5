"""A headless Chromium driven over the Chrome DevTools Protocol, for the tests of the HTML pages.

Only the ``websockets`` client (already a test dependency) is needed: the
browser prints its DevTools address, one page target is attached in flat
mode, and every event the page raises is kept so a test can ask what a
person would have seen: console errors, requests, elements and their boxes,
a screenshot.
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import itertools
import json
import os
import re
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from websockets.sync.client import ClientConnection, connect

NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
START_SECONDS = 60  # a cold start on a busy two-core machine
CALL_SECONDS = 60


def find_chromium() -> str | None:
    return next((path for name in NAMES if (path := shutil.which(name))), None)


KOREAN_FONT = "fonts-noto-cjk"
APT_SECONDS = 900  # one apt-get command; at most three run (install, update, install again)


def korean_font_present() -> bool:
    """Whether fontconfig knows a font with Hangul (Chromium draws Korean with one of those)."""
    return bool(shutil.which("fc-list")) and bool(
        subprocess.run(["fc-list", ":lang=ko"], capture_output=True, text=True, timeout=60).stdout.strip())


def apt_install(packages: list[str]) -> str:
    """Install Debian packages with apt-get when we may; "" when done, else why not.

    A fresh machine may have no package lists yet, so a failed install is tried
    once more after ``apt-get update``. All packages go in one command, so the
    time spent is bounded by three commands whatever is missing.
    """
    if not shutil.which("apt-get"):
        return f"no apt-get to install {' '.join(packages)} with"
    if os.geteuid() != 0:
        return f"installing {' '.join(packages)} needs root: run `apt-get install -y {' '.join(packages)}` as root"
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = ["apt-get", "install", "-y", "--no-install-recommends", *packages]
    log = ""
    # Test workers may arrive here together; dpkg takes one installer at a time.
    with open(Path(tempfile.gettempdir()) / "grader-chromium-install.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        for command in (install, ["apt-get", "update"], install):
            try:
                proc = subprocess.run(command, capture_output=True, text=True, env=env, timeout=APT_SECONDS)
            except subprocess.TimeoutExpired:
                return f"{' '.join(command)} took longer than {APT_SECONDS} s"
            log = (proc.stdout + proc.stderr)[-2000:]
            if command is install and proc.returncode == 0:
                return ""
    return f"apt-get could not install {' '.join(packages)}:\n{log}"


def prepare() -> tuple[str | None, str, tuple[bool, str]]:
    """The browser and the Korean font, installed together when missing and we may.

    Gives Chromium's path (or None and why not) and whether a Korean font is
    there (and why not). Korean pages are checked as rendered: without a font,
    Hangul is drawn as boxes whose line breaks say nothing. The font must be
    there before Chromium starts, which is when it reads the installed fonts.
    """
    missing = ([] if find_chromium() else ["chromium"]) + ([] if korean_font_present() else [KOREAN_FONT])
    why = apt_install(missing) if missing else ""
    executable = find_chromium()
    korean = korean_font_present()
    return (executable, "" if executable else f"no chromium on PATH; {why}",
            (korean, "" if korean else f"no Korean font; {why}"))


class Page:
    """One tab: load a file, then read what it shows."""

    def __init__(self, browser: Browser, session: str) -> None:
        self.browser = browser
        self.session = session
        self.events: list[dict[str, Any]] = []

    def call(self, method: str, **params: Any) -> dict[str, Any]:
        return self.browser.call(method, params, self.session)

    def open(self, path: Path, width: int = 1280, height: int = 800) -> Page:
        self.call("Emulation.setDeviceMetricsOverride", width=width, height=height, deviceScaleFactor=1,
                  mobile=width < 600)
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.call(f"{domain}.enable")
        self.events.clear()
        self.call("Page.navigate", url=path.resolve().as_uri())
        self.browser.wait_for(lambda e: e.get("method") == "Page.loadEventFired" and e.get("sessionId") == self.session)
        # Console messages logged during load may arrive just after the load event: ask once more after them.
        self.evaluate("1")
        return self

    def evaluate(self, expression: str) -> Any:
        reply = self.call("Runtime.evaluate", expression=expression, returnByValue=True)
        if "exceptionDetails" in reply:
            raise AssertionError(f"the page could not evaluate {expression!r}: {reply['exceptionDetails']}")
        return reply["result"].get("value")

    def console_errors(self) -> list[str]:
        found = []
        for event in self.events:
            method, params = event.get("method"), event.get("params", {})
            if method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
                found.append(" ".join(str(a.get("value", a.get("description", ""))) for a in params.get("args", [])))
            elif method == "Runtime.exceptionThrown":
                found.append(str(params.get("exceptionDetails", {}).get("text")))
            elif method == "Log.entryAdded" and params.get("entry", {}).get("level") == "error":
                found.append(str(params["entry"].get("text")))
        return found

    def requests(self) -> list[str]:
        """Every URL the page asked for (the page's own file included)."""
        return [e["params"]["request"]["url"] for e in self.events if e.get("method") == "Network.requestWillBeSent"]

    def screenshot(self, path: Path, full_page: bool = False) -> Path:
        params: dict[str, Any] = {"format": "png"}
        if full_page:
            size = self.evaluate("[document.documentElement.scrollWidth, document.documentElement.scrollHeight]")
            params.update(captureBeyondViewport=True, clip={"x": 0, "y": 0, "width": size[0], "height": size[1], "scale": 1})
        data = self.call("Page.captureScreenshot", **params)["data"]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(data))
        return path


class Browser:
    """One headless Chromium for a whole test session."""

    def __init__(self, executable: str) -> None:
        self.profile = tempfile.mkdtemp(prefix="grader-chromium-")
        args = [executable, "--headless=new", "--disable-gpu", "--remote-debugging-port=0", "--no-first-run",
                "--no-default-browser-check", "--disable-extensions", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
                f"--user-data-dir={self.profile}", "about:blank"]
        if os.geteuid() == 0:
            args.insert(1, "--no-sandbox")  # Chromium refuses to run its sandbox as root
        self.process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        address = self._address()
        self._stack = contextlib.ExitStack()
        self.ws: ClientConnection = self._stack.enter_context(connect(address, max_size=None, open_timeout=START_SECONDS))
        self.ids = itertools.count(1)
        self.pending: list[dict[str, Any]] = []
        self.pages: dict[str, Page] = {}
        self.korean: tuple[bool, str] = (False, "not looked for")  # a Korean font installed, or why not

    def _address(self) -> str:
        assert self.process.stderr is not None
        deadline = time.monotonic() + START_SECONDS
        seen = []
        while time.monotonic() < deadline:
            line = self.process.stderr.readline()
            if not line and self.process.poll() is not None:
                break
            seen.append(line)
            match = re.search(r"DevTools listening on (ws://\S+)", line)
            if match:
                # Keep draining stderr so a chatty browser never blocks on a full pipe.
                drain = subprocess.Popen(["cat"], stdin=self.process.stderr, stdout=subprocess.DEVNULL)
                self._drain = drain
                return match.group(1)
        self.close()
        raise RuntimeError("chromium did not start:\n" + "".join(seen[-20:]))

    def _receive(self, timeout: float) -> dict[str, Any]:
        message: dict[str, Any] = json.loads(self.ws.recv(timeout=timeout))
        session = message.get("sessionId")
        if "method" in message and session in self.pages:
            self.pages[session].events.append(message)
        return message

    def call(self, method: str, params: dict[str, Any] | None = None, session: str | None = None) -> dict[str, Any]:
        ident = next(self.ids)
        message: dict[str, Any] = {"id": ident, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        self.ws.send(json.dumps(message))
        while True:
            reply = self._receive(CALL_SECONDS)
            if reply.get("id") == ident:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                result: dict[str, Any] = reply.get("result", {})
                return result
            if "method" in reply:
                self.pending.append(reply)

    def wait_for(self, matches: Any) -> dict[str, Any]:
        for index, event in enumerate(self.pending):
            if matches(event):
                return self.pending.pop(index)
        while True:
            event = self._receive(CALL_SECONDS)
            if matches(event):
                return event
            if "method" in event:
                self.pending.append(event)

    def new_page(self) -> Page:
        target = self.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        page = Page(self, session)
        self.pages[session] = page
        return page

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self._stack.close()
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        drain = getattr(self, "_drain", None)
        if drain is not None:
            with contextlib.suppress(Exception):
                drain.wait(5)
        shutil.rmtree(self.profile, ignore_errors=True)
