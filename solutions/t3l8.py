from fastapi import FastAPI, WebSocket

app = FastAPI()


@app.websocket("/ws/session")
async def session(websocket: WebSocket) -> None:
    await websocket.accept()
    while True:
        message = await websocket.receive()
        if message["type"] == "websocket.disconnect":
            return
        if message.get("bytes") is not None:
            await websocket.close(code=1003, reason="binary frames are not supported")
            return
        text = message.get("text")
        if text == "bye":
            await websocket.close(code=1000, reason="done")
            return
        await websocket.send_text(f"ok: {text}")
