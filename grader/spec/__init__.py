"""The instructor's side of the data: YAML specs loaded into a typed model.

``loader`` builds an :class:`Exercise` (every node keeps its file:line:column),
``steps`` holds one module per step kind, ``match`` walks matchers (one
module per operator in ``operators``), ``payload`` the binary payloads,
``schema`` the JSON Schema built from the loader's own tables and those
modules. Trusted: never imported by the process that runs learner code.
"""

from __future__ import annotations

from grader.spec.loader import (
    ACTIONS,
    DEFAULT_CLIENT,
    DEFAULT_TIMEOUT,
    FORMAT_VERSION,
    LANGUAGES,
    Check,
    Close,
    Connect,
    Disconnect,
    Exercise,
    Expected,
    FileCheck,
    Repeat,
    SourceRule,
    Step,
    Text,
    load_exercise,
    parse_exercise,
    pick,
)

__all__ = [
    "ACTIONS",
    "DEFAULT_CLIENT",
    "DEFAULT_TIMEOUT",
    "FORMAT_VERSION",
    "LANGUAGES",
    "Check",
    "Close",
    "Connect",
    "Disconnect",
    "Exercise",
    "Expected",
    "FileCheck",
    "Repeat",
    "SourceRule",
    "Step",
    "Text",
    "load_exercise",
    "parse_exercise",
    "pick",
]
