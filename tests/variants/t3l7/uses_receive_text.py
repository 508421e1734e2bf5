# expect-fail: reads frames with receive()
from fastapi import FastAPI, WebSocket, WebSocketDisconnect

app = FastAPI()


@app.websocket("/ws/mixed")
async def mixed(websocket: WebSocket):
    await websocket.accept()
    try:
        while True:
            text = await websocket.receive_text()
            await websocket.send_json({"kind": "text", "length": len(text)})
    except WebSocketDisconnect:
        pass
