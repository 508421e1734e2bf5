# attack: os.killpg(0, SIGKILL) on the first message: kills its whole process group (whatever shares it)
# honest: fail
# ruff: noqa
import os
import signal

from fastapi import FastAPI, WebSocket, WebSocketDisconnect

app = FastAPI()


@app.websocket("/ws")
async def ws(websocket: WebSocket):
    await websocket.accept()
    await websocket.receive_text()
    os.killpg(0, signal.SIGKILL)
