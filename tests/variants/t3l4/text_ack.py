# expect-fail: acknowledges a binary message
from fastapi import FastAPI, WebSocket, WebSocketDisconnect

app = FastAPI()


@app.websocket("/ws/file-transfer")
async def upload(websocket: WebSocket):
    await websocket.accept()
    try:
        while True:
            data = await websocket.receive_bytes()
            with open("received_file.bin", "wb") as f:
                f.write(data)
            await websocket.send_text("FILE_RECEIVED")
    except WebSocketDisconnect:
        pass
