"""Entering the sandbox: the last thing the host does before it imports learner code.

On Linux the host moves into new mount, PID, network, IPC and UTS
namespaces (and a user namespace when the grader is not root), forks so
that the learner's code runs as PID 1 of its own PID namespace (everything
it starts dies with it), builds a root of its own (the Python installation
and the grader's host code read-only, the learner's file read-only, a
private writable work folder, a small /tmp, a fresh /proc), drops every
privilege (never root), builds its environment from scratch and applies
rlimits. Last, before any learner code, it joins a session keyring of its
own and installs a seccomp filter (``seccomp.py``) refusing what a lesson
app never needs. Whatever cannot be had on this machine is skipped and
reported in ``protections``, which ``grade doctor`` prints.

Where no namespace can be made (the default seccomp profile of Docker and
containerd refuses unshare, setns, mount and clone with any namespace flag,
user namespaces included, to a process without CAP_SYS_ADMIN), a grader
running as root still gives the app a user id of its own, chosen by the
judge for this run (``plan["uid"]``): it can read only what any stranger
may, nothing it leaves running can signal another run's host, and the judge
kills every process of that id before it writes a result.

The process that called :func:`enter` before the fork stays outside as the
sandbox's reaper (``reaper.py``): it waits for the learner's process, ends
everything it left behind, tells the judge how it ended, and exits. It never
runs learner code.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import functools
import os
import resource
import signal
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from grader import wire
from grader.host import landlock, reaper, seccomp

CLONE_NEWNS = 0x00020000
CLONE_NEWUTS = 0x04000000
CLONE_NEWIPC = 0x08000000
CLONE_NEWUSER = 0x10000000
CLONE_NEWPID = 0x20000000
CLONE_NEWNET = 0x40000000
MS_RDONLY = 1
MS_NOSUID = 2
MS_NODEV = 4
MS_NOEXEC = 8
MS_REMOUNT = 32
MS_BIND = 4096
MS_REC = 16384
MS_PRIVATE = 1 << 18
MNT_DETACH = 2
PR_SET_PDEATHSIG = 1
PR_SET_NO_NEW_PRIVS = 38
KEYCTL_JOIN_SESSION_KEYRING = 1
NOBODY = 65534
O_PATH = getattr(os, "O_PATH", 0)

# The protections, by name, in the order `grade doctor` prints them.
PROTECTIONS = ("separate process", "pid namespace", "network namespace", "mount namespace", "ipc namespace",
               "private filesystem", "filesystem rules", "not root", "dedicated user", "no new privileges", "clean environment",
               "resource limits", "own keyring", "system call filter")

_ETC_FILES = ("ld.so.cache", "localtime", "passwd", "group", "hosts", "nsswitch.conf", "mime.types")
_DEVICES = ("null", "zero", "random", "urandom")


@functools.cache
def c_library() -> ctypes.CDLL:
    """The C library, looked up once per process: ``find_library`` runs ``ldconfig`` in a child
    process, which a template pays before it forks rather than every host it forks."""
    return ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)


class _Libc:
    def __init__(self) -> None:
        self.lib = c_library()

    def call(self, name: str, *args: Any) -> None:
        function = getattr(self.lib, name)
        if function(*args) != 0:
            errno = ctypes.get_errno()
            raise OSError(errno, f"{name}: {os.strerror(errno)}")


def enter(plan: dict[str, Any], keep: tuple[int, ...], hold: Callable[[], None] | None = None) -> dict[str, Any]:
    """Sandbox this process; return (in the learner's process) what it runs with.

    ``plan`` comes from the judge: ``app_dir`` and ``work_dir`` (real paths it
    prepared), ``root`` (an empty folder to build the new root on),
    ``namespaces`` (whether to try them), ``limits``. ``keep`` are the
    descriptors that survive (the wire, the trace, stdout and stderr).

    ``hold``, when given, is called once the costly part is done (namespaces,
    the reaper, the private root, the filesystem rules) and before the process
    gives up root: a host prepared ahead of its check waits there, so the
    judge's sweep of the run's user id between two checks does not reach it,
    and no learner code has run in it yet.
    """
    protections = {name: False for name in PROTECTIONS}
    protections["separate process"] = True
    app_dir, work_dir = plan["app_dir"], plan["work_dir"]
    libc: _Libc | None = None
    if plan.get("namespaces") and sys.platform.startswith("linux"):
        with contextlib.suppress(OSError):
            libc = _Libc()
    as_root = os.geteuid() == 0
    spaces = 0
    if libc is not None:
        spaces = _unshare(libc, as_root)
    if spaces & CLONE_NEWPID or libc is not None:
        reaper.fork(keep[0])
    protections["pid namespace"] = bool(spaces & CLONE_NEWPID)
    protections["network namespace"] = bool(spaces & CLONE_NEWNET)
    protections["ipc namespace"] = bool(spaces & CLONE_NEWIPC)
    protections["mount namespace"] = bool(spaces & CLONE_NEWNS)
    if libc is not None and spaces & CLONE_NEWNS:
        try:
            _build_root(libc, plan, as_root)
            app_dir, work_dir = wire.SANDBOX_APP_DIR, wire.SANDBOX_WORK_DIR
            protections["private filesystem"] = True
        except OSError as exc:
            protections["private filesystem"] = False
            print(f"grader: the private filesystem could not be built ({exc})", file=sys.stderr)
    if not protections["private filesystem"]:
        # No root of our own: the app's folders may lie below folders its user cannot
        # enter. The working folder is entered now, and the app's folder is kept open
        # so it can be reached through the descriptor once privileges are gone.
        app_fd = os.open(app_dir, O_PATH | os.O_DIRECTORY) if O_PATH else -1
        work_fd = os.open(work_dir, O_PATH | os.O_DIRECTORY) if O_PATH else -1
        keep = (*keep, app_fd, work_fd) if app_fd >= 0 else keep
        if as_root and O_PATH:
            keep = (*keep, *_reach_python())
        if libc is not None:
            protections["filesystem rules"] = _confine(libc, plan, app_fd)
    os.chdir(work_dir)
    if hold is not None:
        hold()
    if protections["private filesystem"] or not as_root or O_PATH or _readable_by_others(sys.base_prefix):
        protections["not root"] = _drop_privileges(libc, as_root, plan.get("uid"))
    wanted = plan.get("uid")
    protections["dedicated user"] = bool(as_root and wanted and os.getuid() == wanted and os.geteuid() == wanted)
    if not protections["private filesystem"] and O_PATH:
        if not os.access(app_dir, os.R_OK | os.X_OK):
            app_dir = f"/proc/self/fd/{app_fd}"
        if not os.access(work_dir, os.W_OK | os.X_OK):
            # Its HOME and TMPDIR too: absolute paths the app can open.
            work_dir = f"/proc/self/fd/{work_fd}"
    if libc is not None:
        with contextlib.suppress(OSError):
            libc.call("prctl", PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)
            protections["no new privileges"] = True
        # Set after the credentials changed (a change of credentials clears it):
        # when the reaper dies, so does the learner's process, and with it its namespace.
        with contextlib.suppress(OSError):
            libc.call("prctl", PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    # Without a /tmp of its own the app keeps its temporary files in its work folder.
    _clean_environment(work_dir, tmp="/tmp" if protections["private filesystem"] else work_dir)
    protections["clean environment"] = True
    protections["resource limits"] = apply_limits(plan.get("limits", {}))
    _close_other_descriptors(keep)
    sys.path[:] = [p for p in sys.path if p not in ("", "/", os.getcwd())]
    joined = libc is not None and _own_keyring(libc)
    protections["system call filter"] = _filter(plan)
    # Refused keyring calls reach no keyring at all, the judge's included.
    protections["own keyring"] = joined or protections["system call filter"]
    return {"app_dir": app_dir, "work_dir": work_dir, "protections": protections}


def _confine(libc: _Libc, plan: dict[str, Any], app_fd: int) -> bool:
    """Landlock rules in place of a private root: see ``landlock.py`` for what stays reachable."""
    if landlock.abi() < 1:
        return False
    rules: list[tuple[int | str, int]] = [(folder, landlock.RUN) for folder in _python_dirs(plan)]
    rules += [(path, landlock.RUN) for path in ("/usr", "/bin", "/lib", "/lib64", "/sbin", "/lib32", "/libx32")]
    rules += [("/etc/" + name, landlock.READ_FILE) for name in _ETC_FILES]
    rules += [("/dev/" + name, landlock.READ_FILE | landlock.WRITE_FILE) for name in _DEVICES]
    rules += [("/proc", landlock.READ), (app_fd if app_fd >= 0 else plan["app_dir"], landlock.READ),
              (plan["work_dir"], landlock.WRITE)]
    try:
        # Landlock asks for no-new-privileges of a process without CAP_SYS_ADMIN (root in a container).
        libc.call("prctl", PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)
        landlock.restrict(rules)
    except OSError as exc:
        print(f"grader: the filesystem rules could not be applied ({exc})", file=sys.stderr)
        return False
    return True


def _reach_python() -> list[int]:
    """Import folders a stranger cannot enter (a Python installed under /root), kept open.

    Each becomes ``/proc/self/fd/N`` on ``sys.path``: a process may always follow
    its own descriptors, so the app still imports the standard library and its
    packages after it gives up root, without any folder around them opening up.
    """
    opened, moved = [], {}
    for index, entry in enumerate(sys.path):
        if not entry or not os.path.isdir(entry) or _readable_by_others(entry):
            continue
        try:
            fd = os.open(entry, O_PATH | os.O_DIRECTORY)
        except OSError:
            continue
        sys.path[index] = moved[entry.rstrip(os.sep)] = f"/proc/self/fd/{fd}"
        opened.append(fd)
    if moved:
        # Packages imported already (logging, email, fastapi...) find their submodules
        # through their own __path__, which must move too.
        for module in list(sys.modules.values()):
            search = getattr(module, "__path__", None)
            if isinstance(search, list):
                search[:] = [_moved(folder, moved) for folder in search]
    sys.path_importer_cache.clear()
    return opened


def _moved(folder: str, moved: dict[str, str]) -> str:
    for old, new in moved.items():
        if folder == old or folder.startswith(old + os.sep):
            return new + folder[len(old):]
    return folder


def _own_keyring(libc: _Libc) -> bool:
    """A new, empty session keyring: nothing the grading user (or an earlier host) keeps there is reachable."""
    if not seccomp.supported():
        return False
    serial = libc.lib.syscall(seccomp.SYSCALLS["keyctl"], KEYCTL_JOIN_SESSION_KEYRING, None)
    return bool(serial > 0)


def _filter(plan: dict[str, Any]) -> bool:
    """The host's seccomp filter, last: from here on no namespace, mount, keyring, ptrace, bpf or io_uring."""
    if not plan.get("filter", True) or not seccomp.supported():
        return False
    try:
        seccomp.install(seccomp.host_program())
    except OSError as exc:
        print(f"grader: the system call filter could not be installed ({exc})", file=sys.stderr)
        return False
    return True


def _unshare(libc: _Libc, as_root: bool) -> int:
    """The namespaces this process could move into (all at once, or none)."""
    flags = CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS
    if not as_root:
        flags |= CLONE_NEWUSER
    uid, gid = os.geteuid(), os.getegid()
    try:
        libc.call("unshare", flags)
    except OSError:
        return 0
    if flags & CLONE_NEWUSER:
        try:
            Path("/proc/self/setgroups").write_text("deny")
            Path("/proc/self/uid_map").write_text(f"0 {uid} 1")
            Path("/proc/self/gid_map").write_text(f"0 {gid} 1")
        except OSError:
            return 0
    return flags


def _build_root(libc: _Libc, plan: dict[str, Any], as_root: bool) -> None:
    """A new root with only what the app may see, then pivot into it."""
    root = plan["root"]
    libc.call("mount", None, b"/", None, MS_REC | MS_PRIVATE, None)
    libc.call("mount", b"tmpfs", root.encode(), b"tmpfs", MS_NOSUID | MS_NODEV, b"size=16m,mode=755")

    def bind(source: str, *, writable: bool = False, target: str | None = None) -> None:
        inside = root + (target or source)
        if os.path.isdir(source):
            os.makedirs(inside, exist_ok=True)
        else:
            os.makedirs(os.path.dirname(inside), exist_ok=True)
            if not os.path.exists(inside):
                Path(inside).touch()
        libc.call("mount", source.encode(), inside.encode(), None, MS_BIND | MS_REC, None)
        flags = MS_BIND | MS_REMOUNT | MS_NOSUID | (0 if writable else MS_RDONLY)
        libc.call("mount", None, inside.encode(), None, flags, None)

    # /tmp first: the Python installation may live under it (a virtual environment in /tmp).
    tmp = root + "/tmp"
    os.makedirs(tmp)
    size = max(1, int(plan.get("limits", {}).get("file_mb", 64)))
    libc.call("mount", b"tmpfs", tmp.encode(), b"tmpfs", MS_NOSUID | MS_NODEV, f"size={size}m,mode=1777".encode())
    for top in ("bin", "lib", "lib64", "sbin", "lib32", "libx32"):
        path = "/" + top
        if os.path.islink(path):
            os.symlink(os.readlink(path), root + path)
        elif os.path.isdir(path):
            bind(path)
    bind("/usr")
    for name in _ETC_FILES:
        if os.path.isfile("/etc/" + name):
            bind("/etc/" + name)
    for name in _DEVICES:
        bind("/dev/" + name, writable=True)
    for folder in _python_dirs(plan):
        bind(folder)
    bind(plan["app_dir"], target=wire.SANDBOX_APP_DIR)
    bind(plan["work_dir"], target=wire.SANDBOX_WORK_DIR, writable=True)
    os.makedirs(root + "/proc")
    libc.call("mount", b"proc", (root + "/proc").encode(), b"proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, None)
    old = root + "/.old"
    os.makedirs(old)
    libc.call("pivot_root", root.encode(), old.encode())
    os.chdir("/")
    libc.call("umount2", b"/.old", MNT_DETACH)
    os.rmdir("/.old")
    libc.call("mount", None, b"/", None, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID, None)


def _python_dirs(plan: dict[str, Any]) -> list[str]:
    """The Python installation and the grader's own package: read-only, nothing of the course."""
    prefixes = {os.path.realpath(p) for p in (sys.base_prefix, sys.prefix, sys.exec_prefix)}
    folders = set(prefixes)
    for entry in sys.path:
        real = os.path.realpath(entry) if entry else ""
        # Site folders outside the prefixes (a user's, a distribution's) hold installed
        # packages; anything else on the path (the course, the current folder) stays out.
        if real and os.path.isdir(real) and os.path.basename(real) in ("site-packages", "dist-packages"):
            folders.add(real)
    folders.add(plan["grader_dir"])
    folders.discard("/")
    # Inner folders are already inside an outer one.
    ordered = sorted(folders)
    return [f for i, f in enumerate(ordered) if not any(f.startswith(o + os.sep) for o in ordered[:i])]


def _readable_by_others(path: str) -> bool:
    """Whether a user with no rights of its own can still import from ``path`` (no private filesystem)."""
    import stat

    current = os.path.realpath(path)
    while True:
        try:
            mode = os.stat(current).st_mode
        except OSError:
            return False
        if not mode & stat.S_IXOTH:
            return False
        parent = os.path.dirname(current)
        if parent == current:
            return True
        current = parent


def _drop_privileges(libc: _Libc | None, as_root: bool, uid: int | None) -> bool:
    """Never run learner code as root.

    As root: the run's own ``uid`` (group the same number), or nobody where that id
    cannot be had (a user namespace that maps only a few ids). In a user
    namespace: no capabilities.
    """
    if as_root:
        for target in ([uid] if uid else []) + [NOBODY]:
            try:
                os.setgroups([])
                os.setresgid(target, target, target)
                os.setresuid(target, target, target)
            except OSError:
                continue
            return True
        return False
    if libc is not None and os.geteuid() == 0:
        # Root only inside our own user namespace: drop its capabilities too.
        header = (ctypes.c_uint32 * 2)(0x20080522, 0)
        data = (ctypes.c_uint32 * 6)()
        try:
            libc.call("capset", header, data)
        except OSError:
            return False
    return True


def _clean_environment(work_dir: str, tmp: str = "/tmp") -> None:
    """An environment built from scratch: nothing of the grading process's is inherited."""
    os.environ.clear()
    os.environ.update({
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "HOME": work_dir,
        "TMPDIR": tmp,
        "LANG": "C.UTF-8",
        "PYTHONUNBUFFERED": "1",
        "PYTHONDONTWRITEBYTECODE": "1",
    })


def apply_limits(limits: dict[str, int]) -> bool:
    """Resource limits for learner code; each skipped quietly where the OS refuses it."""
    table = {
        "memory_mb": (resource.RLIMIT_AS, 1 << 20),
        "cpu_seconds": (resource.RLIMIT_CPU, 1),
        "file_mb": (resource.RLIMIT_FSIZE, 1 << 20),
        "open_files": (resource.RLIMIT_NOFILE, 1),
        "processes": (resource.RLIMIT_NPROC, 1),
    }
    applied = True
    for key, value in limits.items():
        if key not in table or not value:
            continue
        which, unit = table[key]
        _soft, hard = resource.getrlimit(which)
        wanted = value * unit
        if hard != resource.RLIM_INFINITY:
            wanted = min(wanted, hard)
        try:
            resource.setrlimit(which, (wanted, wanted))
        except (ValueError, OSError):
            applied = False
    # Past the file-size limit, writes fail with an error instead of killing the process.
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    return applied


def _close_other_descriptors(keep: tuple[int, ...]) -> None:
    wanted = {0, 1, 2, *keep}
    with contextlib.suppress(OSError):
        for name in os.listdir("/proc/self/fd"):
            fd = int(name)
            if fd not in wanted:
                with contextlib.suppress(OSError):
                    os.close(fd)
