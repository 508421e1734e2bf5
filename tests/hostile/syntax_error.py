# kind: import
# says: has a syntax error
from fastapi import FastAPI, WebSocket

app = FastAPI()


@app.websocket("/ws")
async def echo(websocket: WebSocket):
    await websocket.accept(
    async for text in websocket.iter_text():
        await websocket.send_text(text)
