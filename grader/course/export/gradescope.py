"""``grade export gradescope ID -o autograder.zip``: a Gradescope autograder.

Gradescope unzips the archive into ``/autograder/source``, runs ``setup.sh``
once as root when it builds the image, then ``run_autograder`` for every
submission (the learner's files in ``/autograder/submission``), and reads
``/autograder/results/results.json`` (``gradescope/autograder_samples``,
docs/specs.md). ``setup.sh`` finds a Python 3.11 or newer, installing
``python3.11`` from the image's archive where ``python3`` is older (the
default Ubuntu 22.04 image has 3.10), and builds a virtual environment
from the pinned requirements. Hidden checks run and are shown to students
once grades are published. Every path can be moved with an environment
variable, which is how the tests run it outside Gradescope.
"""

from __future__ import annotations

import shutil
import tempfile
import zipfile
from pathlib import Path

from grader.course.config import Course
from grader.spec import Exercise, pick

from .bundle import (
    COURSE_DIR,
    GRADER_DIR,
    check_no_course_code,
    copy_grader,
    requirements,
    write_course,
    write_readme,
    write_script,
)

SETUP = """#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder's image.
set -euo pipefail
source_dir="$(cd "$(dirname "$0")" && pwd)"

new_enough() {  # the grader needs Python 3.11 or newer
    "$1" -c 'import sys; sys.exit(sys.version_info < (3, 11))' >/dev/null 2>&1
}
can_make_venv() {  # Debian and Ubuntu ship ensurepip apart, in python3.X-venv
    "$1" -c 'import ensurepip, venv' >/dev/null 2>&1
}
install() {
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@"
}

python=""
for candidate in python3 python3.13 python3.12 python3.11; do
    if command -v "$candidate" >/dev/null 2>&1 && new_enough "$candidate"; then
        python="$candidate"
        break
    fi
done
if [ -z "$python" ]; then
    # Ubuntu 22.04, Gradescope's default image: python3 is 3.10, and its archive has python3.11.
    echo "setup: $(python3 --version 2>&1 || echo 'no python3') is too old for the grader; installing python3.11"
    install python3.11 python3.11-venv
    python=python3.11
elif ! can_make_venv "$python"; then
    install "python$("$python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')-venv"
fi
if ! new_enough "$python" || ! can_make_venv "$python"; then
    echo "setup: no Python 3.11 or newer with venv could be found or installed on this image" >&2
    exit 1
fi
echo "setup: grading with $("$python" --version 2>&1) from $(command -v "$python")"
rm -rf "$source_dir/venv"
"$python" -m venv "$source_dir/venv"
# The requirements are the whole pinned set: --no-deps installs exactly them, pip check proves they agree.
"$source_dir/venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps -r "$source_dir/requirements.txt"
"$source_dir/venv/bin/python" -m pip check
# Fail the build now rather than every submission later: the grader must import under this interpreter.
PYTHONPATH="$source_dir/{grader_dir}" "$source_dir/venv/bin/python" -c 'import grader.course.config, grader.judge.run'

# Gradescope's security best practices: student code runs as a user that can read neither the
# lesson (hidden checks included) nor the results. The grader runs it as a user id of its own
# for each run; the lesson is root's alone, and nothing here is writable but by root.
chmod -R go-w "$source_dir"
chmod -R o= "$source_dir/{course_dir}"
"""

