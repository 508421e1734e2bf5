"""Run a command as a container's default seccomp profile would let it run.

    python tests/container_profile.py [--user UID] -- COMMAND ...

The profile emulated is Docker's (moby/moby, ``profiles/seccomp/default.json``;
containerd builds the same CAP_SYS_ADMIN and clone rules in
``contrib/seccomp/seccomp_default.go``)
for a process without CAP_SYS_ADMIN, which is how every container runs unless
it is started ``--privileged`` or with ``--cap-add SYS_ADMIN``. Read from the
profile's text:

- ``defaultAction`` is ``SCMP_ACT_ERRNO`` with ``defaultErrnoRet`` 1: whatever
  no rule allows fails with EPERM. ``keyctl``, ``add_key``, ``request_key``,
  ``pivot_root``, ``kexec_load`` are in no allow rule at all.
- ``unshare``, ``setns``, ``mount``, ``umount2``, ``bpf``, ``fsopen``/``fsmount``/
  ``fspick``/``fsconfig``, ``open_tree``, ``move_mount``, ``mount_setattr``,
  ``perf_event_open``, ``syslog``... are allowed only with ``"caps":
  ["CAP_SYS_ADMIN"]`` (and ``perf_event_open`` with CAP_PERFMON, ``bpf`` with CAP_BPF).
- ``clone`` is allowed without CAP_SYS_ADMIN only when ``flags & 2114060288 == 0``
  (0x7E020000: every CLONE_NEW* flag, CLONE_NEWUSER included), so a user
  namespace is refused too; ``clone3`` fails with ``errnoRet`` 38 (ENOSYS).
- ``init_module``/``finit_module``/``delete_module`` need CAP_SYS_MODULE.

Only the refusals are emulated (what a lesson host could reach for); the
allow list of ordinary calls is everything else. ``--user`` runs the command
as that user id, as ``docker run --user`` does.
"""

from __future__ import annotations

import errno
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from grader.host import seccomp  # noqa: E402

REFUSED = {
    name: errno.EPERM
    for name in ("unshare", "setns", "mount", "umount2", "pivot_root", "keyctl", "add_key", "request_key", "bpf",
                 "fsopen", "fsconfig", "fsmount", "fspick", "open_tree", "move_mount", "mount_setattr",
                 "perf_event_open", "syslog", "lookup_dcookie", "quotactl", "sethostname", "setdomainname",
                 "fanotify_init", "kexec_load", "kexec_file_load", "init_module", "finit_module", "delete_module")
}
REFUSED["clone3"] = errno.ENOSYS


def program() -> bytes:
    return seccomp.build(REFUSED)


def main(argv: list[str]) -> int:
    user = None
    if argv[:1] == ["--user"]:
        user, argv = int(argv[1]), argv[2:]
    if argv[:1] == ["--"]:
        argv = argv[1:]
    if not argv:
        print(__doc__, file=sys.stderr)
        return 2
    if user is not None:
        os.setgroups([])
        os.setresgid(user, user, user)
        os.setresuid(user, user, user)
    seccomp.install(program())
    os.execvp(argv[0], argv)
    return 127


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
