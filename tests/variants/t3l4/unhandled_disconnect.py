# expect-fail: ends cleanly when the client leaves
from fastapi import FastAPI, WebSocket

app = FastAPI()


@app.websocket("/ws/file-transfer")
async def upload(websocket: WebSocket):
    await websocket.accept()
    while True:
        data = await websocket.receive_bytes()
        with open("received_file.bin", "wb") as f:
            f.write(data)
        await websocket.send_bytes(b"FILE_RECEIVED")
