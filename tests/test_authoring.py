"""The authoring loop: `grade new`, a spec and its variants are all it takes to add a lesson.

Variant rules (the header, the check a wrong variant names, how many of each
kind the course asks for) are reported by `grade validate`, `grade check`
and the pytest plugin as file:line:column messages, never as a traceback.
"""

from __future__ import annotations

import itertools
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT, run_grade

UPPER_SPEC = """\
# yaml-language-server: $schema=../grader/schema.json
version: 1
id: t5l9
title: {en: Shout back, ko: 크게 답하기}
track: 5
lesson: 9
xp: 20
file: t5l9.py
instructions:
  en: Answer every text message with the same text in capitals; close with 1000 when it is "bye".
  ko: 모든 텍스트 메시지에 같은 텍스트를 대문자로 답하세요. "bye" 를 받으면 1000 으로 닫으세요.
checks:
  - name: shouts back
    steps:
      - connect: /ws
      - repeat:
          as: m
          over: [hello, "Mixed Case", "yes"]
          steps:
            - send_text: {$var: m}
            - expect_text: {$re: "[A-Z ]+"}
  - name: says goodbye
    steps:
      - connect: /ws
      - send_text: bye
      - expect_text: BYE
      - expect_close: 1000
"""

UPPER = """\
from fastapi import FastAPI, WebSocket

app = FastAPI()


@app.websocket("/ws")
async def shout(websocket: WebSocket) -> None:
    await websocket.accept()
    async for text in websocket.iter_text():
        await websocket.send_text(text.{method}())
        if text == "bye":
            await websocket.close({code})
            return
"""

UPPER_VARIANTS = {
    "lower.py": ("# expect-fail: shouts back", UPPER.format(method="lower", code=1000)),
    "title.py": ("# expect-fail: shouts back", UPPER.format(method="title", code=1000)),
    "wrong_code.py": ("# expect-fail: says goodbye", UPPER.format(method="upper", code=1001)),
    "never_closes.py": ("# expect-fail: says goodbye", UPPER.format(method="upper", code=1000).replace(
        "            await websocket.close(1000)\n            return\n", "            pass\n")),
    "ok_default_code.py": ("# expect: pass", UPPER.format(method="upper", code="")),
    "ok_code_keyword.py": ("# expect: pass", UPPER.format(method="upper", code="code=1000")),
}


@pytest.fixture
def full_copy(tmp_path: Path) -> Path:
    """A copy of the course, with its own grader.toml (and so its variant rules)."""
    course = tmp_path / "course"
    course.mkdir()
    shutil.copy(ROOT / "grader.toml", course / "grader.toml")
    for folder in ("exercises", "solutions", "starters", "tests/variants"):
        shutil.copytree(ROOT / folder, course / folder)
    return course


def test_a_new_lesson_is_a_spec_and_its_variants_and_the_whole_pipeline_stays_green(full_copy: Path) -> None:
    course = full_copy
    ident = next(f"t9l{n}" for n in itertools.count(1) if not (course / "exercises" / f"t9l{n}.yaml").exists())
    made = run_grade("new", ident, "--title", "Shout back", cwd=course)
    assert made.returncode == 0, made.stderr
    variants = course / "tests" / "variants" / ident
    assert len(list(variants.glob("*.py"))) >= 6  # the scaffold already meets the course's variant rules
    # The scaffold validates, and says the Korean title is still to be written.
    assert (course / "exercises" / f"{ident}.yaml").read_text(encoding="utf-8").splitlines()[1] == 'version: "1.2"'
    scaffolded = run_grade("validate", cwd=course)
    assert scaffolded.returncode == 0, scaffolded.stderr
    assert f"{ident}.yaml:6:7: warning: title (ko) is still a placeholder" in scaffolded.stderr

    # The author writes the lesson: a spec, a reference, a starter and variants.
    (course / "exercises" / f"{ident}.yaml").write_text(UPPER_SPEC.replace("t5l9", ident), encoding="utf-8")
    (course / "solutions" / f"{ident}.py").write_text(UPPER.format(method="upper", code=1000), encoding="utf-8")
    shutil.rmtree(variants)
    variants.mkdir()
    for name, (header, program) in UPPER_VARIANTS.items():
        (variants / name).write_text(f"{header}\n{program}", encoding="utf-8")

    validate = run_grade("validate", cwd=course)
    assert validate.returncode == 0 and validate.stderr == "", validate.stderr
    assert validate.stdout.startswith(f"{len(list((course / 'exercises').glob('*.yaml')))} specs valid")
    check = run_grade("check", ident, "--jobs", "2", cwd=course)
    assert check.returncode == 0, check.stdout + check.stderr
    assert check.stdout.splitlines()[2].split()[:5] == [ident, "passes", "fails", "4/4", "2/2"]
    plugin = subprocess.run([sys.executable, "-m", "pytest", "-q", "-n", "0", "-p", "no:cacheprovider",
                             f"exercises/{ident}.yaml"], cwd=course, capture_output=True, text=True, timeout=300)
    assert plugin.returncode == 0, plugin.stdout
    assert "11 passed" in plugin.stdout  # 2 checks × (reference + 2 correct), 4 wrong, the starter


