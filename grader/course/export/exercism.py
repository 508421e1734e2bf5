"""``grade export exercism ID[:SLUG]... -o DIR``: a test runner following Exercism's test-runner interface.

The image's entry point is ``/opt/test-runner/bin/run.sh SLUG INPUT_DIR
OUTPUT_DIR`` (``exercism/docs``, building/tooling/test-runners/docker.md):
the slug picks one of the lessons the runner carries (an unknown slug is an
``error`` result naming those it has), the solution in ``INPUT_DIR`` is
graded (hidden checks included, shown as the interface allows: see
:mod:`grader.render.exercism`) and ``OUTPUT_DIR/results.json`` (version 3)
is written, exiting 0 whatever the solution did. The image runs as a
non-root user, needs no network and writes nothing but the output folder
and ``/tmp``, as Exercism runs it (``docker run --network none`` with the
solution and output folders mounted and a tmpfs on ``/tmp``;
building/tooling/best-practices.md asks for a non-privileged user and a
read-only file system).
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

from grader.course.config import Course
from grader.errors import UsageError
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
from .runner import SLUGS_FILE

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")  # Exercism's slugs: lower-case words joined by "-"

RUN = """#!/usr/bin/env bash
# Exercism test-runner interface: bin/run.sh SLUG INPUT_DIR OUTPUT_DIR; results.json version 3; exit 0.
if [ $# -lt 3 ]; then
    echo "usage: bin/run.sh SLUG INPUT_DIR OUTPUT_DIR" >&2
    exit 1
fi
input_dir="${{2%/}}"
output_dir="${{3%/}}"
runner_dir="$(cd "$(dirname "$0")/.." && pwd)"
mkdir -p "$output_dir"
export HOME="${{TMPDIR:-/tmp}}" PYTHONDONTWRITEBYTECODE=1  # the image itself is read-only
PYTHONPATH="$runner_dir/{grader_dir}" "${{GRADER_PYTHON:-python3}}" -m grader.course.export.runner exercism \\
    --slug "$1" --course "$runner_dir/{course_dir}" --submission "$input_dir" \\
    --output "$output_dir/results.json"
"""

DOCKERFILE = """# Exercism runs it as: docker run --network none --read-only --mount type=bind,src=SOLUTION,dst=/solution
#   --mount type=bind,src=OUTPUT,dst=/output --tmpfs /tmp:rw IMAGE SLUG /solution /output
FROM python:3.12.7-slim-bookworm
RUN groupadd --system runner && useradd --system --gid runner --no-create-home --shell /usr/sbin/nologin runner
WORKDIR /opt/test-runner
COPY requirements.txt .
# Every package the grader needs is pinned: --no-deps proves the list is whole, pip check that it agrees.
RUN pip install --no-cache-dir --no-deps -r requirements.txt && pip check
COPY . .
# Byte-compiled now, checked to import now: at run time the image is read-only and there is no network.
RUN python -m compileall -q {grader_dir} \\
    && PYTHONPATH={grader_dir} python -c "import grader.course.export.runner, grader.judge.run" \\
    && chmod -R a-w /opt/test-runner
USER runner
ENV HOME=/tmp PYTHONDONTWRITEBYTECODE=1
ENTRYPOINT ["/opt/test-runner/bin/run.sh"]
"""

README = """\
An Exercism test runner for {lessons}: the grader's own code
(`{grader_dir}/`), the lessons' specs and the course's limits
(`{course_dir}/`), the grader's whole run-time dependency set pinned to the
versions it was exported with (`requirements.txt`), `bin/run.sh` and a
`Dockerfile`. It holds no reference solution and no variant.
----
Exercism builds the image from the `Dockerfile` and runs it for every
solution as `docker run --network none --mount
type=bind,src=SOLUTION,dst=/solution --mount type=bind,src=OUTPUT,dst=/output
--tmpfs /tmp:rw IMAGE SLUG /solution /output` (add `--read-only`: the image
writes nothing but `/output` and `/tmp`). The slug picks the lesson:

{slugs}

The solution file is the lesson's file name anywhere in `/solution`, or the
only Python file there (Exercism names it after the slug). `results.json`
is version 3 of the interface: one test per check, in the spec's order,
with the check's steps as `test_code`, what went wrong as `message`, what
the code printed as `output` (at most 500 characters). A hidden check keeps
its place under a neutral name; its steps, inputs and output are not shown,
only the kind of failure. A missing file or a file that will not import is
status `error` with a message saying what to do; an unknown slug is `error`
naming the slugs above. The runner exits 0 whenever it wrote results.
----
The image runs as the unprivileged user `runner`, reads the solution
without writing to it, and needs no network. Learner code runs in a
separate process with resource limits, the grader's own time limits and an
environment built from scratch; in Linux namespaces where the container
allows them (Docker's default profile does not, so under it the code runs
as `runner` too: `grade doctor` inside the image tells). Exercism gives no
grades and shows every result to the student who wrote the code, so what
is kept from learner code here is the network and the image itself (read
only); a lesson's hidden checks are readable by code that looks for them in
`/opt/test-runner/{course_dir}`, so do not rely on them staying secret on
this platform.
----
`bin/run.sh SLUG INPUT_DIR OUTPUT_DIR` runs without Docker too, with the
pinned requirements installed; `GRADER_PYTHON` picks the interpreter.
"""


def export(course: Course, exercises: list[Exercise], out: Path, slugs: list[str | None]) -> Path:
    table: dict[str, str] = {}
    for exercise, slug in zip(exercises, slugs, strict=True):
        slug = slug or exercise.id
        if not SLUG.match(slug):
            raise UsageError(f"{slug!r} is not an Exercism slug: lower-case letters and digits in words joined "
                             "by '-', such as json-router")
        if slug in table:
            raise UsageError(f"the slug {slug!r} is given to both {table[slug]} and {exercise.id}")
        table[slug] = exercise.id
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    copy_grader(out)
    write_course(out, course, exercises)
    (out / COURSE_DIR / SLUGS_FILE).write_text(json.dumps(table, indent=2) + "\n", encoding="utf-8")
    (out / "requirements.txt").write_text(requirements(), encoding="utf-8")
    (out / "Dockerfile").write_text(DOCKERFILE.format(grader_dir=GRADER_DIR), encoding="utf-8")
    (out / ".dockerignore").write_text("**/__pycache__\n", encoding="utf-8")
    write_script(out / "bin" / "run.sh", RUN.format(grader_dir=GRADER_DIR, course_dir=COURSE_DIR))
    titles = {e.id: pick(e.title, "en") for e in exercises}
    text = README.format(
        lessons=", ".join(f"{e.id} ({titles[e.id]})" for e in exercises), grader_dir=GRADER_DIR,
        course_dir=COURSE_DIR, slugs="\n".join(f"- `{slug}`: {ident}, {titles[ident]}, file `"
                                               f"{next(e.file for e in exercises if e.id == ident)}`"
                                               for slug, ident in table.items()))
    what, how, protections, local = text.split("----\n")
    write_readme(out, "Exercism test runner", {"What this is": what, "How Exercism runs it": how,
                                               "Protections it expects": protections, "Trying it": local})
    check_no_course_code(out, course)
    return out
