"""The trust boundary: no submission can buy a verdict, reach outside its work folder, or outlive its run.

Each file in tests/trust/ is a hostile t3l1 submission (one attack per file;
its first lines say ``# attack: ...`` and ``# honest: pass|fail``, the verdict
its real behaviour earns). Each is graded in a throwaway copy of the course,
through the public API only, with every output format rendered, and then an
honest classmate is graded by the same process. Every promise is checked and
all broken ones are reported together, so one run shows the whole picture.

The grading itself runs in a "judge harness" subprocess (python -c HARNESS),
not in pytest's own process: a submission that stops, kills or floods the
process that called ``grade()`` then breaks a harness we can watch, not the
test run. One harness serves the tests of a worker while it stays healthy
(any trouble retires it), with hosts forked from one warm template, as
``grade batch`` grades a class; for each job it calls exactly
``grade(load_exercise(...), path, Options(limits=..., run_hidden=True,
launcher=template))``, twice.

How the attacks know where "outside" is, even if the sandbox scrubs the
environment: the test sets HOSTILE_* variables *and* appends
``# hostile-<key>: <value>`` lines to the submission's copy. Attacks only ever
touch paths under a folder holding a HOSTILE_PLAYGROUND file (this test's
tmp_path) and only signal processes carrying this run's marker, so they are
harmless on this machine whatever the grader does.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORPUS = sorted((Path(__file__).parent / "trust").glob("*.py"))
LIMITS = {"check_seconds": 1, "import_seconds": 10, "run_seconds": 60}
HARNESS_SECONDS = 150  # two full runs at most, plus start-up
# Raw bytes that steer a terminal, or reorder what it shows (C1 CSI/OSC, bidi overrides and isolates).
ESCAPES = ("\x1b", "\x07", "\x9b", "\x9d", "\u202e", "\u2066", "\u200f", "\u061c")

# The judge harness: grade the hostile file, render every format, then grade the classmate.
HARNESS = r"""
import json, os, sys, tempfile, traceback
from pathlib import Path

# Hosts forked from one warm template, as `grade batch` grades a class: each
# classmate's host comes from the same template every hostile one came from.
from grader.judge.launch import Template

template = Template()
from grader import Limits, Options, grade, load_exercise
from grader.render import RENDERERS

for line in sys.stdin:
    job = json.loads(Path(line.strip()).read_text())
    os.environ.update(job["env"])
    tempfile.tempdir = None  # TMPDIR moved: the judge's scratch lands in this job's course copy
    out = {"result": None, "error": None, "renders": {}, "render_errors": {}, "classmate": None,
           "classmate_error": None}
    try:
        exercise = load_exercise(Path(job["spec"]))
        options = lambda: Options(limits=Limits(**job["limits"]), run_hidden=True, launcher=template)
        result = grade(exercise, Path(job["submission"]), options())
    except BaseException:
        out["error"] = traceback.format_exc()
    else:
        out["result"] = result.to_dict()
        out["result"]["output"] = result.output
        for name, render in RENDERERS.items():
            try:
                out["renders"][name] = render(result, exercise)
            except BaseException:
                out["render_errors"][name] = traceback.format_exc()
        out["renders"]["to_dict"] = json.dumps(result.to_dict(), ensure_ascii=False)
    try:
        again = grade(exercise, Path(job["classmate"]), options())
        out["classmate"] = {"passed": again.passed, "points": again.points, "max_points": again.max_points,
                            "failed": [c.name + ": " + (c.failure.message if c.failure else "") for c in again.checks
                                       if not c.passed]}
    except BaseException:
        out["classmate_error"] = traceback.format_exc()
    tmp = job["out"] + ".tmp"
    Path(tmp).write_text(json.dumps(out, ensure_ascii=False))
    os.replace(tmp, job["out"])
    print("done", flush=True)
