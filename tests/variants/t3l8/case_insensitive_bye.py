# expect-fail: answers messages with ok
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
            await websocket.close(code=1003)
            return
        if message["text"].strip().lower() == "bye":
            await websocket.close(code=1000, reason="done")
            return
        await websocket.send_text(f"ok: {message['text']}")
