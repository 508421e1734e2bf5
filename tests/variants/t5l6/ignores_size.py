# expect-fail: a wrong size is an error
import hashlib
import json

from fastapi import FastAPI, WebSocket, WebSocketDisconnect

app = FastAPI()


@app.websocket("/ws/upload")
async def upload(websocket: WebSocket) -> None:
    await websocket.accept()
    data = bytearray()
    size = None
    accepted = False
    try:
        while True:
            message = await websocket.receive()
            if message["type"] == "websocket.disconnect":
                return
            if message.get("bytes") is not None:
                data += message["bytes"]
                continue
            text = message.get("text") or ""
            if text == "download" and accepted:
                await websocket.send_bytes(bytes(data))
                continue
            request = json.loads(text)
            if request.get("type") == "start":
                size = request["size"]
                await websocket.send_json({"type": "ready"})
            elif request.get("type") == "end":
                digest = hashlib.sha256(data).hexdigest()
                if digest != request.get("sha256"):
                    await websocket.send_json({"type": "error", "reason": "checksum mismatch"})
                else:
                    accepted = True
                    await websocket.send_json({"type": "ok", "size": size, "sha256": digest})
    except WebSocketDisconnect:
        pass
