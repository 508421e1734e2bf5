# expect-fail: an object without a type is echoed
from fastapi import FastAPI, WebSocket

app = FastAPI()


@app.websocket("/ws")
async def router(websocket: WebSocket):
    await websocket.accept()
    async for msg in websocket.iter_json():
        if msg["type"] == "ping":
            await websocket.send_json({"type": "pong"})
        else:
            await websocket.send_json({"type": "echo", "data": msg})
