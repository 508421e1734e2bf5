from fastapi import FastAPI, WebSocket, WebSocketDisconnect

app = FastAPI()


@app.websocket("/ws/file-transfer")
async def upload(websocket: WebSocket) -> None:
    await websocket.accept()
    try:
        while True:
            data = await websocket.receive_bytes()
            with open("received_file.bin", "wb") as f:
                f.write(data)
            await websocket.send_bytes(b"FILE_RECEIVED")
    except WebSocketDisconnect:
        pass
