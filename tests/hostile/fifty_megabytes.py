# kind: mismatch | hang | crash
# says: the server's text message is not the expected one | stopped responding | your app sent more than
from fastapi import FastAPI, WebSocket

app = FastAPI()


@app.websocket("/ws")
async def echo(websocket: WebSocket):
    await websocket.accept()
    async for _ in websocket.iter_text():
        await websocket.send_text("x" * (50 * 1024 * 1024))
