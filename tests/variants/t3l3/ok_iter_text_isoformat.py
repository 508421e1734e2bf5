# expect: pass
# isoformat(sep=" ") writes the same shape as str(datetime.now()).
import datetime as dt

from fastapi import FastAPI, WebSocket

app = FastAPI()


@app.websocket("/ws/chat")
async def chat(websocket: WebSocket):
    await websocket.accept()
    async for text in websocket.iter_text():
        now = dt.datetime.now().isoformat(sep=" ")
        await websocket.send_text("[" + now + "] Server received: " + text)
