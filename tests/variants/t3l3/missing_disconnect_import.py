# expect-fail: ends cleanly when the client leaves
# The sample's `except WebSocketDisconnect:` without importing it: the
# NameError only strikes when a client leaves.
from datetime import datetime

from fastapi import FastAPI, WebSocket

app = FastAPI()


@app.websocket("/ws/chat")
async def chat(websocket: WebSocket):
    await websocket.accept()
    try:
        while True:
            client_msg = await websocket.receive_text()
            await websocket.send_text(f"[{datetime.now()}] Server received: {client_msg}")
    except WebSocketDisconnect:  # noqa: F821
        print("Client disconnected")
