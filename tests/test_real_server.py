"""`--server uvicorn`: the same spec, against the learner's app under a real uvicorn, over TCP, on real time.

Each case is a small app and a spec written as a real client would see that
app under uvicorn; it is graded twice, by the grader's own server and by a
real uvicorn, and both must give the same verdict per check (and the
verdict the case expects). Then what only the real server path does: the
CLI line, nothing recorded, uvicorn's own log in the report.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from conftest import run_grade
from grader import Options, Status, grade, load_exercise

HEAD = "version: 1\nid: demo\ntitle: Demo\ntrack: 1\nlesson: 1\nxp: 5\nfile: demo.py\ninstructions: x\n"

IMPORTS = "import asyncio\nfrom fastapi import FastAPI, WebSocket, WebSocketDisconnect\n\napp = FastAPI()\n\n"

# (name, endpoint code, steps of one check, whether that check passes)
CASES = [
    ("an echo answers", """
        @app.websocket("/ws")
        async def ws(websocket: WebSocket):
            await websocket.accept()
            async for text in websocket.iter_text():
                await websocket.send_text(text)
        """, ["connect: /ws", "send_text: hi", "expect_text: hi", "disconnect:", "ends_cleanly:"], True),
    ("an exception after accept drops the connection: 1006", """
        @app.websocket("/ws")
        async def ws(websocket: WebSocket):
            await websocket.accept()
            await websocket.receive_text()
            raise ValueError("boom")
        """, ["connect: /ws", "send_text: hi", "expect_close: 1006"], True),
    ("returning without close drops the connection: 1006", """
        @app.websocket("/ws")
        async def ws(websocket: WebSocket):
            await websocket.accept()
            await websocket.receive_text()
        """, ["connect: /ws", "send_text: hi", "expect_close: 1006"], True),
    ("a close before accept is HTTP 403", """
        @app.websocket("/ws")
        async def ws(websocket: WebSocket):
            await websocket.close(code=1008)
        """, ["connect: {path: /ws, status: 403, refused: 1008}"], True),
    ("returning without accept is an error: uvicorn answers 500 and logs it", """
        @app.websocket("/ws")
        async def ws(websocket: WebSocket):
            return
        """, ["connect: {path: /ws, status: 500}"], True),
    ("returning without accept fails a spec that expects the connection accepted", """
        @app.websocket("/ws")
        async def ws(websocket: WebSocket):
            return
        """, ["connect: /ws"], False),
    ("an exception before accept is HTTP 500, as the spec says, and ends_cleanly names it", """
        @app.websocket("/ws")
        async def ws(websocket: WebSocket):
            raise ValueError("boom")
        """, ["connect: {path: /ws, status: 500}", "ends_cleanly:"], False),
    ("an exception before accept is HTTP 500, as the spec says", """
        @app.websocket("/ws")
        async def ws(websocket: WebSocket):
            raise ValueError("boom")
        """, ["connect: {path: /ws, status: 500}"], True),
    ("a subprotocol the client did not offer: the client aborts, as the spec says", """
        @app.websocket("/ws")
        async def ws(websocket: WebSocket):
            await websocket.accept(subprotocol="b")
            await websocket.receive_text()
        """, ["connect: {path: /ws, subprotocols: [a], refused: true}"], True),
    ("a subprotocol the client did not offer fails a spec that expects it accepted", """
        @app.websocket("/ws")
        async def ws(websocket: WebSocket):
            await websocket.accept(subprotocol="b")
            await websocket.receive_text()
        """, ["connect: {path: /ws, subprotocols: [a]}"], False),
    ("a close in a dependency, then accept in the endpoint: the client sees 403", """
        from fastapi import Depends, Query, status

        async def token(websocket: WebSocket, token: str | None = Query(None)):
            if token is None:
                await websocket.close(code=status.WS_1008_POLICY_VIOLATION)
            return token

        @app.websocket("/ws")
        async def ws(websocket: WebSocket, t: str | None = Depends(token)):
            await websocket.accept()
            await websocket.send_text(f"token {t}")
        """, ["connect: {path: /ws, status: 403}"], True),
    ("a close in a dependency, then accept in the endpoint: what escaped is the endpoint's error", """
        from fastapi import Depends, Query, status

        async def token(websocket: WebSocket, token: str | None = Query(None)):
            if token is None:
                await websocket.close(code=status.WS_1008_POLICY_VIOLATION)
            return token

        @app.websocket("/ws")
        async def ws(websocket: WebSocket, t: str | None = Depends(token)):
            await websocket.accept()
            await websocket.send_text(f"token {t}")
        """, ["connect: {path: /ws, status: 403}", "ends_cleanly:"], False),
    ("a close in the handler after the client left raises under uvicorn", """
        @app.websocket("/ws")
        async def ws(websocket: WebSocket):
            await websocket.accept()
            try:
                while True:
                    await websocket.receive_text()
            except WebSocketDisconnect:
                await asyncio.sleep(0.01)
                await websocket.close()
        """, ["connect: /ws", "disconnect:", "ends_cleanly:"], False),
    ("a close reason reaches the client", """
        @app.websocket("/ws")
        async def ws(websocket: WebSocket):
            await websocket.accept()
            await websocket.close(code=4000, reason="bye")
        """, ["connect: /ws", "expect_close: {code: 4000, reason: bye}"], True),
    ("a path parameter that does not validate is refused with 1008", """
        @app.websocket("/ws/{n}")
        async def ws(websocket: WebSocket, n: int):
            await websocket.accept()
        """, ["connect: {path: /ws/abc, refused: 1008, status: 403}"], True),
    ("an unknown path is refused", """
        @app.websocket("/ws")
        async def ws(websocket: WebSocket):
            await websocket.accept()
        """, ["connect: {path: /nowhere, refused: true}"], True),
    ("a subprotocol is negotiated", """
        @app.websocket("/ws")
        async def ws(websocket: WebSocket):
            await websocket.accept(subprotocol="v2")
            await websocket.send_text(websocket.scope["subprotocols"][0])
            await websocket.receive_text()
        """, ["connect: {path: /ws, subprotocols: [v2, v1], subprotocol: v2}", "expect_text: v2"], True),
    ("a wrong answer fails", """
        @app.websocket("/ws")
        async def ws(websocket: WebSocket):
            await websocket.accept()
            await websocket.receive_text()
            await websocket.send_json({"type": "ping"})
            await websocket.receive_text()
        """, ["connect: /ws", "send_text: x", "expect_json: {type: pong}"], False),
]


@pytest.mark.parametrize(("name", "code", "steps", "passes"), CASES, ids=[c[0] for c in CASES])
def test_both_servers_give_the_verdict_a_real_client_would(tmp_path: Path, name: str, code: str, steps: list[str],
                                                            passes: bool) -> None:
    spec = tmp_path / "demo.yaml"
    spec.write_text(HEAD + "checks:\n  - name: the case\n    steps:\n"
                    + "".join(f"      - {step}\n" for step in steps), encoding="utf-8")
    app = tmp_path / "demo.py"
    app.write_text(IMPORTS + textwrap.dedent(code), encoding="utf-8")
    exercise = load_exercise(spec)
    ours = grade(exercise, app, Options()).checks[0]
    theirs = grade(exercise, app, Options(uvicorn=True)).checks[0]
    assert (ours.status, theirs.status) == ((Status.PASSED,) * 2 if passes else (Status.FAILED,) * 2), (
        ours.failure, theirs.failure)


def test_an_exception_is_named_with_its_line_and_uvicorn_logs_it(tmp_path: Path) -> None:
    spec = tmp_path / "demo.yaml"
    spec.write_text(HEAD + "checks:\n  - name: ends cleanly\n    steps:\n      - connect: /ws\n"
                    "      - send_text: hi\n      - disconnect:\n      - ends_cleanly:\n", encoding="utf-8")
    app = tmp_path / "demo.py"
    app.write_text(IMPORTS + textwrap.dedent("""
        @app.websocket("/ws")
        async def ws(websocket: WebSocket):
            await websocket.accept()
            await websocket.receive_text()
            {}["missing"]
        """), encoding="utf-8")
    result = grade(load_exercise(spec), app, Options(uvicorn=True))
    check = result.checks[0]
    assert check.status is Status.FAILED and check.failure is not None
    assert [(e.type, [f.line for f in e.frames]) for e in check.failure.errors] == [("KeyError", [11])]
    assert "Exception in ASGI application" in result.output  # uvicorn's own log, as a learner would see it


def test_grade_server_uvicorn_confirms_a_verdict_and_records_nothing(private_progress: Path) -> None:
    proc = run_grade("t3l2", "--app", "solutions/t3l2.py", "--server", "uvicorn")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.startswith("Under a real uvicorn on a loopback port, with a real client, on real time")
    assert "✓ All 9 checks you can run here passed" in proc.stdout
    assert "XP" not in proc.stdout.splitlines()[-1] and not (private_progress / "progress.json").exists()


def test_grade_server_uvicorn_reports_a_broken_file_as_the_grader_does(tmp_path: Path) -> None:
    app = tmp_path / "t3l1.py"
    app.write_text("from fastapi import FastAPI\napp = FastAPI(\n", encoding="utf-8")
    ours = run_grade("t3l1", "--app", str(app), "--no-record")
    theirs = run_grade("t3l1", "--app", str(app), "--server", "uvicorn")
    assert ours.returncode == theirs.returncode == 1
    assert "t3l1.py has a syntax error" in theirs.stdout
    assert theirs.stdout.split("\n", 2)[2] == ours.stdout  # the same report, after the line saying where it ran


def test_a_refusal_the_client_saw_as_403_is_never_called_http_500(tmp_path: Path) -> None:
    # FastAPI's older cookie/token example: close(1008) in the dependency, then accept() in the endpoint.
    spec = tmp_path / "demo.yaml"
    spec.write_text(HEAD + "checks:\n  - name: accepted\n    steps:\n      - connect: /ws\n"
                    "  - name: refused\n    steps:\n      - connect: {path: /ws, status: 403, refused: 1008}\n"
                    "      - ends_cleanly:\n", encoding="utf-8")
    app = tmp_path / "demo.py"
    app.write_text(IMPORTS + textwrap.dedent("""
        from fastapi import Depends, Query, status

        async def token(websocket: WebSocket, token: str | None = Query(None)):
            if token is None:
                await websocket.close(code=status.WS_1008_POLICY_VIOLATION)
            return token

        @app.websocket("/ws")
        async def ws(websocket: WebSocket, t: str | None = Depends(token)):
            await websocket.accept()
        """), encoding="utf-8")
    exercise = load_exercise(spec)
    for options in (Options(), Options(uvicorn=True)):
        accepted, refused = grade(exercise, app, options).checks
        assert accepted.failure is not None and refused.failure is not None
        assert "HTTP 403" in accepted.failure.message and "500" not in accepted.failure.message, accepted.failure
        assert refused.failure.step.startswith("step 2, ends_cleanly"), refused.failure
        assert "after it refused the connection" in refused.failure.message, refused.failure
