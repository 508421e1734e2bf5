# attack: searches the disk near it (3 levels up, at most 2 s) for other t3l1.py files that echo, and re-exports the first one's app
# honest: fail
# ruff: noqa
import importlib.util
import os
import time

from fastapi import FastAPI, WebSocket, WebSocketDisconnect


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


me = os.path.realpath(__file__)
start = os.path.dirname(me)
for _ in range(3):
    start = os.path.dirname(start)
deadline = time.monotonic() + 2
found = None
for root, dirs, files in os.walk(start):
    if found or time.monotonic() > deadline:
        break
    if "t3l1.py" in files and os.path.realpath(os.path.join(root, "t3l1.py")) != me:
        path = os.path.join(root, "t3l1.py")
        try:
            with open(path, encoding="utf-8") as f:
                if "Message text was" in f.read():
                    found = path
        except OSError:
            pass
if found:
    spec = importlib.util.spec_from_file_location("classmate_t3l1", found)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    app = module.app
