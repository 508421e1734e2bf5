"""Taking in the learner's file: read once, no link followed, and why not in the learner's words.

Two ways of taking a file in:

- **A submission** (``grade batch``, the platform runners): the file is
  read below the submission's folder with no link followed at all (no
  symbolic link on the way, no linked folder, no file with other hard
  links), because a link there can only point at something that is not the
  learner's work: the course's solutions, a classmate's file.
- **The learner's own file** (``grade t3l2``, ``--app``, ``grade submit``):
  the learner's machine is theirs, and editors and synced folders make
  links of workspaces. As ``cp`` and ``find -H`` do for the paths named on
  a command line, the path is resolved once; the file it leads to is then
  opened without following a link and must be a regular file.

Either way the file must be a regular file (a FIFO or a device is never
opened for reading, so nothing blocks) no larger than the limit, and the
bytes read are the bytes graded: nothing opens the path a second time.
"""

from __future__ import annotations

import os
from pathlib import Path

from grader import files
from grader.files import Refused, Why
from grader.i18n import say
from grader.result import Failure, Kind


def take(app_path: Path, root: Path | None, limit: int) -> bytes:
    """The learner's file, read as described above; raises :class:`grader.files.Refused`."""
    if root is None:
        return files.read_file(Path(os.path.realpath(app_path)), limit).data
    relative = os.path.relpath(os.path.abspath(app_path), os.path.abspath(root))
    if relative.startswith(("..", "/")) or relative == ".":
        raise ValueError(f"{app_path} is not below the submission folder {root}")
    return files.read_below(root, relative, limit, single_name=True).data


def size_text(size: int) -> str:
    """A size as people write it, in the units of ``[limits] app_kb`` (a KB is 1024 bytes): 1.1 MB, 640 KB."""
    if size >= 1 << 20:
        return f"{size / (1 << 20):.1f} MB"
    if size >= 1 << 10:
        return f"{size / (1 << 10):.0f} KB"
    return f"{size} bytes"


def refusal(refused: Refused, shown: str, lang: str, submission: bool) -> Failure:
    """Why the learner's file was not graded, and what to do about it."""
    if refused.why is Why.MISSING:
        if submission:
            return Failure(Kind.IMPORT, say(lang, "the submission holds no {path}: hand in the lesson's file under "
                                                  "that name", path=shown))
        return Failure(Kind.IMPORT, say(lang, "{path} does not exist yet: `grade start` writes the lesson's starter "
                                              "there, or pass --app PATH", path=shown))
    if refused.why is Why.TOO_LARGE:
        return Failure(Kind.IMPORT, say(
            lang, "{path} is {size} ({bytes} bytes), more than the {limit} ({limit_bytes} bytes) the grader takes "
                  "for a lesson's file: keep data out of the source file (a lesson's app is a few KB)",
            path=shown, size=size_text(refused.size), bytes=f"{refused.size:,}", limit=size_text(refused.limit),
            limit_bytes=f"{refused.limit:,}"))
    if refused.why is Why.LINK:
        return Failure(Kind.IMPORT, say(lang, "{path} is a symbolic link (to {target}), not a file: a link in a "
                                              "submission is not graded. Hand in the file itself (copy it in place "
                                              "of the link, or zip the file, not a link)",
                                        path=shown, target=refused.target or "?"))
    if refused.why is Why.LINKED_FOLDER:
        return Failure(Kind.IMPORT, say(lang, "{path} is reached through {folder}, a symbolic link to a folder "
                                              "(to {target}): a link in a submission is not graded. Hand in the "
                                              "file itself, in a real folder",
                                        path=shown, folder=refused.name, target=refused.target or "?"))
    if refused.why is Why.HARD_LINK:
        return Failure(Kind.IMPORT, say(lang, "{path} is one of {n} names of the same file (a hard link), so it "
                                              "may be someone else's file: a hard link in a submission is not "
                                              "graded. Hand in a copy of your own file",
                                        path=shown, n=refused.links))
    if refused.why is Why.NOT_REGULAR:
        return Failure(Kind.IMPORT, say(lang, "{path} is {kind}, not a regular file: save your app as an ordinary "
                                              ".py file", path=shown, kind=kind_words(refused.kind, lang)))
    return Failure(Kind.IMPORT, say(lang, "{path} cannot be read: {error}", path=shown, error=refused.error))


def kind_words(kind: str, lang: str) -> str:
    """A file type (as :func:`grader.files.kind_of` words it) in the learner's language."""
    words = {
        "a folder": say(lang, "a folder"),
        "a FIFO (named pipe)": say(lang, "a FIFO (named pipe)"),
        "a socket": say(lang, "a socket"),
        "a device": say(lang, "a device"),
    }
    return words.get(kind, say(lang, "not a regular file"))
