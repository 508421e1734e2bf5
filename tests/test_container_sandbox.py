"""The sandbox in a container that forbids namespaces, emulated with its default seccomp profile.

``tests/container_profile.py`` installs the refusals of Docker's default
profile (moby/moby ``profiles/seccomp/default.json``) for a process without
CAP_SYS_ADMIN: no unshare, setns, mount, pivot_root, keyring call, and no
clone with a namespace flag (user namespaces included). Everything here runs
the grader under it: the real ``grade`` command, and the judge harness of
``tests/test_trust.py`` with the attacks a container makes possible, graded
as root (the run gets a user id of its own) and as a user without privileges
(nobody: Landlock rules only).
"""

from __future__ import annotations

import ctypes
import json
import os
import shutil
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_trust import HARNESS, Harness, assert_holds

from grader.host import landlock, seccomp
from grader.judge.launch import stranger_can_read

ROOT = Path(__file__).resolve().parent.parent
PROFILE = Path(__file__).resolve().parent / "container_profile.py"
TRUST = Path(__file__).resolve().parent / "trust"
NOBODY = 65534
# The attacks a container without namespaces opens up, and the controls that prove the test.
ATTACKS = ["solution_beside_grader_exec", "import_solution_syspath", "read_spec_relative", "daemon_rewrites_results",
           "daemon_kills_later_hosts", "daemon_rewrites_later", "daemon_double_fork", "kill_every_visible_pid",
           "read_proc_environ", "forge_progress_store", "classmate_disk_search", "write_ctypes_libc",
           "net_loopback_connect", "control_honest_echo", "control_lazy", "control_imports_and_tempfiles"]

pytestmark = pytest.mark.skipif(not seccomp.supported() or os.geteuid() != 0,
                                reason="emulating a container's profile takes x86_64 Linux and root (to play both users)")


def user_python() -> str | None:
    """A Python a user without rights of its own can run (the one running the tests, if it can)."""
    wanted = os.environ.get("GRADER_TEST_USER_PYTHON") or sys.executable
    return wanted if stranger_can_read(Path(os.path.realpath(wanted))) else None


