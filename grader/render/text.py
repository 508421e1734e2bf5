"""The learner's report: one line per check, then each failure in full.

Plain text that reads well without colour; ANSI colour is added only for a
terminal and never when ``NO_COLOR`` is set.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable

from grader.i18n import say, t
from grader.render.causes import groups, hint_for
from grader.result import CheckResult, Result, Status

PASS, FAIL, SKIP = "✓", "✗", "–"


class Style:
    def __init__(self, color: bool) -> None:
        self.color = color

    def _wrap(self, code: str, text: str) -> str:
        return f"\x1b[{code}m{text}\x1b[0m" if self.color else text

    def good(self, text: str) -> str:
        return self._wrap("32", text)

    def bad(self, text: str) -> str:
        return self._wrap("31", text)

    def dim(self, text: str) -> str:
        return self._wrap("2", text)

    def bold(self, text: str) -> str:
        return self._wrap("1", text)


def wants_color(stream: object = None) -> bool:
    """Colour on a terminal that can show it: NO_COLOR always wins, FORCE_COLOR asks for it anywhere,
    TERM=dumb has none (https://no-color.org, https://force-color.org)."""
    stream = stream or sys.stdout
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR", "0") not in ("", "0"):
        return True
    if os.environ.get("TERM") == "dumb":
        return False
    return bool(getattr(stream, "isatty", lambda: False)())


def render(result: Result, color: bool | None = None, lang: str = "en") -> str:
    style = Style(wants_color() if color is None else color)
    lines = [style.bold(f"{result.exercise} · {result.title}"), ""]
    if result.unprotected:
        lines += [style.bad("! ") + result.protection_note(), ""]
    if result.diagnoses:
        lines += [style.bad("! ") + diagnosis for diagnosis in result.diagnoses] + [""]
    lines += [_check_line(check, style, lang) for check in result.checks]
    if result.hidden_pending:
        lines.append(style.dim("  " + t("hidden_pending", lang, n=result.hidden_pending, id=result.exercise)))
    for group in groups([c for c in result.checks if not c.passed]):
        lines += ["", *_failure_block(group[0], style, lang, also=[c.shown for c in group[1:]], hint=hint_for(group))]
    if result.output.strip():
        lines += ["", style.bold(t("printed", lang))]
        lines += ["  " + line for line in result.output.rstrip("\n").splitlines()[-40:]]
        if result.output_dropped:
            lines.append(style.dim("  " + t("more_output", lang, n=result.output_dropped)))
    lines += ["", summary(result, style, lang)]
    return "\n".join(lines) + "\n"


def _check_line(check: CheckResult, style: Style, lang: str) -> str:
    if check.status is Status.PASSED:
        return f"  {style.good(PASS)} {check.shown}"
    if check.status is Status.NOT_RUN:
        return f"  {style.dim(SKIP)} {check.shown} {style.dim('(' + t('not_run', lang) + ')')}"
    return f"  {style.bad(FAIL)} {check.shown}"


def _failure_block(check: CheckResult, style: Style, lang: str, also: list[str] | None = None,
                   hint: str | None = None) -> list[str]:
    failure = check.failure
    title = t("not_run", lang) if check.status is Status.NOT_RUN else t("failed", lang)
    mark = FAIL if check.status is Status.FAILED else SKIP
    lines = [style.bad(f"{mark} {check.shown}") + style.dim(f" — {title}")]
    if also:
        lines.append(style.dim("  " + t("same_for", lang, n=len(also), names=", ".join(also))))
    if failure is None:
        return lines
    if failure.step:
        lines.append(style.dim(f"  {t('at', lang)} {failure.step}"))
    lines.append(f"  {failure.message}")
    width = max(len(t("expected", lang)), len(t("got", lang))) + 1
    if failure.expected is not None:
        lines.append(f"  {(t('expected', lang) + ':').ljust(width)} {failure.expected}")
    if failure.actual is not None:
        lines.append(f"  {(t('got', lang) + ':').ljust(width)} {failure.actual}")
    if failure.errors:
        lines.append("  " + t("your_code", lang))
        for index, error in enumerate(failure.errors):
            if index:
                lines.append(style.dim("    " + t("led_to", lang)))
            lines.append(f"    {error.type}: {error.message}" if error.message else f"    {error.type}")
            for frame in error.frames:
                lines.append(style.dim("      " + say(lang, "{place} in {function}", place=f"{frame.file}:{frame.line}",
                                                     function=frame.function)))
                lines += [f"        {code_line}" for code_line in frame.code.splitlines()]
    if check.transcript:
        lines.append("  " + t("transcript", lang))
        for line in check.transcript:
            arrow = {"sent": "→", "received": "←"}.get(line.direction, "·")
            lines.append(style.dim(f"    {line.at:8.3f}s {line.client:>6} {arrow} ") + transcript_label(line.text, lang))
    if hint:
        lines.append(f"  {t('hint', lang)}: {hint}")
    return lines


def summary(result: Result, style: Style, lang: str = "en") -> str:
    total = len(result.checks)
    if result.passed and not result.complete:
        return style.good(PASS + " ") + t("all_visible_passed", lang, n=total) + t(
            "hidden_worth", lang, n=result.hidden_pending, hidden_points=result.hidden_points,
            all_points=result.max_points + result.hidden_points)
    if result.passed:
        return style.good(f"{PASS} {t('all_passed', lang, n=total)} ") + t("worth", lang, xp=result.xp)
    counts = t("summary", lang, passed=result.passed_count, total=total, points=result.points, max_points=result.max_points)
    hidden = t("summary_hidden", lang, n=result.hidden_pending) if result.hidden_pending else ""
    return style.bad(f"{FAIL} {counts}") + hidden


# The driver writes its transcript in English (formats and the HTML diagram read it so); a
# Korean report shows the same events in Korean. Patterns, in order; frames' contents stay as sent.
_LABELS: list[tuple[re.Pattern[str], Callable[[str, tuple[str, ...]], str]]] = [
    (re.compile(r"connect (.+)"), lambda lang, g: say(lang, "connect {path}", path=g[0])),
    (re.compile(r"offers subprotocols (.+)"), lambda lang, g: say(lang, "offers subprotocols {names}", names=g[0])),
    (re.compile(r"sends headers (.+)"), lambda lang, g: say(lang, "sends headers {headers}", headers=g[0])),
    (re.compile(r"sends cookies (.+)"), lambda lang, g: say(lang, "sends cookies {cookies}", cookies=g[0])),
    (re.compile(r"accepted \(subprotocol (.+)\)"),
     lambda lang, g: say(lang, "accepted (subprotocol {name})", name=g[0])),
    (re.compile(r"accepted"), lambda lang, g: say(lang, "accepted")),
    (re.compile(r"refused: HTTP (\d+)"), lambda lang, g: say(lang, "refused: HTTP {status}", status=g[0])),
    (re.compile(r"refused: HTTP (\d+) \(closed with code (.+)\)"),
     lambda lang, g: say(lang, "refused: HTTP {status} (closed with code {code})", status=g[0], code=g[1])),
    (re.compile(r"client disconnects \(code (.+)\)"),
     lambda lang, g: say(lang, "client disconnects (code {code})", code=g[0])),
    (re.compile(r"server closed the connection: code (.+)"),
     lambda lang, g: say(lang, "server closed the connection: code {code}", code=g[0])),
    (re.compile(r"the connection dropped without a close frame \(a real client sees 1006\)"),
     lambda lang, g: say(lang, "the connection dropped without a close frame (a real client sees 1006)")),
    (re.compile(r"no answer to the handshake"), lambda lang, g: say(lang, "no answer to the handshake")),
    (re.compile(r"handshake aborted by the client: (.+)"),
     lambda lang, g: say(lang, "handshake aborted by the client: {why}", why=g[0])),
    (re.compile(r"binary frame of (\d+) bytes (.*)"),
     lambda lang, g: say(lang, "binary frame of {n} bytes {data}", n=g[0], data=_tail(lang, g[1]))),
    (re.compile(r"… (\d+) earlier lines not shown"), lambda lang, g: say(lang, "… {n} earlier lines not shown", n=g[0])),
    # Frames a spec writes bit for bit, as grader/spec/rawframe.py describes them.
    (re.compile(r"(text|binary|continuation|ping|pong|opcode 0x[0-9a-f]+) frame"
                r"(?: \(((?:FIN off|RSV \d|unmasked)(?:, (?:FIN off|RSV \d|unmasked))*)\))? (b['\"].*)"),
     lambda lang, g: _raw_frame_label(lang, *g)),
    (re.compile(r"client disconnects \(close frame payload (.+)\)"),
     lambda lang, g: say(lang, "client disconnects (close frame payload {payload})", payload=g[0])),
    # Last: any other text frame the client sent or received.
    (re.compile(r"text (.*)", re.DOTALL), lambda lang, g: say(lang, "text {data}", data=_tail(lang, g[0]))),
]


_CUT = re.compile(r"… \((\d+) (bytes|characters)\)$")


def _tail(lang: str, data: str) -> str:
    """A frame's content as shown, with the note on how long it was in ``lang``: "… (300 characters)"."""
    cut = _CUT.search(data)
    if cut is None:
        return data
    note = say(lang, "… ({n} bytes)", n=cut[1]) if cut[2] == "bytes" else say(lang, "… ({n} characters)", n=cut[1])
    return data[: cut.start()] + note


def _raw_frame_label(lang: str, kind: str, flags: str | None, data: str) -> str:
    named = {"text": say(lang, "text frame"), "binary": say(lang, "binary frame")}.get(kind)
    shown = [say(lang, "FIN off") if flag == "FIN off" else say(lang, "unmasked") if flag == "unmasked" else flag
             for flag in (flags.split(", ") if flags else [])]
    return ((named or say(lang, "{kind} frame", kind=kind)) + (f" ({', '.join(shown)})" if shown else "")
            + f" {data}")


def transcript_label(text: str, lang: str) -> str:
    if lang == "en":
        return text
    for pattern, label in _LABELS:
        found = pattern.fullmatch(text)
        if found:
            return label(lang, found.groups())
    return text
