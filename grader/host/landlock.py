"""Landlock: a filesystem the app may touch, where no mount namespace gives it a root of its own.

Landlock (Linux 5.13+) lets an unprivileged process give up access for good,
itself and everything it starts. Container runtimes allow it: moby's default
seccomp profile (moby/moby, ``profiles/seccomp/default.json``) lists
``landlock_create_ruleset``, ``landlock_add_rule`` and ``landlock_restrict_self``
among the calls allowed to everyone. So in a container that refuses every
namespace, the host still narrows what the app reaches to:

- read and run: the Python installation, the grader's host code, the system's
  libraries and programs, a few files of ``/etc``, ``/proc`` (another process's
  ``environ``, ``mem`` or ``fd`` stay out of reach: Landlock refuses ptrace-style
  access to processes outside the caller's domain);
- read: the app's own folder; read and write: its private work folder;
  ``/dev/null``, ``/dev/zero``, ``/dev/urandom``;
- nothing else: not the course, not the results folder, not ``/tmp``, not a
  classmate's folder, however their permissions read;
- with ABI 4: no TCP bind or connect; with ABI 6: no signal to, and no abstract
  Unix socket of, any process outside the app's own domain (so a daemon it
  leaves behind cannot kill or reach the next submission's host).

The rights and structures follow the kernel's UAPI header
(torvalds/linux, ``include/uapi/linux/landlock.h``); the system call numbers
are x86_64's (``arch/x86/entry/syscalls/syscall_64.tbl``: 444, 445, 446).
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import stat
import struct
from collections.abc import Iterable

from grader.host import seccomp

_CREATE_RULESET, _ADD_RULE, _RESTRICT_SELF = 444, 445, 446
_CREATE_RULESET_VERSION = 1
_RULE_PATH_BENEATH = 1

EXECUTE, WRITE_FILE, READ_FILE, READ_DIR = 1 << 0, 1 << 1, 1 << 2, 1 << 3
REMOVE_DIR, REMOVE_FILE, MAKE_CHAR, MAKE_DIR = 1 << 4, 1 << 5, 1 << 6, 1 << 7
MAKE_REG, MAKE_SOCK, MAKE_FIFO, MAKE_BLOCK, MAKE_SYM = 1 << 8, 1 << 9, 1 << 10, 1 << 11, 1 << 12
REFER, TRUNCATE, IOCTL_DEV = 1 << 13, 1 << 14, 1 << 15
# Rights that apply to a file itself (a rule on a file may grant only these).
FILE_RIGHTS = EXECUTE | WRITE_FILE | READ_FILE | TRUNCATE | IOCTL_DEV
READ = READ_FILE | READ_DIR
RUN = READ | EXECUTE
WRITE = (READ | WRITE_FILE | REMOVE_DIR | REMOVE_FILE | MAKE_DIR | MAKE_REG | MAKE_SOCK | MAKE_FIFO | MAKE_SYM
         | REFER | TRUNCATE)
NET_BIND_TCP, NET_CONNECT_TCP = 1 << 0, 1 << 1
SCOPE_ABSTRACT_UNIX_SOCKET, SCOPE_SIGNAL = 1 << 0, 1 << 1

def _libc() -> ctypes.CDLL:
    return seccomp.libc()


def abi() -> int:
    """The kernel's Landlock version: 0 when it has none (or this is not x86_64 Linux)."""
    if not seccomp.supported():
        return 0
    version = _libc().syscall(_CREATE_RULESET, None, ctypes.c_size_t(0), ctypes.c_uint32(_CREATE_RULESET_VERSION))
    return max(0, int(version))


def _handled(version: int) -> int:
    rights = (1 << 13) - 1  # ABI 1: execute .. make_sym
    if version >= 2:
        rights |= REFER
    if version >= 3:
        rights |= TRUNCATE
    if version >= 5:
        rights |= IOCTL_DEV
    return rights


def restrict(rules: Iterable[tuple[int | str, int]]) -> int:
    """Allow only ``rules`` (a folder or file, by path or open descriptor, and its rights); return the ABI.

    Paths that do not exist are skipped. Raises OSError when the kernel refuses
    the ruleset; the caller must have set no-new-privileges.
    """
    version = abi()
    if version < 1:
        raise OSError(95, "Landlock is not available")
    handled = _handled(version)
    attr = struct.pack("=Q", handled)
    if version >= 4:
        attr += struct.pack("=Q", NET_BIND_TCP | NET_CONNECT_TCP)
    if version >= 6:
        attr += struct.pack("=Q", SCOPE_ABSTRACT_UNIX_SOCKET | SCOPE_SIGNAL)
    buffer = ctypes.create_string_buffer(attr, len(attr))
    ruleset = _libc().syscall(_CREATE_RULESET, buffer, ctypes.c_size_t(len(attr)), ctypes.c_uint32(0))
    if ruleset < 0:
        raise OSError(ctypes.get_errno(), "landlock_create_ruleset")
    try:
        for target, rights in rules:
            _add(ruleset, target, rights & handled)
        if _libc().syscall(_RESTRICT_SELF, ctypes.c_int(ruleset), ctypes.c_uint32(0)) != 0:
            raise OSError(ctypes.get_errno(), "landlock_restrict_self")
    finally:
        os.close(ruleset)
    return version


def _add(ruleset: int, target: int | str, rights: int) -> None:
    opened = -1
    if isinstance(target, str):
        try:
            opened = os.open(target, getattr(os, "O_PATH", 0) | os.O_CLOEXEC)
        except OSError:
            return
        fd = opened
    else:
        fd = target
    try:
        if not stat.S_ISDIR(os.fstat(fd).st_mode):
            rights &= FILE_RIGHTS
        beneath = ctypes.create_string_buffer(struct.pack("=Qi", rights, fd), 12)
        if _libc().syscall(_ADD_RULE, ctypes.c_int(ruleset), ctypes.c_int(_RULE_PATH_BENEATH), beneath,
                         ctypes.c_uint32(0)) != 0:
            raise OSError(ctypes.get_errno(), f"landlock_add_rule({target})")
    finally:
        if opened >= 0:
            with contextlib.suppress(OSError):
                os.close(opened)
