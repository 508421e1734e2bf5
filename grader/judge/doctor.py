"""``grade doctor``: which protections a learner's app really runs under on this machine.

It starts a real app host with a probe app, exactly as a grading run would,
and reads back what the host could put in place. Nothing is assumed from
the platform: a kernel without user namespaces, a container that forbids
mounts or a non-Linux system each show up here as protections that are off.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from grader.judge.clock import VirtualClockLoop
from grader.judge.launch import dedicated_uid, spawn_host, sweep
from grader.judge.link import Link
from grader.judge.run import START_SECONDS, Limits, _prepare, job
from grader.judge.upstream import Package, packages

PROBE = "from fastapi import FastAPI\n\napp = FastAPI()\n"

# What each protection means for a hostile submission, and what is lost without it.
MEANING = {
    "separate process": "the app runs in its own process; the verdicts are made in another it cannot reach",
    "pid namespace": "the app sees only its own processes, and every process it starts dies with the run",
    "network namespace": "the app has no network at all (not even the machine's loopback)",
    "mount namespace": "the app's view of the filesystem is its own",
    "ipc namespace": "no shared memory or message queues with other processes",
    "private filesystem": "the app sees only Python, its own file and a private work folder: no specs, "
                          "solutions, classmates' files or progress",
    "filesystem rules": "(where no private filesystem can be made) Landlock rules: the app reaches only Python, its "
                        "own file and its work folder, makes no TCP connection, and cannot signal or reach any "
                        "process outside its own",
    "not root": "learner code never runs as root",
    "dedicated user": "the app runs as a user id of its own, fresh for each run: it reads only what any stranger "
                      "may, cannot signal another run's app, and the grader ends all its processes before it "
                      "writes a result",
    "no new privileges": "set-uid programs cannot give the app more rights",
    "clean environment": "no environment variable of the grading process reaches the app",
    "resource limits": "memory, CPU time, file size and open files are capped",
    "own keyring": "the app cannot reach the grading user's kernel keyrings nor an earlier app's",
    "system call filter": "a seccomp filter refuses what a lesson app never needs: new namespaces, mounts, "
                          "keyrings, ptrace, bpf, io_uring, perf events, kexec and kernel modules, programs run "
                          "from memory",
}
# Either of these is enough: a PID namespace kills what the app left running, and so does
# the sweep of a dedicated user; the private filesystem hides the course, and so does a
# course only its owner can read (which the judge checks when it grades).
ALTERNATIVES = {"pid namespace": "dedicated user", "dedicated user": "pid namespace",
                "private filesystem": "filesystem rules", "filesystem rules": "private filesystem"}


@dataclass(frozen=True)
class Report:
    protections: dict[str, bool]
    platform: str
    as_root: bool
    error: str = ""
    upstream: tuple[Package, ...] = ()


def probe(limits: Limits | None = None) -> Report:
    """Start one host with a probe app and collect what it put in place."""
    limits = limits or Limits()
    scratch = Path(tempfile.mkdtemp(prefix="grader-doctor-"))
    app = scratch / "probe.py"
    app.write_text(PROBE)
    host = spawn_host(scratch / "output.txt")
    uid = dedicated_uid()
    loop = VirtualClockLoop()
    link = Link(host.wire, loop, stall_seconds=START_SECONDS)
    loop.link = link
    try:
        (scratch / "run").mkdir()
        app_dir, work, root = _prepare(scratch / "run", app, uid=uid)

        async def session() -> dict[str, bool] | None:
            if await link.event("ready") is None:
                return None
            link.stall_seconds = limits.import_seconds
            link.send(job(app_dir / app.name, work, root, limits, uid=uid))
            loaded = await link.event("loaded", "load_failed")
            if loaded is None or loaded["op"] != "loaded":
                return None
            return dict(link.protections)

        found = loop.run_until_complete(session())
    finally:
        link.close()
        loop.close()
        host.close()
        if uid is not None:
            sweep(uid)
        output = (scratch / "output.txt").read_text(errors="replace") if (scratch / "output.txt").exists() else ""
        shutil.rmtree(scratch, ignore_errors=True)
    if found is None:
        return Report({name: False for name in MEANING}, sys.platform, os.geteuid() == 0,
                      error=output.strip()[-2000:] or "the probe host did not start", upstream=tuple(packages()))
    return Report(found, sys.platform, os.geteuid() == 0, error=output.strip()[-2000:], upstream=tuple(packages()))


def missing(report: Report) -> list[str]:
    """The protections that are off with nothing else doing their job."""
    return [name for name in MEANING if not report.protections.get(name, False)
            and not report.protections.get(ALTERNATIVES.get(name, ""), False)]


def text(report: Report) -> str:
    lines = [f"grade doctor: how learner apps are isolated here ({report.platform}, "
             f"{'grading as root' if report.as_root else 'grading as a normal user'})", ""]
    off = missing(report)
    for name, meaning in MEANING.items():
        if report.protections.get(name, False):
            lines.append(f"  ✓ {name:<19} {meaning}")
        elif name in off:
            lines.append(f"  ✗ {name:<19} OFF: {meaning}")
        else:
            lines.append(f"  - {name:<19} not needed here: \"{ALTERNATIVES[name]}\" does its job")
    lines.append("")
    if not off:
        lines.append("Every protection is in force: grades from this machine can go in a gradebook.")
    else:
        lines.append(f"{len(off)} protection(s) are off: {', '.join(off)}. Grading still works, but a hostile "
                     "submission could use what they would have prevented, and a class's results say so; grade a "
                     "class on a Linux machine where they are on.")
    lines += ["", "The packages whose behaviour the grader models (what a real uvicorn shows a client):"]
    for package in report.upstream:
        if package.ok:
            verdict = "verified"
        elif not package.installed:
            verdict = "not installed"
        else:
            verdict = f"NOT verified (verified: {', '.join(package.verified)})"
        lines.append(f"  {package.name:<11} {package.installed or '-':<9} {verdict}")
    unverified = [package.name for package in report.upstream if not package.ok]
    if unverified:
        lines.append("Verdicts may differ from a real uvicorn's where these versions behave differently; install the "
                     "pinned ones with: pip install -c constraints.txt -e .")
    if report.error:
        lines += ["", "What the probe host printed:", *("  " + line for line in report.error.splitlines()[-10:])]
    return "\n".join(lines) + "\n"
