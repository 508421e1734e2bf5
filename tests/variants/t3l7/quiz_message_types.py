# expect-fail: a text frame is measured in characters
# The quiz answer's types do not exist in ASGI: nothing is ever answered.
from fastapi import FastAPI, WebSocket

app = FastAPI()


@app.websocket("/ws/mixed")
async def mixed(websocket: WebSocket):
    await websocket.accept()
    while True:
        message = await websocket.receive()
        if message["type"] == "websocket.receive.text":
            await websocket.send_json({"kind": "text", "length": len(message["text"])})
        elif message["type"] == "websocket.receive.bytes":
            await websocket.send_json({"kind": "bytes", "length": len(message["bytes"])})
        elif message["type"] == "websocket.disconnect":
            return
