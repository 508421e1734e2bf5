# expect: pass
import json

from fastapi import FastAPI, WebSocket, WebSocketDisconnect

app = FastAPI()


async def frames(websocket: WebSocket):
    while True:
        message = await websocket.receive()
        if message["type"] == "websocket.disconnect":
            raise WebSocketDisconnect(message.get("code", 1000))
        yield message


@app.websocket("/ws/mixed")
async def mixed(websocket: WebSocket):
    await websocket.accept()
    try:
        async for message in frames(websocket):
            text, data = message.get("text"), message.get("bytes")
            kind, length = ("text", len(text)) if text is not None else ("bytes", len(data))
            await websocket.send_text(json.dumps({"length": length, "kind": kind}))
    except WebSocketDisconnect:
        pass
