"""The learner's report: one line per check, then each failure in full.

Plain text that reads well without colour; ANSI colour is added only for a
terminal and never when ``NO_COLOR`` is set.
"""

from __future__ import annotations

import os
import sys

from ..result import CheckResult, Result, Status

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
    stream = stream or sys.stdout
    if os.environ.get("NO_COLOR"):
        return False
    return bool(getattr(stream, "isatty", lambda: False)())


def render(result: Result, color: bool | None = None) -> str:
    style = Style(wants_color() if color is None else color)
    lines = [style.bold(f"{result.exercise} · {result.title}"), ""]
    for check in result.checks:
        lines.append(_check_line(check, style))
    if result.hidden_pending:
        lines.append(style.dim(f"  … {plural(result.hidden_pending, 'hidden check')} will be run when you submit"))
    for group in _groups([c for c in result.checks if not c.passed]):
        lines += ["", *_failure_block(group[0], style, also=[c.name for c in group[1:]])]
    if result.output.strip():
        lines += ["", style.bold("What your app printed:")]
        lines += ["  " + line for line in result.output.rstrip("\n").splitlines()[-40:]]
        if result.output_dropped:
            lines.append(style.dim(f"  … {result.output_dropped} more bytes of output not shown"))
    lines += ["", _summary(result, style)]
    return "\n".join(lines) + "\n"


def _check_line(check: CheckResult, style: Style) -> str:
    if check.status is Status.PASSED:
        return f"  {style.good(PASS)} {check.name}"
    if check.status is Status.NOT_RUN:
        return f"  {style.dim(SKIP)} {check.name} {style.dim('(not run)')}"
    return f"  {style.bad(FAIL)} {check.name}"


def _groups(checks: list[CheckResult]) -> list[list[CheckResult]]:
    """Checks that failed for the very same reason (e.g. the app never imported) are shown once."""
    groups: list[list[CheckResult]] = []
    for check in checks:
        key = _same_reason(check)
        if groups and key is not None and _same_reason(groups[-1][0]) == key:
            groups[-1].append(check)
        else:
            groups.append([check])
    return groups


def _same_reason(check: CheckResult) -> tuple[str, str, str] | None:
    failure = check.failure
    if failure is None or failure.step is not None:
        return None
    return (check.status.value, failure.kind.value, failure.message)


def _failure_block(check: CheckResult, style: Style, also: list[str] | None = None) -> list[str]:
    failure = check.failure
    title = "not run" if check.status is Status.NOT_RUN else "failed"
    lines = [style.bad(f"{FAIL if check.status is Status.FAILED else SKIP} {check.name}") + style.dim(f" — {title}")]
    if also:
        lines.append(style.dim(f"  (the same for {len(also)} more: {', '.join(also)})"))
    if failure is None:
        return lines
    if failure.step:
        lines.append(style.dim(f"  at {failure.step}"))
    lines.append(f"  {failure.message}")
    if failure.expected is not None:
        lines.append(f"  expected: {failure.expected}")
    if failure.actual is not None:
        lines.append(f"  got:      {failure.actual}")
    if failure.errors:
        lines.append("  your code:")
        for index, error in enumerate(failure.errors):
            if index:
                lines.append(style.dim("    which led to:"))
            lines.append(f"    {error.type}: {error.message}" if error.message else f"    {error.type}")
            for frame in error.frames:
                lines.append(style.dim(f"      {frame.file}:{frame.line} in {frame.function}"))
                for code_line in frame.code.splitlines():
                    lines.append(f"        {code_line}")
    if check.transcript:
        lines.append("  transcript:")
        for frame in check.transcript:
            arrow = {"sent": "→", "received": "←"}.get(frame.direction, "·")
            lines.append(style.dim(f"    {frame.at:8.3f}s {frame.client:>6} {arrow} ") + frame.text)
    if check.hint and not also:
        lines.append(f"  hint: {check.hint}")
    return lines


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _summary(result: Result, style: Style) -> str:
    total = len(result.checks)
    counts = f"{result.passed_count}/{total} checks passed · {result.points}/{result.max_points} points"
    if result.passed and not result.complete:
        return (style.good(f"{PASS} All {total} checks you can run here passed") + f" ({plural(result.points, 'point')}); "
                f"{plural(result.hidden_pending, 'hidden check')} ({plural(result.hidden_points, 'point')}) "
                "will be run when you submit.")
    if result.passed:
        return style.good(f"{PASS} All {total} checks passed. ") + f"This lesson is worth {result.xp} XP."
    hidden = f" · {plural(result.hidden_pending, 'hidden check')} run when you submit" if result.hidden_pending else ""
    return style.bad(f"{FAIL} {counts}") + hidden
