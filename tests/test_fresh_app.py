"""fresh_app: a check that asks for it runs on a newly imported app, so module state cannot leak into it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT, run_grade
from grader import Options, grade, load_exercise
from grader.result import Status
from grader.spec import parse_exercise

SPEC = """\
version: 1.1
id: counter
title: Counter
track: 5
lesson: 9
xp: 5
file: counter.py
instructions: Count the connections since the app started.
checks:
  - name: the first connection is number 1
    steps:
      - connect: /ws
      - expect_json: {connection: 1}
  - name: state carries over between checks
    steps:
      - connect: /ws
      - expect_json: {connection: 2}
  - name: a fresh app starts from 1 again
    fresh_app: true
    steps:
      - connect: /ws
      - expect_json: {connection: 1}
  - name: later checks share that fresh app
    steps:
      - connect: /ws
      - expect_json: {connection: 2}
"""

APP = """\
from fastapi import FastAPI, WebSocket

app = FastAPI()
connections = 0  # module state: lives as long as the import


@app.websocket("/ws")
async def count(websocket: WebSocket) -> None:
    global connections
    connections += 1
    await websocket.accept()
    await websocket.send_json({"connection": connections})
    await websocket.close()
"""


def test_a_fresh_app_check_sees_no_state_from_the_checks_before_it(tmp_path: Path) -> None:
    (tmp_path / "counter.yaml").write_text(SPEC, encoding="utf-8")
    (tmp_path / "counter.py").write_text(APP, encoding="utf-8")
    result = grade(load_exercise(tmp_path / "counter.yaml"), tmp_path / "counter.py", Options())
    assert [(c.name, c.status) for c in result.checks] == [
        ("the first connection is number 1", Status.PASSED),
        ("state carries over between checks", Status.PASSED),
        ("a fresh app starts from 1 again", Status.PASSED),
        ("later checks share that fresh app", Status.PASSED),
    ], [c.failure for c in result.checks]


# --- spec 1.2: a fresh app for every check unless the spec says otherwise -------------------------------------------

HEAD = "version: {version}\nid: counter\ntitle: Counter\ntrack: 5\nlesson: 9\nxp: 5\nfile: counter.py\ninstructions: x\n"


def _fresh_flags(version: str, extra: str = "", second: str = "") -> list[bool]:
    text = (HEAD.format(version=version) + extra + "checks:\n"
            "  - name: a\n    steps: [{connect: /ws}]\n"
            f"  - name: b\n{second}    steps: [{{connect: /ws}}]\n")
    return [c.fresh_app for c in parse_exercise(text, Path("counter.yaml")).checks]


def test_spec_1_2_gives_every_check_a_fresh_app_unless_told_otherwise() -> None:
    assert _fresh_flags('"1.2"') == [True, True]
    assert _fresh_flags('"1.2"', second="    shared_app: true\n") == [True, False]
    assert _fresh_flags('"1.2"', extra="defaults: {fresh_app: false}\n") == [False, False]
    assert _fresh_flags('"1.2"', extra="defaults: {fresh_app: false}\n", second="    fresh_app: true\n") == [False, True]
    assert _fresh_flags('"1.2"', extra="defaults: {fresh_app: true}\n") == [True, True]
    # 1.0 and 1.1 keep their behaviour: one shared app unless a check asks for a fresh one.
    assert _fresh_flags("1.1") == [False, False]
    assert _fresh_flags("1.0", second="    fresh_app: true\n") == [False, True]


POISON_APP = """\
from fastapi import FastAPI, WebSocket

app = FastAPI()
broken = False  # module state one connection can spoil for every later one


@app.websocket("/ws")
async def echo(websocket: WebSocket) -> None:
    global broken
    await websocket.accept()
    if broken:
        await websocket.close(code=1011)
        return
    text = await websocket.receive_text()
    if text == "poison":
        broken = True
    await websocket.send_text(text)
"""

POISON_CHECKS = """\
checks:
  - name: echoes
    steps: [{connect: /ws}, {send_text: hi}, {expect_text: hi}]
  - name: echoes a word the app chokes on later
    steps: [{connect: /ws}, {send_text: poison}, {expect_text: poison}]
  - name: still echoes
    steps: [{connect: /ws}, {send_text: again}, {expect_text: again}]
"""


@pytest.mark.parametrize(("version", "third"), [('"1.2"', "passed"), ("1.1", "failed")])
def test_what_one_check_leaves_in_the_app_cannot_sink_the_next_in_1_2(tmp_path: Path, version: str, third: str) -> None:
    (tmp_path / "counter.yaml").write_text(HEAD.format(version=version) + POISON_CHECKS, encoding="utf-8")
    (tmp_path / "counter.py").write_text(POISON_APP, encoding="utf-8")
    result = grade(load_exercise(tmp_path / "counter.yaml"), tmp_path / "counter.py", Options())
    assert [c.status.value for c in result.checks] == ["passed", "passed", third], [c.failure for c in result.checks]


def test_the_grade_command_runs_each_check_of_a_1_2_spec_on_its_own_app(tmp_path: Path) -> None:
    # The real command: the host it starts before reading the spec becomes the template of every later one.
    checks = "".join(f"  - name: check {n}\n    steps: [{{connect: /ws}}, {{expect_json: {{connection: 1}}}}]\n"
                     for n in range(1, 5))
    checks += ("  - name: on the app of check 4\n    shared_app: true\n"
               "    steps: [{connect: /ws}, {expect_json: {connection: 2}}]\n")
    (tmp_path / "exercises").mkdir()
    (tmp_path / "grader.toml").write_text((ROOT / "grader.toml").read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "exercises" / "counter.yaml").write_text(HEAD.format(version='"1.2"') + "checks:\n" + checks,
                                                         encoding="utf-8")
    (tmp_path / "counter.py").write_text(APP, encoding="utf-8")
    proc = run_grade("counter", "--app", "counter.py", "--no-record", "--format", "json", cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    report = json.loads(proc.stdout)
    assert [(c["name"], c["status"]) for c in report["checks"]] == [
        (f"check {n}", "passed") for n in range(1, 5)] + [("on the app of check 4", "passed")]


OVERLAP_APP = """\
import fcntl
import os

