"""The app host's sandbox, as a grading run sets it up, and `grade doctor` that reports it."""

from __future__ import annotations

import os
import signal
import textwrap
from pathlib import Path

from conftest import ROOT, run_grade
from grader import Options, grade, load_exercise
from grader.judge.doctor import MEANING
from grader.judge.launch import Template

T3L1 = load_exercise(ROOT / "exercises" / "t3l1.yaml")

# An app that tells, through its own answers, what it can see and do: the
# judge only believes frames, so the facts come back as the echo's text.
PROBE = textwrap.dedent("""\
    import json, os, socket
    from fastapi import FastAPI, WebSocket

    app = FastAPI()


    def facts():
        seen = {"uid": os.getuid(), "pid": os.getpid(), "cwd": os.getcwd(), "env": sorted(os.environ),
                "course": os.path.exists(COURSE + "/exercises") or os.path.exists(COURSE + "/solutions"),
                "root": sorted(os.listdir("/")), "procs": sorted(p for p in os.listdir("/proc") if p.isdigit())}
        try:
            socket.create_connection(("127.0.0.1", 9), timeout=0.2)
            seen["net"] = "connected"
        except OSError as exc:
            seen["net"] = exc.errno
        return seen


    @app.websocket("/ws")
    async def ws(websocket: WebSocket):
        await websocket.accept()
        async for _ in websocket.iter_text():
            await websocket.send_text(json.dumps(facts()))
    """)


def probe_facts(tmp_path: Path) -> dict[str, object]:
    import json

    from grader.spec import parse_exercise

    app = tmp_path / "probe.py"
    app.write_text(f"COURSE = {str(ROOT)!r}\n" + PROBE)
    spec = parse_exercise(
        "version: 1\nid: p\ntitle: p\ntrack: 1\nlesson: 1\nxp: 1\nfile: probe.py\ninstructions: p\n"
        "checks:\n  - name: tell\n    steps:\n      - connect: /ws\n      - send_text: x\n"
        "      - expect_text: {$re: 'never'}\n", tmp_path / "p.yaml")
    result = grade(spec, app, Options())
    failure = result.checks[0].failure
    assert failure is not None and failure.actual is not None, result
    return json.loads(json.loads(failure.actual))


def test_doctor_names_every_protection_and_exits_by_them() -> None:
    proc = run_grade("doctor")
    lines = [line.strip() for line in proc.stdout.splitlines() if line.strip()[:2] in ("✓ ", "✗ ", "- ")]
    assert len(lines) == len(MEANING)
    for line, name in zip(lines, MEANING, strict=True):
        assert line[2:].startswith(name), (line, name)
    off = [line for line in lines if line.startswith("✗")]
    assert proc.returncode == (1 if off else 0), proc.stdout


def test_the_app_sees_what_doctor_reports(tmp_path: Path) -> None:
    proc = run_grade("doctor")
    on = {name for name in MEANING if f"✓ {name}" in proc.stdout}
    facts = probe_facts(tmp_path)
    if "clean environment" in on:
        assert not {k for k in facts["env"] if k.startswith(("GRADER_", "PYTEST", "VIRTUAL_ENV"))}  # type: ignore[union-attr]
    if "pid namespace" in on:
        assert facts["pid"] == 1 and facts["procs"] == ["1"]
    if "network namespace" in on:
        assert facts["net"] != "connected"
    if "private filesystem" in on:
        assert facts["course"] is False
        assert facts["cwd"] == "/learner/work"
    assert on, "the probe host ran with no protection at all"
    if "not root" in on and os.geteuid() == 0:
        assert facts["uid"] != 0


def test_a_dead_template_is_replaced_and_grading_goes_on() -> None:
    with Template() as template:
        first = grade(T3L1, ROOT / "solutions" / "t3l1.py", Options(launcher=template))
        os.killpg(template.proc.pid, signal.SIGKILL)
        template.proc.wait()
        second = grade(T3L1, ROOT / "solutions" / "t3l1.py", Options(launcher=template))
    assert first.passed and second.passed
