"""``grade batch --html``: the class at a glance.

Pass rate per check (which checks trip students), the distribution of
scores, the most common causes of failure with one example each, and every
submission with a link to its own report.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from grader.i18n import say
from grader.render.causes import groups
from grader.result import CheckResult, Result
from grader.spec import Check, Exercise, pick

from . import charts, report
from .charts import Share, bars, histogram
from .page import esc, page

CAUSES = 10  # causes listed
CSS = charts.CSS + """
/* A note quotes paths with no space in them: it wraps anywhere, so the other columns keep their room. */
td.note { overflow-wrap: anywhere; min-width: 12em; }
"""
BINS = 10  # score bins once the score has more values than fit


@dataclass(frozen=True)
class Graded:
    """One submission as the dashboard sees it."""

    name: str
    result: Result | None  # None when it could not be graded at all
    error: str = ""
    report: str | None = None  # a link to its own report, relative to the dashboard


@dataclass
class Cause:
    check: str  # the first check the cause sank
    step: str
    kind: str
    error: str = ""  # the exception's type, when the learner's code raised one
    count: int = 0  # submissions it sank checks in
    examples: list[tuple[Graded, CheckResult | None]] = field(default_factory=list)
    also: list[str] = field(default_factory=list)  # the other checks it sank, in the spec's order


def render(exercise: Exercise, title: str, graded: list[Graded], lang: str = "en") -> str:
    total = len(graded)
    passed = sum(1 for g in graded if g.result is not None and g.result.passed and g.result.complete)
    max_points = exercise.points
    body = [f"<h1>{esc(exercise.id)} · {esc(title)}</h1>",
            f'<p class="verdict" id="summary">{esc(say(lang, "{passed} of {total} submissions passed every check", passed=passed, total=total))}</p>']
    body.append(f"<h2>{esc(say(lang, 'Pass rate per check'))}</h2>")
    shares = [Share(_title(check, lang), _passes(graded, check.name), total) for check in exercise.checks]
    body.append(f'<div class="chart scroll" id="pass-rates">{bars(shares, say(lang, "passed"))}</div>')
    body.append(f"<h2>{esc(say(lang, 'Scores'))}</h2>")
    scores = [g.result.points if g.result is not None else 0 for g in graded]
    axis = say(lang, "points out of {max_points}", max_points=max_points)
    body.append(f'<div class="chart scroll" id="scores">{histogram(score_bins(scores, max_points), axis)}</div>')
    body.append(f"<h2>{esc(say(lang, 'Most common causes of failure'))}</h2>")
    body.append(_causes(exercise, causes(exercise, graded, lang), lang))
    body.append(f"<h2>{esc(say(lang, 'Submissions'))}</h2>")
    body.append(_table(exercise, graded, lang))
    return page(f"{exercise.id} · {title}", "\n".join(body), lang, CSS)


def _passes(graded: list[Graded], name: str) -> int:
    return sum(1 for g in graded if g.result is not None and any(c.name == name and c.passed for c in g.result.checks))


def score_bins(scores: list[int], max_points: int) -> list[tuple[str, int]]:
    """One bin per score while they fit, else ``BINS`` ranges of equal width."""
    if max_points + 1 <= 2 * BINS:
        return [(str(value), scores.count(value)) for value in range(max_points + 1)]
    step = -(-(max_points + 1) // BINS)
    bins = []
    for low in range(0, max_points + 1, step):
        high = min(max_points, low + step - 1)
        bins.append((f"{low}–{high}", sum(1 for s in scores if low <= s <= high)))
    return bins


def _round(lang: str) -> re.Pattern[str]:
    """The tail a repeated step's round adds to where it failed (", round 2 of 6 (m = ...)"), in ``lang``:
    submissions failing the same step in different rounds fail at the same place."""
    mark = "\x00"
    words = re.escape(say(lang, "round {n} of {total}", n=mark, total=mark)).replace(re.escape(mark), r"\d+")
    return re.compile(", " + words + ".*$", re.S)


def causes(exercise: Exercise, graded: list[Graded], lang: str = "en") -> list[Cause]:
    """Root causes, the most common first: one per submission and cause, as its own report counts them.

    Within a submission, checks sunk by one cause (one exception at one line,
    one refusal, the same event word for word) are one cause, as in the text
    report (``grader.render.causes``). Across submissions, messages quote each
    one's own values, so they are not the key: a cause that first shows at the
    same step of the same check, failing the same way (raising the same type
    of exception, when it raised one), is the same cause. ``lang`` is the
    language the results were graded in.
    """
    rounds = _round(lang)
    found: dict[tuple[str, str, str, str], Cause] = {}
    for item in graded:
        if item.result is None:
            cause = found.setdefault(("", "", "ungraded", ""), Cause("", "", "ungraded"))
            cause.count += 1
            if not cause.examples:
                cause.examples.append((item, None))
            continue
        for group in groups([c for c in item.result.checks if not c.passed and c.failure is not None]):
            check = group[0]
            assert check.failure is not None
            step = rounds.sub("", check.failure.step or "")
            errors = check.failure.errors
            # The exception the grouping keys on (``grader.render.causes.cause``): the last one raised.
            key = (check.name, step, check.failure.kind.value, errors[-1].type if errors else "")
            cause = found.setdefault(key, Cause(*key))
            cause.count += 1
            cause.also.extend(other.name for other in group[1:] if other.name not in cause.also)
            if not cause.examples:
                cause.examples.append((item, check))
    order = {check.name: index for index, check in enumerate(exercise.checks)}
    for cause in found.values():
        cause.also.sort(key=lambda name: order.get(name, len(order)))
    return sorted(found.values(), key=lambda c: -c.count)


def kind_text(kind: str, lang: str) -> str:
    """Why a check failed, in a few words."""
    texts = {
        "mismatch": say(lang, "a different message arrived"),
        "timeout": say(lang, "nothing arrived in time"),
        "timing": say(lang, "it arrived too early or too late"),
        "closed": say(lang, "the connection ended too early"),
        "refused": say(lang, "the handshake went the other way"),
        "unclean": say(lang, "the endpoint did not end cleanly"),
        "error": say(lang, "the app raised an exception"),
        "source": say(lang, "a rule about the source code"),
        "file": say(lang, "a file the app should write"),
        "hang": say(lang, "the event loop was blocked"),
        "crash": say(lang, "the app's process died"),
        "import": say(lang, "the file could not be imported"),
        "internal": say(lang, "the grader failed (not the learner's fault)"),
        "ungraded": say(lang, "could not be graded"),
    }
    return texts.get(kind, kind)


def _causes(exercise: Exercise, found: list[Cause], lang: str) -> str:
    if not found:
        return f'<p class="ok">{esc(say(lang, "No check failed."))}</p>'
    names = {check.name: _title(check, lang) for check in exercise.checks}
    items = []
    for cause in found[:CAUSES]:
        example = ""
        shown = names.get(cause.check, cause.check)  # the check's name in the reader's language
        if cause.examples:
            graded, result = cause.examples[0]
            anchor = f"#check-{graded.result.checks.index(result)}" if graded.result and result else ""
            who = f'<a href="{esc(graded.report)}{anchor}">{esc(graded.name)}</a>' if graded.report else esc(graded.name)
            message = result.failure.message if result is not None and result.failure is not None else graded.error
            example = (f'<div class="dim">{esc(say(lang, "for example"))}: {who}'
                       f'<br><span class="mono">{esc(message)}</span></div>')
        check = f"<b>{esc(shown)}</b> — " if cause.check else ""
        what = esc(kind_text(cause.kind, lang)) + (f' (<span class="mono">{esc(cause.error)}</span>)' if cause.error else "")
        step = f' <span class="mono dim">{esc(cause.step)}</span>' if cause.step else ""
        if cause.also:
            others = ", ".join(names.get(name, name) for name in cause.also)
            step += f'<div class="also">{esc(report.sank(lang, len(cause.also), others))}</div>'
        items.append(f'<li class="cause" data-count="{cause.count}" data-check="{esc(cause.check)}" '
                     f'data-kind="{esc(cause.kind)}" data-error="{esc(cause.error)}"><span class="badge bad">'
                     f"{cause.count}×</span> {check}{what}{step}{example}</li>")
    return f'<ol class="causes" id="causes">{"".join(items)}</ol>'


def _table(exercise: Exercise, graded: list[Graded], lang: str) -> str:
    head = "".join(f"<th>{esc(text)}</th>" for text in (
        say(lang, "submission"), say(lang, "result"), say(lang, "points"), say(lang, "checks"), say(lang, "note")))
    rows = []
    for item in graded:
        name = f'<a href="{esc(item.report)}">{esc(item.name)}</a>' if item.report else esc(item.name)
        result = item.result
        ok = result is not None and result.passed and result.complete
        marks = _marks(exercise, result, lang)
        points = f"{result.points if result else 0}/{exercise.points}"
        note = item.error or ""
        rows.append(f'<tr class="submission" data-passed="{str(ok).lower()}"><td>{name}</td>'
                    f'<td class="{"ok" if ok else "bad"}">{"✓" if ok else "✗"}</td><td class="num">{points}</td>'
                    f'<td class="mono">{marks}</td><td class="note">{esc(note)}</td></tr>')
    return f'<div class="scroll"><table id="submissions"><tr>{head}</tr>{"".join(rows)}</table></div>'


def _marks(exercise: Exercise, result: Result | None, lang: str) -> str:
    status: Mapping[str, CheckResult] = {c.name: c for c in result.checks} if result else {}
    out = []
    for check in exercise.checks:
        found = status.get(check.name)
        mark, tone = ("✓", "ok") if found is not None and found.passed else ("✗", "bad") if found is not None else ("–", "dim")
        out.append(f'<span class="{tone}" title="{esc(_title(check, lang))}">{mark}</span>')
    return "".join(out)


def _title(check: Check, lang: str) -> str:
    """A check as the reader's language names it (its English name is its identity in data)."""
    return pick(check.title, lang) if check.title else check.name