from fastapi import FastAPI, WebSocket

app = FastAPI()
# Held for as long as this process lives: a host whose app imported while another
# host's app of the same run was still alive could not take it.
_lock = os.open("host.lock", os.O_RDWR | os.O_CREAT, 0o600)
try:
    fcntl.flock(_lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    overlap = False
except BlockingIOError:
    overlap = True


@app.websocket("/ws")
async def report(websocket: WebSocket) -> None:
    await websocket.accept()
    while True:
        text = await websocket.receive_text()
        await websocket.send_json({"overlap": overlap, "echo": text})
"""


def test_a_host_started_ahead_imports_the_app_only_once_the_one_before_has_ended(tmp_path: Path) -> None:
    # The next check's host is forked and sandboxed while the current check runs; the
    # learner's code must still never run in two hosts at once.
    steps = "".join(f"{{send_text: m{k}}}, {{expect_json: {{overlap: false, echo: m{k}}}}}, " for k in range(4))
    checks = "".join(f"  - name: check {n}\n    steps: [{{connect: /ws}}, {steps}]\n" for n in range(1, 7))
    (tmp_path / "counter.yaml").write_text(HEAD.format(version='"1.2"') + "checks:\n" + checks, encoding="utf-8")
    (tmp_path / "counter.py").write_text(OVERLAP_APP, encoding="utf-8")
    result = grade(load_exercise(tmp_path / "counter.yaml"), tmp_path / "counter.py", Options())
    assert [c.status for c in result.checks] == [Status.PASSED] * 6, [c.failure for c in result.checks]


FORGING_APP = OVERLAP_APP + """
import json
import stat
import struct
from contextlib import asynccontextmanager

# Pages the kernel frees when this process ends, before it lets go of the lock: its end takes a while.
ballast = b"x" * (96 << 20)


def forge_exit() -> None:
    # What the host's reaper says once the app and all it started have ended, written by the app itself
    # on every socket it holds (its wire to the judge among them) while it is still alive.
    head = json.dumps({"op": "exit", "status": 0, "peak_mb": 1, "t": 0}).encode()
    frame = struct.pack(">II", 4 + len(head), len(head)) + head
    for name in os.listdir("/proc/self/fd"):
        try:
            if stat.S_ISSOCK(os.fstat(int(name)).st_mode):
                os.write(int(name), frame)
        except OSError:
            pass


@asynccontextmanager
async def lifespan(_app):
    yield
    forge_exit()


app.router.lifespan_context = lifespan
"""


def test_an_app_that_says_it_has_ended_while_alive_still_never_overlaps_the_next(tmp_path: Path) -> None:
    # The judge ends a host early on its reaper's word only once the kernel agrees (the reaper
    # has no child left): the app's own forgery of that word on the wire changes nothing.
    steps = "{send_text: m}, {expect_json: {overlap: false, echo: m}}"
    checks = "".join(f"  - name: check {n}\n    steps: [{{connect: /ws}}, {steps}]\n" for n in range(1, 5))
    (tmp_path / "counter.yaml").write_text(HEAD.format(version='"1.2"') + "checks:\n" + checks, encoding="utf-8")
    (tmp_path / "counter.py").write_text(FORGING_APP, encoding="utf-8")
    result = grade(load_exercise(tmp_path / "counter.yaml"), tmp_path / "counter.py", Options())
    assert [c.status for c in result.checks] == [Status.PASSED] * 4, [c.failure for c in result.checks]


def test_the_warm_up_leaves_no_thread_loop_or_descriptor_behind() -> None:
    # It runs in every host before the learner's file is near, and in every template before a fork.
    script = (
        "import asyncio, os, threading\n"
        "import grader.host.serve\n"
        "from grader.host import warmup\n"
        "before = sorted(os.listdir('/proc/self/fd'))\n"
        "warmup.warm_up()\n"
        "after = sorted(os.listdir('/proc/self/fd'))\n"
        "assert threading.active_count() == 1, threading.enumerate()\n"
        "assert asyncio.get_event_loop_policy()._local._loop is None\n"
        "assert before == after, (before, after)\n"
        "assert 'time_machine' in __import__('sys').modules\n"
        "print('ok')\n")
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert proc.stdout.strip() == "ok", proc.stderr


def test_the_rehearsal_of_a_host_started_ahead_leaves_no_thread_loop_or_descriptor_behind() -> None:
    # It runs in a held host after its sandbox is built and before the learner's file is imported.
    script = (
        "import asyncio, faulthandler, os, threading, warnings\n"
        "import grader.host.serve\n"
        "from grader.host import warmup\n"
        "warmup.warm_up()\n"
        "before = sorted(os.listdir('/proc/self/fd'))\n"
        "filters = list(warnings.filters)\n"
        "warmup.rehearse()\n"
        "warmup.rehearse()\n"
        "after = sorted(os.listdir('/proc/self/fd'))\n"
        "assert threading.active_count() == 1, threading.enumerate()\n"
        "assert asyncio.get_event_loop_policy()._local._loop is None\n"
        "assert before == after, (before, after)\n"
        "assert warnings.filters == filters\n"
        "print('ok')\n")
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert proc.stdout.strip() == "ok", proc.stderr
