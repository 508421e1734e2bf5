# expect: pass
# JSON with escaped unicode and no spaces is the same answer as send_json's.
import json

from fastapi import FastAPI, WebSocket

app = FastAPI()


@app.websocket("/ws")
async def router(websocket: WebSocket):
    await websocket.accept()
    async for msg in websocket.iter_json():
        answer = {"type": "pong"} if msg.get("type") == "ping" else {"type": "echo", "data": msg}
        await websocket.send_text(json.dumps(answer, separators=(",", ":")))
