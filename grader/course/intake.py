"""Where a submission's file is: in a folder (no linked folder walked) or in a zip (no hostile entry).

``grade batch`` and the platform runners grade what learners handed in. A
submission folder is searched without walking into linked folders, and a
link found there is returned as it is, so that grading refuses it with its
name (see :mod:`grader.judge.intake`) instead of silently grading a file
that is not the learner's. A zip is read without unpacking it: an entry
that is a link, an absolute path or a path with ``..`` makes the whole zip
refused, naming the entry (unpacked, such an entry writes outside the
folder or brings back the link it stands for); the lesson's file is then
read from the zip, size-capped, into a private folder of plain files.
"""

from __future__ import annotations

import os
import stat
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from grader.i18n import say
from grader.judge.intake import size_text


def find(root: Path, file_name: str) -> Path:
    """The learner's file in the folder ``root``: ``file_name`` at the top, else the shallowest one below,
    else the folder's only Python file, else ``root / file_name`` (missing: reported as such)."""
    direct = root / file_name
    if os.path.lexists(direct):
        return direct
    named: list[Path] = []
    python: list[Path] = []
    linked: list[Path] = []
    for folder, dirs, names in os.walk(root, followlinks=False):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__" and not d.startswith("."))
        here = Path(folder)
        # A link to a folder is listed among the folders (and not walked): a link named like the lesson's
        # file is still the learner's answer, to be refused by name.
        links = [d for d in dirs if os.path.islink(here / d)]
        linked += [here / d for d in links]
        for name in sorted([*names, *links]):
            if name == file_name:
                named.append(here / name)
            elif name.endswith(".py"):
                python.append(here / name)
    if named:
        return min(named, key=lambda p: len(p.parts))
    if len(python) == 1:
        return python[0]
    # The file only behind a linked folder: named there, so the refusal says why it was not taken.
    behind = [folder / file_name for folder in linked if os.path.lexists(folder / file_name)]
    return behind[0] if behind else direct


@dataclass(frozen=True)
class Unzipped:
    """The lesson's file taken out of a zip, or why the zip was refused."""

    path: Path | None  # a plain file in a private folder
    entry: str  # the zip entry it came from (or the one refused)
    refused: str = ""  # a learner-facing sentence when the zip is not graded


def unzip(archive: Path, file_name: str, into: Path, limit: int, lang: str = "en") -> Unzipped:
    """The lesson's file from ``archive``, written as a plain file under the folder ``into``."""
    try:
        with zipfile.ZipFile(archive) as zipped:
            entries = zipped.infolist()
            for info in entries:
                why = _hostile(info, lang)
                if why:
                    return Unzipped(None, info.filename, say(
                        lang, "{zip} holds the entry {entry}, {why}: a zip with such an entry is not graded. Zip "
                              "the lesson's file itself (grade submit makes such a zip)",
                        zip=archive.name, entry=repr(info.filename), why=why))
            files = [i for i in entries if not i.is_dir()]
            chosen = _choose(files, file_name)
            if chosen is None:
                return Unzipped(None, file_name, say(lang, "{zip} holds no {file}: hand in the lesson's file under "
                                                           "that name", zip=archive.name, file=file_name))
            if chosen.file_size > limit:
                return Unzipped(None, chosen.filename, _too_large(archive, chosen.filename, chosen.file_size, limit,
                                                                  lang))
            with zipped.open(chosen) as f:
                data = f.read(limit + 1)  # the size in the zip's directory can lie
            if len(data) > limit:
                return Unzipped(None, chosen.filename, _too_large(archive, chosen.filename, len(data), limit, lang))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, RuntimeError, OSError, ValueError,
            EOFError) as exc:
        return Unzipped(None, archive.name, say(lang, "{zip} cannot be read as a zip file ({error})",
                                                zip=archive.name, error=f"{type(exc).__name__}: {exc}"))
    into.mkdir(parents=True, exist_ok=True)
    target = into / file_name
    target.write_bytes(data)
    return Unzipped(target, chosen.filename)


def _hostile(info: zipfile.ZipInfo, lang: str) -> str:
    """Why an entry may not be unpacked, or ''."""
    name = info.filename
    mode = info.external_attr >> 16
    if info.create_system == 3 and stat.S_ISLNK(mode):  # made on Unix, with a link's mode
        return say(lang, "a symbolic link to somewhere else")
    if name.startswith(("/", "\\")) or (len(name) > 1 and name[1] == ":"):
        return say(lang, "an absolute path")
    if ".." in PurePosixPath(name.replace("\\", "/")).parts:
        return say(lang, "a path that climbs out of the folder with ..")
    return ""


def _choose(files: list[zipfile.ZipInfo], file_name: str) -> zipfile.ZipInfo | None:
    named = [i for i in files if PurePosixPath(i.filename).name == file_name]
    if named:
        return min(named, key=lambda i: len(PurePosixPath(i.filename).parts))
    python = [i for i in files if i.filename.endswith(".py") and "__pycache__" not in i.filename]
    return python[0] if len(python) == 1 else None


def _too_large(archive: Path, entry: str, size: int, limit: int, lang: str) -> str:
    return say(lang, "{entry} in {zip} is {size} ({bytes} bytes), more than the {limit} ({limit_bytes} bytes) the "
                     "grader takes for a lesson's file: keep data out of the source file (a lesson's app is a few KB)",
               entry=entry, zip=archive.name, size=size_text(size), bytes=f"{size:,}", limit=size_text(limit),
               limit_bytes=f"{limit:,}")
