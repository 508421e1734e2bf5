# expect-fail: the echo keeps nested values and unicode
from fastapi import FastAPI, WebSocket

app = FastAPI()


@app.websocket("/ws")
async def router(websocket: WebSocket):
    await websocket.accept()
    async for msg in websocket.iter_json():
        if msg.get("type") == "ping":
            await websocket.send_json({"type": "pong"})
        else:
            flat = {k: v for k, v in msg.items() if not isinstance(v, dict | list)}
            await websocket.send_json({"type": "echo", "data": flat})
