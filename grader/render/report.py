"""Plain-text pieces of the learner's report, shared by the formats that embed text."""

from __future__ import annotations

from grader.result import CheckResult


def failure_text(check: CheckResult) -> str:
    """What went wrong in one check, as plain lines: step, message, expected, got, errors, hint."""
    failure = check.failure
    if failure is None:
        return ""
    lines = []
    if failure.step:
        lines.append(f"at {failure.step}")
    lines.append(failure.message)
    if failure.expected is not None:
        lines.append(f"expected: {failure.expected}")
    if failure.actual is not None:
        lines.append(f"got:      {failure.actual}")
    for error in failure.errors:
        lines.append(f"{error.type}: {error.message}" if error.message else error.type)
        lines += [f"  {frame.file}:{frame.line} in {frame.function}: {frame.code}" for frame in error.frames]
    if check.transcript:
        lines.append("transcript:")
        arrows = {"sent": "→", "received": "←"}
        lines += [f"  {f.at:.3f}s {f.client} {arrows.get(f.direction, '·')} {f.text}" for f in check.transcript]
    if check.hint:
        lines.append(f"hint: {check.hint}")
    return "\n".join(lines)
