"""What the app host's reports and deaths mean, in the learner's words.

The host sends facts (which file, which exception, which lines); the judge
chooses the sentences, in the learner's language. A host that died, froze
or broke the protocol becomes a failure of the check it was running, never
an error of the grader's.
"""

from __future__ import annotations

import os
import re
import signal
from dataclasses import dataclass
from typing import Any

from grader import wire
from grader.i18n import say
from grader.judge.link import Death, raised_from_wire
from grader.result import Failure, Kind, Raised, SourceLine


def load_failure(facts: dict[str, Any], shown: str, lang: str) -> Failure:
    """The learner's file gave no app: why, with their own lines."""
    reason = facts.get("reason")
    errors = raised_from_wire(facts.get("errors", []))
    if reason == "missing":
        return Failure(Kind.IMPORT, say(lang, "{path} does not exist yet: `grade start` writes the lesson's starter "
                                              "there, or pass --app PATH", path=shown))
    if reason == "not_a_module":
        return Failure(Kind.IMPORT, say(lang, "{file} cannot be imported as a Python module", file=shown))
    if reason == "syntax" and errors:
        return Failure(Kind.IMPORT, say(lang, "{file} has a syntax error: {error}", file=shown,
                                        error=errors[0].headline()), errors=errors)
    if reason == "exit" and errors:
        return Failure(Kind.IMPORT, say(lang, "{file} called sys.exit() while being imported ({error})", file=shown,
                                        error=errors[0].headline()), errors=errors)
    if reason == "no_module" and errors:
        return Failure(Kind.IMPORT, say(lang, "{file} imports a module that is not installed: {module} ({error})",
                                        file=shown, module=repr(facts.get("module")), error=errors[0].headline()),
                       errors=errors)
    if reason == "no_attr":
        attr = str(facts.get("attr", "app"))
        found = [str(f) for f in facts.get("found", [])][:10]
        also = say(lang, " (it has {found}: name it {attr} or pass --app {file}:{first})", found=", ".join(found),
                   attr=attr, file=shown, first=found[0]) if found else ""
        return Failure(Kind.IMPORT, say(lang, "{file} defines no `{attr}`: write `{attr} = FastAPI()` at the "
                                              "top level", file=shown, attr=attr) + also)
    if reason == "not_callable":
        attr = str(facts.get("attr", "app"))
        return Failure(Kind.IMPORT, say(lang, "`{attr}` in {file} is {kind} {value}, not an application: "
                                              "write `{attr} = FastAPI()`", attr=attr, file=shown,
                                        kind=str(facts.get("kind")), value=str(facts.get("value"))[:80]))
    headline = errors[-1].headline() if errors else str(reason)
    return Failure(Kind.IMPORT, say(lang, "{file} raised an error while being imported: {error}", file=shown,
                                    error=headline), errors=errors)


def setup_failure(event: dict[str, Any], lang: str) -> Failure:
    """Lifespan startup failed, or learner code outside any connection stopped the server."""
    errors = raised_from_wire(event.get("errors", []))
    if event["op"] == "crashed":
        headline = errors[-1].headline() if errors else "?"
        return Failure(Kind.CRASH, say(lang, "your code raised {error}", error=headline), errors=errors)
    reason = event.get("reason")
    if reason == "timeout":
        message = say(lang, "the app's lifespan startup did not finish within {seconds} s",
                      seconds=str(event.get("message", "")))
    elif reason == "failed":
        message = say(lang, "the app's lifespan startup failed: {message}", message=str(event.get("message", "")))
    else:
        message = say(lang, "the app's lifespan startup raised an exception")
    return Failure(Kind.ERROR, message, errors=errors)


@dataclass(frozen=True)
class Ending:
    """How a host ended, as the judge knows it."""

    death: Death
    why: str
    status: int | None  # exit status (negative: a signal); None if unknown
    peak_mb: int
    trace: str  # what faulthandler and os._exit left in the trace pipe


