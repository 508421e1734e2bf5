# kind: closed
# says: the server closed the connection (code 1000) instead of answering
from fastapi import FastAPI, WebSocket

app = FastAPI()


@app.websocket("/ws")
async def echo(websocket: WebSocket):
    await websocket.accept()
    await websocket.close()
