# expect: pass
from fastapi import FastAPI, WebSocket

app = FastAPI()


@app.websocket("/ws/mixed")
async def mixed(websocket: WebSocket):
    await websocket.accept()
    while True:
        match await websocket.receive():
            case {"type": "websocket.disconnect"}:
                break
            case {"text": str(text)}:
                await websocket.send_json({"kind": "text", "length": len(text)})
            case {"bytes": bytes(data)}:
                await websocket.send_json({"kind": "bytes", "length": len(data)})
