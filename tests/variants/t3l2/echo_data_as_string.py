# expect-fail: other messages come back in an echo envelope
import json

from fastapi import FastAPI, WebSocket

app = FastAPI()


@app.websocket("/ws")
async def router(websocket: WebSocket):
    await websocket.accept()
    async for msg in websocket.iter_json():
        if msg.get("type") == "ping":
            await websocket.send_json({"type": "pong"})
        else:
            await websocket.send_json({"type": "echo", "data": json.dumps(msg)})
