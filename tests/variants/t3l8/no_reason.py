# expect-fail: bye closes with 1000 done
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
        if message["text"] == "bye":
            await websocket.close()
            return
        await websocket.send_text(f"ok: {message['text']}")