"""


def header(path: Path) -> dict[str, str]:
    found = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("# ") or ": " not in line:
            break
        key, value = line[2:].split(": ", 1)
        found[key.strip()] = value.strip()
    return found


# --- processes that outlive a run ------------------------------------------------


def _read(path: str) -> bytes:
    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError:
        return b""


def _state(pid: int) -> str:
    stat = _read(f"/proc/{pid}/stat")
    return stat.rsplit(b")", 1)[-1].split()[0].decode() if b")" in stat else ""


def marked(needles: list[str]) -> list[int]:
    """Live processes (not zombies, not us) whose environment or command line holds any needle."""
    wanted = [n.encode() for n in needles if n]
    found = []
    for name in os.listdir("/proc"):
        if not name.isdigit() or int(name) == os.getpid():
            continue
        pid = int(name)
        blob = _read(f"/proc/{pid}/environ") + b"\0" + _read(f"/proc/{pid}/cmdline")
        if any(w in blob for w in wanted) and _state(pid) not in ("Z", "X", ""):
            found.append(pid)
    return found


def describe(pid: int) -> str:
    command = " ".join(_read(f"/proc/{pid}/cmdline").replace(b"\0", b" ").decode(errors="replace").split())
    return f"{pid} ({command[:90]})"


def reap(pids: list[int]) -> None:
    for pid in pids:
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)


# --- the world one submission is graded in ---------------------------------------


# The test's own files in tmp_path; everything else there belongs to the world the submission must not change.
OWN_FILES = {"job.json", "verdicts.json", "verdicts.json.tmp", "harness.log"}


def snapshot(tmp: Path) -> dict[str, str]:
    """Every file and folder under ``tmp`` (course copy, both submissions, canary, progress store, home):
    its kind and, for files, a hash of its bytes and its mode."""
    seen: dict[str, str] = {}
    for path in sorted(tmp.rglob("*")):
        if path.parent == tmp and path.name in OWN_FILES:
            continue
        if path.is_symlink():
            seen[str(path)] = "link -> " + os.readlink(path)
        elif path.is_file():
            seen[str(path)] = f"{path.stat().st_mode:o} " + hashlib.sha256(path.read_bytes()).hexdigest()[:16]
        else:
            seen[str(path)] = "dir"
    return seen


def differences(before: dict[str, str], after: dict[str, str]) -> list[str]:
    out = []
    for path in sorted(set(before) | set(after)):
        if path not in after:
            out.append(f"removed {path}")
        elif path not in before:
            out.append(f"created {path}")
        elif before[path] != after[path]:
            out.append(f"changed {path}")
    return out


class Listeners:
    """A TCP and a UDP socket on loopback; afterwards, whether anything reached them."""

    def __init__(self) -> None:
        self.tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.tcp.bind(("127.0.0.1", 0))
        self.tcp.listen(16)
        self.tcp.setblocking(False)
        self.udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.udp.bind(("127.0.0.1", 0))
        self.udp.setblocking(False)

    @property
    def ports(self) -> tuple[int, int]:
        return self.tcp.getsockname()[1], self.udp.getsockname()[1]

    def reached(self) -> list[str]:
        seen = []
        while True:
            try:
                conn, _ = self.tcp.accept()
            except BlockingIOError:
                break
            conn.close()
            seen.append("a TCP connection to 127.0.0.1")
        while True:
            try:
                self.udp.recvfrom(4096)
            except BlockingIOError:
                break
            seen.append("a UDP datagram (DNS query) to 127.0.0.1")
        return seen

    def close(self) -> None:
        self.tcp.close()
        self.udp.close()


@dataclass
class World:
    tmp: Path
    course: Path
    submission: Path
    classmate: Path
    canary: Path
    progress: Path
    home: Path
    marker: str = field(default_factory=lambda: uuid.uuid4().hex)
    secret: str = field(default_factory=lambda: uuid.uuid4().hex)
    ports: tuple[int, int] = (0, 0)  # the loopback TCP and UDP listeners

    @classmethod
    def build(cls, tmp: Path, attack: Path, ports: tuple[int, int]) -> World:
        (tmp / "HOSTILE_PLAYGROUND").write_text("attacks may touch only what lies under this folder\n")
        course = tmp / "course"
        course.mkdir()
        shutil.copytree(ROOT / "exercises", course / "exercises")
        shutil.copytree(ROOT / "solutions", course / "solutions")
        shutil.copy(ROOT / "grader.toml", course / "grader.toml")
        (course / "submissions" / "mallory").mkdir(parents=True)
        (course / "submissions" / "alice").mkdir(parents=True)
        classmate = course / "submissions" / "alice" / "t3l1.py"
        shutil.copy(ROOT / "solutions" / "t3l1.py", classmate)
        canary = tmp / "outside"
        canary.mkdir()
        (canary / "seed.txt").write_text("nobody may change this file\n")
        progress = tmp / "progress"
        progress.mkdir()
        home = tmp / "home"
        (home / ".local" / "share").mkdir(parents=True)
        world = cls(tmp, course, course / "submissions" / "mallory" / "t3l1.py", classmate, canary, progress, home)
        shutil.copy(attack, world.submission)
        world.ports = ports
        with world.submission.open("a", encoding="utf-8") as f:
            f.write("\n# --- appended by tests/test_trust.py ---\n")
            f.writelines(f"# hostile-{k}: {v}\n" for k, v in world.rig().items())
        return world

    def rig(self) -> dict[str, str]:
        return {
            "marker": self.marker,
            "canary-dir": str(self.canary),
            "course-dir": str(self.course),
            "progress-dir": str(self.progress),
            "home-dir": str(self.home),
            "loopback-port": str(self.ports[0]),
            "dns-port": str(self.ports[1]),
        }

    def env(self) -> dict[str, str]:
        """Built from scratch: nothing of the machine's own environment can leak into a report."""
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "LANG": "C.UTF-8",
            "HOME": str(self.home),
            "XDG_DATA_HOME": str(self.home / ".local" / "share"),
            # The grader's scratch folder lands in the course copy, so a work folder's ../../ is the course.
            "TMPDIR": str(self.course),
            "GRADER_DATA_DIR": str(self.progress),
            "GRADER_TEST_SECRET": self.secret,
            "NO_COLOR": "1",
            "PYTHONDONTWRITEBYTECODE": "1",
        }
        if os.environ.get("PYTHONPATH"):
            env["PYTHONPATH"] = os.environ["PYTHONPATH"]
        for key, value in self.rig().items():
            env["HOSTILE_" + key.upper().replace("-", "_")] = value
        return env


