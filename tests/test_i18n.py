"""Every sentence the grader says to a learner exists in English and Korean."""

from __future__ import annotations

import ast
import string
import subprocess
from pathlib import Path

from conftest import ROOT, grade_json, run_grade
from grader.i18n import MESSAGES, say
from grader.judge.source import parse
from grader.locale_ko import KO

GRADER = ROOT / "grader"


def grader_sources() -> list[Path]:
    """The grader's own source files: what git tracks (a file another process is writing meanwhile is not one)."""
    proc = subprocess.run(["git", "ls-files", "--", "grader/*.py"], cwd=ROOT, capture_output=True, text=True)
    if proc.returncode == 0 and proc.stdout.strip():
        return [ROOT / line for line in proc.stdout.splitlines()]
    return sorted(GRADER.rglob("*.py"))


def said_templates() -> dict[str, str]:
    """Each English template passed to say(...) in the grader, and where."""
    found: dict[str, str] = {}
    for path in grader_sources():
        for node in ast.walk(parse(path.read_text(encoding="utf-8"), str(path))):  # GC paused: see parse()
            if not isinstance(node, ast.Call):
                continue
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", None)
            if name != "say" or any(isinstance(a, ast.Name) and a.id == "text" for a in node.args):
                continue  # not a call, or a helper passing its own text on
            literal = next((a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str)), None)
            assert literal is not None, f"{path}:{node.lineno}: say() needs its English text as a literal"
            found[literal] = f"{path.name}:{node.lineno}"
    return found


def fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_every_sentence_has_korean_with_the_same_placeholders() -> None:
    templates = said_templates()
    assert len(templates) > 80
    missing = [f"{where}: {text!r}" for text, where in templates.items() if text not in KO]
    assert not missing, "\n".join(missing)
    for text in templates:
        assert fields(KO[text]) == fields(text), text


def test_no_stale_korean_entries() -> None:
    assert set(KO) <= set(said_templates())


def test_every_cli_message_has_both_languages() -> None:
    for key, texts in MESSAGES.items():
        assert texts.get("en") and texts.get("ko"), key
        assert fields(texts["en"]) == fields(texts["ko"]), key


def test_say_falls_back_to_english() -> None:
    assert say("ko", "no message arrived within {seconds} s", seconds=2) == "2초 안에 메시지가 오지 않았어요"
    assert say("en", "no message arrived within {seconds} s", seconds=2) == "no message arrived within 2 s"
    assert say("xx", "nothing") == "nothing"


def test_a_korean_report_end_to_end(tmp_path: Path) -> None:
    wrong = ROOT / "tests" / "variants" / "t3l1" / "unhandled_disconnect.py"
    proc = run_grade("t3l1", "--app", str(wrong), "--lang", "ko", "--no-record")
    assert "클라이언트가 떠날 때 WebSocketDisconnect가 endpoint 밖으로 새어 나갔어요" in proc.stdout
    assert "힌트:" in proc.stdout and "검사 3/4개 통과" in proc.stdout
    code, report = grade_json("t3l1", "--app", str(tmp_path / "missing.py"), "--lang", "ko", "--no-record")
    assert "파일이 아직 없어요" in report["checks"][0]["message"]


def test_every_message_formats_with_its_own_placeholders() -> None:
    """A literal brace in a text (the `/json {...}` of grade try's help) must be doubled, or t() crashes."""
    for key, texts in MESSAGES.items():
        for lang, template in texts.items():
            names = fields(template)
            assert all(name.isidentifier() for name in names), (key, lang, names)
            template.format(**{name: "x" for name in names})
    for english, korean in KO.items():
        for template in (english, korean):
            names = fields(template)
            assert all(name.isidentifier() for name in names), (english, names)
            template.format(**{name: "x" for name in names})
