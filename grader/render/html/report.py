"""``--format html``: one learner's report as a page, every check's conversation drawn.

Failed checks come first, open, each with its failed step, expected against
actual (and every JSON difference by key path), the learner's exception and
the conversation as a sequence diagram; passed checks follow, folded. The
list of verdicts at the top keeps the spec's order.
"""

from __future__ import annotations

from grader.i18n import say
from grader.render.causes import groups, hint_for
from grader.result import CheckResult, Failure, Result, Status

from . import jsondiff
from .beats import beats
from .diagram import NARROW, WIDE, svg
from .page import esc, page


def render(result: Result, lang: str = "en") -> str:
    body = [_header(result, lang)]
    # One cause, one card: the first check a cause sank carries it and names the others, which point back.
    leader: dict[int, CheckResult] = {}
    sunk: dict[int, list[CheckResult]] = {}
    hints: dict[int, str | None] = {}
    for group in groups([c for c in result.checks if not c.passed]):
        sunk[id(group[0])] = group[1:]
        hints[id(group[0])] = hint_for(group)
        for other in group[1:]:
            leader[id(other)] = group[0]
    ordered = sorted(enumerate(result.checks), key=lambda item: item[1].passed)
    for index, check in ordered:
        body.append(_section(index, check, lang, leader.get(id(check)), sunk.get(id(check), []), hints.get(id(check))))
    if result.output.strip():
        body.append(f"<h2>{esc(say(lang, 'What your app printed'))}</h2><pre class=\"output\">{esc(result.output)}</pre>")
        if result.output_dropped:
            dropped = result.output_dropped
            words = (say(lang, "one more byte of output not shown") if dropped == 1
                     else say(lang, "{n} more bytes of output not shown", n=dropped))
            body.append(f'<p class="dim">{esc(words)}</p>')
    title = f"{result.exercise} · {result.title}"
    return page(title, "\n".join(body), lang)


def verdict(result: Result, lang: str) -> str:
    total = len(result.checks)
    if result.passed and result.complete and total == 1:
        return say(lang, "The one check passed · {points}/{max_points} points", points=result.points,
                   max_points=result.max_points)
    if result.passed and result.complete:
        return say(lang, "All {n} checks passed · {points}/{max_points} points", n=total, points=result.points,
                   max_points=result.max_points)
    text = say(lang, "{passed} of {total} checks passed · {points}/{max_points} points", passed=result.passed_count,
               total=total, points=result.points, max_points=result.max_points)
    if result.hidden_pending:
        if result.hidden_points == 1:
            text += " · " + say(lang, "hidden checks still to run when you submit: {n} (1 point)", n=result.hidden_pending)
        else:
            text += " · " + say(lang, "hidden checks still to run when you submit: {n} ({points} points)",
                                n=result.hidden_pending, points=result.hidden_points)
    return text


def sank(lang: str, n: int, names: str) -> str:
    """The other checks one cause sank, counted in words that agree with the count."""
    if n == 1:
        return say(lang, "The same cause sank one more check: {name}", name=names)
    return say(lang, "The same cause sank {n} more checks: {names}", n=n, names=names)


def _header(result: Result, lang: str) -> str:
    tone = "ok" if result.passed else "bad"
    mark = "✓" if result.passed else "✗"
    items = "".join(
        f'<li><a href="#check-{i}" class="{_tone(c)}">{_mark(c)}</a> <a href="#check-{i}">{esc(c.shown)}</a> '
        f'<span class="dim">{c.points}/{c.max_points}</span></li>'
        for i, c in enumerate(result.checks))
    return (f"<header><h1>{esc(result.exercise)} · {esc(result.title)}</h1>"
            f'<p class="dim mono">{_path(result.app)}</p>'
            f'<p class="verdict {tone}" id="verdict">{mark} {esc(verdict(result, lang))}</p>'
            f'<ul class="checks" style="margin:0;padding-left:1.2em;columns:2 320px">{items}</ul></header>')


def _path(path: str) -> str:
    """A file path that wraps after a folder's slash, never inside a name (a phone shows long paths)."""
    return esc(path).replace("/", "/<wbr>")


def _mark(check: CheckResult) -> str:
    return {"passed": "✓", "failed": "✗"}.get(check.status.value, "–")


def _tone(check: CheckResult) -> str:
    return {"passed": "ok", "failed": "bad"}.get(check.status.value, "dim")


def _status(check: CheckResult, lang: str) -> str:
    if check.status is Status.PASSED:
        return say(lang, "passed")
    return say(lang, "failed") if check.status is Status.FAILED else say(lang, "not run")


