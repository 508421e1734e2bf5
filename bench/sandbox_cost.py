"""``python -m bench.sandbox_cost``: what the host's seccomp filter, keyring and Landlock rules cost.

Paired and interleaved (A B A B ...), each pair in fresh forks of this
process, as the warm template forks hosts: A puts the protections in place
and then works, B only works. "Set up" is the fork until the child is ready;
"work" is 20 000 system calls of the kinds an app makes (stat, getpid, read
of /dev/null), which every filter sees. The table shows the median of the
per-pair differences with their spread. Nothing here is a test verdict.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

from grader.host import landlock, seccomp

CALLS = 20_000


def _child(protect: bool, write_fd: int) -> None:
    started = time.perf_counter_ns()
    if protect:
        if landlock.abi() >= 1:
            landlock.restrict([("/", landlock.RUN), ("/dev/null", landlock.READ_FILE)])
        seccomp.install(seccomp.host_program())
    ready = time.perf_counter_ns()
    with open("/dev/null", "rb") as null:
        for _ in range(CALLS // 3):
            os.stat("/")
            os.getpid()
            null.read(1)
    done = time.perf_counter_ns()
    os.write(write_fd, f"{ready - started} {done - ready}".encode())
    os._exit(0)


def _one(protect: bool) -> tuple[int, int]:
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read_fd)
        _child(protect, write_fd)
    os.close(write_fd)
    data = os.read(read_fd, 100).decode()
    os.close(read_fd)
    os.waitpid(pid, 0)
    setup, work = (int(x) for x in data.split())
    return setup, work


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.sandbox_cost")
    parser.add_argument("--pairs", type=int, default=30)
    pairs = parser.parse_args().pairs
    if not seccomp.supported():
        print("the filter is for x86_64 Linux only")
        return 1
    built = time.perf_counter_ns()
    seccomp.build(seccomp.HOST_REFUSALS)
    built = time.perf_counter_ns() - built
    seccomp.host_program()  # built once, before the forks, as the template does
    setups, works, bases = [], [], []
    for _ in range(pairs):
        (a_setup, a_work), (b_setup, b_work) = _one(True), _one(False)
        setups.append(a_setup - b_setup)
        works.append(a_work - b_work)
        bases.append(b_work)
    print(f"program: {len(seccomp.host_program()) // 8} instructions, built in {built / 1e3:.0f} µs (once per template)")
    print(f"set up (filter + Landlock), per host: median {statistics.median(setups) / 1e3:.0f} µs "
          f"(min {min(setups) / 1e3:.0f}, max {max(setups) / 1e3:.0f})")
    print(f"{CALLS} system calls: median extra {statistics.median(works) / 1e3:.0f} µs over "
          f"{statistics.median(bases) / 1e3:.0f} µs without (min {min(works) / 1e3:.0f}, max {max(works) / 1e3:.0f})")
    print(f"{pairs} pairs, load average {os.getloadavg()[0]:.1f}, {sys.version.split()[0]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
