# kind: crash
# says: os._exit(2) at tests/hostile/os_exit_in_handler.py:14
import os

from fastapi import FastAPI, WebSocket

app = FastAPI()


@app.websocket("/ws")
async def echo(websocket: WebSocket):
    await websocket.accept()
    await websocket.receive_text()
    os._exit(2)
