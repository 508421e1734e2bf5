"""The host's protections, observed from inside the sandbox and from outside the process, never read from code.

A probe app measures what it runs under (its resource limits, its ``no_new_privs`` bit, the descriptors
open when its file is imported) and says so in the text it answers; the judge only believes frames, so the
test reads the facts from the check's failure. Processes the app starts are looked for in ``/proc`` by a
marker in their command line once the run is over. ``tests/mutate.py`` runs this file first for
``grader/host/sandbox.py`` and ``grader/judge/launch.py``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
import uuid
from pathlib import Path
from typing import Any

import pytest

from grader import Limits, Options, grade
from grader.judge import run as run_module
from grader.judge.launch import HostProcess, spawn_host
from grader.spec import parse_exercise

LINUX = sys.platform.startswith("linux")
pytestmark = pytest.mark.skipif(not LINUX, reason="the sandbox's protections are Linux's")

PROBE = textwrap.dedent("""\
    import json, os, resource, subprocess
    from fastapi import FastAPI, WebSocket


    def descriptors():
        found = {}
        for name in os.listdir("/proc/self/fd"):
            try:
                found[name] = os.readlink("/proc/self/fd/" + name)
            except OSError:
                pass  # the listing's own descriptor, closed by now
        return found


    def status(key):
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith(key + ":"):
                    return line.split()[1]
        return None


    AT_IMPORT = descriptors()
    if MARKER:
        # A child in the host's process group, as a learner's subprocess call makes one.
        subprocess.Popen(["sh", "-c", "sleep 120; :", MARKER], stdin=subprocess.DEVNULL,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    app = FastAPI()


    @app.websocket("/ws")
    async def ws(websocket: WebSocket):
        await websocket.accept()
        await websocket.receive_text()
        limits = {name: list(resource.getrlimit(getattr(resource, name)))
                  for name in ("RLIMIT_CPU", "RLIMIT_AS", "RLIMIT_FSIZE", "RLIMIT_NOFILE")}
        await websocket.send_text(json.dumps({"limits": limits, "no_new_privs": status("NoNewPrivs"),
                                              "seccomp": status("Seccomp"), "descriptors": AT_IMPORT}))
    """)

SPEC = ("version: 1\nid: p\ntitle: p\ntrack: 1\nlesson: 1\nxp: 1\nfile: probe.py\ninstructions: p\n"
        "checks:\n  - name: tell\n    steps:\n      - connect: /ws\n      - send_text: x\n"
        "      - expect_text: {$re: 'never'}\n")


def probe(tmp_path: Path, options: Options, marker: str = "") -> dict[str, Any]:
    """What the probe saw inside the sandbox."""
    failure = run_probe(tmp_path, options, marker)
    facts: dict[str, Any] = json.loads(json.loads(failure.actual or ""))
    return facts


def run_probe(tmp_path: Path, options: Options, marker: str = "") -> Any:
    """Grade the probe; its check's failure carries what it saw (cut short in a report where it is long:
    without namespaces the app also holds the descriptors it reaches Python through)."""
    app = tmp_path / "probe.py"
    app.write_text(f"MARKER = {marker!r}\n" + PROBE, encoding="utf-8")
    result = grade(parse_exercise(SPEC, tmp_path / "p.yaml"), app, options)
    failure = result.checks[0].failure
    assert failure is not None and failure.actual is not None, result
    return failure


def marked(marker: str) -> list[int]:
    """Live processes (not zombies) whose command line holds ``marker``."""
    found = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            cmdline = Path(f"/proc/{name}/cmdline").read_bytes()
            state = Path(f"/proc/{name}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            continue
        if marker.encode() in cmdline and state not in ("Z", "X"):
            found.append(int(name))
    return found


def gone_within(marker: str, seconds: float = 20) -> list[int]:
    """The processes still carrying ``marker`` after waiting up to ``seconds`` for them to end ([] at once if none)."""
    deadline = time.monotonic() + seconds
    while (alive := marked(marker)) and time.monotonic() < deadline:
        time.sleep(0.05)
    return alive


def test_the_app_runs_under_the_cpu_time_limit(tmp_path: Path) -> None:
    limits = Limits(cpu_seconds=37, memory_mb=1536, file_mb=48, open_files=200, run_seconds=60)
    facts = probe(tmp_path, Options(limits=limits))
    assert facts["limits"]["RLIMIT_CPU"] == [37, 37]


def test_the_app_runs_under_the_memory_file_size_and_descriptor_limits(tmp_path: Path) -> None:
    limits = Limits(cpu_seconds=37, memory_mb=1536, file_mb=48, open_files=200, run_seconds=60)
    facts = probe(tmp_path, Options(limits=limits))
    assert facts["limits"]["RLIMIT_AS"] == [1536 << 20] * 2
    assert facts["limits"]["RLIMIT_FSIZE"] == [48 << 20] * 2
    assert facts["limits"]["RLIMIT_NOFILE"] == [200, 200]


def prctl_allowed() -> bool:
    """Whether this system lets a process set no_new_privs on itself (any process may, where it is allowed)."""
    allowed = subprocess.run(
        [sys.executable, "-c", "import ctypes, ctypes.util, sys; libc = ctypes.CDLL(ctypes.util.find_library('c'));"
         " sys.exit(libc.prctl(38, 1, 0, 0, 0))"], timeout=60, check=False)
    return allowed.returncode == 0


def own_seccomp() -> str | None:
    """This process's seccomp mode as /proc tells it ("0": no filter)."""
    for line in Path("/proc/self/status").read_text(encoding="utf-8").splitlines():
        if line.startswith("Seccomp:"):
            return line.split()[1]
    return None


