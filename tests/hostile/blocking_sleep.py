# kind: hang
# says: your endpoint stopped responding
import time

from fastapi import FastAPI, WebSocket

app = FastAPI()


@app.websocket("/ws")
async def echo(websocket: WebSocket):
    await websocket.accept()
    async for text in websocket.iter_text():
        time.sleep(60)
        await websocket.send_text(f"Message text was: {text}")
