from fastapi import FastAPI, WebSocket

app = FastAPI()


@app.websocket("/ws/upload")
async def upload(websocket: WebSocket) -> None:
    await websocket.accept()
    # start -> ready; binary chunks; end with a sha256 -> ok or error;
    # download -> the whole file in one binary message.
