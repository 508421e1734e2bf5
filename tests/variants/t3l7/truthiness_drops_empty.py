# expect-fail: mixed frames on one connection
from fastapi import FastAPI, WebSocket

app = FastAPI()


@app.websocket("/ws/mixed")
async def mixed(websocket: WebSocket):
    await websocket.accept()
    while True:
        message = await websocket.receive()
        if message["type"] == "websocket.disconnect":
            return
        if message.get("text"):
            await websocket.send_json({"kind": "text", "length": len(message["text"])})
        elif message.get("bytes"):
            await websocket.send_json({"kind": "bytes", "length": len(message["bytes"])})