RUN = """#!/usr/bin/env bash
# Gradescope runs this as root for every submission. It leaves results.json when the submission was
# graded; when the grader itself fails it leaves none, which Gradescope shows as an autograder failure
# (not a zero), and says why on standard output, which Gradescope keeps for the instructor.
set -u
source_dir="${{GRADER_SOURCE_DIR:-/autograder/source}}"
python="${{GRADER_PYTHON:-$source_dir/venv/bin/python}}"
submission="${{GRADER_SUBMISSION_DIR:-/autograder/submission}}"
results="${{GRADER_RESULTS_DIR:-/autograder/results}}"
mkdir -p "$results"
chmod o= "$results"  # student code, run as another user, can neither read nor write the results
if [ ! -x "$python" ]; then
    echo "grade: the grader itself failed: $python does not exist; setup.sh did not finish (rebuild the autograder)"
    rm -f "$results/results.json"
    exit 1
fi
PYTHONPATH="$source_dir/{grader_dir}" "$python" -m grader.course.export.runner gradescope \\
    --exercise {exercise} --course "$source_dir/{course_dir}" --submission "$submission" \\
    --output "$results/results.json"
status=$?
if [ "$status" -ne 0 ]; then
    if [ "$status" -gt 128 ]; then
        echo "grade: the grader itself failed: it was killed by signal $((status - 128))"
    fi
    rm -f "$results/results.json"
    echo "grade: no results.json (exit status $status): Gradescope shows this as an autograder failure, not a score"
fi
exit "$status"
"""

README = {
    "What this is": """\
A Gradescope programming-assignment autograder for the lesson {id} ({title}):
the grader's own code (`{grader_dir}/`), the lesson's spec with its hidden
checks and the course's limits (`{course_dir}/`), and the grader's
dependencies pinned to the versions it was exported with
(`requirements.txt`). It holds no reference solution and no variant.""",
    "How Gradescope runs it": """\
Upload the zip on the assignment's Configure Autograder page (the default
Ubuntu 22.04 base image works, and so do newer ones). Gradescope unzips it
into `/autograder/source` and runs `setup.sh` once as root: it uses the
image's `python3` when it is 3.11 or newer, installs `python3.11` and
`python3.11-venv` with apt where it is older (Ubuntu 22.04 has 3.10), and
builds `venv/` from `requirements.txt`. For every submission it runs
`run_autograder`, which grades the lesson's file `{file}` (found anywhere in
`/autograder/submission`, or the only Python file there) and writes
`/autograder/results/results.json`: one test per check with its points;
hidden checks are `after_published`. A missing or broken file is graded
as failing checks that say what to do. If the grader itself fails,
`run_autograder` leaves no results.json and exits 1, which Gradescope shows
as "The autograder failed to execute correctly" rather than a score; the
cause is in the autograder output, and "Regrade" runs it again once fixed.""",
    "Protections it expects": """\
Student code never runs as root: the grader runs the submission in a
separate process as an unprivileged user id of its own, fresh for each
run (0x70000000 and above), in Linux namespaces where the
container allows them (`grade doctor` in the container says which
protections are in force), with no network, its own file read-only and
resource limits. `setup.sh` makes the lesson (`{course_dir}/`) readable by
root alone and nothing here writable but by root; `run_autograder` closes
`/autograder/results` to other users. The grader itself runs as root, as
Gradescope starts it, and reads the lesson.""",
    "Trying it outside Gradescope": """\
`run_autograder` reads `GRADER_SOURCE_DIR`, `GRADER_SUBMISSION_DIR`,
`GRADER_RESULTS_DIR` and `GRADER_PYTHON` instead of the `/autograder`
paths and the built environment.""",
}


def export(course: Course, exercise: Exercise, out: Path) -> Path:
    with tempfile.TemporaryDirectory(prefix="grader-export-") as scratch:
        root = Path(scratch)
        copy_grader(root)
        write_course(root, course, [exercise])
        (root / "requirements.txt").write_text(requirements(), encoding="utf-8")
        names = dict(grader_dir=GRADER_DIR, course_dir=COURSE_DIR, exercise=exercise.id)
        write_script(root / "setup.sh", SETUP.replace("{grader_dir}", GRADER_DIR).replace("{course_dir}", COURSE_DIR))
        write_script(root / "run_autograder", RUN.format(**names))
        write_readme(root, f"Gradescope autograder: {exercise.id}", {
            heading: text.format(**names, id=exercise.id, title=pick(exercise.title, "en"), file=exercise.file)
            for heading, text in README.items()})
        check_no_course_code(root, course)
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
