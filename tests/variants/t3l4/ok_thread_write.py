# expect: pass
# Writing in a worker thread keeps the event loop free during large writes.
import asyncio

from fastapi import FastAPI, WebSocket, WebSocketDisconnect

app = FastAPI()


def save(data: bytes) -> None:
    with open("received_file.bin", "wb") as f:
        f.write(data)


@app.websocket("/ws/file-transfer")
async def upload(websocket: WebSocket):
    await websocket.accept()
    try:
        while True:
            message = await websocket.receive()
            if message["type"] == "websocket.disconnect":
                raise WebSocketDisconnect(message.get("code", 1000))
            data = message.get("bytes")
            if data is None:
                continue
            await asyncio.to_thread(save, data)
            await websocket.send_bytes(b"FILE_RECEIVED")
    except WebSocketDisconnect:
        pass
