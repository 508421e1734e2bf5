# expect-fail: ping with extra keys still gets a bare pong
from fastapi import FastAPI, WebSocket

app = FastAPI()


@app.websocket("/ws")
async def router(websocket: WebSocket):
    await websocket.accept()
    async for msg in websocket.iter_json():
        if msg.get("type") == "ping":
            await websocket.send_json({**msg, "type": "pong"})
        else:
            await websocket.send_json({"type": "echo", "data": msg})
