"""``grade export exercism ID -o DIR``: a test runner following Exercism's test-runner interface.

The image's entry point is ``bin/run.sh SLUG INPUT_DIR OUTPUT_DIR``: it
grades the solution in ``INPUT_DIR`` (hidden checks included: Exercism lists
every test to the student) and writes ``OUTPUT_DIR/results.json`` (version
3), exiting 0 whatever the solution did. The image needs no network when it
runs.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from grader.course.config import Course
from grader.spec import Exercise

from .bundle import COURSE_DIR, GRADER_DIR, copy_grader, requirements, write_course, write_script

RUN = """#!/usr/bin/env bash
# Exercism test-runner interface: bin/run.sh SLUG INPUT_DIR OUTPUT_DIR; results.json v3; always exit 0.
if [ $# -lt 3 ]; then
    echo "usage: bin/run.sh SLUG INPUT_DIR OUTPUT_DIR" >&2
    exit 0
fi
input_dir="${{2%/}}"
output_dir="${{3%/}}"
runner_dir="$(cd "$(dirname "$0")/.." && pwd)"
mkdir -p "$output_dir"
PYTHONPATH="$runner_dir/{grader_dir}" "${{GRADER_PYTHON:-python3}}" -m grader.course.export.runner exercism \\
    --exercise {exercise} --course "$runner_dir/{course_dir}" --submission "$input_dir" \\
    --output "$output_dir/results.json"
exit 0
"""

DOCKERFILE = """FROM python:3.12-slim
WORKDIR /opt/test-runner
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
ENTRYPOINT ["/opt/test-runner/bin/run.sh"]
"""


def export(course: Course, exercise: Exercise, out: Path) -> Path:
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    copy_grader(out)
    write_course(out, course, exercise)
    (out / "requirements.txt").write_text(requirements(), encoding="utf-8")
    (out / "Dockerfile").write_text(DOCKERFILE, encoding="utf-8")
    (out / ".dockerignore").write_text("**/__pycache__\n", encoding="utf-8")
    write_script(out / "bin" / "run.sh", RUN.format(grader_dir=GRADER_DIR, exercise=exercise.id, course_dir=COURSE_DIR))
    return out