def in_container(*command: str, user: int | None = None, python: str = sys.executable,
                 cwd: Path | None = None, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    prefix = [python, str(PROFILE), *(["--user", str(user)] if user is not None else []), "--"]
    return subprocess.run([*prefix, *command], capture_output=True, text=True, timeout=300, cwd=cwd,
                          env={**os.environ, **(env or {})})


# --- the emulation itself -------------------------------------------------------------

PROBE = r"""
import ctypes, json
libc = ctypes.CDLL(None, use_errno=True)
def call(number, *args):
    ctypes.set_errno(0)
    libc.syscall(number, *args)
    return ctypes.get_errno()
print(json.dumps({"unshare_user": call(272, 0x10000000), "unshare_net": call(272, 0x40000000),
                  "clone_user": call(56, 0x10000000 | 17, 0, 0, 0, 0), "setns": call(308, 0, 0),
                  "mount": call(165, b"none", b"/mnt", b"tmpfs", 0, None), "umount2": call(166, b"/mnt", 0),
                  "pivot_root": call(155, b"/", b"/"), "keyctl": call(250, 0, -3, 0), "add_key": call(248, 0, 0, 0, 0, 0),
                  "clone3": call(435, 0, 0), "getpid": call(39)}))
"""


def test_the_emulated_profile_refuses_what_dockers_refuses() -> None:
    proc = in_container(sys.executable, "-c", PROBE)
    assert proc.returncode == 0, proc.stderr
    seen = json.loads(proc.stdout)
    eperm = ("unshare_user", "unshare_net", "clone_user", "setns", "mount", "umount2", "pivot_root", "keyctl", "add_key")
    assert {name: seen[name] for name in eperm} == dict.fromkeys(eperm, 1), seen
    assert seen["clone3"] == 38 and seen["getpid"] == 0, seen


# --- grading under it -----------------------------------------------------------------


def test_doctor_in_the_container_lists_what_is_off_and_exits_1() -> None:
    proc = in_container(sys.executable, "-m", "grader", "doctor")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    off = {line.split()[1] + " " + line.split()[2] for line in proc.stdout.splitlines() if line.strip().startswith("✗")}
    assert {"pid namespace", "network namespace", "mount namespace"} <= off or {"network namespace",
                                                                                  "mount namespace"} <= off, proc.stdout
    for on in ("dedicated user", "filesystem rules", "system call filter", "own keyring", "not root"):
        assert f"✓ {on}" in proc.stdout, (on, proc.stdout)


@pytest.mark.parametrize("form", ["json", "junit", "gradescope", "exercism"])
def test_every_format_records_the_protections_in_force(form: str, tmp_path: Path) -> None:
    out = tmp_path / "result"
    proc = in_container(sys.executable, "-m", "grader", "t3l1", "--app", str(ROOT / "solutions" / "t3l1.py"),
                        "--no-record", "--all-checks", "--format", form, "--output", str(out), cwd=ROOT)
    assert proc.returncode in (0, 1), proc.stderr
    text = out.read_text()
    if form == "json":
        data = json.loads(text)
        assert data["protections"]["pid namespace"] is False and data["protections"]["dedicated user"] is True
        assert data["protections"]["no survivors"] is True
    elif form == "junit":
        assert 'name="protection: pid namespace" value="OFF"' in text
        assert 'name="protection: system call filter" value="on"' in text
    elif form == "gradescope":
        extra = json.loads(text)["extra_data"]
        assert extra["protections"]["mount namespace"] is False and extra["protections"]["filesystem rules"] is True
    else:
        # Exercism's interface has no field for it: nothing was missing here, so nothing is said.
        assert "message" not in json.loads(text) and json.loads(text)["status"] == "pass"


def test_the_real_server_mode_works_in_the_container() -> None:
    """--server uvicorn imports more of the standard library late (logging.config): it must still be reachable."""
    proc = in_container(sys.executable, "-m", "grader", "t3l1", "--app", str(ROOT / "solutions" / "t3l1.py"),
                        "--no-record", "--server", "uvicorn", cwd=ROOT)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_a_class_graded_without_a_needed_protection_is_told_so() -> None:
    """No namespace, no Landlock (``namespaces=False`` leaves both out), and a course anyone may read:
    the result says the course was not hidden, in the report and in the platform's file."""
    from grader import Options, grade, load_exercise
    from grader.render import RENDERERS

    base = Path(tempfile.mkdtemp(prefix="grader-open-course-"))
    try:
        base.chmod(0o755)
        shutil.copytree(ROOT / "exercises", base / "exercises")
        shutil.copytree(ROOT / "solutions", base / "solutions")
        exercise = load_exercise(base / "exercises" / "t3l1.yaml")
        result = grade(exercise, base / "solutions" / "t3l1.py", Options(namespaces=False, run_hidden=True))
        hidden = grade(exercise, base / "solutions" / "t3l1.py", Options(namespaces=False))
    finally:
        shutil.rmtree(base, ignore_errors=True)
    on = dict(result.protections)
    assert on["filesystem rules"] is False and on["private filesystem"] is False and on["course hidden"] is False
    assert "course hidden" in result.unprotected
    assert "Sandbox warning" in RENDERERS["text"](result, exercise) and "course hidden" in RENDERERS["text"](result, exercise)
    scope = json.loads(RENDERERS["gradescope"](result, exercise))
    assert "course hidden" in scope["output"] and "course hidden" in scope["extra_data"]["unprotected"]
    assert "course hidden" in json.loads(RENDERERS["exercism"](result, exercise))["message"]
    junit = RENDERERS["junit"](result, exercise)
    assert 'name="protection: course hidden" value="OFF"' in junit and "sandbox_warning" in junit
    # A learner's own run (no hidden checks) records the same protections but is not a class's grading.
    assert dict(hidden.protections) == on and hidden.unprotected == ()


# --- the attacks, as root and as nobody ------------------------------------------------


class RootInContainer(Harness):
    current: Harness | None = None

    def command(self) -> list[str]:
        return [sys.executable, str(PROFILE), "--", sys.executable, "-c", HARNESS]


class NobodyInContainer(Harness):
    current: Harness | None = None

    def command(self) -> list[str]:
        python = user_python() or sys.executable
        return [python, str(PROFILE), "--user", str(NOBODY), "--", python, "-c", HARNESS]


@pytest.fixture(scope="module", autouse=True)
def _harnesses_end_with_the_module() -> Iterator[None]:
    yield
    RootInContainer.retire_current()
    NobodyInContainer.retire_current()


@pytest.mark.parametrize("attack", ATTACKS)
def test_attack_as_root_in_a_container_ends_honestly(attack: str, tmp_path: Path) -> None:
    assert_holds(TRUST / f"{attack}.py", tmp_path, RootInContainer)


@pytest.fixture
def nobody_world() -> Iterator[Path]:
    if user_python() is None:
        pytest.skip("no Python a user without rights can run: set GRADER_TEST_USER_PYTHON")
    if landlock.abi() < 1:
        pytest.skip("this kernel has no Landlock: a grader without root has nothing to confine the app with")
    base = Path(tempfile.mkdtemp(prefix="grader-nobody-"))
    base.chmod(0o711)
    world = base / "world"
    world.mkdir(mode=0o700)
    try:
        yield world
    finally:
        shutil.rmtree(base, ignore_errors=True)


@pytest.mark.parametrize("attack", ATTACKS)
def test_attack_as_nobody_in_a_container_ends_honestly(attack: str, nobody_world: Path) -> None:
    assert_holds(TRUST / f"{attack}.py", nobody_world, NobodyInContainer, owner=NOBODY)


# --- the platform's own commands: results.json and grade batch ------------------------------


def _playground(base: Path, owner: int | None) -> tuple[Path, Path]:
    """A course copy in a playground the hostile files recognise; returns (playground, course)."""
    (base / "HOSTILE_PLAYGROUND").write_text("attacks may touch only what lies under this folder\n")
    (base / "outside").mkdir()
    course = base / "course"
    course.mkdir()
    for name in ("exercises", "solutions"):
        shutil.copytree(ROOT / name, course / name)
    shutil.copy(ROOT / "grader.toml", course / "grader.toml")
    return base, course


def _rigged(attack: str, target: Path, playground: Path, marker: str) -> None:
    shutil.copy(TRUST / f"{attack}.py", target)
    with target.open("a", encoding="utf-8") as f:
        f.write(f"\n# hostile-marker: {marker}\n# hostile-canary-dir: {playground / 'outside'}\n"
                f"# hostile-course-dir: {playground / 'course'}\n")


def _own(base: Path, owner: int | None) -> None:
    if owner is not None:
        for path in [base, *base.rglob("*")]:
            os.lchown(path, owner, owner)


def _survivors(marker: str) -> list[int]:
    from test_trust import marked, reap

    alive = marked([marker])
    reap(alive)
    return alive


@pytest.fixture(params=["root", "nobody"])
def grader_user(request: pytest.FixtureRequest) -> Iterator[tuple[int | None, str, Path]]:
    """Who runs `grade` in the container, with which Python, in which folder (theirs)."""
    base = Path(tempfile.mkdtemp(prefix="grader-platform-"))
    try:
        if request.param == "root":
            yield None, sys.executable, base
            return
        python = user_python()
        if python is None or landlock.abi() < 1:
            pytest.skip("no Python a user without rights can run, or no Landlock")
        base.chmod(0o711)
        world = base / "world"
        world.mkdir(mode=0o700)
        yield NOBODY, python, world
    finally:
        shutil.rmtree(base, ignore_errors=True)


def test_a_daemon_cannot_rewrite_the_results_file_after_grade_writes_it(
        grader_user: tuple[int | None, str, Path]) -> None:
    owner, python, base = grader_user
    playground, course = _playground(base, owner)
    marker = uuid.uuid4().hex
    _rigged("daemon_rewrites_results", course / "submission.py", playground, marker)
    results = playground / "results" / "results.json"
    results.parent.mkdir()
    _own(base, owner)
    proc = in_container(python, "-m", "grader", "t3l1", "--app", str(course / "submission.py"), "--all-checks",
                        "--no-record", "--format", "gradescope", "--output", str(results), user=owner,
                        python=python, cwd=course, env={"HOME": str(base)})
    left = _survivors(marker)  # gone before grade wrote the file: nothing can rewrite it after
    assert proc.returncode in (0, 1), proc.stderr
    data = json.loads(results.read_text())
    assert left == [], "a daemon outlived the run"
    assert data["score"] == 0 and data["max_score"] == 10, data
    assert all(test["status"] == "failed" for test in data["tests"]), data


def test_a_daemon_from_one_submission_cannot_harm_the_next_in_a_batch(
        grader_user: tuple[int | None, str, Path]) -> None:
    owner, python, base = grader_user
    playground, course = _playground(base, owner)
    marker = uuid.uuid4().hex
    submissions = course / "submissions"
    for name, attack in (("aaa", "daemon_kills_later_hosts"), ("aab", "daemon_rewrites_results"),
                         ("aac", "solution_beside_grader_exec")):
        (submissions / name).mkdir(parents=True)
        _rigged(attack, submissions / name / "t3l1.py", playground, marker)
    for name in ("bob", "carol", "dave"):
        (submissions / name).mkdir(parents=True)
        shutil.copy(ROOT / "solutions" / "t3l1.py", submissions / name / "t3l1.py")
    _own(base, owner)
    proc = in_container(python, "-m", "grader", "batch", "t3l1", str(submissions), "--jobs", "2", "--out",
                        str(playground / "gradebook"), user=owner, python=python, cwd=course,
                        env={"HOME": str(base)})
    left = _survivors(marker)
    assert proc.returncode in (0, 1), proc.stdout + proc.stderr
    rows = {row["submission"]: row for row in json.loads((playground / "gradebook" / "gradebook.json")
                                                                    .read_text())["submissions"]}
    assert left == [], "a daemon outlived the batch"
    for honest in ("bob", "carol", "dave"):
        assert rows[honest]["points"] == 10, rows[honest]
    for hostile in ("aaa", "aab", "aac"):
        assert rows[hostile]["points"] == 0, rows[hostile]


def test_landlock_is_what_a_container_allows() -> None:
    """The profile lists the landlock calls among those allowed to everyone; the emulation agrees."""
    proc = in_container(sys.executable, "-c", "import ctypes; print(ctypes.CDLL(None).syscall(444, None, 0, 1))")
    assert int(proc.stdout) == landlock.abi(), proc.stdout + proc.stderr
    assert ctypes.sizeof(ctypes.c_uint64) == 8
