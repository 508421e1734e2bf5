# expect-fail: the timestamp is local time now
from datetime import datetime, timedelta

from fastapi import FastAPI, WebSocket

app = FastAPI()


@app.websocket("/ws/chat")
async def chat(websocket: WebSocket):
    await websocket.accept()
    async for text in websocket.iter_text():
        # A clock an hour off (as UTC is, away from UTC): not the server's local time.
        stamp = datetime.now() - timedelta(hours=1)
        await websocket.send_text(f"[{stamp}] Server received: {text}")
