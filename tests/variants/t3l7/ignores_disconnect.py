# expect-fail: returns on the disconnect message
from fastapi import FastAPI, WebSocket

app = FastAPI()


@app.websocket("/ws/mixed")
async def mixed(websocket: WebSocket):
    await websocket.accept()
    while True:
        message = await websocket.receive()
        if "text" in message:
            await websocket.send_json({"kind": "text", "length": len(message["text"])})
        elif "bytes" in message:
            await websocket.send_json({"kind": "bytes", "length": len(message["bytes"])})
