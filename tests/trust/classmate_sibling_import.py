# attack: imports a classmate's submission from a sibling folder (../alice/t3l1.py, from __file__ and cwd) and re-exports its app
# honest: fail
# ruff: noqa
import importlib.util
import os

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


for base in (os.path.dirname(os.path.abspath(__file__)), os.getcwd()):
    candidate = os.path.join(base, "..", "alice", "t3l1.py")
    if os.path.isfile(candidate):
        spec = importlib.util.spec_from_file_location("alice_t3l1", candidate)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        app = module.app
        break
