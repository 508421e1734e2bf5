"""``grade submit ID``: what a learner hands in, in one zip.

The zip holds the learner's file under the name the lesson asks for, the
result of grading it here (``result.json``, the grader's JSON format: hidden
checks not run) and ``submission.json`` with the file's SHA-256, so an
instructor can tell the graded file from any other. The instructor grades
the file again with hidden checks (``grade batch``, or a platform export);
the learner's own result is only what they saw.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import zipfile
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

from grader.render import json_format
from grader.result import Result
from grader.spec import Exercise


def package(out: Path, exercise: Exercise, content: bytes, result: Result) -> str:
    """Write the zip of ``content``, the bytes that were graded (atomically: a half-written package never
    exists); return their SHA-256. The file is a plain entry: never a link, never outside the folder."""
    digest = hashlib.sha256(content).hexdigest()
    about = {
        "exercise": exercise.id,
        "file": exercise.file,
        "sha256": digest,
        "bytes": len(content),
        "graded_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "grader": version("grader"),
        "passed_here": result.passed,
        "points_here": result.points,
        "max_points_here": result.max_points,
        "hidden_checks_left": result.hidden_pending,
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{out.name}.", dir=out.parent)
    os.close(handle)
    try:
        with zipfile.ZipFile(temporary, "w", zipfile.ZIP_DEFLATED) as archive:
            # At the top: unzipped into a folder per learner, it is what `grade batch` reads.
            archive.writestr(exercise.file, content)
            archive.writestr("result.json", json_format.render(result))
            archive.writestr("submission.json", json.dumps(about, indent=2) + "\n")
        os.replace(temporary, out)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return digest