def variants_course(course: Path, files: dict[str, str]) -> Path:
    """The course fixture with t3l1's reference and starter, and only these t3l1 variants."""
    for folder in ("solutions", "starters"):
        (course / folder).mkdir()
        shutil.copy(ROOT / folder / "t3l1.py", course / folder / "t3l1.py")
    for other in (course / "exercises").glob("*.yaml"):
        if other.stem != "t3l1":
            other.unlink()
    folder = course / "tests" / "variants" / "t3l1"
    folder.mkdir(parents=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


OK = (ROOT / "solutions" / "t3l1.py").read_text(encoding="utf-8")


def test_a_broken_variant_header_is_a_message_at_its_line_not_a_traceback(course: Path) -> None:
    folder = variants_course(course, {
        "said_fail.py": "# expect: fail\n" + OK,
        "no_header.py": OK,
        "empty.py": "",
        "nameless.py": "# expect-fail:\n" + OK,
        "typo.py": "# expect-fail: answers a mesage\n" + OK,
        "ok.py": "# expect: pass\n" + OK,
    })
    validate = run_grade("validate", cwd=course)
    assert validate.returncode == 2
    lines = validate.stderr.splitlines()
    assert f"{folder / 'said_fail.py'}:1:1: '# expect: fail' does not say which check must catch this mistake: " \
           "write # expect-fail: <check name>" in lines
    assert f"{folder / 'no_header.py'}:1:1: a variant's first line says what it proves: '# expect: pass' " \
           "(a correct program) or '# expect-fail: <check name>' (a mistake that check must catch)" in lines
    assert any(line.startswith(f"{folder / 'empty.py'}:1:1: a variant's first line") for line in lines)
    assert f"{folder / 'nameless.py'}:1:1: '# expect-fail:' needs the name of the check that must fail: " \
           "# expect-fail: <check name>" in lines
    assert f"{folder / 'typo.py'}:1:16: t3l1 has no check named 'answers a mesage'; did you mean 'answers a message'?" \
           in lines
    assert any(line.endswith("t3l1 has 1 wrong variant in tests/variants/t3l1/; the course asks for at least 4 "
                             "(files starting with '# expect-fail: <check name>')") for line in lines)
    assert any(line.endswith("t3l1 has 1 correct variant in tests/variants/t3l1/; the course asks for at least 2 "
                             "(files starting with '# expect: pass')") for line in lines)
    assert "Traceback" not in validate.stderr + validate.stdout

    check = run_grade("check", "t3l1", "--jobs", "1", cwd=course)
    assert check.returncode == 1 and "Traceback" not in check.stdout + check.stderr
    assert f"{folder / 'said_fail.py'}:1:1: '# expect: fail' does not say" in check.stderr
    row = check.stdout.splitlines()[2].split()
    assert row[:3] == ["t3l1", "passes", "fails"]  # the rest of the catalog is still graded
    assert row[3:7] == ["0/1", "WRONG", "(need", "4)"]
    assert "variant rule(s) broken" in check.stdout.splitlines()[-1]

    plugin = subprocess.run([sys.executable, "-m", "pytest", "-q", "-n", "0", "-p", "no:cacheprovider",
                             "exercises/t3l1.yaml", "-k", "variants or starter"],
                            cwd=course, capture_output=True, text=True, timeout=300)
    assert plugin.returncode == 1 and "1 failed, 1 passed" in plugin.stdout, plugin.stdout
    assert "'# expect: fail' does not say which check must catch this mistake" in plugin.stdout
    assert "Traceback" not in plugin.stdout


def test_validate_warns_about_texts_without_korean_but_passes(course: Path, tmp_path: Path) -> None:
    spec = tmp_path / "demo.yaml"
    spec.write_text("version: 1\nid: demo\ntitle: Demo\ntrack: 1\nlesson: 1\nxp: 5\nfile: demo.py\n"
                    "instructions: {en: Do it., ko: 하세요.}\nhints: [{en: one, ko: 하나}, two]\n"
                    "checks:\n  - name: calls\n    source: {calls: [accept]}\n    hint: {en: Accept.}\n",
                    encoding="utf-8")
    proc = run_grade("validate", str(spec), cwd=tmp_path)
    assert proc.returncode == 0 and proc.stdout == "1 spec valid\n"
    assert proc.stderr.splitlines() == [
        f"{spec}:3:8: warning: title has no ko text: learners who chose ko will read it in English",
        f"{spec}:9:28: warning: a hint has no ko text: learners who chose ko will read it in English",
        f"{spec}:13:11: warning: hint has no ko text: learners who chose ko will read it in English",
    ]


def test_check_fails_when_every_subject_is_as_expected_but_the_variant_rules_are_broken(course: Path) -> None:
    wrong = (ROOT / "tests" / "variants" / "t3l1" / "wrong_prefix.py").read_text(encoding="utf-8")
    variants_course(course, {"wrong_prefix.py": wrong, "ok.py": "# expect: pass\n" + OK, "ok2.py": "# expect: pass\n" + OK})
    check = run_grade("check", "t3l1", "--jobs", "1", cwd=course)
    assert check.stdout.splitlines()[2].split()[:7] == ["t3l1", "passes", "fails", "1/1", "(need", "4)", "2/2"]
    assert "t3l1 has 1 wrong variant in tests/variants/t3l1/; the course asks for at least 4" in check.stderr
    assert "variant rule(s) broken" in check.stdout.splitlines()[-1]
    assert check.returncode == 1  # proving too little is not a pass
