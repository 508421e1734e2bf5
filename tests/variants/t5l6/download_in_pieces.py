# expect-fail: sends the file back in one message
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
                for start in range(0, len(data), 1024):
                    await websocket.send_bytes(bytes(data[start:start + 1024]))
                continue
            request = json.loads(text)
            if request.get("type") == "start":
                size = request["size"]
                await websocket.send_json({"type": "ready"})
            elif request.get("type") == "end":
                digest = hashlib.sha256(data).hexdigest()
                if len(data) != size:
                    await websocket.send_json({"type": "error", "reason": f"expected {size} bytes, got {len(data)}"})
                elif digest != request.get("sha256"):
                    await websocket.send_json({"type": "error", "reason": "checksum mismatch"})
                else:
                    accepted = True
                    await websocket.send_json({"type": "ok", "size": size, "sha256": digest})
    except WebSocketDisconnect:
        pass
