# expect: pass
import hashlib
import json

from fastapi import FastAPI, WebSocket
from starlette.websockets import WebSocketDisconnect

app = FastAPI()


@app.websocket("/ws/upload")
async def upload(websocket: WebSocket) -> None:
    await websocket.accept()
    try:
        start = json.loads(await websocket.receive_text())
        await websocket.send_text(json.dumps({"type": "ready"}))
        received = b""
        while True:
            message = await websocket.receive()
            if message["type"] == "websocket.disconnect":
                return
            if message.get("bytes") is not None:
                received += message["bytes"]
                continue
            end = json.loads(message["text"])
            break
        digest = hashlib.sha256(received).hexdigest()
        ok = len(received) == start["size"] and digest == end["sha256"]
        reply = {"type": "ok", "size": start["size"], "sha256": digest} if ok else {"type": "error", "reason": "rejected"}
        await websocket.send_json(reply)
        async for text in websocket.iter_text():
            if ok and text == "download":
                await websocket.send_bytes(received)
    except WebSocketDisconnect:
        pass
