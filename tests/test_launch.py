"""Children forked from a warm zygote are as isolated as spawned ones."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import sys
import tempfile
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import ROOT, run_grade
from grader import Limits, Options, grade, load_exercise, wire
from grader.judge import warm
from grader.judge.launch import Template, _alive, dedicated_uid, stranger_can_read, sweep
from grader.result import Kind

T3L1 = load_exercise(ROOT / "exercises" / "t3l1.yaml")
FAST = Limits(check_seconds=1, import_seconds=10, run_seconds=60)


@pytest.fixture(scope="module")
def zygote() -> Iterator[Template]:
    with Template() as warm:
        yield warm


def app(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "t3l1.py"
    path.write_text(textwrap.dedent(body), encoding="utf-8")
    return path


def test_the_reference_passes_through_the_zygote(zygote: Template) -> None:
    result = grade(T3L1, ROOT / "solutions" / "t3l1.py", Options(launcher=zygote))
    assert result.passed


def test_each_child_imports_the_learner_file_fresh(zygote: Template, tmp_path: Path) -> None:
    # Module state would leak between gradings if children shared an import.
    path = app(tmp_path, """\
        from fastapi import FastAPI, WebSocket

        app = FastAPI()
        count = 0


        @app.websocket("/ws")
        async def echo(websocket: WebSocket):
            global count
            count += 1
            print(f"connection {count}")
            await websocket.accept()
            async for text in websocket.iter_text():
                await websocket.send_text(f"Message text was: {text}")
        """)
    for _ in range(2):
        result = grade(T3L1, path, Options(launcher=zygote))
        # 5 connections per grading; a shared module would count on to 10.
        assert "connection 5" in result.output and "connection 6" not in result.output


def test_a_host_asked_of_a_template_that_dies_before_forking_it_comes_from_a_new_one(tmp_path: Path) -> None:
    # A host started ahead is asked of the template while one check runs and taken when the
    # next begins: a template gone in between must cost that host nothing but a new fork.
    with Template() as template:
        template.launch(tmp_path / "first.txt").close()  # the template is up and forking
        os.kill(template.proc.pid, signal.SIGSTOP)  # the request below waits, never read
        ahead = warm.Ahead(template, tmp_path / "output.txt", {"op": "job"})
        os.killpg(template.proc.pid, signal.SIGKILL)
        template.proc.wait()
        host = ahead.take()
        try:
            said = wire.Blocking(host.wire.fileno()).recv()
            assert said is not None and said[0]["op"] == "ready"
            assert template.generation == 1
        finally:
            host.close()


def test_each_request_gets_the_host_forked_for_it_whatever_order_they_are_taken_in(tmp_path: Path) -> None:
    # Batch grading shares one template between a judge's threads: answers that arrive for
    # another thread's request are kept for it, never handed to the wrong one.
    with Template() as template:
        first, second = template.request(tmp_path / "a.txt"), template.request(tmp_path / "b.txt")
        later, earlier = second.take(), first.take()
        try:
            for host, output in ((earlier, "a.txt"), (later, "b.txt")):
                said = wire.Blocking(host.wire.fileno()).recv()
                assert said is not None and said[0]["op"] == "ready"
                # The pid taken is the host forked for that request: its output is that request's file.
                assert os.readlink(f"/proc/{host.pid}/fd/1") == str(tmp_path / output)
        finally:
            earlier.close()
            later.close()


def test_only_a_host_with_a_pid_namespace_of_its_own_counts_as_a_reaper(tmp_path: Path) -> None:
    # The judge ends a host early on its reaper's word only when the kernel shows the process it
    # started is a reaper: one whose children go into a PID namespace of their own (the host forks
    # its reaper as soon as it makes one). Before its sandbox, the process is nobody's reaper.
    from grader.judge.launch import _reaper_of_a_namespace
    from grader.judge.run import _prepare, job

    app_path = ROOT / "solutions" / "t3l1.py"
    with Template() as template:
        host = template.launch(tmp_path / "output.txt")
        try:
            channel = wire.Blocking(host.wire.fileno())
            said = channel.recv()
            assert said is not None and said[0]["op"] == "ready"
            assert not _reaper_of_a_namespace(host.pid)
            scratch = tmp_path / "scratch"
            scratch.mkdir()
            app_dir, workdir, root = _prepare(scratch, app_path, app_path.read_bytes())
            channel.send({**job(app_dir / app_path.name, workdir, root, Limits()), "hold": True, "t": 0})
            deadline = time.monotonic() + 60
            while not _reaper_of_a_namespace(host.pid) and time.monotonic() < deadline:
                time.sleep(0.01)  # the host is building its sandbox; nothing else to wait on from here
            assert _reaper_of_a_namespace(host.pid)
        finally:
            host.close(told_exit=False)


def test_hostile_children_end_in_verdicts(zygote: Template, tmp_path: Path) -> None:
    path = app(tmp_path, """\
        import os, time
        from fastapi import FastAPI, WebSocket

        app = FastAPI()


        @app.websocket("/ws")
        async def echo(websocket: WebSocket):
            await websocket.accept()
            async for text in websocket.iter_text():
                if text == "hello":
                    os._exit(9)
                time.sleep(30)
        """)
    result = grade(T3L1, path, Options(launcher=zygote, limits=FAST))
    # The crash ends its host; a fresh one runs the next check, which freezes;
    # the checks after a freeze are not run.
    kinds = [c.failure.kind for c in result.checks if c.failure]
    assert kinds[:2] == [Kind.CRASH, Kind.HANG]
    assert [c.status.value for c in result.checks[2:]] == ["not_run"] * (len(result.checks) - 2)
    assert not result.passed


def test_an_import_error_through_the_zygote(zygote: Template, tmp_path: Path) -> None:
    result = grade(T3L1, app(tmp_path, "import no_such_module_here\n"), Options(launcher=zygote))
    failure = result.checks[0].failure
    assert failure is not None and "not installed: 'no_such_module_here'" in failure.message


def test_code_that_never_finishes_importing_is_named_with_the_fix(zygote: Template, tmp_path: Path) -> None:
    # `uvicorn.run(app)` left at the top of the file blocks the import for ever, like this loop.
    path = app(tmp_path, """\
        from fastapi import FastAPI

        app = FastAPI()
        while True:
            pass
        """)
    result = grade(T3L1, path, Options(launcher=zygote, limits=Limits(check_seconds=1, import_seconds=1)))
    failure = result.checks[0].failure
    assert failure is not None and failure.kind is Kind.IMPORT
    assert "did not finish importing within 1 s" in failure.message
    assert "t3l1.py:4 (while True:)" in failure.message or "t3l1.py:5 (pass)" in failure.message, failure.message
    assert 'if __name__ == "__main__":' in failure.message
    # One cause, one message: every check says the same, none ran.
    assert {c.status.value for c in result.checks} == {"not_run"} and len({c.failure.message for c in result.checks
                                                                         if c.failure}) == 1


def _run_as(uid: int, then_exit: bool = False) -> int:
    """A process of the run's user id: one that waits to be killed, or one that ends at once (a zombie until reaped)."""
    pid = os.fork()
    if pid == 0:
        try:
            os.setgroups([])
            os.setresgid(uid, uid, uid)
            os.setresuid(uid, uid, uid)
            if not then_exit:
                time.sleep(60)
        finally:
            os._exit(0)
    return pid


