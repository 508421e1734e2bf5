"""The host's system call filter and keyring, seen from inside a real grading run.

The probe app answers every message with what it could and could not do:
the errno of each call the filter must refuse, whether a key the judge keeps
in its session keyring is reachable, and whether what an ordinary app needs
(threads, fork, subprocess, ctypes callbacks) still works. Facts come back as
what the app printed during the check.
"""

from __future__ import annotations

import ctypes
import errno
import json
import uuid
from pathlib import Path

import pytest

from grader import Options, grade
from grader.host import seccomp
from grader.spec import parse_exercise

pytestmark = pytest.mark.skipif(not seccomp.supported(), reason="the filter is for x86_64 Linux")

PROBE = r'''
import ctypes, errno, json, os, subprocess, threading
from fastapi import FastAPI, WebSocket

libc = ctypes.CDLL(None, use_errno=True)


def call(number, *args):
    ctypes.set_errno(0)
    result = libc.syscall(number, *args)
    return errno.errorcode.get(ctypes.get_errno(), "ok") if result < 0 else "ok"


def key_read():
    buffer = ctypes.create_string_buffer(256)
    ctypes.set_errno(0)
    size = libc.syscall(250, 11, KEY, buffer, 256)  # keyctl(KEYCTL_READ, key, buffer, 256)
    return buffer.raw[:size].decode(errors="replace") if size > 0 else errno.errorcode.get(ctypes.get_errno(), "?")


def still_works():
    seen = {}
    box = []
    worker = threading.Thread(target=lambda: box.append(1))
    worker.start(); worker.join()
    seen["thread"] = box == [1]
    pid = os.fork()
    if pid == 0:
        os._exit(7)
    seen["fork"] = os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) == 7
    seen["subprocess"] = subprocess.run(["true"]).returncode == 0
    callback = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_int)(lambda x: x + 1)
    seen["ctypes callback"] = callback(41) == 42
    return seen


def facts():
    params = ctypes.create_string_buffer(120)
    return {
        "unshare user": call(272, 0x10000000),
        "unshare net": call(272, 0x40000000),
        "clone user": call(56, 0x10000000 | 17, 0, 0, 0, 0),
        "setns": call(308, 0, 0x20000000),
        "mount": call(165, b"none", b"/tmp", b"tmpfs", 0, None),
        "keyctl join": call(250, 1, None),
        "add_key": call(248, b"user", b"left-behind", b"x", 1, -3),
        "ptrace": call(101, 0, 0, 0, 0),
        "bpf": call(321, 0, None, 0),
        "perf_event_open": call(298, None, 0, -1, -1, 0),
        "io_uring_setup": call(425, 1, params),
        "memfd_create": call(319, b"x", 0),
        "kexec_load": call(246, 0, 0, None, 0),
        "finit_module": call(313, -1, b"", 0),
        "x32 getpid": call(0x40000000 | 39),
        "clone3": call(435, None, 0),
        "getpid": call(39),
        "judge's key": key_read(),
        "works": still_works(),
    }


app = FastAPI()


@app.websocket("/ws")
async def ws(websocket: WebSocket):
    await websocket.accept()
    async for _ in websocket.iter_text():
        print("FACTS " + json.dumps(facts()), flush=True)
        await websocket.send_text("told")
'''

SPEC = ("version: 1\nid: p\ntitle: p\ntrack: 1\nlesson: 1\nxp: 1\nfile: probe.py\ninstructions: p\n"
        "checks:\n  - name: tell\n    steps:\n      - connect: /ws\n      - send_text: x\n"
        "      - expect_text: {$re: 'never'}\n")


def _judges_key(description: str, payload: bytes) -> int:
    """A key in the test process's session keyring, which every host it starts inherits."""
    libc = ctypes.CDLL(None, use_errno=True)
    serial = libc.syscall(248, b"user", description.encode(), payload, len(payload), -3)  # KEY_SPEC_SESSION_KEYRING
    if serial < 0:
        pytest.skip(f"no session keyring to plant a key in here ({errno.errorcode.get(ctypes.get_errno())})")
    # Anyone may view and read it (KEYCTL_SETPERM, every right for possessor, user, group and other):
    # only the host's own keyring and the refused keyring calls keep it from the app, not its permissions.
    assert libc.syscall(250, 5, serial, 0x3F3F3F3F) == 0, ctypes.get_errno()
    return int(serial)


