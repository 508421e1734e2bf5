"""Source rules read real calls from the AST."""

from __future__ import annotations

from pathlib import Path

from grader.judge.source import check
from grader.result import Kind
from grader.spec import SourceRule


def write(tmp_path: Path, code: str) -> Path:
    path = tmp_path / "app.py"
    path.write_text(code, encoding="utf-8")
    return path


def test_a_method_call_counts(tmp_path: Path) -> None:
    path = write(tmp_path, "async def f(ws):\n    async for m in ws.iter_json():\n        pass\n")
    assert check(SourceRule(calls=("iter_json",)), path) is None


def test_a_name_in_a_comment_or_string_does_not_count(tmp_path: Path) -> None:
    path = write(tmp_path, "# iter_json()\nx = 'websocket.iter_json()'\n")
    failure = check(SourceRule(calls=("iter_json",)), path)
    assert failure is not None and failure.kind is Kind.SOURCE
    assert "never calls iter_json()" in failure.message


def test_receive_text_is_not_a_call_of_receive(tmp_path: Path) -> None:
    path = write(tmp_path, "async def f(ws):\n    await ws.receive_text()\n")
    assert check(SourceRule(calls=("receive",)), path) is not None
    assert check(SourceRule(not_calls=("receive",)), path) is None


def test_a_forbidden_call_is_named_with_its_line(tmp_path: Path) -> None:
    path = write(tmp_path, "import time\n\n\ndef f():\n    time.sleep(1)\n")
    failure = check(SourceRule(not_calls=("sleep",)), path)
    assert failure is not None and "calls sleep() on line 5" in failure.message


def test_unparsable_source_is_a_failure_not_a_crash(tmp_path: Path) -> None:
    path = write(tmp_path, "def (:\n")
    failure = check(SourceRule(calls=("x",)), path)
    assert failure is not None and "not valid Python (line 1)" in failure.message
