"""``grade export gradescope ID -o autograder.zip``: a Gradescope autograder.

Gradescope unzips the archive into ``/autograder/source``, runs ``setup.sh``
once when the image is built, then ``run_autograder`` for every submission
(the learner's files in ``/autograder/submission``), and reads
``/autograder/results/results.json``. Hidden checks run and are shown to
students once grades are published. Every path can be moved with an
environment variable, which is how the tests run it outside Gradescope.
"""

from __future__ import annotations

import shutil
import tempfile
import zipfile
from pathlib import Path

from grader.course.config import Course
from grader.spec import Exercise

from .bundle import COURSE_DIR, GRADER_DIR, copy_grader, requirements, write_course, write_script

SETUP = """#!/usr/bin/env bash
# Gradescope runs this once, when it builds the autograder's image.
set -euo pipefail
source_dir="$(cd "$(dirname "$0")" && pwd)"
if [ -n "${GRADER_PYTHON:-}" ]; then
    # An interpreter chosen by the caller (tests, a custom image): install into it.
    "$GRADER_PYTHON" -m pip install --quiet -r "$source_dir/requirements.txt"
    exit 0
fi
if ! python3 -m venv --help >/dev/null 2>&1 || ! python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
    apt-get update -qq
    apt-get install -y -qq python3 python3-venv python3-pip
fi
python3 -m venv "$source_dir/venv"
"$source_dir/venv/bin/python" -m pip install --quiet -r "$source_dir/requirements.txt"
"""

RUN = """#!/usr/bin/env bash
# Gradescope runs this for every submission; it always leaves results.json.
source_dir="${{GRADER_SOURCE_DIR:-/autograder/source}}"
python="${{GRADER_PYTHON:-$source_dir/venv/bin/python}}"
submission="${{GRADER_SUBMISSION_DIR:-/autograder/submission}}"
results="${{GRADER_RESULTS_DIR:-/autograder/results}}"
PYTHONPATH="$source_dir/{grader_dir}" exec "$python" -m grader.course.export.runner gradescope \\
    --exercise {exercise} --course "$source_dir/{course_dir}" --submission "$submission" \\
    --output "$results/results.json"
"""


def export(course: Course, exercise: Exercise, out: Path) -> Path:
    with tempfile.TemporaryDirectory(prefix="grader-export-") as scratch:
        root = Path(scratch)
        copy_grader(root)
        write_course(root, course, exercise)
        (root / "requirements.txt").write_text(requirements(), encoding="utf-8")
        write_script(root / "setup.sh", SETUP)
        write_script(root / "run_autograder",
                     RUN.format(grader_dir=GRADER_DIR, exercise=exercise.id, course_dir=COURSE_DIR))
        out.parent.mkdir(parents=True, exist_ok=True)
        temporary = out.with_name(f".{out.name}.tmp")
        with zipfile.ZipFile(temporary, "w", zipfile.ZIP_DEFLATED) as archive:
            for path in sorted(root.rglob("*")):
                if path.is_file():
                    info = zipfile.ZipInfo.from_file(path, path.relative_to(root).as_posix())
                    info.compress_type = zipfile.ZIP_DEFLATED
                    archive.writestr(info, path.read_bytes())  # the mode bits travel in external_attr
        shutil.move(temporary, out)
    return out