@dataclass
class Outcome:
    data: dict[str, Any] | None
    returncode: int | None
    stopped: int  # times the harness was found stopped (SIGSTOP) and continued
    others_stopped: list[str]
    timed_out: bool
    log: str
    seconds: float


class Harness:
    """One judge process per test worker, reused while it stays healthy; a new one after any trouble."""

    current: Harness | None = None

    def __init__(self, log: Path) -> None:
        self.log = log
        self.sink = log.open("ab")
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8", "NO_COLOR": "1"}
        if os.environ.get("PYTHONPATH"):
            env["PYTHONPATH"] = os.environ["PYTHONPATH"]
        self.proc = subprocess.Popen(self.command(), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=self.sink, env=env, cwd=log.parent, start_new_session=True)

    def command(self) -> list[str]:
        """How the judge harness is started (tests/test_container_sandbox.py starts it inside a container profile)."""
        return [sys.executable, "-c", HARNESS]

    @classmethod
    def get(cls, log: Path) -> Harness:
        if cls.current is None or cls.current.proc.poll() is not None:
            cls.current = cls(log)
        return cls.current

    def retire(self) -> None:
        with contextlib.suppress(OSError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait()
        self.sink.close()
        if type(self).current is self:
            type(self).current = None

    @classmethod
    def retire_current(cls) -> None:
        if cls.current is not None:
            log = cls.current.log
            cls.current.retire()
            with contextlib.suppress(OSError):
                log.unlink()


@pytest.fixture(scope="module", autouse=True)
def _harness_ends_with_the_module() -> Any:
    yield
    Harness.retire_current()


def judge(world: World, kind: type[Harness] = Harness) -> Outcome:
    """Hand the world to the harness; keep it (and anything of this run) from staying stopped; wait for verdicts."""
    out = world.tmp / "verdicts.json"
    job = world.tmp / "job.json"
    job.write_text(json.dumps({"spec": str(world.course / "exercises" / "t3l1.yaml"), "submission": str(world.submission),
                               "classmate": str(world.classmate), "limits": LIMITS, "out": str(out),
                               "env": world.env()}))
    harness = kind.get(Path(tempfile.gettempdir()) / f"trust-harness-{kind.__name__}-{os.getpid()}.log")
    started = time.monotonic()
    start_of_log = harness.log.stat().st_size if harness.log.exists() else 0
    assert harness.proc.stdin is not None and harness.proc.stdout is not None
    try:
        harness.proc.stdin.write(f"{job}\n".encode())
        harness.proc.stdin.flush()
    except OSError:
        pass
    os.set_blocking(harness.proc.stdout.fileno(), False)
    stopped, others, timed_out, ticks, done = 0, [], False, 0, False
    while not done and harness.proc.poll() is None:
        if time.monotonic() - started > HARNESS_SECONDS:
            timed_out = True
            break
        with contextlib.suppress(BlockingIOError, TypeError):
            done = b"done" in (harness.proc.stdout.read() or b"")
        if _state(harness.proc.pid) in ("T", "t"):
            stopped += 1
            os.kill(harness.proc.pid, signal.SIGCONT)
        ticks += 1
        if ticks % 10 == 0:
            for pid in marked([world.marker]):
                if pid != harness.proc.pid and _state(pid) in ("T", "t"):
                    others.append(describe(pid))
                    with contextlib.suppress(OSError):
                        os.kill(pid, signal.SIGCONT)
        if not done:
            time.sleep(0.01)
    returncode = harness.proc.poll()
    if not done or stopped or others:
        harness.retire()
        returncode = harness.proc.returncode if returncode is None and not timed_out else returncode
    data = json.loads(out.read_text()) if out.exists() else None
    log = harness.log.read_bytes()[start_of_log:].decode(errors="replace") if harness.log.exists() else ""
    return Outcome(data, 0 if done else returncode, stopped, others, timed_out, log[-2000:],
                   round(time.monotonic() - started, 1))


# --- the promises ------------------------------------------------------------------


def spec_checks() -> list[tuple[str, int]]:
    from grader import load_exercise

    return [(c.name, c.points) for c in load_exercise(ROOT / "exercises" / "t3l1.yaml").checks]


def verdict_problems(honest: str, result: dict[str, Any], renders: dict[str, str]) -> list[str]:
    problems = []
    checks = result["checks"]
    if honest == "pass" and not result["passed"]:
        problems.append("verdict: an honest pass was failed: " + "; ".join(
            f"{c['name']}: {c.get('message', '')[:120]}" for c in checks if not c["passed"]))
    if honest == "fail":
        passed = [c["name"] for c in checks if c["passed"]]
        if result["passed"] or passed:
            problems.append(f"verdict: an app that does not echo passed {len(passed)}/{len(checks)} checks "
                            f"({result['points']}/{result['max_points']} points)")
    expected = spec_checks()
    total = sum(p for _, p in expected)
    if [(c["name"], c["max_points"]) for c in checks] != expected:
        problems.append(f"points: checks or their max_points differ from the spec: "
                        f"{[(c['name'], c['max_points']) for c in checks]}")
    if result["max_points"] != total or result["points"] > result["max_points"] or result["points"] > total:
        problems.append(f"points: {result['points']}/{result['max_points']} for a lesson worth {total}")
    over = [f"{c['name']} {c['points']}/{c['max_points']}" for c in checks if c["points"] > c["max_points"]]
    if over:
        problems.append("points: checks over their maximum: " + ", ".join(over))
    try:
        scope = json.loads(renders["gradescope"])
        if scope["score"] > scope["max_score"] or scope["max_score"] != total:
            problems.append(f"gradescope: score {scope['score']} of max_score {scope['max_score']} (lesson worth {total})")
    except (KeyError, ValueError, TypeError) as exc:
        problems.append(f"gradescope: no readable results.json ({exc!r})")
    return problems


def leak_problems(world: World, result: dict[str, Any], renders: dict[str, str]) -> list[str]:
    problems = []
    leaked = [name for name, text in renders.items() if text and world.secret in text]
    if world.secret in (result.get("output") or ""):
        leaked.append("result.output")
    if leaked:
        problems.append("secret: GRADER_TEST_SECRET's value appears in " + ", ".join(leaked))
    text = renders.get("text") or ""
    raw = sorted({repr(e) for e in ESCAPES if e in text})
    if raw:
        problems.append(f"escapes: the text report carries raw terminal control bytes {', '.join(raw)}")
    return problems


def test_the_corpus_covers_the_attack_classes() -> None:
    assert len(CORPUS) >= 35
    for path in CORPUS:
        meta = header(path)
        assert meta.get("attack"), f"{path.name}: no '# attack:' line"
        assert meta.get("honest") in ("pass", "fail"), f"{path.name}: '# honest:' must be pass or fail"
    names = " ".join(p.stem for p in CORPUS)
    for kind in ("forge", "patch", "gc_", "read_spec", "solution", "environ", "write_", "progress", "net_",
                 "daemon", "fork_bomb", "kill", "flood", "non_utf8", "close_all", "escapes", "classmate", "inflate"):
        assert kind in names, f"no attack of the kind {kind!r}"


def test_the_survivor_scan_sees_a_detached_process(tmp_path: Path) -> None:
    """The scan behind 'no process outlives the run' can fail: it finds detached processes by env or argv."""
    by_env, by_argv, other = uuid.uuid4().hex, uuid.uuid4().hex, uuid.uuid4().hex
    base = {"PATH": os.environ.get("PATH", "/usr/bin:/bin")}

    def detached(argv: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
        return subprocess.Popen(argv, env=env, start_new_session=True, stdin=subprocess.DEVNULL,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    bystander = detached(["sleep", "60"], {**base, "HOSTILE_MARKER": other})
    try:
        ends: list[int | None] = []
        assert scan_sees(lambda: detached(["sleep", "60"], {**base, "HOSTILE_MARKER": by_env}), by_env, ends), ends
        assert scan_sees(lambda: detached(["sh", "-c", "sleep 60; :", f"hostile-{by_argv}"], base), by_argv, ends), ends
        assert marked([uuid.uuid4().hex]) == []
    finally:
        bystander.kill()
        bystander.wait(timeout=10)
    assert marked([by_env, by_argv]) == []


def scan_sees(start: Callable[[], subprocess.Popen[bytes]], needle: str, ends: list[int | None]) -> bool:
    """Whether the scan finds, by ``needle`` alone, the one live process ``start`` made.

    A child's /proc entries show the parent's environment and argv until it has exec'd: the scan
    is given until then (the condition, with a bound so a scan that never sees it fails instead of
    hanging). A process that ended before it was seen (another test's cleanup on this machine may
    signal it) is started again, a few times; how each ended is kept in ``ends`` for the report.
    """
    for _ in range(3):
        proc = start()
        try:
            seen = seen_within(lambda p=proc: p.poll() is not None or marked([needle]) == [p.pid])
            ended = proc.poll()  # None: alive all along, so the scan did not see it
            if seen and ended is None:
                return True
        finally:
            proc.kill()
            proc.wait(timeout=10)
        ends.append(ended)
        if ended is None:
            return False
    return False


def seen_within(condition: Callable[[], bool], seconds: float = 30) -> bool:
    """Whether ``condition`` holds within ``seconds`` (polled; returns at once when it does)."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


@pytest.mark.parametrize("attack", CORPUS, ids=lambda p: p.stem)
def test_hostile_submission_cannot_buy_or_break_anything(attack: Path, tmp_path: Path) -> None:
    assert_holds(attack, tmp_path)


def assert_holds(attack: Path, tmp_path: Path, kind: type[Harness] = Harness, owner: int | None = None) -> None:
    """Grade ``attack`` in a world under ``tmp_path`` (owned by ``owner`` when given) and check every promise."""
    honest = header(attack)["honest"]
    net = Listeners()
    try:
        world = World.build(tmp_path, attack, net.ports)
        if owner is not None:
            for path in [tmp_path, *tmp_path.rglob("*")]:
                os.lchown(path, owner, owner)
        before = snapshot(tmp_path)
        outcome = judge(world, kind)
        reached = net.reached()
    finally:
        net.close()
    time.sleep(0.3)  # a daemon that forked away has started by now
    alive = marked([world.marker, str(world.submission)])
    survivors = [describe(pid) for pid in alive]
    reap(alive)
    after = snapshot(tmp_path)

    problems: list[str] = []
    data = outcome.data
    if outcome.timed_out:
        problems.append(f"judge: grading did not finish within {HARNESS_SECONDS} s")
    elif outcome.returncode != 0:
        why = signal.Signals(-outcome.returncode).name if (outcome.returncode or 0) < 0 else outcome.returncode
        problems.append(f"judge: the process calling grade() died ({why}) and gave no verdict")
    elif data is None:
        problems.append("judge: the process calling grade() ended without writing its verdicts")
    if outcome.stopped:
        problems.append("judge: the process calling grade() was stopped (SIGSTOP) by the submission")
    if outcome.others_stopped:
        problems.append("judge: processes of this run were stopped: " + ", ".join(outcome.others_stopped))
    if data is not None and data["error"]:
        problems.append("judge: grade() raised " + data["error"].strip().splitlines()[-1][:200])
    if data is not None and data["result"] is not None:
        result, renders = data["result"], data["renders"]
        for name, error in data["render_errors"].items():
            problems.append(f"render: {name} raised {error.strip().splitlines()[-1][:160]}")
        problems += verdict_problems(honest, result, renders)
        problems += leak_problems(world, result, renders)
    changed = differences(before, after)
    if changed:
        shown = [c.replace(str(world.tmp) + "/", "") for c in changed]
        problems.append(f"outside: {len(changed)} change(s) outside the work folder: " + ", ".join(shown[:6]))
    if survivors:
        problems.append(f"survivors: {len(survivors)} process(es) outlived the run: " + ", ".join(survivors[:4]))
    if reached:
        problems.append("network: the submission reached loopback: " + ", ".join(sorted(set(reached))))
    if data is not None:
        mate = data["classmate"]
        if data["classmate_error"]:
            problems.append("classmate: grade() raised " + data["classmate_error"].strip().splitlines()[-1][:160])
        elif mate is None or not mate["passed"] or mate["points"] != sum(p for _, p in spec_checks()):
            problems.append(f"classmate: the honest classmate graded next did not get full marks: {mate}")
    assert not problems, "\n".join([f"{attack.name} (honest: {honest}, {outcome.seconds} s):", *problems,
                                    "harness log: " + outcome.log[-600:] if outcome.log.strip() else ""])