def death_failure(ending: Ending, *, app_dir: str, check_seconds: float, run_seconds: float, limits_memory_mb: int,
                  cpu_seconds: int, lang: str, judge_memory_mb: int = 256) -> Failure:
    """The host died, froze or broke the protocol: what the learner's code did, in their terms."""
    if ending.death is Death.FLOOD:
        return Failure(Kind.CRASH, say(lang, "your app sent more than {limit} MiB in this check before it was read "
                                             "({why}). Send less, in smaller messages, or wait for the client to "
                                             "answer before sending more", limit=judge_memory_mb, why=ending.why[:300]),
                       expected=say(lang, "the endpoint keeps serving"),
                       actual=say(lang, "more than {limit} MiB of messages", limit=judge_memory_mb))
    if ending.death is Death.PROTOCOL:
        return Failure(Kind.CRASH, say(lang, "your app's process broke the grading protocol ({why}); the grader "
                                             "only believes what it sees your app send", why=ending.why[:200]),
                       expected=say(lang, "the endpoint keeps serving"), actual=say(lang, "a broken message"))
    trace = ending.trace
    if "GRADER-OS-EXIT " in trace:
        note = trace.split("GRADER-OS-EXIT ", 1)[1].strip().splitlines()[0]
        return Failure(Kind.CRASH, say(lang, "your code called {call}, which ends the whole server process", call=note),
                       expected=say(lang, "the endpoint keeps serving"),
                       actual=say(lang, "process exited with code {status}", status=ending.status or 0))
    memory = ""
    if ending.peak_mb * 2 > limits_memory_mb:
        memory = say(lang, ", while its memory grew to {peak} MB (limit {limit} MB)", peak=ending.peak_mb,
                     limit=limits_memory_mb)
    where = stuck_at(trace, app_dir) if ending.death in (Death.OVERTIME, Death.STALLED) else None
    at = say(lang, " at {place}", place=f"{where.file}:{where.line} ({where.code})") if where else ""
    if ending.death is Death.OVERTIME:
        return Failure(
            Kind.HANG,
            say(lang, "grading took longer than {seconds} s in all and your app was still busy{where}: an endpoint "
                      "that never waits for anything (a loop without a real await) keeps the server from serving "
                      "anyone else", seconds=f"{run_seconds:g}", where=at),
            expected=say(lang, "an answer"), actual=say(lang, "the server was still busy"),
            errors=(Raised("Busy", say(lang, "still running"), (where,)),) if where else (),
        )
    if ending.death is Death.STALLED:
        return frozen(lang, f"{check_seconds:g}", where, memory)
    status = ending.status
    if status is not None and status < 0:
        number = -status
        name = signal.Signals(number).name if number in signal.Signals._value2member_map_ else str(number)
        why = {
            "SIGXCPU": say(lang, "it used more than {seconds} s of CPU time", seconds=cpu_seconds),
            "SIGKILL": say(lang, "it was killed (most often for using more than {limit} MB of memory)",
                           limit=limits_memory_mb),
            "SIGSEGV": say(lang, "it crashed (segmentation fault)"),
        }.get(name) or say(lang, "it was stopped by {signal}", signal=name)
        return Failure(Kind.CRASH, say(lang, "the server process running your app died: {why}{memory}", why=why,
                                       memory=memory),
                       expected=say(lang, "the endpoint keeps serving"), actual=f"signal {name}")
    shown = status if status is not None else "?"
    return Failure(Kind.CRASH, say(lang, "the server process running your app exited with code {status} "
                                         "(did your code call sys.exit() or os._exit()?)", status=shown),
                   expected=say(lang, "the endpoint keeps serving"), actual=say(lang, "exit code {status}", status=shown))


def frozen(lang: str, seconds: str, where: SourceLine | None, memory: str = "") -> Failure:
    """An app whose event loop a blocking call held for more than ``seconds`` of real time, at ``where``.

    The same words in both modes: the grader's own server gives up on a frozen
    host; under uvicorn the host says, when asked, that its loop is held.
    """
    at = say(lang, " at {place}", place=f"{where.file}:{where.line} ({where.code})") if where else ""
    return Failure(
        Kind.HANG,
        say(lang, "your endpoint stopped responding: it blocked the event loop for more than {seconds} s of real "
                  "time{where}{memory}. Blocking calls (time.sleep, busy loops, synchronous I/O) freeze every "
                  "connection: use await asyncio.sleep(...) or run the work in a thread",
            seconds=seconds, where=at, memory=memory),
        expected=say(lang, "an answer"), actual=say(lang, "the server froze"),
        errors=(Raised("Blocked", say(lang, "event loop blocked"), (where,)),) if where else (),
    )


def stuck_at(trace: str, app_dir: str) -> SourceLine | None:
    """The learner's innermost line in a faulthandler dump.

    The host names the learner's file by its path inside the sandbox; the
    judge reads the line from its own copy in ``app_dir``.
    """
    # The host's watchdog may have fired before (during a long idle moment):
    # only its last dump says where the app froze.
    last = trace.rsplit("Timeout (", 1)[-1]
    for match in re.finditer(r'File "([^"]+)", line (\d+) in (\S+)', last):
        filename, line, function = match.group(1), int(match.group(2)), match.group(3)
        for folder in (wire.SANDBOX_APP_DIR, app_dir):
            if filename.startswith(folder.rstrip("/") + "/"):
                name = filename[len(folder.rstrip("/")) + 1 :]
                # faulthandler lists the innermost frame first
                return SourceLine(name, line, function, _line_of(os.path.join(app_dir, name), line))
    return None


def _line_of(path: str, line: int) -> str:
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            for number, text in enumerate(f, 1):
                if number == line:
                    return text.strip()
    except OSError:
        pass
    return ""


def read_trace(fd: int, limit: int = 64 * 1024) -> str:
    """What the host left in its trace pipe (faulthandler's dumps, the os._exit note), without waiting."""
    chunks = []
    size = 0
    while size < limit:
        try:
            chunk = os.read(fd, limit - size)
        except OSError:
            break
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks).decode("utf-8", "replace")
