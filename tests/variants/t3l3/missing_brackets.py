# expect-fail: answers with a timestamp
from datetime import datetime

from fastapi import FastAPI, WebSocket

app = FastAPI()


@app.websocket("/ws/chat")
async def chat(websocket: WebSocket):
    await websocket.accept()
    async for text in websocket.iter_text():
        await websocket.send_text(f"{datetime.now()} Server received: {text}")
