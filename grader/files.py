"""Reading a file someone else controls: no link followed, regular files only, size-capped.

The learner's file at intake and the files an app leaves in its work folder
are read here. Checking a path and then opening it leaves a gap in which a
link, a FIFO or a device can be swapped in, so nothing is checked before it
is opened: every folder below a trusted one is opened relative to its parent
(``openat``) with ``O_NOFOLLOW | O_DIRECTORY``, the file itself with
``O_NOFOLLOW | O_NONBLOCK`` (a FIFO opens at once instead of waiting for a
writer), and what was opened is judged by ``fstat`` on that descriptor: it
must be a regular file, and only ``limit`` bytes are ever read.

Both sides of the trust boundary may use this module: it imports only the
standard library.
"""

from __future__ import annotations

import errno
import os
import stat
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path, PurePosixPath

_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_DIRECTORY = getattr(os, "O_DIRECTORY", 0)
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_NOCTTY = getattr(os, "O_NOCTTY", 0)
# openat and friends: Linux, macOS and the BSDs; not Windows.
# os.lstat takes dir_fd wherever os.stat does (both are fstatat), but only os.stat is listed in supports_dir_fd.
AT_FUNCTIONS = os.open in os.supports_dir_fd and os.stat in os.supports_dir_fd


class Why(StrEnum):
    """Why a file was not read."""

    MISSING = "missing"
    LINK = "link"  # the file itself is a symbolic link
    LINKED_FOLDER = "linked_folder"  # a folder on the way is a symbolic link
    NOT_REGULAR = "not_regular"  # a folder, a FIFO, a socket, a device
    HARD_LINK = "hard_link"  # one of several names of the same file
    TOO_LARGE = "too_large"
    UNREADABLE = "unreadable"  # permissions, I/O errors


class Refused(Exception):
    """A file that was not read, with what an explanation needs."""

    def __init__(self, why: Why, name: str, *, size: int = 0, limit: int = 0, kind: str = "", target: str = "",
                 links: int = 0, error: str = "") -> None:
        super().__init__(f"{name}: {why.value}")
        self.why = why
        self.name = name  # what was refused, below the trusted folder: the file, or a folder on the way
        self.file = name  # the file that was asked for, below the trusted folder
        self.size = size
        self.limit = limit
        self.kind = kind  # for NOT_REGULAR: "a folder", "a FIFO", ...
        self.target = target  # for LINK and LINKED_FOLDER: where the link points
        self.links = links  # for HARD_LINK: how many names the file has
        self.error = error  # for UNREADABLE: the system's words


@dataclass(frozen=True)
class Opened:
    """What was read: the bytes and the file's identity, so callers can compare it with others."""

    data: bytes
    device: int
    inode: int
    links: int


def kind_of(mode: int) -> str:
    """A file type in words."""
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    return "not a regular file"


def read_below(root: Path, relative: str, limit: int, *, single_name: bool = False) -> Opened:
    """The file at ``relative`` below the folder ``root``, following no link on the way.

    ``root`` itself is trusted (the caller chose it) and opened as named. Each
    part of ``relative`` must be a plain name: no ``..``, no absolute path.
    ``single_name`` also refuses a file with more than one hard link. Raises
    :class:`Refused`.
    """
    parts = PurePosixPath(relative).parts
    if not parts or PurePosixPath(relative).is_absolute() or any(p in ("..", ".") for p in parts):
        raise ValueError(f"not a plain relative path: {relative!r}")
    if not AT_FUNCTIONS:
        try:
            return _read_by_path(root, parts, relative, limit, single_name)
        except Refused as refused:
            refused.file = relative
            raise
    try:
        folder = os.open(root, os.O_RDONLY | _DIRECTORY | _CLOEXEC)
    except FileNotFoundError:
        raise Refused(Why.MISSING, relative) from None
    except OSError as exc:
        raise Refused(Why.UNREADABLE, relative, error=exc.strerror or str(exc)) from None
    try:
        for index, part in enumerate(parts[:-1]):
            inner = _enter(folder, part, "/".join(parts[:index + 1]))
            os.close(folder)
            folder = inner
        return _read(folder, parts[-1], relative, limit, single_name)
    except Refused as refused:
        refused.file = relative
        raise
    finally:
        os.close(folder)


def read_file(path: Path, limit: int, *, single_name: bool = False) -> Opened:
    """``path``'s folder as named (links the caller typed are theirs), the file itself with no link followed."""
    return read_below(path.parent, path.name, limit, single_name=single_name)


def _enter(folder: int, part: str, shown: str) -> int:
    """The folder ``part`` inside ``folder``, or Refused if it is a link or not a folder."""
    try:
        return os.open(part, os.O_RDONLY | _DIRECTORY | _NOFOLLOW | _CLOEXEC, dir_fd=folder)
    except FileNotFoundError:
        raise Refused(Why.MISSING, shown) from None
    except OSError as exc:
        refusal = _why_not(folder, part, shown, exc)
        if refusal.why is Why.LINK:
            refusal = Refused(Why.LINKED_FOLDER, shown, target=refusal.target)
        raise refusal from None


