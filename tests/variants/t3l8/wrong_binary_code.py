# expect-fail: a binary frame closes with 1003
from fastapi import FastAPI, WebSocket

app = FastAPI()


@app.websocket("/ws/session")
async def session(websocket: WebSocket):
    await websocket.accept()
    while True:
        message = await websocket.receive()
        if message["type"] == "websocket.disconnect":
            return
        if message.get("bytes") is not None:
            await websocket.close(code=1008, reason="no binary")
            return
        if message["text"] == "bye":
            await websocket.close(code=1000, reason="done")
            return
        await websocket.send_text(f"ok: {message['text']}")
