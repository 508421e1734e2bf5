"""A seccomp filter: system calls a lesson app never needs are refused with an error.

The filter is a classic BPF program the kernel runs on every system call
(``seccomp(SECCOMP_SET_MODE_FILTER)``, after ``PR_SET_NO_NEW_PRIVS``). It is
written here with ctypes rather than through libseccomp: the program is a
few dozen instructions, easy to read whole, and needs no native library a
container image may lack (``libseccomp2`` is not in every slim image, and
its Python binding is not on PyPI; ``pyseccomp`` wraps the same library).

The numbers are x86_64's, from the kernel's own table
(torvalds/linux, ``arch/x86/entry/syscalls/syscall_64.tbl``). Every other
architecture gets no filter, and ``grade doctor`` says so. The program first
checks the calling convention: a call made with another ABI (``int 0x80``
gives i386 numbers, where 272 is not ``unshare``) or with the x32 bit set
(``__X32_SYSCALL_BIT``, 0x40000000) is refused before any number is read.

A program is built once per process (``program()`` caches it), so a host
forked from the warm template pays only the ``seccomp()`` call itself.
"""

from __future__ import annotations

import ctypes
import errno
import functools
import platform
import struct
from collections.abc import Mapping

# <linux/audit.h>: EM_X86_64 | __AUDIT_ARCH_64BIT | __AUDIT_ARCH_LE
AUDIT_ARCH_X86_64 = 0xC000003E
X32_SYSCALL_BIT = 0x40000000

# x86_64 numbers (arch/x86/entry/syscalls/syscall_64.tbl).
SYSCALLS = {
    "clone": 56, "execve": 59, "ptrace": 101, "syslog": 103, "pivot_root": 155, "chroot": 161, "acct": 163,
    "mount": 165, "umount2": 166, "swapon": 167, "swapoff": 168, "reboot": 169, "sethostname": 170,
    "setdomainname": 171, "iopl": 172, "ioperm": 173, "init_module": 175, "delete_module": 176, "quotactl": 179,
    "lookup_dcookie": 212, "kexec_load": 246, "add_key": 248, "request_key": 249, "keyctl": 250, "unshare": 272,
    "perf_event_open": 298, "fanotify_init": 300, "open_by_handle_at": 304, "setns": 308,
    "process_vm_readv": 310, "process_vm_writev": 311, "kcmp": 312, "finit_module": 313, "memfd_create": 319,
    "kexec_file_load": 320, "bpf": 321, "execveat": 322, "userfaultfd": 323, "io_uring_setup": 425,
    "io_uring_enter": 426, "io_uring_register": 427, "open_tree": 428, "move_mount": 429, "fsopen": 430,
    "fsconfig": 431, "fsmount": 432, "fspick": 433, "clone3": 435, "pidfd_getfd": 438, "mount_setattr": 442,
}

# <linux/sched.h>: every flag that makes a new namespace (0x7E020000, the mask
# moby's default seccomp profile tests clone's flags against).
CLONE_NAMESPACES = 0x02000000 | 0x04000000 | 0x08000000 | 0x10000000 | 0x20000000 | 0x40000000 | 0x00020000

# What the host refuses once its sandbox is in place, and with which error.
# clone3 passes its flags in memory a filter cannot read: ENOSYS makes glibc
# fall back to clone, whose flags it can (moby's profile does the same).
HOST_REFUSALS: dict[str, int] = {
    **{name: errno.EPERM for name in (
        # new namespaces, mounts and roots: the sandbox is built already
        "unshare", "setns", "mount", "umount2", "pivot_root", "chroot", "open_tree", "move_mount", "fsopen",
        "fsconfig", "fsmount", "fspick", "mount_setattr",
        # kernel state shared with the judge and other hosts
        "keyctl", "add_key", "request_key",
        # other processes' memory
        "ptrace", "process_vm_readv", "process_vm_writev", "kcmp", "pidfd_getfd",
        # kernel attack surface a web app never touches
        "bpf", "perf_event_open", "io_uring_setup", "io_uring_enter", "io_uring_register", "userfaultfd",
        "kexec_load", "kexec_file_load", "init_module", "finit_module", "delete_module", "syslog", "acct",
        "swapon", "swapoff", "reboot", "sethostname", "setdomainname", "iopl", "ioperm", "quotactl",
        "lookup_dcookie", "fanotify_init", "open_by_handle_at",
        # a program run from memory, never written to the (read-only or size-limited) disk
        "memfd_create", "execveat",
    )},
    "clone3": errno.ENOSYS,
}