def _read(folder: int, name: str, shown: str, limit: int, single_name: bool) -> Opened:
    flags = os.O_RDONLY | _NOFOLLOW | _NONBLOCK | _CLOEXEC | _NOCTTY
    try:
        fd = os.open(name, flags, dir_fd=folder)
    except FileNotFoundError:
        raise Refused(Why.MISSING, shown) from None
    except OSError as exc:
        raise _why_not(folder, name, shown, exc) from None
    return _judged(fd, shown, limit, single_name)


def _read_by_path(root: Path, parts: tuple[str, ...], shown: str, limit: int, single_name: bool) -> Opened:
    """Where ``open`` takes no folder descriptor (Windows): each part checked by ``lstat``, then opened.

    A swap between the check and the open can still slip through here; the descriptor is judged all the same.
    """
    path = Path(root)
    for index, part in enumerate(parts):
        path, last, name = path / part, index == len(parts) - 1, "/".join(parts[:index + 1])
        try:
            info = os.lstat(path)
        except FileNotFoundError:
            raise Refused(Why.MISSING, shown) from None
        except OSError as exc:
            raise Refused(Why.UNREADABLE, shown, error=exc.strerror or str(exc)) from None
        if stat.S_ISLNK(info.st_mode) or (hasattr(path, "is_junction") and path.is_junction()):
            raise Refused(Why.LINK if last else Why.LINKED_FOLDER, name, target=_target(path))
        if not last and not stat.S_ISDIR(info.st_mode):
            raise Refused(Why.MISSING, shown)
        if last and not stat.S_ISREG(info.st_mode):  # never opened: a FIFO would block without O_NONBLOCK
            raise Refused(Why.NOT_REGULAR, shown, kind=kind_of(info.st_mode))
    try:
        fd = os.open(path, os.O_RDONLY | _NOFOLLOW | _NONBLOCK | getattr(os, "O_BINARY", 0))
    except OSError as exc:
        raise Refused(Why.UNREADABLE, shown, error=exc.strerror or str(exc)) from None
    return _judged(fd, shown, limit, single_name)


def _target(path: Path) -> str:
    try:
        return os.readlink(path)
    except OSError:
        return ""


def _judged(fd: int, shown: str, limit: int, single_name: bool) -> Opened:
    """What ``fd`` (closed here) is, judged by ``fstat``: its bytes if it is a regular file within ``limit``."""
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise Refused(Why.NOT_REGULAR, shown, kind=kind_of(info.st_mode))
        if single_name and info.st_nlink > 1:
            raise Refused(Why.HARD_LINK, shown, links=info.st_nlink)
        if info.st_size > limit:
            raise Refused(Why.TOO_LARGE, shown, size=info.st_size, limit=limit)
        if _NONBLOCK:
            os.set_blocking(fd, True)
        chunks, size = [], 0
        while size <= limit:
            chunk = os.read(fd, min(1 << 20, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > limit:  # it grew after fstat
            raise Refused(Why.TOO_LARGE, shown, size=max(size, os.fstat(fd).st_size), limit=limit)
        return Opened(b"".join(chunks), info.st_dev, info.st_ino, info.st_nlink)
    except OSError as exc:
        raise Refused(Why.UNREADABLE, shown, error=exc.strerror or str(exc)) from None
    finally:
        os.close(fd)


def _why_not(folder: int, name: str, shown: str, exc: OSError) -> Refused:
    """Why ``open`` refused: a link (ELOOP under O_NOFOLLOW, or ENOTDIR for a link to a file), a socket
    (ENXIO), or something else."""
    if exc.errno in (errno.ELOOP, errno.ENOTDIR, errno.ENXIO, errno.EMLINK):
        try:
            info = os.lstat(name, dir_fd=folder)
        except OSError:
            return Refused(Why.MISSING, shown)
        if stat.S_ISLNK(info.st_mode):
            try:
                target = os.readlink(name, dir_fd=folder)
            except OSError:
                target = ""
            return Refused(Why.LINK, shown, target=target)
        if exc.errno == errno.ELOOP:
            # O_NOFOLLOW refuses nothing but a link as the last name (every folder above was opened
            # on its own): a link when opened, swapped for something else since.
            return Refused(Why.LINK, shown)
        if stat.S_ISREG(info.st_mode) and exc.errno == errno.ENOTDIR:
            return Refused(Why.MISSING, shown)  # a path through a file
        if not stat.S_ISDIR(info.st_mode) or exc.errno == errno.ENXIO:
            return Refused(Why.NOT_REGULAR, shown, kind=kind_of(info.st_mode))
    return Refused(Why.UNREADABLE, shown, error=exc.strerror or str(exc))
