"""``--format junit``: JUnit XML, one testcase per check, for CI dashboards."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from grader.result import Kind, Result, Status

from .report import failure_text


def render(result: Result) -> str:
    suites = ET.Element("testsuites", name="grader")
    failures = sum(c.status is Status.FAILED and not _is_error(c.failure.kind if c.failure else None) for c in result.checks)
    errors = sum(c.status is Status.FAILED and _is_error(c.failure.kind if c.failure else None) for c in result.checks)
    skipped = sum(c.status is Status.NOT_RUN for c in result.checks)
    suite = ET.SubElement(
        suites,
        "testsuite",
        name=result.exercise,
        tests=str(len(result.checks)),
        failures=str(failures),
        errors=str(errors),
        skipped=str(skipped),
        time=f"{result.wall_seconds:.3f}",
    )
    properties = ET.SubElement(suite, "properties")
    ET.SubElement(properties, "property", name="title", value=result.title)
    ET.SubElement(properties, "property", name="points", value=f"{result.points}/{result.max_points}")
    ET.SubElement(properties, "property", name="hidden_checks_not_run", value=str(result.hidden_pending))
    for check in result.checks:
        case = ET.SubElement(suite, "testcase", classname=result.exercise, name=check.name, time=f"{check.wall_seconds:.3f}")
        if check.status is Status.PASSED:
            continue
        message = check.failure.message if check.failure else check.status.value
        if check.status is Status.NOT_RUN:
            ET.SubElement(case, "skipped", message=message)
            continue
        kind = check.failure.kind if check.failure else None
        tag = "error" if _is_error(kind) else "failure"
        node = ET.SubElement(case, tag, message=message, type=kind.value if kind else "failure")
        node.text = failure_text(check)
    if result.output:
        ET.SubElement(suite, "system-out").text = result.output
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"


def _is_error(kind: Kind | None) -> bool:
    # An answer that differs is a failure; the program raising, hanging or dying is an error.
    return kind in (Kind.ERROR, Kind.HANG, Kind.CRASH, Kind.IMPORT, Kind.INTERNAL)
