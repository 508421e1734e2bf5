# kind: mismatch
# says: "Message text was: hello"
import threading
import time

from fastapi import FastAPI, WebSocket

app = FastAPI()
threading.Thread(target=lambda: time.sleep(10**6)).start()  # never ends, not a daemon


@app.websocket("/ws")
async def echo(websocket: WebSocket):
    await websocket.accept()
    async for text in websocket.iter_text():
        await websocket.send_text(text)
