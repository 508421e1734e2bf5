"""Hosts for a grading that starts the app anew for several checks.

A check with ``fresh_app`` runs on a newly imported app, which takes a new
host. Spawning each one costs a whole interpreter and FastAPI's import;
forking it from a warm template costs the sandbox and the learner's own
import. So a grading with more than one fresh start takes its first host as
before (the one started before the spec was read) and starts a template
meanwhile, from which every later host is forked. ``grade batch`` and
``grade check`` already hand every grading a template and are left alone.
"""

from __future__ import annotations

from pathlib import Path

from grader.judge.launch import HostProcess, SpawnLauncher, Template
from grader.spec import Exercise

# Fresh starts after the first host from which a template pays for itself.
WORTH_IT = 2


def fresh_starts(exercise: Exercise, runs: list[int]) -> int:
    """How many hosts past the first a grading of these checks starts for fresh apps."""
    conversations = [exercise.checks[i] for i in runs if exercise.checks[i].source is None]
    return sum(check.fresh_app for check in conversations[1:])


class WarmLauncher:
    """The first host as SpawnLauncher gives it; the rest forked from a template started at once."""

    def __init__(self) -> None:
        self.first = SpawnLauncher()
        self.launched = 0
        self.template = Template()  # its interpreter warms up while the first host serves

    def launch(self, output: Path) -> HostProcess:
        self.launched += 1
        return self.first.launch(output) if self.launched == 1 else self.template.launch(output)

    def close(self) -> None:
        self.template.close()
