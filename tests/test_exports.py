"""Each export, produced by the real `grade export` and run end to end in a simulated platform layout.

Every package is run against a correct, a wrong and a hostile submission,
with the interpreter of this test run standing in for the platform's (the
packaged grader code is what grades: it comes first on PYTHONPATH).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import yaml

from conftest import ROOT, run_grade
from grader import load_exercise

T3L2 = load_exercise(ROOT / "exercises" / "t3l2.yaml")
SUBMISSIONS = {
    "correct": ROOT / "solutions" / "t3l2.py",
    "wrong": ROOT / "tests" / "variants" / "t3l2" / "answers_once.py",
    "hostile": ROOT / "tests" / "submissions" / "hostile_markup.py",
}
WRONG_FAILS = {"many messages on one connection", "two clients are served independently",
               "unusual values survive the echo"}


def platform_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"  # `python` is this interpreter
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    env["GRADER_PYTHON"] = sys.executable
    return {**env, **extra}


def run(command: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


def unzip(archive: Path, target: Path) -> None:
    """As Gradescope does, keeping the scripts executable."""
    with zipfile.ZipFile(archive) as opened:
        for info in opened.infolist():
            path = Path(opened.extract(info, target))
            mode = info.external_attr >> 16
            if mode:
                path.chmod(mode & 0o777)


def test_gradescope_autograder(tmp_path: Path) -> None:
    archive = tmp_path / "autograder.zip"
    proc = run_grade("export", "gradescope", "t3l2", "-o", str(archive))
    assert proc.returncode == 0, proc.stderr
    source = tmp_path / "autograder" / "source"
    unzip(archive, source)
    assert {"setup.sh", "run_autograder", "requirements.txt"} <= {p.name for p in source.iterdir()}
    env = platform_env(GRADER_SOURCE_DIR=str(source))
    setup = run(["bash", str(source / "setup.sh")], source, env)
    assert setup.returncode == 0, setup.stderr
    scores = {}
    for name, app in SUBMISSIONS.items():
        submission = tmp_path / name / "submission"
        # Uploaded from GitHub, the file sits one folder down.
        (submission / "repo").mkdir(parents=True)
        (submission / "repo" / "t3l2.py").write_text(app.read_text(encoding="utf-8"), encoding="utf-8")
        results = tmp_path / name / "results"
        proc = run([str(source / "run_autograder")], tmp_path,
                   {**env, "GRADER_SUBMISSION_DIR": str(submission), "GRADER_RESULTS_DIR": str(results)})
        assert proc.returncode == 0, proc.stderr
        data = json.loads((results / "results.json").read_text(encoding="utf-8"))
        assert data["max_score"] == T3L2.points
        assert [t["name"] for t in data["tests"]] == [c.name for c in T3L2.checks]  # hidden checks run too
        hidden = next(t for t in data["tests"] if t["name"] == "unusual values survive the echo")
        assert hidden["visibility"] == "after_published"
        scores[name] = data["score"]
        failed = {t["name"] for t in data["tests"] if t["status"] == "failed"}
        if name == "wrong":
            assert failed == WRONG_FAILS
        if name == "hostile":
            assert "<script>document.title='pwned'" in json.dumps(data, ensure_ascii=False).replace("\\", "")
    assert scores["correct"] == T3L2.points and scores["wrong"] < T3L2.points and scores["hostile"] < T3L2.points


def test_gradescope_results_exist_even_when_the_grader_cannot_run(tmp_path: Path) -> None:
    archive = tmp_path / "autograder.zip"
    assert run_grade("export", "gradescope", "t3l2", "-o", str(archive)).returncode == 0
    source = tmp_path / "source"
    unzip(archive, source)
    (source / "course" / "exercises" / "t3l2.yaml").write_text("version: 1\nid: [broken\n", encoding="utf-8")
    results = tmp_path / "results"
    proc = run([str(source / "run_autograder")], tmp_path,
               platform_env(GRADER_SOURCE_DIR=str(source), GRADER_SUBMISSION_DIR=str(tmp_path),
                            GRADER_RESULTS_DIR=str(results)))
    assert proc.returncode == 0
    assert "Traceback" not in proc.stderr
    data = json.loads((results / "results.json").read_text(encoding="utf-8"))
    assert data["tests"] == [] and "not the submission's fault" in data["output"]


def test_exercism_test_runner(tmp_path: Path) -> None:
    runner = tmp_path / "runner"
    proc = run_grade("export", "exercism", "t3l2", "-o", str(runner))
    assert proc.returncode == 0, proc.stderr
    dockerfile = (runner / "Dockerfile").read_text(encoding="utf-8")
    assert 'ENTRYPOINT ["/opt/test-runner/bin/run.sh"]' in dockerfile
    env = platform_env()
    statuses = {}
    for name, app in SUBMISSIONS.items():
        solution = tmp_path / name / "solution"
        solution.mkdir(parents=True)
        # Exercism names the file after the exercise's slug, not the lesson's file.
        (solution / "json_router.py").write_text(app.read_text(encoding="utf-8"), encoding="utf-8")
        output = tmp_path / name / "output"
        proc = run([str(runner / "bin" / "run.sh"), "json-router", f"{solution}/", f"{output}/"], tmp_path, env)
        assert proc.returncode == 0, proc.stderr
        data = json.loads((output / "results.json").read_text(encoding="utf-8"))
        assert data["version"] == 3
        # A hidden check is run but never named to the student.
        hidden = [c.name for c in T3L2.checks if c.hidden]
        numbers = iter(range(1, len(hidden) + 1))
        assert [t["name"] for t in data["tests"]] == [
            f"hidden check {next(numbers)}" if c.hidden else c.name for c in T3L2.checks]
        assert not any(name in json.dumps(data) for name in hidden)
        statuses[name] = data["status"]
        if name == "wrong":
            assert {t["name"] for t in data["tests"] if t["status"] != "pass"} == (
                WRONG_FAILS - set(hidden)) | {"hidden check 1"}
        if name == "hostile":
            printed = [t["output"] for t in data["tests"] if t.get("output")]
            assert printed and all("<script>" in text for text in printed)
    assert statuses == {"correct": "pass", "wrong": "fail", "hostile": "fail"}
    # An empty solution folder is the learner's failure, reported, and still exit 0.
    empty, output = tmp_path / "empty", tmp_path / "empty-output"
    empty.mkdir()
    proc = run([str(runner / "bin" / "run.sh"), "json-router", str(empty), str(output)], tmp_path, env)
    assert proc.returncode == 0
    data = json.loads((output / "results.json").read_text(encoding="utf-8"))
    assert data["status"] == "error" and "t3l2.py" in data["message"]


def test_classroom_workflow(tmp_path: Path) -> None:
    template = tmp_path / "template"
    proc = run_grade("export", "classroom", "t3l2", "-o", str(template))
    assert proc.returncode == 0, proc.stderr
    workflow = yaml.safe_load((template / ".github" / "workflows" / "classroom.yml").read_text(encoding="utf-8"))
    steps = workflow["jobs"]["run-autograding-tests"]["steps"]
    tests = [s for s in steps if s.get("uses") == "education/autograding-command-grader@v1"]
    visible = [c for c in T3L2.checks if not c.hidden]  # learners can read their repository: no hidden checks
    assert [(t["with"]["test-name"], t["with"]["max-score"]) for t in tests] == [(c.name, c.points) for c in visible]
    reporter = steps[-1]
    assert reporter["uses"] == "education/autograding-grading-reporter@v1"
    assert reporter["with"]["runners"].split(",") == [t["id"] for t in tests]
    assert set(reporter["env"]) == {f"{t['id'].upper()}_RESULTS" for t in tests}
    assert "unusual values survive the echo" not in (template / ".grader" / "course" / "exercises" / "t3l2.yaml").read_text(
        encoding="utf-8")
    grading = next(s for s in steps if str(s.get("name", "")).startswith("Grade "))
    env = platform_env()
    for name, app in SUBMISSIONS.items():
        repo = tmp_path / name
        repo.mkdir()
        run(["cp", "-r", f"{template}/.", str(repo)], tmp_path, env)
        (repo / "t3l2.py").write_text(app.read_text(encoding="utf-8"), encoding="utf-8")
        proc = run(["bash", "-c", grading["run"]], repo, env)
        assert proc.returncode == 0, proc.stderr
        failed = set()
        for test in tests:
            proc = run(["bash", "-c", test["with"]["command"]], repo, env)
            if proc.returncode != 0:
                failed.add(test["with"]["test-name"])
            assert test["with"]["test-name"] in proc.stdout
        expected = {"correct": set(), "wrong": WRONG_FAILS - {"unusual values survive the echo"}}.get(name)
        if expected is not None:
            assert failed == expected, name
        else:
            assert failed and len(failed) < len(tests)


@pytest.mark.parametrize("platform", ["gradescope", "exercism", "classroom"])
def test_export_needs_a_known_lesson(platform: str, tmp_path: Path) -> None:
    proc = run_grade("export", platform, "nope", "-o", str(tmp_path / "x"))
    assert proc.returncode == 2 and "no exercise 'nope'" in proc.stderr
