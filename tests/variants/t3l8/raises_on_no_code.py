# expect-fail-first: ends cleanly when the client closes without a code
# Takes only 1000 and 1001 for a client leaving: a close frame with no code (1005) makes it raise.
from fastapi import FastAPI, WebSocket

app = FastAPI()


@app.websocket("/ws/session")
async def session(websocket: WebSocket) -> None:
    await websocket.accept()
    while True:
        message = await websocket.receive()
        if message["type"] == "websocket.disconnect":
            if message.get("code") in (1000, 1001):
                return
            raise RuntimeError(f"the client closed abnormally (code {message.get('code')})")
        if message.get("bytes") is not None:
            await websocket.close(code=1003, reason="binary frames are not supported")
            return
        text = message.get("text")
        if text == "bye":
            await websocket.close(code=1000, reason="done")
            return
        await websocket.send_text(f"ok: {text}")