def test_the_app_cannot_gain_privileges(tmp_path: Path) -> None:
    if not prctl_allowed():
        pytest.skip("this system refuses PR_SET_NO_NEW_PRIVS to every process")
    assert probe(tmp_path, Options())["no_new_privs"] == "1"


def test_the_app_cannot_gain_privileges_where_no_system_call_filter_is_installed(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """On a machine whose calling convention the filter does not know (arm64) no seccomp filter is installed,
    and with it goes the no_new_privs its installation sets: the sandbox must set the bit on its own."""
    if not prctl_allowed():
        pytest.skip("this system refuses PR_SET_NO_NEW_PRIVS to every process")
    if own_seccomp() != "0":
        pytest.skip("the tests already run under a seccomp filter (a container's), which every app inherits")
    plain_job = run_module.job

    def unfiltered(*args: Any, **kwargs: Any) -> dict[str, Any]:
        plan = plain_job(*args, **kwargs)
        plan["sandbox"]["filter"] = False  # what the host does where seccomp.supported() is false
        return plan

    monkeypatch.setattr(run_module, "job", unfiltered)
    facts = probe(tmp_path, Options())
    assert facts["seccomp"] == "0", "the probe ran under a seccomp filter: this test would prove nothing"
    assert facts["no_new_privs"] == "1"


class PlantingLauncher:
    """Starts hosts as the grader does, but hands each one more descriptor: a file the app must not reach."""

    def __init__(self, secret: Path) -> None:
        self.secret = secret

    def launch(self, output: Path) -> HostProcess:
        planted = os.open(self.secret, os.O_RDONLY)
        try:
            return spawn_host(output, keep=(planted,))
        finally:
            os.close(planted)


def test_descriptors_the_launcher_left_open_are_closed_in_the_sandbox(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("the answer key", encoding="utf-8")
    facts = probe(tmp_path, Options(launcher=PlantingLauncher(secret)))
    seen = facts["descriptors"]
    assert not [fd for fd, target in seen.items() if target.endswith("secret.txt")], seen
    # Beyond stdin, stdout and stderr the app keeps exactly the host's wire (a socket) and its trace (a pipe).
    beyond = sorted(target.split(":")[0] for fd, target in seen.items() if int(fd) > 2)
    assert beyond == ["pipe", "socket"], seen


def test_the_app_sees_only_the_wire_and_trace_beyond_its_standard_streams(tmp_path: Path) -> None:
    seen = probe(tmp_path, Options())["descriptors"]
    beyond = sorted(target.split(":")[0] for fd, target in seen.items() if int(fd) > 2)
    assert beyond == ["pipe", "socket"], seen


@pytest.mark.parametrize("namespaces", [False, True], ids=["no-namespaces", "namespaces"])
def test_a_child_the_app_started_dies_with_the_host(tmp_path: Path, namespaces: bool) -> None:
    marker = f"grader-probe-child-{uuid.uuid4().hex}"
    try:
        run_probe(tmp_path, Options(namespaces=namespaces, limits=Limits(run_seconds=60)), marker)
        survivors = gone_within(marker)
    finally:
        for pid in marked(marker):
            os.kill(pid, 9)
    assert survivors == [], f"the app's child outlived the host: {survivors}"


def test_a_child_the_app_started_dies_with_the_host_where_no_user_id_of_its_own_is_given(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A judge that is not root hands out no user id, so no sweep by user id ends what the app started; without
    namespaces there is no reaper either: the host's process group, killed whole, is what ends the child."""
    monkeypatch.setattr(run_module, "dedicated_uid", lambda: None)
    marker = f"grader-probe-child-{uuid.uuid4().hex}"
    try:
        run_probe(tmp_path, Options(namespaces=False, limits=Limits(run_seconds=60)), marker)
        survivors = gone_within(marker)
    finally:
        for pid in marked(marker):
            os.kill(pid, 9)
    assert survivors == [], f"the app's child outlived the host: {survivors}"


# What the sandbox's own filesystem and signals let the app do, told the same way.
FS_PROBE = textwrap.dedent("""\
    import errno, json, os, resource, signal
    from fastapi import FastAPI, WebSocket


    def write(path, size=1):
        try:
            with open(path, "wb") as f:
                f.write(b"x" * size)
            return "written"
        except OSError as exc:
            return errno.errorcode.get(exc.errno, str(exc.errno))


    app = FastAPI()


    @app.websocket("/ws")
    async def ws(websocket: WebSocket):
        await websocket.accept()
        await websocket.receive_text()
        here = os.path.dirname(os.path.abspath(__file__))
        await websocket.send_text(json.dumps({
            "nproc": list(resource.getrlimit(resource.RLIMIT_NPROC)),
            "own_folder": write(os.path.join(here, "planted.py")),
            "root": write("/planted"),
            "work": write(os.path.join(os.getcwd(), "notes.txt")),
            # Past the file-size limit a write fails; the app goes on (no SIGXFSZ kills it).
            "too_big": write(os.path.join(os.getcwd(), "big.bin"), (1 << 20) + 1),
        }))
    """)


def fs_probe(tmp_path: Path, limits: Limits) -> tuple[dict[str, Any], dict[str, bool]]:
    """What the probe saw, and the protections the run says it had."""
    app = tmp_path / "probe.py"
    app.write_text(FS_PROBE, encoding="utf-8")
    result = grade(parse_exercise(SPEC, tmp_path / "p.yaml"), app, Options(limits=limits))
    failure = result.checks[0].failure
    assert failure is not None and failure.actual is not None and failure.actual.startswith('"{'), result
    facts: dict[str, Any] = json.loads(json.loads(failure.actual))
    return facts, dict(result.protections)


def test_the_app_runs_under_the_process_limit_a_course_sets(tmp_path: Path) -> None:
    facts, _ = fs_probe(tmp_path, Limits(processes=64, file_mb=1, run_seconds=60))
    assert facts["nproc"] == [64, 64], facts


def test_a_write_past_the_file_size_limit_fails_without_killing_the_app(tmp_path: Path) -> None:
    facts, _ = fs_probe(tmp_path, Limits(file_mb=1, run_seconds=60))
    assert facts["work"] == "written" and facts["too_big"] == "EFBIG", facts


def test_a_private_filesystem_keeps_the_apps_own_folder_and_its_root_read_only(tmp_path: Path) -> None:
    facts, protections = fs_probe(tmp_path, Limits(file_mb=1, run_seconds=60))
    if not protections.get("private filesystem"):
        pytest.skip("no private filesystem on this machine (see grade doctor)")
    assert facts["own_folder"] == "EROFS" and facts["root"] == "EROFS", facts
    assert facts["work"] == "written"
