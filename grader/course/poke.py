"""``grade try ID``: the learner's app under a real uvicorn, and a WebSocket client in the terminal.

What the lesson asks learners to do with websocat, without installing it:
the app is imported in the grader's sandbox and served by uvicorn on a free
loopback port (as ``--server uvicorn`` does); the learner types messages and
sees every frame arrive, stamped with the seconds since the connection
opened, next to what the app printed. Lines:

    any text           sent as a text frame
    /json {...}        checked as JSON, sent as a text frame
    /hex 00 ff ...     sent as a binary frame
    /close [CODE [REASON]]   closes the connection (default 1000)
    /reconnect         connects again after the app closed or dropped the connection
    /save FILE         writes the transcript so far
    /help              this list
    /quit or Ctrl-D    closes and ends

The transcript (what was sent and received, with times) can be saved at any
point, and is kept when ``--transcript FILE`` is given.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import shutil
import sys
import tempfile
import threading
import time
import traceback
from pathlib import Path
from typing import IO, Any

from grader.errors import GraderError, InternalError
from grader.i18n import t
from grader.judge import real
from grader.judge.launch import START_SECONDS
from grader.judge.reports import load_failure, setup_failure
from grader.judge.run import Limits, _prepare, job
from grader.judge.trim import Trimmer
from grader.result import printable


class Session:
    """One connection typed at by a person; everything that crossed it, kept as lines."""

    def __init__(self, out: IO[str]) -> None:
        self.out = out
        self.lines: list[str] = []
        self.opened = time.monotonic()

    def show(self, arrow: str, text: str) -> None:
        # What crossed the wire is the app's: C1 controls and bidi overrides would steer the terminal.
        line = f"{time.monotonic() - self.opened:8.3f}s {arrow} {printable(text)}"
        self.lines.append(line)
        self.out.write(line + "\n")
        self.out.flush()

    def note(self, text: str) -> None:
        self.out.write(printable(text) + "\n")
        self.out.flush()


def describe(data: str | bytes) -> str:
    if isinstance(data, bytes):
        return f"binary {len(data)} bytes: {data[:64].hex(' ')}{' …' if len(data) > 64 else ''}"
    return "text " + json.dumps(data, ensure_ascii=False)


async def serve_and_talk(exercise_id: str, app_path: Path, attr: str, limits: Limits, lang: str, path: str,
                         stdin: IO[str], out: IO[str], transcript: Path | None = None) -> int:
    scratch = Path(tempfile.mkdtemp(prefix="grader-try-"))
    output = scratch / "output.txt"
    host = None
    try:
        app_dir, workdir, root = _prepare(scratch, app_path.resolve())
        host, link, fd, port = real.start_host(output, asyncio.get_running_loop())
        if await link.event("ready", seconds=START_SECONDS) is None:
            out.write(t("try_no_start", lang, id=exercise_id) + "\n")
            return 3
        link.send(job(app_dir / app_path.name, workdir, root, limits, attr=attr, listen_fd=fd))
        loaded = await link.event("loaded", "load_failed", seconds=limits.import_seconds + 1)
        if loaded is None:
            out.write(t("try_import_hang", lang, seconds=f"{limits.import_seconds:g}") + "\n")
            return 1
        if loaded["op"] == "load_failed":
            out.write(printable(load_failure(loaded, app_path.name, lang).message) + "\n")
            return 1
        started = await link.event("started", "setup_failed", "crashed", seconds=START_SECONDS)
        if started is None or started["op"] != "started":
            message = setup_failure(started, lang).message if started else t("try_no_start", lang, id=exercise_id)
            out.write(printable(message) + "\n")
            return 1
        url = f"ws://127.0.0.1:{port}{path}"
        out.write(t("try_serving", lang, url=url) + "\n")
        session = Session(out)
        printed = Printed(output, out)
        tail = asyncio.create_task(printed.follow())
        try:
            await _talk(url, session, stdin, lang)
        finally:
            tail.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await tail
            await asyncio.sleep(0.2)  # what the app printed on the way out
            printed.show_new()
        if transcript is not None:
            transcript.write_text("\n".join(session.lines) + "\n", encoding="utf-8")
            out.write(t("try_saved", lang, path=transcript) + "\n")
        return 0
    finally:
        if host is not None:
            host.close()
        shutil.rmtree(scratch, ignore_errors=True)


class Printed:
    """What the app (and uvicorn) printed, shown line by line as it appears."""

    def __init__(self, output: Path, out: IO[str]) -> None:
        self.output = output
        self.out = out
        self.offset = 0
        self.trimmer = Trimmer()  # a traceback uvicorn logs, cut to the learner's own frames

    def show_new(self) -> None:
        try:
            with open(self.output, "rb") as f:
                f.seek(self.offset)
                data = f.read(1 << 16)
        except OSError:
            return
        complete = data[: data.rfind(b"\n") + 1]
        self.offset += len(complete)
        for raw in complete.decode("utf-8", "replace").splitlines():
            line = self.trimmer.line(raw)
            if line is not None:
                # Learner output never drives the terminal: control characters are shown, not obeyed.
                self.out.write("  │ " + "".join(c if c.isprintable() else "?" for c in line) + "\n")
        self.out.flush()

    async def follow(self) -> None:
        while True:
            self.show_new()
            await asyncio.sleep(0.1)


async def _talk(url: str, session: Session, stdin: IO[str], lang: str) -> None:
    """Connections, one after another, until the learner quits or the input ends.

    When the app closes or drops a connection the session says so and keeps
    reading what is typed (``/reconnect`` or ``/quit``): ending here would hand
    the learner's next lines to their shell as commands.
    """
    typing = Typing(stdin, asyncio.get_running_loop())
    while True:
        if await _connection(url, session, typing, lang):
            return
        session.note(t("try_offer", lang))
        while True:
            line = await typing.next(None)
            word = (line or "").strip()
            if line is None or word in ("/quit", "/exit"):
                return
            if word == "/reconnect":
                break
            if word == "/help":
                session.note(t("try_help", lang))
            elif word:
                session.note(t("try_not_connected", lang))


async def _connection(url: str, session: Session, typing: Typing, lang: str) -> bool:
    """One connection; True when the learner ended the session, False when the connection ended without them."""
    from websockets.asyncio.client import connect
    from websockets.exceptions import ConnectionClosed, InvalidHandshake

    try:
        ws = await connect(url, open_timeout=10, max_size=16 << 20)
    except (InvalidHandshake, OSError, TimeoutError) as exc:
        session.note(t("try_refused", lang, why=str(exc) or type(exc).__name__))
        return False
    session.show("·", t("try_connected", lang))

    async def receive() -> None:
        with contextlib.suppress(ConnectionClosed):
            async for data in ws:
                session.show("←", describe(data))
        received, sent = ws.protocol.close_rcvd, ws.protocol.close_sent
        if received is not None and (sent is None or ws.protocol.close_rcvd_then_sent):
            reason = f" {received.reason!r}" if received.reason else ""
            why = t("try_why_1011", lang) if received.code == 1011 else ""
            session.show("·", t("try_server_closed", lang, code=received.code) + reason + why)
        elif sent is None:
            session.show("·", t("try_dropped", lang))

    reader = asyncio.create_task(receive())
    by_learner = True
    try:
        while not reader.done():
            line = await typing.next(reader)
            if line is None:
                if not typing.ended:  # the connection ended while the learner was typing
                    by_learner = False
                    break
                # The end of what was typed (a pipe, Ctrl-D): answers still on their way are shown first.
                await _quiet(session, reader)
                break
            if not await _command(line.rstrip("\n"), ws, session, lang):
                break
        else:
            by_learner = False
        if not reader.done():
            await ws.close()
            session.show("·", t("try_you_closed", lang, code=1000))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(asyncio.shield(reader), 5)
    finally:
        reader.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await reader
    return by_learner or typing.ended


async def _quiet(session: Session, reader: asyncio.Task[None], quiet: float = 0.5, most: float = 5.0) -> None:
    """Wait until nothing has arrived for ``quiet`` seconds (at most ``most``), or the connection ended."""
    started = time.monotonic()
    while not reader.done() and time.monotonic() - started < most:
        seen = len(session.lines)
        await asyncio.wait([reader], timeout=quiet)
        if len(session.lines) == seen:
            return


class Typing:
    """Lines typed at the terminal, read by a thread of their own (a daemon: an unanswered read never
    keeps the program from ending)."""

    def __init__(self, stdin: IO[str], loop: asyncio.AbstractEventLoop) -> None:
        self.lines: asyncio.Queue[str | None] = asyncio.Queue()
        self.stdin, self.loop = stdin, loop
        self.ended = False  # the input ended (a pipe ran dry, Ctrl-D)
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        while True:
            try:
                line = self.stdin.readline()
            except (OSError, ValueError):
                line = ""
            self.loop.call_soon_threadsafe(self.lines.put_nowait, line or None)
            if not line:
                return

    async def next(self, reader: asyncio.Task[None] | None) -> str | None:
        """The next line; None at the end of input, or when ``reader`` (the connection) ended first."""
        if self.ended:
            return None
        typed = asyncio.ensure_future(self.lines.get())
        waiting: list[asyncio.Future[Any]] = [typed]
        if reader is not None:
            waiting.append(reader)
        done, _ = await asyncio.wait(waiting, return_when=asyncio.FIRST_COMPLETED)
        if typed not in done:
            typed.cancel()
            return None
        line = typed.result()
        self.ended = line is None
        return line


async def _command(line: str, ws: Any, session: Session, lang: str) -> bool:
    """Do what one typed line says; False to end the session."""
    if line in ("/quit", "/exit"):
        return False
    if line == "/help":
        session.note(t("try_help", lang))
    elif line.startswith("/json"):
        try:
            value = json.loads(line[5:])
        except ValueError as exc:
            session.note(t("try_bad_json", lang, error=str(exc)))
            return True
        text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
        session.show("→", describe(text))
        await ws.send(text)
    elif line.startswith("/hex"):
        try:
            data = bytes.fromhex(line[4:])
        except ValueError:
            session.note(t("try_bad_hex", lang))
            return True
        session.show("→", describe(data))
        await ws.send(data)
    elif line.startswith("/close"):
        words = line.split(maxsplit=2)
        code = int(words[1]) if len(words) > 1 and words[1].isdigit() else 1000
        reason = words[2] if len(words) > 2 else ""
        session.show("·", t("try_you_closed", lang, code=code) + (f" {reason!r}" if reason else ""))
        await ws.close(code, reason)
        return False
    elif line.strip() == "/reconnect":
        session.note(t("try_still_connected", lang))
    elif line.startswith("/save"):
        target = Path(line[5:].strip() or "transcript.txt")
        target.write_text("\n".join(session.lines) + "\n", encoding="utf-8")
        session.note(t("try_saved", lang, path=target))
    elif line.startswith("/") and not line.startswith("//"):
        session.note(t("try_unknown", lang, command=line.split()[0]))
    else:
        text = line[1:] if line.startswith("//") else line  # `//x` sends "/x"
        session.show("→", describe(text))
        await ws.send(text)
    return True


def run(exercise_id: str, app_path: Path, attr: str, limits: Limits, lang: str, path: str,
        transcript: Path | None) -> int:
    try:
        return asyncio.run(serve_and_talk(exercise_id, app_path, attr, limits, lang, path, sys.stdin, sys.stdout,
                                          transcript))
    except (GraderError, KeyboardInterrupt):
        raise
    except Exception as exc:  # a bug of the grader's, never the learner's: exit 3 with what to report
        where = "".join(traceback.format_exception(exc)[-6:])
        raise InternalError(f"grade try {exercise_id}: {type(exc).__name__}: {exc}\n{where}") from exc
