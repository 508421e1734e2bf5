# expect: pass
from pathlib import Path

from fastapi import FastAPI, WebSocket

app = FastAPI()
TARGET = Path("received_file.bin")


@app.websocket("/ws/file-transfer")
async def upload(websocket: WebSocket):
    await websocket.accept()
    async for data in websocket.iter_bytes():
        TARGET.write_bytes(data)
        await websocket.send_bytes(b"FILE_RECEIVED")
