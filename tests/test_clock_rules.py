"""The clock's rules, each seen by an app through the real grader: virtual time = real time + skipped idle time.

- Idle time is skipped: an app that waits ten minutes answers at once, and a
  judge that waits ten silent minutes on an idle app is done at once, both well
  inside a run limit far shorter than ten real minutes.
- A host that is never idle (it polls with ``asyncio.sleep(0)``) still moves
  the judge's clock by the real time it works, so a check that waits through
  its silence ends, and passes; the clock does not run ahead of that work.
- Real work (a blocking call) moves every clock the app reads, and a thread
  of the app holds the skipping while it lives.
- A frame the host stamps ahead of the judge's clock waits for the clock to
  get there: a timer of the judge's due earlier (a wait, a silence) ends
  first, at its own time, not at the frame's.

Each case ends on its own verdict or at the run's real-time limit; none
measures the machine's speed. Every test has a timeout, so a clock that
never moves fails the test instead of hanging it.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from grader import Limits, Options, Status, grade, load_exercise
from grader.result import CheckResult

HEAD = "version: {version}\nid: demo\ntitle: Demo\ntrack: 1\nlesson: 1\nxp: 5\nfile: demo.py\ninstructions: x\n"
APP_HEAD = """\
    import asyncio, threading, time
    from fastapi import FastAPI, WebSocket

    app = FastAPI()

    """


def graded(tmp_path: Path, steps: list[str], app: str, run_seconds: float = 60, version: str = "1.1") -> CheckResult:
    spec = tmp_path / "demo.yaml"
    spec.write_text(HEAD.format(version=version) + "checks:\n  - name: the case\n    steps:\n"
                    + "".join(f"      - {step}\n" for step in steps), encoding="utf-8")
    learner = tmp_path / "demo.py"
    learner.write_text(textwrap.dedent(APP_HEAD) + textwrap.dedent(app), encoding="utf-8")
    return grade(load_exercise(spec), learner, Options(limits=Limits(run_seconds=run_seconds))).checks[0]


TEN_MINUTES = """\
    @app.websocket("/ws")
    async def ws(websocket: WebSocket):
        await websocket.accept()
        start = time.monotonic()
        await asyncio.sleep(600)
        await websocket.send_json({"waited": round(time.monotonic() - start)})
        await websocket.receive_text()
    """


@pytest.mark.timeout(180)
def test_idle_time_is_skipped_not_waited(tmp_path: Path) -> None:
    # Ten idle minutes inside a 60 s real-time limit: only a skipped wait fits.
    check = graded(tmp_path, ["connect: /ws", "expect_json: {waited: 600}\n        timeout: 700"], TEN_MINUTES)
    assert check.status is Status.PASSED, check.failure


SILENT = """\
    @app.websocket("/ws")
    async def ws(websocket: WebSocket):
        await websocket.accept()
        await websocket.receive_text()  # idle with no timer of its own: the judge's timer is the next one due
    """


@pytest.mark.timeout(180)
def test_the_judges_own_wait_on_an_idle_host_is_skipped_not_waited(tmp_path: Path) -> None:
    # Ten silent minutes that only the judge waits for, inside a 60 s real-time limit: only a skipped wait fits.
    check = graded(tmp_path, ["connect: /ws", "expect_silence: 600", "send_text: done"], SILENT)
    assert check.status is Status.PASSED, check.failure


RESTLESS = """\
    @app.websocket("/ws")
    async def ws(websocket: WebSocket):
        await websocket.accept()
        start = time.monotonic()
        while time.monotonic() - start < 1.0:
            await asyncio.sleep(0)  # never idle: there is always something ready
        await websocket.send_text("worked 1 s")
        while True:
            await asyncio.sleep(0)
    """


@pytest.mark.timeout(180)
def test_a_host_that_is_never_idle_moves_the_clock_by_its_work(tmp_path: Path) -> None:
    # The judge's clock follows the host's real work: the silence ends, then the message comes.
    check = graded(tmp_path, ["connect: /ws", "expect_silence: 0.6", "expect_text: worked 1 s",
                              "expect_silence: 0.5"], RESTLESS)
    assert check.status is Status.PASSED, check.failure


@pytest.mark.timeout(180)
def test_a_host_that_is_never_idle_does_not_run_the_clock_ahead(tmp_path: Path) -> None:
    # The message comes after one second of the host's work: a silence of 1.3 s must see it.
    check = graded(tmp_path, ["connect: /ws", "expect_silence: 1.3"], RESTLESS)
    assert check.status is Status.FAILED
    assert check.failure is not None and "worked 1 s" in str(check.failure.actual), check.failure


BLOCKING = """\
    @app.websocket("/ws")
    async def ws(websocket: WebSocket):
        await websocket.accept()
        start = time.monotonic()
        time.sleep(0.4)  # blocks the loop: real work of 0.4 s
        await websocket.send_json({"blocked": round(time.monotonic() - start, 1) >= 0.4})
        await websocket.receive_text()
    """


@pytest.mark.timeout(180)
def test_real_work_moves_the_clock_the_app_reads(tmp_path: Path) -> None:
    check = graded(tmp_path, ["connect: /ws", "expect_json: {blocked: true}"], BLOCKING)
    assert check.status is Status.PASSED, check.failure


@pytest.mark.timeout(180)
def test_a_message_sent_after_more_real_work_than_the_timeout_is_late(tmp_path: Path) -> None:
    # The message is stamped 0.4 s of real work after the accept: a 0.2 s timeout ends first, as on a real server.
    check = graded(tmp_path, ["connect: /ws", "expect_json: {blocked: true}\n        timeout: 0.2"], BLOCKING)
    assert check.status is Status.FAILED and check.failure is not None, check
    assert check.failure.message.startswith("no message arrived within 0.2 s"), check.failure


THREAD_FIRST = """\
    @app.websocket("/ws")
    async def ws(websocket: WebSocket):
        await websocket.accept()
        done = []
        worker = threading.Thread(target=lambda: (time.sleep(0.3), done.append("thread")))
        worker.start()
        await asyncio.sleep(5)  # a real server wakes here after the thread is long done
        await websocket.send_json({"done": done})
        await websocket.receive_text()
    """


@pytest.mark.timeout(180)
def test_a_thread_of_the_app_holds_the_skipping_while_it_lives(tmp_path: Path) -> None:
    check = graded(tmp_path, ["connect: /ws", "expect_json: {done: [thread]}\n        timeout: 10"], THREAD_FIRST)
    assert check.status is Status.PASSED, check.failure


FROZEN = """\
    @app.websocket("/ws")
    async def ws(websocket: WebSocket):
        await websocket.accept()
        time.sleep(3600)  # blocks the loop: nothing moves any more
    """


@pytest.mark.timeout(180)
def test_a_host_that_blocks_its_loop_is_declared_frozen_not_waited_for(tmp_path: Path) -> None:
    # Frozen after check_seconds of no progress, long before the run's limit: the verdict says so.
    check = graded(tmp_path, ["connect: /ws", "expect_text: hi\n        timeout: 3000"], FROZEN, run_seconds=90)
    assert check.status is Status.FAILED and check.failure is not None
    assert "blocked the event loop" in check.failure.message, check.failure
    assert not check.failure.message.startswith("grading took longer"), check.failure


@pytest.mark.timeout(180)
def test_a_host_still_working_at_the_runs_limit_is_stopped_there(tmp_path: Path) -> None:
    # Never idle, never frozen, never answering: the run's real-time limit ends it, and says so.
    check = graded(tmp_path, ["connect: /ws", "expect_text: worked 1 s", "expect_text: never\n        timeout: 3000"],
                   RESTLESS, run_seconds=6)
    assert check.status is Status.FAILED and check.failure is not None
    assert check.failure.message.startswith("grading took longer than 6 s in all"), check.failure


WORKS_THEN_ANSWERS = """\
    @app.websocket("/ws")
    async def ws(websocket: WebSocket):
        await websocket.accept()
        await websocket.receive_text()
        time.sleep(1.0)  # blocks the loop: one real second of work, then the answer, then idle
        await websocket.send_text("done")
        await websocket.receive_text()
    """


@pytest.mark.timeout(180)
@pytest.mark.parametrize("judges_timer", ["wait: 0.2", "expect_silence: 0.2"])
def test_a_timer_of_the_judges_due_before_a_host_frame_fires_first(tmp_path: Path, judges_timer: str) -> None:
    # The answer is stamped a second of real work after the judge sent "go", so it reaches the judge ahead
    # of its clock and waits there; the judge's 0.2 s timer is due first and must end first, leaving at
    # least 0.8 s between that step's end and the answer, whatever the machine's speed. Read the other
    # way round, the timer would end at the answer's time, and the answer would come 0 s after it.
    check = graded(tmp_path, ["connect: /ws", "send_text: go", judges_timer,
                              "expect_text: done\n        after: 0.5"], WORKS_THEN_ANSWERS, version="1.2")
    assert check.status is Status.PASSED, check.failure
