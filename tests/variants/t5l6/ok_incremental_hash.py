# expect: pass
import hashlib

from fastapi import FastAPI, WebSocket, WebSocketDisconnect

app = FastAPI()


class Upload:
    def __init__(self) -> None:
        self.size = -1
        self.received = 0
        self.hash = hashlib.sha256()
        self.chunks: list[bytes] = []
        self.done = False

    def add(self, chunk: bytes) -> None:
        self.received += len(chunk)
        self.hash.update(chunk)
        self.chunks.append(chunk)

    def verdict(self, digest: str) -> dict:
        if self.received != self.size:
            return {"type": "error", "reason": "size mismatch"}
        if self.hash.hexdigest() != digest:
            return {"type": "error", "reason": "checksum mismatch"}
        self.done = True
        return {"type": "ok", "size": self.size, "sha256": digest}


@app.websocket("/ws/upload")
async def upload(websocket: WebSocket) -> None:
    await websocket.accept()
    state = Upload()
    try:
        while True:
            message = await websocket.receive()
            if message["type"] == "websocket.disconnect":
                raise WebSocketDisconnect(message.get("code", 1000))
            if message.get("bytes") is not None:
                state.add(message["bytes"])
            elif message.get("text") == "download" and state.done:
                await websocket.send_bytes(b"".join(state.chunks))
            else:
                import json

                request = json.loads(message["text"])
                if request["type"] == "start":
                    state.size = int(request["size"])
                    await websocket.send_json({"type": "ready"})
                elif request["type"] == "end":
                    await websocket.send_json(state.verdict(str(request["sha256"])))
    except WebSocketDisconnect:
        return
