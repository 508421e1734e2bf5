from fastapi import FastAPI, WebSocket

app = FastAPI()


@app.websocket("/ws/mixed")
async def mixed(websocket: WebSocket) -> None:
    await websocket.accept()
    # message = await websocket.receive()  → {"type": "websocket.receive", "text": ...} or {..., "bytes": ...}
