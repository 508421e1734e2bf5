from fastapi import FastAPI, WebSocket

app = FastAPI()


@app.websocket("/ws/file-transfer")
async def upload(websocket: WebSocket) -> None:
    await websocket.accept()
    # For each binary message: write it to received_file.bin ("wb"),
    # then answer with the binary message FILE_RECEIVED.
