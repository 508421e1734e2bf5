"""``grade export classroom ID -o DIR``: a GitHub Classroom autograding workflow, one test per check.

Copy the folder's contents into the assignment's template repository. On
every push the workflow grades the learner's file once, then one
``education/autograding-command-grader`` step per check passes or fails on
that check's verdict and is worth its points, and
``education/autograding-grading-reporter`` reports them to Classroom.
The workflow runs in the learner's own repository, where they can read
every file: hidden checks are left out of this export.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from grader.course.config import Course
from grader.spec import Exercise

from .bundle import COURSE_DIR, GRADER_DIR, copy_grader, requirements, write_course

FOLDER = ".grader"
RESULT = f"{FOLDER}/result.json"

CHECK = '''"""Exit 0 if check N of the graded result passed (GitHub Classroom scores a test by its exit status)."""

import json
import sys

result = json.load(open(sys.argv[1], encoding="utf-8"))
index = int(sys.argv[2])
if result.get("grader_failed"):
    print(result["grader_failed"])
    sys.exit(1)
check = result["checks"][index]
print(("passed: " if check["passed"] else "failed: ") + check["name"])
if check.get("message"):
    print(check["message"])
if check.get("hint") and not check["passed"]:
    print("hint: " + check["hint"])
sys.exit(0 if check["passed"] else 1)
'''


def workflow(exercise: Exercise) -> str:
    checks = [c for c in exercise.checks if not c.hidden]
    q = json.dumps  # a JSON string is a YAML double-quoted string
    lines = [
        "name: Autograding Tests",
        "on: [push, workflow_dispatch, repository_dispatch]",
        "permissions:",
        "  checks: write",
        "  actions: read",
        "  contents: read",
        "jobs:",
        "  run-autograding-tests:",
        "    runs-on: ubuntu-latest",
        "    if: github.actor != 'github-classroom[bot]'",
        "    steps:",
        "      - name: Checkout code",
        "        uses: actions/checkout@v4",
        "      - uses: actions/setup-python@v5",
        "        with:",
        "          python-version: '3.12'",
        "      - name: Install the grader",
        f"        run: python -m pip install --quiet -r {FOLDER}/requirements.txt",
        f"      - name: {q('Grade ' + exercise.id)}",
        f"        run: PYTHONPATH={FOLDER}/{GRADER_DIR} python -m grader.course.export.runner classroom "
        f"--exercise {exercise.id} --course {FOLDER}/{COURSE_DIR} --submission . --output {RESULT}",
    ]
    ids = []
    for index, check in enumerate(checks):
        ident = f"check-{index + 1}"
        ids.append(ident)
        lines += [
            f"      - name: {q(check.name)}",
            f"        id: {ident}",
            "        uses: education/autograding-command-grader@v1",
            "        with:",
            f"          test-name: {q(check.name)}",
            "          setup-command: ''",
            f"          command: python {FOLDER}/check.py {RESULT} {index}",
            "          timeout: 1",
            f"          max-score: {check.points}",
        ]
    lines += [
        "      - name: Autograding Reporter",
        "        uses: education/autograding-grading-reporter@v1",
        "        env:",
        *[f"          {ident.upper()}_RESULTS: \"${{{{steps.{ident}.outputs.result}}}}\"" for ident in ids],
        "        with:",
        f"          runners: {','.join(ids)}",
    ]
    return "\n".join(lines) + "\n"


def export(course: Course, exercise: Exercise, out: Path) -> Path:
    folder = out / FOLDER
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    copy_grader(folder)
    write_course(folder, course, exercise, keep_hidden=False)
    (folder / "requirements.txt").write_text(requirements(), encoding="utf-8")
    (folder / "check.py").write_text(CHECK, encoding="utf-8")
    target = out / ".github" / "workflows" / "classroom.yml"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(workflow(exercise), encoding="utf-8")
    return out