@pytest.mark.skipif(not sys.platform.startswith("linux") or os.geteuid() != 0, reason="user ids are handed out as root")
def test_the_sweep_ends_what_runs_as_the_run_user_and_passes_over_zombies() -> None:
    uid = dedicated_uid()
    assert uid is not None
    assert sweep(uid), "nothing runs as a fresh id: nothing to sweep"
    alive = _run_as(uid)
    zombie = _run_as(uid, then_exit=True)
    try:
        # Each has taken the id once /proc says so (a fork shows the parent's ids until then).
        deadline = time.monotonic() + 30
        while not (_alive(uid) == [alive] and _gone(zombie)) and time.monotonic() < deadline:
            time.sleep(0.01)
        assert _alive(uid) == [alive]
        assert sweep(uid), "the sweep left a process of the run's id alive"
        _, status = os.waitpid(alive, 0)
        assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL
    finally:
        for pid in (alive, zombie):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, 0)


def _gone(pid: int) -> bool:
    """Whether ``pid`` has ended (a zombie of ours, not reaped yet)."""
    try:
        with open(f"/proc/{pid}/status", "rb") as f:
            return b"\nState:\tZ" in f.read()
    except OSError:
        return True


def test_batch_grades_in_parallel_under_a_temporary_folder_too_long_for_a_socket_path(
        course: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The judge processes' fork server listens on a socket in TMPDIR, whose path may hold 107 bytes: under a
    longer TMPDIR (deep CI checkouts) the judges are spawned instead, and the class is graded all the same."""
    scratch = tmp_path / ("a-temporary-folder-" * 6)
    scratch.mkdir()
    assert len(str(scratch)) > 110
    monkeypatch.setenv("TMPDIR", str(scratch))
    klass = tmp_path / "class"
    for name in ("a", "b", "c"):
        (klass / name).mkdir(parents=True)
        shutil.copy(ROOT / "solutions" / "t3l1.py", klass / name / "t3l1.py")
    batch = run_grade("batch", "t3l1", str(klass), "--jobs", "2", "--out", str(tmp_path / "book"), cwd=course)
    assert batch.returncode == 0, batch.stdout + batch.stderr
    assert "3/3 passed" in batch.stdout, batch.stdout


def test_grade_and_batch_leave_no_scratch_behind(course: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every grading's scratch folder is gone once the command has exited (the learner's `grade`, which
    leaves without the interpreter's teardown, and a batch's judge processes alike)."""
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setenv("TMPDIR", str(scratch))
    graded = run_grade("t3l1", "--app", str(ROOT / "solutions" / "t3l1.py"), "--no-record", cwd=course)
    assert graded.returncode == 0, graded.stdout + graded.stderr
    klass = tmp_path / "class"
    for name in ("a", "b", "c", "d", "e"):
        (klass / name).mkdir(parents=True)
        shutil.copy(ROOT / "solutions" / "t3l1.py", klass / name / "t3l1.py")
    batch = run_grade("batch", "t3l1", str(klass), "--jobs", "2", "--out", str(tmp_path / "book"), cwd=course)
    assert batch.returncode == 0, batch.stdout + batch.stderr
    assert sorted(p.name for p in scratch.iterdir()) == []


def test_a_course_too_large_to_look_through_counts_as_readable_by_strangers() -> None:
    # Below /tmp (a folder anyone may enter), a course whose files only their owner can read.
    folder = Path(tempfile.mkdtemp(prefix="grader-stranger-", dir="/tmp"))
    try:
        folder.chmod(0o755)
        for number in range(6):
            (folder / f"lesson{number}.py").write_text("x = 1\n", encoding="utf-8")
            (folder / f"lesson{number}.py").chmod(0o600)
        assert not stranger_can_read(folder, budget=100)
        assert stranger_can_read(folder, budget=3)  # not all looked at: the worst is assumed, never the best
        (folder / "lesson5.py").chmod(0o644)
        assert stranger_can_read(folder, budget=100)
    finally:
        shutil.rmtree(folder)