@pytest.fixture(scope="module")
def seen(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    tmp = tmp_path_factory.mktemp("filter")
    description, payload = f"grader-test-{uuid.uuid4().hex[:8]}", uuid.uuid4().hex
    key = _judges_key(description, payload.encode())
    app = tmp / "probe.py"
    app.write_text(f"KEY = {key}\nDESCRIPTION = {description!r}\n" + PROBE)
    result = grade(parse_exercise(SPEC, tmp / "p.yaml"), app, Options())
    printed = [line for line in result.checks[0].output.splitlines() if line.startswith("FACTS ")]
    assert printed, result
    facts = json.loads(printed[0][len("FACTS "):])
    facts["payload"] = payload
    facts["protections"] = dict(result.protections)
    return facts


REFUSED = ["unshare user", "unshare net", "clone user", "setns", "mount", "keyctl join", "add_key", "ptrace", "bpf",
           "perf_event_open", "io_uring_setup", "memfd_create", "kexec_load", "finit_module", "x32 getpid"]


@pytest.mark.parametrize("call", REFUSED)
def test_the_filter_refuses_what_a_lesson_app_never_needs(seen: dict[str, object], call: str) -> None:
    assert seen[call] == "EPERM", seen


def test_clone3_is_unavailable_so_glibc_uses_clone_whose_flags_are_checked(seen: dict[str, object]) -> None:
    assert seen["clone3"] == "ENOSYS" and seen["getpid"] == "ok", seen


def test_the_judges_keyring_is_out_of_reach(seen: dict[str, object]) -> None:
    assert seen["judge's key"] != seen["payload"] and seen["judge's key"] == "EPERM", seen
    # /proc/keys is not namespaced: a key anyone may view is listed (its description, never its payload).
    assert seen["protections"]["own keyring"] is True and seen["protections"]["system call filter"] is True


def test_what_an_ordinary_app_needs_still_works(seen: dict[str, object]) -> None:
    assert seen["works"] == {"thread": True, "fork": True, "subprocess": True, "ctypes callback": True}, seen


def test_the_program_checks_the_abi_before_the_number() -> None:
    program = seccomp.build({"keyctl": errno.EPERM})
    first = [program[i:i + 8] for i in range(0, 24, 8)]
    # ld arch; jeq AUDIT_ARCH_X86_64; ret EPERM
    assert first[0][:2] == (0x20).to_bytes(2, "little") and int.from_bytes(first[0][4:], "little") == 4
    assert int.from_bytes(first[1][4:], "little") == seccomp.AUDIT_ARCH_X86_64
    assert int.from_bytes(first[2][4:], "little") == seccomp.SECCOMP_RET_ERRNO | errno.EPERM
    assert seccomp.host_program() is seccomp.host_program()


UNISTD = Path("/usr/include/x86_64-linux-gnu/asm/unistd_64.h")
LANDLOCK_H = Path("/usr/include/linux/landlock.h")


@pytest.mark.skipif(not UNISTD.exists(), reason="no kernel headers (linux-libc-dev) to compare with")
def test_the_numbers_are_the_kernels() -> None:
    """Every number the filter and the Landlock calls use, against this machine's kernel headers."""
    import re

    table = {m.group(1): int(m.group(2)) for m in re.finditer(r"#define __NR_(\w+) (\d+)", UNISTD.read_text())}
    assert {name: table.get(name) for name in seccomp.SYSCALLS} == seccomp.SYSCALLS
    assert (table["seccomp"], table["landlock_create_ruleset"], table["landlock_add_rule"],
            table["landlock_restrict_self"]) == (317, 444, 445, 446)


@pytest.mark.skipif(not LANDLOCK_H.exists(), reason="no Landlock header to compare with")
def test_the_landlock_rights_are_the_kernels() -> None:
    import re

    from grader.host import landlock

    header = {m.group(1): 1 << int(m.group(2))
              for m in re.finditer(r"#define LANDLOCK_ACCESS_FS_(\w+)\s+\(1ULL << (\d+)\)", LANDLOCK_H.read_text())}
    assert header, "the header defines no filesystem right"
    for name, bit in header.items():
        assert getattr(landlock, name) == bit, name


def _run(program: bytes, nr: int, arch: int = seccomp.AUDIT_ARCH_X86_64, arg0: int = 0) -> int:
    """A classic-BPF interpreter for the instructions the builder emits, on one seccomp_data."""
    import struct

    data = struct.pack("=iIQ6Q", nr, arch, 0, arg0, 0, 0, 0, 0, 0)
    code = [struct.unpack("=HBBI", program[i:i + 8]) for i in range(0, len(program), 8)]
    pc, acc = 0, 0
    for _ in range(len(code) + 1):
        op, jt, jf, k = code[pc]
        if op == 0x20:
            acc, pc = struct.unpack_from("=I", data, k)[0], pc + 1
        elif op == 0x06:
            return k
        else:
            taken = {0x15: acc == k, 0x35: acc >= k, 0x45: bool(acc & k)}[op]
            pc += 1 + (jt if taken else jf)
    raise AssertionError("the program does not end")


def test_the_program_refuses_exactly_what_it_names_for_every_number() -> None:
    program = seccomp.host_program()
    refused = {seccomp.SYSCALLS[name]: error for name, error in seccomp.HOST_REFUSALS.items()}
    for nr in range(0, 1024):
        got = _run(program, nr)
        if nr in refused:
            assert got == seccomp.SECCOMP_RET_ERRNO | refused[nr], nr
        else:
            assert got == seccomp.SECCOMP_RET_ALLOW, nr
    eperm = seccomp.SECCOMP_RET_ERRNO | errno.EPERM
    assert _run(program, 39, arch=0x40000003) == eperm  # i386's getpid
    assert _run(program, 39 | seccomp.X32_SYSCALL_BIT) == eperm
    clone = seccomp.SYSCALLS["clone"]
    assert _run(program, clone, arg0=0x01200011) == seccomp.SECCOMP_RET_ALLOW  # fork's flags
    assert _run(program, clone, arg0=0x003D0F00) == seccomp.SECCOMP_RET_ALLOW  # a thread's
    for flag in (0x00020000, 0x02000000, 0x04000000, 0x08000000, 0x10000000, 0x20000000, 0x40000000):
        assert _run(program, clone, arg0=flag | 17) == eperm, hex(flag)
