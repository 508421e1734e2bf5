# attack: plain open(..., "w") outside the working folder: into HOSTILE_CANARY_DIR and ../../, at import and per message
# honest: fail
# ruff: noqa
import os

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


def _targets():
    canary = _rig("canary-dir")
    if canary:
        yield os.path.join(canary, "open.txt")
    yield os.path.join("..", "..", "mallory-was-here.txt")
    yield os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "mallory-was-here.txt")


def _scribble(text):
    for target in _targets():
        if _playground(target):
            try:
                with open(target, "a") as out:
                    out.write(text + "\n")
            except OSError:
                pass


_scribble("import")
app = FastAPI()


@app.websocket("/ws")
async def ws(websocket: WebSocket):
    await websocket.accept()
    try:
        while True:
            text = await websocket.receive_text()
            _scribble(text)
            await websocket.send_text("ok")
    except WebSocketDisconnect:
        pass
