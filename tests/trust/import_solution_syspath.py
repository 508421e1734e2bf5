# attack: puts every ancestor of cwd and __file__ on sys.path and does `from solutions.t3l1 import app`
# honest: fail
# ruff: noqa
import os
import sys

from fastapi import FastAPI, WebSocket, WebSocketDisconnect

for start in (os.getcwd(), os.path.dirname(os.path.abspath(__file__))):
    folder = os.path.abspath(start)
    while os.path.dirname(folder) != folder:
        sys.path.append(folder)
        folder = os.path.dirname(folder)

try:
    from solutions.t3l1 import app
except Exception:
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
