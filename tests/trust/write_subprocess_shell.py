# attack: subprocess `sh -c 'echo x > <outside>/shell.txt'` (a child process is not bound by Python-level hooks)
# honest: fail
# ruff: noqa
import os
import shlex
import subprocess

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


canary = _rig("canary-dir")
if canary and _playground(canary):
    target = shlex.quote(os.path.join(canary, "shell.txt"))
    try:
        subprocess.run(["sh", "-c", f"echo mallory > {target}"], timeout=3, check=False)
    except (OSError, subprocess.SubprocessError):
        pass


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
