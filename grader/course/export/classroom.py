"""``grade export classroom ID -o DIR``: a GitHub Classroom autograding workflow, one test per check.

Copy the folder's contents into the assignment's template repository. On
every push the workflow grades the learner's file once, then one
``education/autograding-command-grader`` step per check passes or fails on
that check's verdict and is worth its points, and
``education/autograding-grading-reporter`` reports them to Classroom.
The workflow runs in the learner's own repository, where they can read
every file: hidden checks are left out of this export.

What the actions expect (their sources, ``education/autograding-grading-reporter``
src/main.js and ``education/autograding-command-grader`` src/main.js):
the reporter reads each runner's result from the environment variable
``<ID>_RESULTS`` (the id upper-cased), and when anything goes wrong it
blames the runners list unless that list matches
``^([a-zA-Z0-9]+,)*[a-zA-Z0-9]+$``: so step ids are letters and digits
only (``check1``), never ``-`` or ``_``, and its real error is the one
shown. The command grader passes a test on exit status 0 and fails it on
any other, with its own message; the check's explanation is printed to the
step's log. When the grader itself fails, the grading step fails with the
cause, the tests and the reporter do not run, and no score is reported for
that push (rather than a zero).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from grader.course.config import Course
from grader.spec import Check, Exercise, pick

from .bundle import COURSE_DIR, GRADER_DIR, check_no_course_code, copy_grader, requirements, write_course, write_readme

FOLDER = ".grader"
RESULT = f"{FOLDER}/result.json"

CHECK = '''"""Exit 0 if check N of the graded result passed (GitHub Classroom scores a test by its exit status)."""

import json
import sys

try:
    with open(sys.argv[1], encoding="utf-8") as opened:
        result = json.load(opened)
except (OSError, ValueError) as exc:
    print(f"the grading step left no readable result ({exc}): see the step that grades, above")
    sys.exit(1)
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


README = {
    "What this is": """\
GitHub Classroom autograding for the lesson {id} ({title}): this folder
holds the grader's own code (`{grader_dir}/`), the lesson's spec without its
hidden checks and the course's limits (`{course_dir}/`), the grader's
dependencies pinned to the versions it was exported with
(`requirements.txt`) and `check.py`; `.github/workflows/classroom.yml` is
the workflow. Nothing here is a reference solution or a variant.""",
    "How GitHub Classroom runs it": """\
Copy `{folder}/` and `.github/` into the assignment's template repository.
On every push the workflow installs the requirements on Python 3.12,
grades `{file}` (at the top of the repository, or the only Python file in
it) once, then runs one `education/autograding-command-grader` test per
check ({checks} of them, each worth its points, passing when `check.py`
exits 0), and `education/autograding-grading-reporter` sends the total to
Classroom. A missing or broken file fails the checks with a message saying
what to do. If the grader itself fails, the grading step fails with the
cause and no score is reported for that push.""",
    "Protections it expects": """\
None beyond GitHub's own runner: the workflow runs in the student's
repository, which the student can read and change, so hidden checks are
left out and the score is only as trustworthy as the repository's history
(Classroom shows who changed the workflow). The student's code runs in a
separate process with the grader's time and resource limits, in Linux
namespaces where the runner allows them.""",
}


def workflow_checks(exercise: Exercise) -> list[Check]:
    return [c for c in exercise.checks if not c.hidden]


def workflow(exercise: Exercise) -> str:
    checks = workflow_checks(exercise)
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
        ident = f"check{index + 1}"  # letters and digits only: what the reporter accepts
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
    write_course(folder, course, [exercise], keep_hidden=False)
    (folder / "requirements.txt").write_text(requirements(), encoding="utf-8")
    (folder / "check.py").write_text(CHECK, encoding="utf-8")
    target = out / ".github" / "workflows" / "classroom.yml"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(workflow(exercise), encoding="utf-8")
    write_readme(folder, f"GitHub Classroom autograding: {exercise.id}", {
        heading: text.format(id=exercise.id, title=pick(exercise.title, "en"), file=exercise.file, folder=FOLDER,
                             grader_dir=GRADER_DIR, course_dir=COURSE_DIR, checks=len(workflow_checks(exercise)))
        for heading, text in README.items()})
    check_no_course_code(out, course)
    return out
