"""``--format junit``: JUnit XML, one testcase per check, for CI dashboards.

A check that failed because the learner's file could not be imported is an
``error`` (the tests could not run), not ``skipped``. Every text is made
safe for XML 1.0 first: characters XML cannot hold (most control
characters, lone surrogates, U+FFFE/U+FFFF) are written as ``\\xNN`` or
``\\uNNNN``, so the file is well-formed whatever the learner printed.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from grader.result import Kind, Result, Status

from .report import failure_text


def render(result: Result) -> str:
    suites = ET.Element("testsuites", name="grader")
    failures = sum(c.status is Status.FAILED and not _is_error(c.failure.kind if c.failure else None) for c in result.checks)
    errors = sum(c.status is not Status.PASSED and _is_error(c.failure.kind if c.failure else None) for c in result.checks)
    skipped = sum(c.status is Status.NOT_RUN and not _is_error(c.failure.kind if c.failure else None)
                  for c in result.checks)
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
    ET.SubElement(properties, "property", name="title", value=xml_safe(result.title))
    ET.SubElement(properties, "property", name="points", value=f"{result.points}/{result.max_points}")
    ET.SubElement(properties, "property", name="hidden_checks_not_run", value=str(result.hidden_pending))
    for name, on in result.protections:
        ET.SubElement(properties, "property", name=f"protection: {name}", value="on" if on else "OFF")
    if result.unprotected:
        ET.SubElement(properties, "property", name="sandbox_warning", value=result.protection_note())
    for check in result.checks:
        case = ET.SubElement(suite, "testcase", classname=result.exercise, name=xml_safe(check.name),
                             time=f"{check.wall_seconds:.3f}")
        if check.status is Status.PASSED:
            continue
        message = xml_safe(check.failure.message if check.failure else check.status.value)
        kind = check.failure.kind if check.failure else None
        if check.status is Status.NOT_RUN and not _is_error(kind):
            ET.SubElement(case, "skipped", message=message)
            continue
        tag = "error" if _is_error(kind) else "failure"
        node = ET.SubElement(case, tag, message=message, type=kind.value if kind else "failure")
        node.text = xml_safe(failure_text(check))
        if check.output:
            ET.SubElement(case, "system-out").text = xml_safe(check.output)
    if result.output:
        ET.SubElement(suite, "system-out").text = xml_safe(result.output)
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"


def _is_error(kind: Kind | None) -> bool:
    # An answer that differs is a failure; the program raising, hanging or dying is an error.
    return kind in (Kind.ERROR, Kind.HANG, Kind.CRASH, Kind.IMPORT, Kind.INTERNAL)


_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_safe(text: str) -> str:
    """``text`` with every character XML 1.0 cannot hold written out as an escape."""
    return _NOT_XML.sub(lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100 else f"\\u{ord(m.group()):04x}",
                        text)