SECCOMP_SET_MODE_FILTER = 1
PR_SET_NO_NEW_PRIVS = 38
SECCOMP_RET_ALLOW = 0x7FFF0000
SECCOMP_RET_ERRNO = 0x00050000
# struct seccomp_data: int nr; __u32 arch; __u64 instruction_pointer; __u64 args[6];
_NR, _ARCH, _ARG0_LOW = 0, 4, 16
# BPF opcodes: ld|w|abs, jmp|jeq|k, jmp|jge|k, jmp|jset|k, ret|k
_LD, _JEQ, _JGE, _JSET, _RET = 0x20, 0x15, 0x35, 0x45, 0x06


class _Program(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


def supported() -> bool:
    """Whether this machine's calling convention is the one the numbers above belong to."""
    return platform.system() == "Linux" and platform.machine() in ("x86_64", "AMD64")


def build(refusals: Mapping[str, int], *, clone_namespaces: int = errno.EPERM) -> bytes:
    """A BPF program refusing ``refusals`` (name → errno) and clone with any namespace flag.

    Anything not named is allowed; a foreign ABI or an x32 number is refused with EPERM.
    The numbers are searched as a binary tree (a handful of comparisons per call, not
    one per refused name): every system call the app makes runs this program.
    """
    deny = SECCOMP_RET_ERRNO | errno.EPERM
    head: list[_Op] = [
        (_LD, 0, 0, _ARCH),
        (_JEQ, 1, 0, AUDIT_ARCH_X86_64),
        (_RET, 0, 0, deny),
        (_LD, 0, 0, _NR),
        (_JGE, 0, 1, X32_SYSCALL_BIT),
        (_RET, 0, 0, deny),
    ]
    entries = sorted([(SYSCALLS[name], number) for name, number in refusals.items()]
                     + [(SYSCALLS["clone"], -clone_namespaces)])
    code = head + _tree(entries)
    return b"".join(struct.pack("=HBBI", kind, jt, jf, k) for kind, jt, jf, k in code)


# One instruction: opcode, jump if true, jump if false, constant.
_Op = tuple[int, int, int, int]
_LEAF = 4  # numbers compared one by one at the bottom of the tree


def _tree(entries: list[tuple[int, int]]) -> list[_Op]:
    """Instructions that return for the system call number in the accumulator.

    ``entries`` are (number, errno), sorted; a negative errno marks clone, whose
    first argument (its flags) is tested against every namespace flag.
    """
    if len(entries) <= _LEAF:
        code: list[_Op] = []
        for number, error in entries:
            if error >= 0:
                code += [(_JEQ, 0, 1, number), (_RET, 0, 0, SECCOMP_RET_ERRNO | error)]
            else:
                # clone(flags, ...): the flags are its first argument on x86_64; their low 32 bits hold
                # every namespace flag. The accumulator is not needed again: both ways return.
                code += [(_JEQ, 0, 4, number), (_LD, 0, 0, _ARG0_LOW), (_JSET, 0, 1, CLONE_NAMESPACES),
                         (_RET, 0, 0, SECCOMP_RET_ERRNO | -error), (_RET, 0, 0, SECCOMP_RET_ALLOW)]
        return [*code, (_RET, 0, 0, SECCOMP_RET_ALLOW)]
    middle = len(entries) // 2
    below, above = _tree(entries[:middle]), _tree(entries[middle:])
    if len(below) > 255:
        raise ValueError("too many refusals for one jump")
    return [(_JGE, len(below), 0, entries[middle][0]), *below, *above]


@functools.cache
def libc() -> ctypes.CDLL:
    """The interpreter's own symbols, libc's among them: no library lookup, once per process (POSIX only)."""
    return ctypes.CDLL(None, use_errno=True)


@functools.cache
def host_program() -> bytes:
    """The host's program, built once per process (the template builds it before it forks)."""
    return build(HOST_REFUSALS)


def install(program: bytes) -> None:
    """Apply ``program`` to this thread and every process it starts; OSError if the kernel refuses.

    Sets no-new-privileges first, as the kernel requires of a process without CAP_SYS_ADMIN.
    Call it while the process has one thread: a filter applies to the calling thread only.
    """
    lib = libc()
    if lib.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_NO_NEW_PRIVS)")
    buffer = ctypes.create_string_buffer(program, len(program))
    prog = _Program(len(program) // 8, ctypes.cast(buffer, ctypes.c_void_p))
    if lib.syscall(317, SECCOMP_SET_MODE_FILTER, 0, ctypes.byref(prog)) != 0:  # 317: seccomp
        raise OSError(ctypes.get_errno(), "seccomp(SECCOMP_SET_MODE_FILTER)")