def _section(index: int, check: CheckResult, lang: str, leader: CheckResult | None,
             others: list[CheckResult], hint: str | None) -> str:
    badge = {"passed": "ok", "failed": "bad"}.get(check.status.value, "skip")
    hidden = f' <span class="dim">({esc(say(lang, "hidden check"))})</span>' if check.hidden else ""
    head = (f'<span class="{_tone(check)}">{_mark(check)}</span> <h3>{esc(check.shown)}</h3>{hidden} '
            f'<span class="badge {badge}">{esc(_status(check, lang))}</span> '
            f'<span class="dim">{esc(say(lang, "{points}/{max_points} points", points=check.points, max_points=check.max_points))}</span>')
    parts = []
    failure = check.failure
    repeated = leader is not None
    if failure is not None:
        if leader is not None:
            parts.append(f'<p class="dim same-cause">{esc(say(lang, "Failed for the same reason as {name}.", name=leader.shown))}</p>')
        else:
            if others:
                names = ", ".join(other.shown for other in others)
                parts.append(f'<p class="dim same-cause">{esc(sank(lang, len(others), names))}</p>')
            parts.append(_failure(failure, lang))
    if check.transcript:
        rows = beats(check, lang)
        # Both layouts are in the page; the stylesheet shows the one that suits the screen.
        drawn = "".join(svg(rows, say(lang, "server"), layout) for layout in (WIDE, NARROW))
        parts.append(f'<div class="diagram" data-check="{index}">{drawn}</div>')
    if failure is not None and not repeated:
        parts.append(_details(failure, lang))
    if check.transcript:
        parts.append(_transcript(check, lang))
    if hint:
        parts.append(f'<p><b>{esc(say(lang, "hint"))}:</b> {esc(hint)}</p>')
    content = "".join(parts)
    if check.passed:
        return (f'<details class="check passed" id="check-{index}"><summary>{head}</summary>'
                f"{content or _nothing(lang)}</details>")
    return f'<section class="check failed" id="check-{index}"><div>{head}</div>{content}</section>'


def _nothing(lang: str) -> str:
    return f'<p class="dim">{esc(say(lang, "This check reads your source code; it has no conversation."))}</p>'


def _failure(failure: Failure, lang: str) -> str:
    """Where it failed and how, short enough that the diagram under it starts on the first screen."""
    lines = []
    if failure.step:
        lines.append(f'<p class="step"><b>{esc(say(lang, "at"))}</b> <span class="mono">{esc(failure.step)}</span></p>')
    if failure.message:
        lines.append(f'<p class="message">{esc(failure.message)}</p>')
    pairs = [(say(lang, "expected"), failure.expected), (say(lang, "got"), failure.actual)]
    rows = "".join(f"<dt>{esc(name)}</dt><dd>{esc(value)}</dd>" for name, value in pairs if value is not None)
    if rows:
        lines.append(f"<dl>{rows}</dl>")
    return f'<div class="failure">{"".join(lines)}</div>'


def _details(failure: Failure, lang: str) -> str:
    """Every JSON difference, then the learner's exception with their own lines of code."""
    parts = [_diff(failure, lang)]
    for number, error in enumerate(failure.errors):
        lead = say(lang, "your code raised") if number == 0 else say(lang, "which led to")
        frames = "".join(
            f"\n  {esc(frame.file)}:{frame.line} in {esc(frame.function)}\n    {esc(frame.code)}" for frame in error.frames)
        head = f"{error.type}: {error.message}" if error.message else error.type
        parts.append(f'<p><b>{esc(lead)}</b></p><pre class="raised">{esc(head)}{frames}</pre>')
    return "".join(parts)


def _diff(failure: Failure, lang: str) -> str:
    ok_expected, expected = jsondiff.parse(failure.expected)
    ok_actual, actual = jsondiff.parse(failure.actual)
    if not (ok_expected and ok_actual) or _has_operators(expected):
        return ""
    if not isinstance(expected, dict | list) and not isinstance(actual, dict | list):
        return ""  # two scalars: expected and got above already say it all
    found = jsondiff.differences(expected, actual)
    if not found:
        return ""
    rows = "".join(
        f'<tr><td class="mono">{esc(d.path)}</td><td>{esc(jsondiff.describe(d.what, lang))}</td>'
        f'<td class="mono">{esc(d.expected)}</td><td class="mono">{esc(d.actual)}</td></tr>'
        for d in found[:jsondiff.LIMIT])
    more = len(found) - jsondiff.LIMIT
    words = say(lang, "… and one more difference") if more == 1 else say(lang, "… and {n} more differences", n=more)
    tail = f'<p class="dim">{esc(words)}</p>' if more > 0 else ""
    names = (say(lang, "key path"), say(lang, "difference"), say(lang, "expected"), say(lang, "got"))
    head = "".join(f"<th>{esc(name)}</th>" for name in names)
    return f'<div class="scroll"><table class="diff"><tr>{head}</tr>{rows}</table></div>{tail}'


def _has_operators(value: object) -> bool:
    """A matcher (``{"$re": ...}``) is not a value to diff against."""
    if isinstance(value, dict):
        return any(str(k).startswith("$") or _has_operators(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_operators(v) for v in value)
    return False


def _transcript(check: CheckResult, lang: str) -> str:
    arrows = {"sent": "→", "received": "←"}
    rows = "".join(
        f'<tr><td class="mono">{f.at:.3f}s</td><td>{esc(f.client)}</td><td>{arrows.get(f.direction, "·")}</td>'
        f'<td class="mono">{esc(f.text)}</td></tr>'
        for f in check.transcript)
    count = len(check.transcript)
    summary = (say(lang, "Every frame in full (one line)") if count == 1
               else say(lang, "Every frame in full ({n} lines)", n=count))
    return f'<details class="frames"><summary>{esc(summary)}</summary><div class="scroll"><table>{rows}</table></div></details>'
