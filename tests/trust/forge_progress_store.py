# attack: writes a forged progress.json (every lesson passed, 10000 XP) to GRADER_DATA_DIR, XDG/~/.local/share/grader and platformdirs' folder
# honest: fail
# ruff: noqa
import json
import os
import time

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


def _stores():
    if os.environ.get("GRADER_DATA_DIR"):
        yield os.environ["GRADER_DATA_DIR"]
    for key in ("progress-dir", "home-dir"):
        if _rig(key):
            yield _rig(key) if key == "progress-dir" else os.path.join(_rig(key), ".local", "share", "grader")
    if os.environ.get("XDG_DATA_HOME"):
        yield os.path.join(os.environ["XDG_DATA_HOME"], "grader")
    yield os.path.expanduser("~/.local/share/grader")
    try:
        import platformdirs

        yield platformdirs.user_data_dir("grader", appauthor=False)
    except Exception:
        pass


lessons = ["t3l1", "t3l2", "t3l3", "t3l4", "t3l5", "t3l6", "t3l7", "t3l8", "t4l1", "t4l2"]
now = time.time()
forged = json.dumps({
    "version": 1,
    "attempts": [{"exercise": e, "passed": True, "at": now} for e in lessons],
    "passed": {e: {"xp": 1000, "at": now, "attempts": 1} for e in lessons},
    "hints_seen": {},
}).encode()

for folder in dict.fromkeys(_stores()):
    target = os.path.join(folder, "progress.json")
    if not _playground(target):
        continue
    try:
        os.makedirs(folder, exist_ok=True)
        with open(target, "wb") as out:
            out.write(forged)
        continue
    except OSError:
        pass
    try:
        root = os.open("/", os.O_RDONLY | os.O_DIRECTORY)
        fd = os.open(os.path.realpath(target).lstrip("/"), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644, dir_fd=root)
        os.write(fd, forged)
        os.close(fd)
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
