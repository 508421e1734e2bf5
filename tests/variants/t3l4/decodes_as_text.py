# expect-fail: stores every byte value unchanged
from fastapi import FastAPI, WebSocket, WebSocketDisconnect

app = FastAPI()


@app.websocket("/ws/file-transfer")
async def upload(websocket: WebSocket):
    await websocket.accept()
    try:
        while True:
            data = await websocket.receive_bytes()
            with open("received_file.bin", "w", encoding="utf-8") as f:
                f.write(data.decode("utf-8", errors="replace"))
            await websocket.send_bytes(b"FILE_RECEIVED")
    except WebSocketDisconnect:
        pass
