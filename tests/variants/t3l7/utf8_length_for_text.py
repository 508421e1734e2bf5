# expect-fail: a text frame is measured in characters
from fastapi import FastAPI, WebSocket

app = FastAPI()


@app.websocket("/ws/mixed")
async def mixed(websocket: WebSocket):
    await websocket.accept()
    while True:
        message = await websocket.receive()
        if message["type"] == "websocket.disconnect":
            return
        if message.get("text") is not None:
            await websocket.send_json({"kind": "text", "length": len(message["text"].encode())})
        else:
            await websocket.send_json({"kind": "bytes", "length": len(message["bytes"])})
